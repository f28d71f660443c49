/* The member's phone: phase, household, countdown, asking to speak, and the secret ballot.
 *
 * A ballot is kept in localStorage (by meeting and household) from the tap on "confirm"
 * until the server acknowledges it, and resent until then, after a timeout or a reconnect;
 * the server records one ballot per member and answers a retry "already_recorded". Once
 * acknowledged, only the tracker code stays on the phone: never the choice. Nothing here
 * logs a ballot. */
(function () {
  "use strict";
  var script = document.getElementById("phone-script");
  var meetingId = Number(script.getAttribute("data-meeting"));
  var meId = Number(script.getAttribute("data-member"));
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var state = null;
  var you = null;
  // what the member is choosing on this screen; nothing of it leaves the phone before "confirm"
  var draft = { position: null, step: "choose", choice: null, tier: null };
  var sending = {};   // position -> a cast_ballot is on its way
  var retryTimer = null;
  var retryDelay = 2000;
  var barred = {};    // position -> why the server will not take this phone's ballot
  var tiersFor = null;
  var live = new Live({
    meeting: meetingId,
    view: "member",
    onLink: function (up, reason) {
      $("link").setAttribute("data-state", up ? "up" : "down");
      $("link").textContent = up ? T.connected : (reason || T.offline);
      if (up) { resendAll(); }
    },
    onYou: function (me) { you = me; },
    onState: function (s) {
      state = s;
      render();
      if (s.current && s.current.phase === "voting") { resendAll(); }  // e.g. kept while suspended
    }
  });

  /* --- the ballot kept on the phone ------------------------------------------------------ */
  var memory = {};  // if localStorage is refused (private mode on old browsers)
  function key(position) { return "ballot:" + meetingId + ":" + position; }
  function load(position) {
    var text;
    try { text = localStorage.getItem(key(position)); } catch (e) { text = memory[key(position)]; }
    try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
  }
  function store(position, record) {
    var text = JSON.stringify(record);
    memory[key(position)] = text;
    try { localStorage.setItem(key(position), text); } catch (e) { /* memory holds it */ }
  }
  function forget(position) {
    delete memory[key(position)];
    try { localStorage.removeItem(key(position)); } catch (e) { /* gone from memory */ }
  }

  function cast() {
    var record = {
      position: draft.position,
      round: state.current ? state.current.ballot_round : null,
      choice: draft.choice,
      tier: draft.choice === "eligible" ? draft.tier : null,
      tracker: Live.tracker()
    };
    store(record.position, record);  // before sending: a lost answer or a reload loses nothing
    draft.step = "choose";
    draft.choice = null;
    draft.tier = null;
    send(record.position);
    render();
  }
  function send(position) {
    var record = load(position);
    if (!record || !record.choice || sending[position]) { return; }
    sending[position] = true;
    live.send("cast_ballot", {
      position: record.position, round: record.round || null, choice: record.choice,
      tier: record.tier, tracker: record.tracker
    }, function (answer) {
      sending[position] = false;
      var now = load(position);
      if (!now || !now.choice || now.tracker !== record.tracker) { return; }  // settled meanwhile
      if (answer.ok) {
        retryDelay = 2000;
        // the choice is gone
        store(position, { position: position, round: record.round, tracker: record.tracker });
      } else if (answer.code === "tracker_taken") {
        now.tracker = Live.tracker();
        store(position, now);
        send(position);
      } else if (answer.code === "ballot_suspended") {
        // kept as it is: sent again when the ballot resumes (the next state says so)
      } else if (answer.code === "ballot_voided") {
        forget(position);
        note(T.voided);
      } else if (answer.code === "storage_full") {
        // nothing was recorded, and the choice is kept: sent again once there is room
        note(answer.error);
        clearTimeout(retryTimer);
        retryTimer = setTimeout(resendAll, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      } else if (answer.code && answer.code !== "timeout") {
        // refused for good (closed, not entitled, not valid): the member sees why
        forget(position);
        if (answer.code === "not_entitled_to_vote") { barred[position] = answer.error; } else { note(answer.error); }
      } else {
        // no answer in time, or the server stumbled: the same ballot again, less and less often
        clearTimeout(retryTimer);
        retryTimer = setTimeout(resendAll, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      }
      if (state) { render(); }
    });
  }
  function resendAll() {
    if (!live.socket.connected) { return; }  // the reconnect resends
    var prefix = "ballot:" + meetingId + ":", seen = {}, i, k;
    try {
      for (i = 0; i < localStorage.length; i++) {
        k = localStorage.key(i);
        if (k && k.indexOf(prefix) === 0) { seen[k.slice(prefix.length)] = true; }
      }
    } catch (e) { /* memory below */ }
    for (k in memory) {
      if (k.indexOf(prefix) === 0) { seen[k.slice(prefix.length)] = true; }
    }
    for (k in seen) { send(Number(k)); }
  }
  var noteFor = null;  // the step a message was shown in: a later step clears it
  function step() { return state && state.current ? state.current.position + ":" + state.current.phase : ""; }
  function note(text) {
    $("message").textContent = text;
    noteFor = step();
    show("message", true);
  }

  /* --- the screen ------------------------------------------------------------------------ */
  function show(id, visible) { $(id).hidden = !visible; }
  function tierOf(current, code) {
    return current.tiers.filter(function (t) { return t.code === code; })[0];
  }
  function tierText(tier) {
    return Live.format(T.tier_amount, { label: tier.label, amount: tier.monthly_amount });
  }
  function render() {
    var current = state.current;
    var phase = current ? current.phase : null;
    var status = state.meeting.status;
    $("phase").textContent = current ? Live.format(T.phase, { phase: current.phase_label })
      : status === "closed" ? T.ended : status === "in_session" ? T.between : T.start;
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
    var q = state.quorum;
    // while people are still arriving a short quorum is no alarm: said plainly, not in red
    var arriving = status === "preparing" && !q.holds;
    $("quorum").textContent = q.holds ? T.quorum_ok
      : (arriving ? T.quorum_arriving : T.quorum_bad) + " · " + q.reasons.join(" ");
    $("quorum").className = q.holds || arriving ? "quorum" : "quorum bad";
    var present = state.present_ids.indexOf(meId) >= 0;
    if (!present) {
      note(T.not_present);
    } else if ($("message").textContent === T.not_present || noteFor !== step()) {
      show("message", false);
    }
    renderBallot(current, present);
    renderResult(current);
    tick();
  }
  var shownStep = null;  // the ballot step on screen, so a new one is scrolled to once
  function renderBallot(current, present) {
    var views = ["vote-choose", "vote-tier", "vote-confirm", "vote-sending", "vote-done", "vote-note"];
    var visible = null, noteText = "";
    if (!current) { show("ballot-card", false); return; }
    if (draft.position !== current.position) {
      draft = { position: current.position, step: "choose", choice: null, tier: null };
    }
    var voting = current.phase === "voting";
    var suspended = current.phase === "suspended";
    var record = load(current.position);
    if (record && record.round && current.ballot_round && record.round !== current.ballot_round) {
      forget(current.position);  // a ballot of a voided round: the member votes again
      record = null;
      note(T.voided);
    }
    var recusal = current.recused.filter(function (r) { return r.member_id === meId; })[0];
    var voted = current.voted_ids.indexOf(meId) >= 0;
    show("turnout", voting && !!current.turnout);
    if (voting && current.turnout) { $("turnout").textContent = Live.format(T.turnout, current.turnout); }
    if (record && record.choice) {
      visible = "vote-sending";
      if (suspended) { noteText = T.suspended; }
    } else if ((voting || suspended) && record && record.tracker) {
      visible = "vote-done";
      // in two groups of four, easier to read out or copy than eight letters in a row
      $("my-tracker").textContent = record.tracker.slice(0, 4) + " " + record.tracker.slice(4);
    } else if ((voting || suspended) && voted) {
      noteText = T.voted_elsewhere;
    } else if (suspended) {
      noteText = T.suspended;  // the choice being made stays on this phone until it resumes
    } else if (recusal) {
      noteText = Live.format(T.recused, { reason: recusal.reason });
    } else if (voting && you && !you.votes) {
      noteText = T.no_vote;
    } else if (voting && !present) {
      noteText = T.not_present;
    } else if (voting && barred[current.position]) {
      noteText = barred[current.position];  // e.g. registered to vote on paper
    } else if (voting) {
      visible = "vote-" + draft.step;
      if (draft.step === "tier") { renderTiers(current); }
      if (draft.step === "confirm") { renderConfirm(current); }
    }
    if (noteText) { visible = "vote-note"; $("vote-note").textContent = noteText; }
    views.forEach(function (id) { show(id, id === visible); });
    show("ballot-card", voting || !!visible);
    if (visible && visible !== shownStep && visible !== "vote-sending") {
      // a new step of the ballot: its buttons are brought up to the thumb, whatever the font
      $("ballot-card").scrollIntoView({ block: "start" });
    }
    shownStep = visible;
  }
  function renderTiers(current) {
    var box = $("tiers");
    var signature = meetingId + ":" + current.position;
    var proposed = current.tiers.filter(function (t) { return t.label === current.proposed_tier; })[0];
    if (tiersFor !== signature) {  // built once per household: a state arriving mid-tap keeps the button
      tiersFor = signature;
      box.textContent = "";
      current.tiers.forEach(function (t) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "tier";
        b.setAttribute("data-tier", t.code);
        b.textContent = tierText(t);
        b.onclick = function () { draft.tier = t.code; render(); };
        box.appendChild(b);
      });
    }
    $("proposed").textContent = proposed ? Live.format(T.proposed, { tier: proposed.label }) : "";
    var buttons = box.getElementsByTagName("button");
    for (var i = 0; i < buttons.length; i++) {
      var chosen = buttons[i].getAttribute("data-tier") === draft.tier;
      buttons[i].className = chosen ? "tier chosen" : "tier";
      buttons[i].setAttribute("aria-pressed", chosen ? "true" : "false");
    }
    $("tier-next").disabled = !tierOf(current, draft.tier);
  }
  function renderConfirm(current) {
    var tier = draft.choice === "eligible" ? tierOf(current, draft.tier) : null;
    $("confirm-choice").textContent = T.choices[draft.choice] + (tier ? " · " + tierText(tier) : "");
    $("confirm-choice").className = "summary " + draft.choice;
  }
  function renderResult(current) {
    var result = current && current.result;
    show("result-card", !!result);
    if (!result) { return; }
    $("outcome").textContent = Live.format(T.outcome, { outcome: result.outcome_label });
    $("outcome").className = "outcome " + result.outcome;
    show("result-tier", !!result.tier);
    if (result.tier) {
      $("result-tier").textContent = Live.format(T.tier_result,
        { label: result.tier.label, amount: result.tier.monthly_amount });
    }
    $("result-counts").textContent = [
      T.choices.eligible + " " + result.eligible,
      T.choices.not_eligible + " " + result.not_eligible,
      T.choices.abstain + " " + result.abstain
    ].join(" · ");
    var scrutineer = (state.scrutineer_ids || []).indexOf(meId) >= 0;
    var confirmed = (result.confirmed_by || []).some(function (c) { return c.member_id === meId; });
    show("scrutiny", scrutineer);
    show("confirm-count", scrutineer && !confirmed);
    show("count-confirmed", scrutineer && confirmed);
    $("confirm-count").onclick = function () {
      $("confirm-count").disabled = true;
      live.send("confirm_count", { position: current.position }, function (answer) {
        $("confirm-count").disabled = false;
        if (!answer.ok) { note(answer.error); }
      });
    };
    var record = load(current.position);
    var mine = record && !record.choice && record.tracker;
    show("check", !!(mine && current.trackers.length));
    if (!mine || !current.trackers.length) { return; }
    var list = $("tracker-list"), found = false;
    list.textContent = "";
    current.trackers.forEach(function (t) {
      var item = document.createElement("li");
      item.textContent = t.tracker + " " + t.choice_label + (t.tier ? " " + t.tier : "");
      if (t.tracker === mine) { item.className = "mine"; found = true; }
      list.appendChild(item);
    });
    $("check-verdict").textContent = found ? T.found : Live.format(T.missing, { tracker: mine });
    $("check-verdict").className = found ? "verdict ok" : "verdict bad";
  }
  function tick() {
    var current = state && state.current;
    var timed = current && current.timed && current.deadline;
    show("countdown", !!timed);
    if (timed) { $("countdown").textContent = Live.clock(live.secondsLeft(current.deadline)); }
  }
  setInterval(tick, 1000);
  function answer(result) {
    if (!result.ok) { note(result.error); }
  }
  $("raise").onclick = function () { live.send("raise_hand", {}, answer); };
  $("withdraw").onclick = function () { live.send("withdraw_hand", {}, answer); };
  var choices = $("vote-choose").getElementsByTagName("button");
  for (var i = 0; i < choices.length; i++) {
    choices[i].onclick = function () {
      draft.choice = this.getAttribute("data-choice");
      if (draft.choice === "eligible") {
        var current = state.current;
        var proposed = current.tiers.filter(function (t) { return t.label === current.proposed_tier; })[0];
        draft.tier = draft.tier || (proposed ? proposed.code : null);
        draft.step = "tier";
      } else {
        draft.tier = null;
        draft.step = "confirm";
      }
      render();
    };
  }
  $("tier-next").onclick = function () { if (draft.tier) { draft.step = "confirm"; render(); } };
  $("tier-back").onclick = function () { draft.step = "choose"; render(); };
  $("confirm-back").onclick = function () {
    draft.step = draft.choice === "eligible" ? "tier" : "choose";
    render();
  };
  $("confirm").onclick = cast;
})();
