/* The host's console: presence, seats, the steps of each household, the speaking queue. */
(function () {
  "use strict";
  var script = document.getElementById("host-script");
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var NEXT = { pending: "start_briefing", briefing: "start_statement", statement: "start_questioning",
    questioning: "open_ballot", voting: "close_ballot", counted: "announce" };
  var state = null;
  var cardsUrl = script.getAttribute("data-cards");
  var live = new Live({
    meeting: Number(script.getAttribute("data-meeting")),
    view: "staff",
    onLink: function (up, reason) { $("link").textContent = up ? T.connected : (reason || T.offline); },
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
  function send(event, payload) {
    live.send(event, payload, function (answer) {
      $("message").hidden = answer.ok;
      $("message").textContent = answer.ok ? "" : answer.error;
      if (!answer.ok && state) { render(); }  // undo what the screen showed ahead of the server
    });
  }
  function render() {
    renderQuorum(); renderMembers(); renderCurrent(); renderHouseholds(); renderQueue();
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
      if (m.votes && m.has_phone) { seat.appendChild(button(T.release, "release_seat", { member_id: m.id }, "small")); }
      if (m.votes) {
        seat.appendChild(button(T.new_card, "new_card", { member_id: m.id }, "small"));
        var print = el("a", T.print_card, { href: cardsUrl + "?member=" + m.id, target: "card", "class": "small" });
        seat.appendChild(print);
      }
      row.appendChild(seat);
      body.appendChild(row);
    });
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
    if (c.quorum_broken) { box.appendChild(el("p", T.quorum_broken, { "class": "bad" })); }
    var next = NEXT[c.phase];
    if (next) {
      stepButton.hidden = false;
      stepButton.textContent = T.steps[next];
      stepButton.setAttribute("data-step", next);
      stepButton.onclick = function () { send("step", { position: c.position, step: next }); };
    }
    $("extend").hidden = !(c.timed && c.deadline);
    $("extend").onclick = function () { send("extend", { position: c.position, seconds: 60 }); };
    tick();
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
      if (h.phase === "pending") {
        actions.appendChild(button(T.steps.start_briefing, "step", { position: h.position, step: "start_briefing" }, "small"));
      }
      row.appendChild(actions);
      body.appendChild(row);
    });
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
})();
