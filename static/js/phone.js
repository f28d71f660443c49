/* The member's phone: phase, household, countdown, asking to speak. */
(function () {
  "use strict";
  var script = document.getElementById("phone-script");
  var meId = Number(script.getAttribute("data-member"));
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var state = null;
  var live = new Live({
    meeting: Number(script.getAttribute("data-meeting")),
    view: "member",
    onLink: function (up, reason) {
      $("link").setAttribute("data-state", up ? "up" : "down");
      $("link").textContent = up ? T.connected : (reason || T.offline);
    },
    onState: function (s) { state = s; render(); }
  });
  function show(id, visible) { $(id).hidden = !visible; }
  function render() {
    var current = state.current;
    var phase = current ? current.phase : null;
    $("phase").textContent = current ? Live.format(T.phase, { phase: current.phase_label }) : T.start;
    show("household", !!current);
    if (current) {
      $("household-no").textContent = Live.format(T.household, { position: current.position });
      $("household-head").textContent = current.head_name;
      $("household-persons").textContent = Live.format(T.persons, { persons: current.persons });
    }
    var mine = state.queue.filter(function (r) { return r.member_id === meId; })[0];
    show("speak-card", phase === "questioning");
    show("raise", !mine);
    show("speak-state", !!mine);
    show("withdraw", !!mine && mine.status === "waiting");
    if (mine) { $("speak-state").textContent = mine.status === "speaking" ? T.speaking : T.waiting; }
    show("ballot-card", phase === "voting");
    var q = state.quorum;
    $("quorum").textContent = q.holds ? T.quorum_ok : T.quorum_bad + " · " + q.reasons.join(" ");
    $("quorum").className = q.holds ? "quorum" : "quorum bad";
    var present = state.present_ids.indexOf(meId) >= 0;
    $("message").textContent = present ? "" : T.not_present;
    show("message", !present);
    tick();
  }
  function tick() {
    var current = state && state.current;
    var timed = current && current.timed && current.deadline;
    show("countdown", !!timed);
    if (timed) { $("countdown").textContent = Live.clock(live.secondsLeft(current.deadline)); }
  }
  setInterval(tick, 1000);
  function answer(result) {
    if (!result.ok) { $("message").textContent = result.error; show("message", true); }
  }
  $("raise").onclick = function () { live.send("raise_hand", {}, answer); };
  $("withdraw").onclick = function () { live.send("withdraw_hand", {}, answer); };
})();
