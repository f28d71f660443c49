/* The projector: the household card, the phase and its clock, the quorum, the queue; while
 * a ballot is open only how many have voted, after the close the count and the result. */
(function () {
  "use strict";
  var script = document.getElementById("projector-script");
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var state = null;
  var live = new Live({
    meeting: Number(script.getAttribute("data-meeting")),
    view: "display",  // the hall's view: no member list, no notes, nothing staff-only
    onState: function (s) { state = s; render(); }
  });
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function render() {
    var c = state.current;
    $("welcome").hidden = !!c;
    $("card").hidden = !c;
    if (c) {
      $("head").textContent = Live.format(T.household, { position: c.position }) + " · " + c.head_name;
      $("facts").textContent = [Live.format(T.persons, { persons: c.persons }), c.address, c.category,
        c.application_type].filter(Boolean).join(" · ");
      $("investigation").textContent = [
        c.investigator ? Live.format(T.investigator, { name: c.investigator }) : "",
        c.recommendation ? Live.format(T.recommendation, { value: c.recommendation }) : "",
        c.proposed_tier ? Live.format(T.tier, { value: c.proposed_tier }) : ""
      ].filter(Boolean).join(" · ");
      $("recusals").hidden = !c.recused.length;
      $("recusals").textContent = c.recused.length ? Live.format(T.recusals_line,
        { names: c.recused.map(function (r) { return r.name; }).join("、") }) : "";
      var findings = $("findings");
      findings.hidden = c.phase === "voting" || c.phase === "suspended" || !!c.result;  // the hall looks at the ballot now
      findings.textContent = "";
      c.findings.forEach(function (group) {
        if (!group.items.length) { return; }
        var box = el("section");
        box.appendChild(el("h3", group.group));
        group.items.forEach(function (item) {
          var p = el("p");
          p.appendChild(el("b", item.heading + "："));
          p.appendChild(document.createTextNode(item.text));
          box.appendChild(p);
        });
        findings.appendChild(box);
      });
    } else {
      renderSummary();
    }
    renderBallot(c);
    // before the first household the opening heading says it; the phase line stays empty
    $("phase").textContent = c ? c.phase_label : $("welcome").className.indexOf("decided") >= 0 ? T.results : "";
    var q = state.quorum, box = $("quorum");
    box.className = "quorum " + (q.holds ? "ok" : "bad");
    box.textContent = "";
    box.appendChild(el("p", q.holds ? T.quorum_ok : T.quorum_bad));
    box.appendChild(el("p", Live.format(T.representatives, { present: q.representatives, minimum: q.min_representatives })));
    box.appendChild(el("p", Live.format(T.cadres, { present: q.cadres, maximum: q.max_cadres })));
    q.reasons.forEach(function (r) { box.appendChild(el("p", r)); });
    if (c && c.quorum_broken) { box.appendChild(el("p", T.quorum_broken)); }
    $("queue-box").hidden = !(c && c.phase === "questioning");
    var list = $("queue");
    list.textContent = "";
    state.queue.forEach(function (r) { list.appendChild(el("li", r.name, r.status)); });
    tick();
  }
  function tierText(tier) {
    return Live.format(T.tier_result, { label: tier.label, amount: tier.monthly_amount });
  }
  function percent(part, whole) { return (whole > 0 ? Math.min(100, 100 * part / whole) : 0) + "%"; }
  function renderBallot(c) {
    var suspended = !!c && c.phase === "suspended";
    var voting = !!c && (c.phase === "voting" || suspended);
    var result = c ? c.result : null;
    $("turnout-box").hidden = !voting;
    $("suspended-note").hidden = !suspended;
    if (voting && c.turnout) {
      $("turnout").textContent = Live.format(T.turnout, c.turnout);
      $("turnout-bar").style.width = percent(c.turnout.cast, c.turnout.entitled);
    }
    $("result-box").hidden = !result;
    var listed = !!result && c.trackers_on_projector && c.trackers.length > 0;
    $("trackers-box").hidden = !listed;
    $("card").className = listed ? "with-trackers" : "";
    if (!result) { return; }
    var whole = Math.max(result.basis_count, result.cast, 1);
    ["eligible", "not_eligible", "abstain"].forEach(function (choice) {
      $("count-" + choice).textContent = String(result[choice]);
      $("bar-" + choice).style.width = percent(result[choice], whole);
    });
    $("cast-of").textContent = Live.format(T.cast_of, { cast: result.cast, entitled: result.entitled }) +
      (result.on_paper ? " · " + Live.format(T.on_paper, { count: result.on_paper }) : "");
    $("outcome").textContent = result.outcome_label;
    $("outcome").className = "outcome " + result.outcome;
    $("result-tier").hidden = !result.tier;
    $("result-tier").textContent = result.tier ? tierText(result.tier) : "";
    $("reason").textContent = result.reason;
    $("quorum-open").textContent = quorumLine(T.quorum_at_open, result.quorum_at_open);
    $("quorum-close").textContent = quorumLine(T.quorum_at_close, result.quorum_at_close);
    var list = $("trackers");
    list.textContent = "";
    if (!listed) { return; }
    c.trackers.forEach(function (t) {
      var item = el("li", null, t.choice);
      item.appendChild(el("span", t.tracker, "code"));
      item.appendChild(el("span", t.choice_label + (t.tier ? " " + t.tier : ""), "what"));
      list.appendChild(item);
    });
  }
  function quorumLine(template, q) {
    return Live.format(template, q) + " · " + (q.holds ? T.quorum_ok : T.quorum_bad);
  }
  function renderSummary() {
    var body = $("summary").querySelector("tbody");
    var totals = {}, decided = false;
    body.textContent = "";
    state.households.forEach(function (h) {
      var row = el("tr", null, h.outcome || "");
      row.appendChild(el("td", String(h.position)));
      row.appendChild(el("td", h.head_name));
      row.appendChild(el("td", Live.format(T.persons, { persons: h.persons })));
      row.appendChild(el("td", h.outcome ? h.outcome_label : h.phase_label, "result"));
      row.appendChild(el("td", h.tier ? h.tier.label : ""));
      body.appendChild(row);
      if (h.outcome) {
        decided = true;
        var total = totals[h.outcome] || (totals[h.outcome] = { households: 0, persons: 0 });
        total.households += 1;
        total.persons += h.persons;
      }
    });
    var box = $("totals");
    box.textContent = "";
    $("welcome").className = decided ? "welcome decided" : "welcome";
    if (!decided) { return; }
    ["eligible", "not_eligible", "deferred"].forEach(function (outcome) {
      var total = totals[outcome] || { households: 0, persons: 0 };
      box.appendChild(el("p", Live.format(T.total,
        { label: T.outcomes[outcome], households: total.households, persons: total.persons }), outcome));
    });
  }
  function tick() {
    var c = state && state.current;
    var timed = c && c.timed && c.deadline;
    var left = timed ? live.secondsLeft(c.deadline) : 0;
    $("countdown").textContent = timed ? Live.clock(left) : "";
    $("countdown").className = "countdown" + (timed && left < 0 ? " over" : "");
  }
  setInterval(tick, 1000);
})();
