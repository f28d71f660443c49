/* The host's console: presence, seats, the steps of each household, the speaking queue,
 * and the ballot: turnout, paper slips, recusals, the close and the tracker list. */
(function () {
  "use strict";
  var script = document.getElementById("host-script");
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var BEFORE_BALLOT = { pending: true, briefing: true, statement: true, questioning: true };
  var BALLOT_OPEN = { voting: true, suspended: true };
  var state = null;
  var cardsUrl = script.getAttribute("data-cards");
  var slip = { tracker: null, pending: null };  // the paper slip being entered
  var live = new Live({
    meeting: Number(script.getAttribute("data-meeting")),
    view: "staff",
    onLink: function (up, reason) {
      $("link").textContent = up ? T.connected : (reason || T.offline);
      if (up && slip.pending) { sendSlip(); }  // its answer may have been lost
    },
    onState: function (s) { state = s; render(); }
  });
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    for (var key in attrs || {}) { node.setAttribute(key, attrs[key]); }
    return node;
  }
  function button(text, event, payload, cls) {
    var b = el("button", text, { type: "button", "class": cls || "" });
    b.onclick = function () { send(event, payload); };
    return b;
  }
  function send(event, payload, done) {
    live.send(event, payload, function (answer) {
      if (done && done(answer)) { return; }  // handled there
      if (!answer.ok && answer.code === "needs_confirmation" && !payload.confirm) {
        // the server says what would happen; the host decides, and the same request goes again
        showError("");
        ask(answer.error, false, function () {
          var again = {};
          for (var k in payload) { again[k] = payload[k]; }
          again.confirm = true;
          send(event, again, done);
        });
        return;
      }
      showError(answer.ok ? "" : answer.error);
      if (!answer.ok && state) { render(); }  // undo what the screen showed ahead of the server
    });
  }
  /* One question at a time: a sentence, a reason to type when the step needs one, and the
   * host's yes or no. Nothing is sent before "yes". */
  function ask(text, withReason, yes) {
    $("confirm-text").textContent = text;
    $("confirm-reason").hidden = !withReason;
    $("confirm-reason").value = "";
    $("confirm-reason-hint").hidden = true;
    $("confirm-box").hidden = false;
    if (withReason) { $("confirm-reason").focus(); }
    $("confirm-yes").onclick = function () {
      var reason = $("confirm-reason").value.replace(/^\s+|\s+$/g, "");
      if (withReason && !reason) { $("confirm-reason-hint").hidden = false; return; }
      $("confirm-box").hidden = true;
      yes(reason);
    };
  }
  function askFirst(text, event, payload) {
    return function () { ask(text, false, function () { send(event, payload); }); };
  }
  function correct(name, position, extra) {
    var prompt = Live.format(T.correction_prompts[name], { position: position, to: extra ? extra.to : 0 });
    ask(prompt, true, function (reason) {
      var payload = { position: position, reason: reason };
      for (var k in extra || {}) { payload[k] = extra[k]; }
      send(name, payload);
    });
  }
  function correctionsFor(position) {
    return (state.corrections || []).filter(function (c) { return c.position === position; })
      .map(function (c) { return c.correction; });
  }
  function showError(text) {
    $("message").hidden = !text;
    $("message").textContent = text;
  }
  function render() {
    renderQuorum(); renderMembers(); renderCurrent(); renderBallot(); renderHouseholds(); renderQueue();
  }
  function renderQuorum() {
    var q = state.quorum, box = $("quorum");
    box.textContent = "";
    box.className = "quorum-box " + (q.holds ? "ok" : "bad");
    box.appendChild(el("p", q.holds ? T.quorum_ok : T.quorum_bad, { "class": "verdict" }));
    box.appendChild(el("p", Live.format(T.representatives,
      { present: q.representatives, minimum: q.min_representatives }), { "class": q.representatives_ok ? "ok" : "bad" }));
    box.appendChild(el("p", Live.format(T.cadres,
      { present: q.cadres, maximum: q.max_cadres }), { "class": q.cadres_ok ? "ok" : "bad" }));
    q.reasons.forEach(function (r) { box.appendChild(el("p", r, { "class": "reason" })); });
    $("everyone-present").onclick = askFirst(T.everyone_present_prompt, "everyone_present", { present: true });
    $("everyone-absent").onclick = askFirst(T.everyone_absent_prompt, "everyone_present", { present: false });
    var requests = $("seat-requests");
    requests.textContent = "";
    state.seat_requests.forEach(function (r) {
      var p = el("p", Live.format(T.wants_seat, { name: r.name }) + " ", { "class": "seat-request" });
      p.appendChild(button(T.approve, "seat_request", { request_id: r.id, approve: true }, "primary"));
      p.appendChild(button(T.refuse, "seat_request", { request_id: r.id, approve: false }));
      requests.appendChild(p);
    });
  }
  function renderMembers() {
    var body = $("members");
    body.textContent = "";
    state.members.forEach(function (m) {
      var row = el("tr", null, { "data-member": m.id, "class": m.present ? "present" : "absent" });
      row.appendChild(el("td", m.name));
      row.appendChild(el("td", m.role_label));
      var presence = el("td");
      var box = el("input", null, { type: "checkbox", "aria-label": m.name });
      box.checked = m.present;
      box.onchange = function () { send("presence", { member_id: m.id, present: box.checked }); };
      presence.appendChild(box);
      presence.appendChild(el("span", " " + (m.present ? T.present : T.absent)));
      row.appendChild(presence);
      var seat = el("td", m.votes ? (m.has_phone ? T.phone : T.no_phone) + " " : "");
      if (m.votes && m.has_phone) {
        var release = el("button", T.release, { type: "button", "class": "small", "data-release": m.id });
        release.onclick = askFirst(Live.format(T.release_prompt, { name: m.name }), "release_seat", { member_id: m.id });
        seat.appendChild(release);
      }
      if (m.votes) {
        var card = el("button", T.new_card, { type: "button", "class": "small", "data-new-card": m.id });
        card.onclick = askFirst(Live.format(T.new_card_prompt, { name: m.name }), "new_card", { member_id: m.id });
        seat.appendChild(card);
        var print = el("a", T.print_card, { href: cardsUrl + "?member=" + m.id, target: "card", "class": "small" });
        seat.appendChild(print);
      }
      row.appendChild(seat);
      row.appendChild(ballotCell(m));
      body.appendChild(row);
    });
  }
  /* Per voting member: votes on paper (no phone), and standing aside from this household. */
  function ballotCell(m) {
    var cell = el("td", null, { "class": "ballot-cell" });
    if (!m.votes) { return cell; }
    var label = el("label", null, { "class": "paper-toggle" });
    var box = el("input", null, { type: "checkbox", "data-paper": m.id });
    box.checked = m.on_paper;
    // how each member votes is fixed while a ballot is open (the server refuses a change)
    box.disabled = !!(state.current && BALLOT_OPEN[state.current.phase]);
    if (box.disabled) { label.title = T.channel_fixed; }
    box.onchange = function () { send("paper_voter", { member_id: m.id, on_paper: box.checked }); };
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + T.on_paper_toggle));
    cell.appendChild(label);
    var named = el("label", null, { "class": "paper-toggle" });
    var scrutineer = el("input", null, { type: "checkbox", "data-scrutineer": m.id });
    scrutineer.checked = !!m.scrutineer;
    scrutineer.onchange = function () { send("name_scrutineer", { member_id: m.id, named: scrutineer.checked }); };
    named.appendChild(scrutineer);
    named.appendChild(document.createTextNode(" " + T.scrutineer_toggle));
    cell.appendChild(named);
    var c = state.current;
    if (!c) { return cell; }
    var recusal = c.recused.filter(function (r) { return r.member_id === m.id; })[0];
    if (recusal) {
      cell.appendChild(el("span", " " + Live.format(T.recused, { reason: recusal.reason }), { "class": "recused" }));
      if (BEFORE_BALLOT[c.phase]) {
        cell.appendChild(button(T.withdraw_recusal, "withdraw_recusal", { position: c.position, member_id: m.id }, "small"));
      }
    } else if ((BEFORE_BALLOT[c.phase] || c.phase === "voting") && c.voted_ids.indexOf(m.id) < 0) {
      var recuse = el("button", T.recuse, { type: "button", "class": "small", "data-recuse": m.id });
      recuse.onclick = function () {
        var reason = window.prompt(Live.format(T.recuse_prompt, { name: m.name, position: c.position }));
        if (reason && reason.replace(/\s+/g, "")) {
          send("recuse", { position: c.position, member_id: m.id, reason: reason });
        }
      };
      cell.appendChild(recuse);
    }
    return cell;
  }
  function renderCurrent() {
    var c = state.current, box = $("current");
    box.textContent = "";
    var stepButton = $("step");
    stepButton.hidden = true;
    $("extend").hidden = true;
    if (!c) { return; }
    box.appendChild(el("h3", Live.format(T.household, { position: c.position }) + " · " + c.head_name));
    box.appendChild(el("p", Live.format(T.persons, { persons: c.persons }) + " · " + c.category + " · " + c.phase_label, { "class": "phase-now" }));
    if (c.phase === "suspended") {
      box.appendChild(el("p", T.suspended, { "class": "bad suspended" }));
    } else if (c.quorum_broken) {
      box.appendChild(el("p", T.quorum_broken, { "class": "bad" }));
    }
    // the server says which steps are possible now; the console offers exactly those
    var next = stepsFor(c.position)[0];
    if (next) {
      stepButton.hidden = false;
      stepButton.textContent = T.steps[next];
      stepButton.setAttribute("data-step", next);
      stepButton.onclick = function () {
        send(next, { position: c.position });
      };
    }
    var fixes = $("corrections");
    fixes.textContent = "";
    correctionsFor(c.position).forEach(function (name) {
      var b = el("button", T.corrections[name], { type: "button", "class": "small", "data-correction": name });
      b.onclick = function () { correct(name, c.position); };
      fixes.appendChild(b);
    });
    $("extend").hidden = !(c.timed && c.deadline);
    $("extend").onclick = function () { send("extend", { position: c.position, seconds: 60 }); };
    tick();
  }
  function stepsFor(position) {
    return state.steps.filter(function (s) { return s.position === position; })
      .map(function (s) { return s.step; });
  }
  function renderBallot() {
    var c = state.current;
    var voting = !!c && (c.phase === "voting" || c.phase === "suspended");
    var result = c ? c.result : null;
    $("ballot").hidden = !(voting || result);
    $("turnout").hidden = !voting;
    $("not-voted").hidden = !voting;
    $("slip-panel").hidden = !voting;
    if ($("bots")) {
      $("bots").hidden = !voting;
      $("bots").onclick = function () { send("bot_votes", { position: c.position }); };
    }
    $("result").hidden = !result;
    $("show-trackers").hidden = !(result && result.trackers_published && !c.trackers_on_projector);
    $("hide-trackers").hidden = !(result && c.trackers_on_projector);
    if (voting) {
      var t = c.turnout;
      $("turnout").textContent = Live.format(T.turnout, t);
      var recused = c.recused.map(function (r) { return r.member_id; });
      var missing = state.members.filter(function (m) {
        return m.votes && m.present && recused.indexOf(m.id) < 0 && c.voted_ids.indexOf(m.id) < 0;
      });
      var box = $("not-voted");
      box.textContent = "";
      box.appendChild(el("p", missing.length ? T.not_voted : T.all_voted, { "class": "meta" }));
      var list = el("ul", null, { "class": "missing" });
      missing.forEach(function (m) {
        var item = el("li", m.name + " ", { "data-member": m.id });
        if (m.on_paper) {
          item.appendChild(button(T.slip_received, "paper_slip", { position: c.position, member_id: m.id }, "small primary"));
        }
        list.appendChild(item);
      });
      box.appendChild(list);
      renderSlip(c);
    }
    if (result) {
      var out = $("result");
      out.textContent = "";
      out.appendChild(el("p", Live.format(T.outcome, { outcome: result.outcome_label }), { "class": "outcome " + result.outcome }));
      if (result.tier) {
        out.appendChild(el("p", Live.format(T.tier_result, { label: result.tier.label, amount: result.tier.monthly_amount })));
      }
      out.appendChild(el("p", [T.choices.eligible + " " + result.eligible, T.choices.not_eligible + " " + result.not_eligible,
        T.choices.abstain + " " + result.abstain].join(" · "), { "class": "counts" }));
      out.appendChild(el("p", Live.format(T.cast_of, result) +
        (result.on_paper ? " · " + Live.format(T.on_paper, { count: result.on_paper }) : "")));
      out.appendChild(el("p", result.reason, { "class": "meta" }));
      if (!result.trackers_published) { out.appendChild(el("p", T.trackers_unpublished, { "class": "meta" })); }
      var witnesses = (result.confirmed_by || []).map(function (c) { return c.name; });
      out.appendChild(el("p", witnesses.length ? Live.format(T.confirmed_by, { names: witnesses.join("、") }) : T.not_confirmed,
        { "class": "meta", id: "confirmed-by" }));
      $("show-trackers").onclick = function () { send("show_trackers", { position: c.position, shown: true }); };
      $("hide-trackers").onclick = function () { send("show_trackers", { position: c.position, shown: false }); };
    }
  }
  /* One paper slip at a time: its tracker is shown to be written on the slip, and kept until
   * the server has the slip, so a lost answer is retried as the same slip. */
  function renderSlip(c) {
    if (!slip.tracker) { slip.tracker = Live.tracker(); }
    $("slip-tracker").textContent = slip.pending ? slip.pending.tracker : slip.tracker;
    $("slips-waiting").textContent = Live.format(T.slips_waiting, { count: c.turnout.slips_waiting });
    $("slip-enter").disabled = !!slip.pending || c.turnout.slips_waiting < 1;
    renderWitnesses();
    $("slip-enter").onclick = function () {
      var picked = document.querySelector("input[name=slip-choice]:checked");
      var choice = picked ? picked.value : "";
      var witness = $("slip-witness").value;
      slip.pending = {
        position: c.position,
        choice: choice,
        tier: choice === "eligible" ? ($("slip-tier").value || null) : null,
        tracker: slip.tracker,
        witness: witness ? Number(witness) : null
      };
      $("slip-enter").disabled = true;
      sendSlip();
    };
  }
  /* Where scrutineers are named, the one watching names themself on each slip entered. */
  function renderWitnesses() {
    var select = $("slip-witness");
    var present = state.members.filter(function (m) { return m.scrutineer && m.present; });
    $("slip-witness-line").hidden = !present.length;
    var kept = select.value;
    select.textContent = "";
    select.appendChild(el("option", "—", { value: "" }));
    present.forEach(function (m) { select.appendChild(el("option", m.name, { value: String(m.id) })); });
    select.value = present.some(function (m) { return String(m.id) === kept; }) ? kept : "";
  }
  function sendSlip() {
    var payload = slip.pending;
    live.send("paper_ballot", payload, function (answer) {
      if (slip.pending !== payload) { return; }
      if (!answer.ok && answer.code === "timeout") {
        if (live.socket.connected) { sendSlip(); }  // else the reconnect sends it again
        return;
      }
      slip.pending = null;
      showError(answer.ok ? "" : answer.error);
      if (answer.ok) {
        slip.tracker = null;  // the next slip gets a new code
        var picked = document.querySelector("input[name=slip-choice]:checked");
        if (picked) { picked.checked = false; }
        $("slip-tier").value = "";
      }
      if (state) { render(); }
    });
  }
  function renderHouseholds() {
    var body = $("households");
    body.textContent = "";
    $("overview").hidden = !state.current;
    $("overview").onclick = function () { send("show", { position: null }); };
    state.households.forEach(function (h) {
      var current = state.current && state.current.position === h.position;
      var row = el("tr", null, { "data-position": h.position, "class": current ? "current" : "" });
      row.appendChild(el("td", String(h.position), { "class": "num" }));
      row.appendChild(el("td", h.head_name));
      row.appendChild(el("td", String(h.persons), { "class": "num" }));
      row.appendChild(el("td", h.phase_label));
      var actions = el("td");
      if (!current) { actions.appendChild(button(T.show, "show", { position: h.position }, "small")); }
      if (!current && stepsFor(h.position).indexOf("start_briefing") >= 0) {
        // the household next in order is the host's obvious next step: it stands out
        var next = h.position === nextToHear();
        actions.appendChild(button(T.steps.start_briefing, "start_briefing", { position: h.position },
          next ? "primary" : "small"));
      }
      if (!current) {
        correctionsFor(h.position).forEach(function (name) {
          var b = el("button", T.corrections[name], { type: "button", "class": "small", "data-correction": name });
          b.onclick = function () { correct(name, h.position); };
          actions.appendChild(b);
        });
      }
      if (h.movable) {
        var first = state.households[0].position, last = state.households[state.households.length - 1].position;
        if (h.position > first) { actions.appendChild(moveButton(h.position, h.position - 1, T.move_up)); }
        if (h.position < last) { actions.appendChild(moveButton(h.position, h.position + 1, T.move_down)); }
      }
      row.appendChild(actions);
      body.appendChild(row);
    });
  }
  /* The first household in the agenda that may still be started, when none is being heard. */
  function nextToHear() {
    if (state.current) { return null; }
    var open = state.households.filter(function (h) { return stepsFor(h.position).indexOf("start_briefing") >= 0; });
    return open.length ? open[0].position : null;
  }
  function moveButton(position, to, text) {
    var b = el("button", text, { type: "button", "class": "small", "data-move": position + ">" + to });
    b.onclick = function () { correct("move_household", position, { to: to }); };
    return b;
  }
  function renderQueue() {
    var list = $("queue");
    list.textContent = "";
    if (!state.queue.length) { list.appendChild(el("li", T.no_queue, { "class": "empty" })); }
    state.queue.forEach(function (r) {
      var item = el("li", r.name + " · " + (r.status === "speaking" ? T.speaking : T.waiting) + " ");
      if (r.status === "waiting") { item.appendChild(button(T.give_floor, "give_floor", { request_id: r.id }, "small primary")); }
      item.appendChild(button(T.done, "finish_speaking", { request_id: r.id }, "small"));
      list.appendChild(item);
    });
  }
  function tick() {
    var c = state && state.current;
    $("countdown").textContent = c && c.timed && c.deadline ? Live.clock(live.secondsLeft(c.deadline)) : "";
  }
  setInterval(tick, 1000);
  $("confirm-no").onclick = function () { $("confirm-box").hidden = true; };
})();
