/* The projector: the household card, the phase and its clock, the quorum, the queue. */
(function () {
  "use strict";
  var script = document.getElementById("projector-script");
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var state = null;
  var live = new Live({
    meeting: Number(script.getAttribute("data-meeting")),
    view: "staff",
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
      var findings = $("findings");
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
      var body = $("summary").querySelector("tbody");
      body.textContent = "";
      state.households.forEach(function (h) {
        var row = el("tr");
        row.appendChild(el("td", String(h.position)));
        row.appendChild(el("td", h.head_name));
        row.appendChild(el("td", Live.format(T.persons, { persons: h.persons })));
        row.appendChild(el("td", h.phase_label));
        body.appendChild(row);
      });
    }
    $("phase").textContent = c ? c.phase_label : T.welcome;
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
  function tick() {
    var c = state && state.current;
    var timed = c && c.timed && c.deadline;
    var left = timed ? live.secondsLeft(c.deadline) : 0;
    $("countdown").textContent = timed ? Live.clock(left) : "";
    $("countdown").className = "countdown" + (timed && left < 0 ? " over" : "");
  }
  setInterval(tick, 1000);
})();
