/* The secretary's notes: saved as typed; a copy waits in the browser until the server has it,
 * so a dropped connection loses nothing. Text is always saved to the household it was typed
 * for, even if the host moves on meanwhile. */
(function () {
  "use strict";
  var script = document.getElementById("secretary-script");
  var meetingId = Number(script.getAttribute("data-meeting"));
  var T = Live.texts();
  var FIELDS = ["statement_notes", "questioning_notes"];
  var $ = function (id) { return document.getElementById(id); };
  var shown = null;      // the household whose notes are in the text areas
  var timers = {};
  var live = new Live({
    meeting: meetingId,
    view: "staff",
    onLink: function (up, reason) {
      $("link").textContent = up ? T.connected : (reason || T.offline);
      if (up) { resendAll(); }
    },
    onState: render
  });
  function key(position, field) { return "notes:" + meetingId + ":" + position + ":" + field; }
  var picked = null;      // a household chosen to correct; null: the one being heard
  var fetched = null;     // the picked household's notes as the server sent them
  var last = null;        // the newest state
  function render(state) {
    last = state;
    renderPicker(state);
    var current = state.current;
    var speaking = state.queue.filter(function (r) { return r.status === "speaking"; })[0];
    $("phase-line").textContent = current ? [current.phase_label,
      speaking ? Live.format(T.speaking_now, { name: speaking.name }) : ""].join(" ") : "";
    var notes = picked === null ? state.notes : fetched;
    $("nothing-current").hidden = !!notes;
    $("nothing-current").textContent = T.nothing_current;
    $("notes").hidden = !notes;
    if (!notes) { return; }
    if (shown !== null && shown !== notes.position) {
      FIELDS.forEach(function (field) { flush(field); });  // finish the old household first
    }
    shown = notes.position;
    var household = state.households.filter(function (h) { return h.position === shown; })[0];
    $("household").textContent = Live.format(T.household, { position: shown }) +
      (household ? " · " + household.head_name : "");
    FIELDS.forEach(function (field) {
      var area = $(field);
      var unsent = localStorage.getItem(key(shown, field));
      if (unsent !== null) { area.value = unsent; return; }       // ours, not yet saved
      if (document.activeElement !== area || area.getAttribute("data-position") !== String(shown)) {
        area.value = notes[field];
      }
      area.setAttribute("data-position", String(shown));
    });
  }
  /* Any household can be picked, to correct its notes after the host has moved on. */
  function renderPicker(state) {
    var select = $("pick");
    var wanted = [["", T.follow_current]].concat(state.households.map(function (h) {
      return [String(h.position), Live.format(T.household, { position: h.position }) + " · " + h.head_name];
    }));
    if (select.options.length !== wanted.length) {
      select.textContent = "";
      wanted.forEach(function (w) {
        var option = document.createElement("option");
        option.value = w[0];
        option.textContent = w[1];
        select.appendChild(option);
      });
    }
    select.value = picked === null ? "" : String(picked);
  }
  $("pick").addEventListener("change", function () {
    var value = $("pick").value;
    picked = value === "" ? null : Number(value);
    fetched = null;
    if (picked === null) { render(last); return; }
    var position = picked;
    live.send("notes_of", { position: position }, function (answer) {
      if (picked !== position) { return; }  // another was picked meanwhile
      if (!answer.ok) { $("save-state").textContent = answer.error; return; }
      fetched = { position: position, statement_notes: answer.notes.statement_notes,
        questioning_notes: answer.notes.questioning_notes };
      render(last);
    });
  });
  function save(position, field, text) {
    $("save-state").textContent = T.saving;
    live.send("save_notes", { position: position, field: field, text: text }, function (answer) {
      if (answer.ok && localStorage.getItem(key(position, field)) === text) {
        localStorage.removeItem(key(position, field));
      }
      if (answer.ok && fetched && fetched.position === position) { fetched[field] = text; }
      $("save-state").textContent = answer.ok ? T.saved : answer.error;
    });
  }
  function flush(field) {
    clearTimeout(timers[field]);
    var text = localStorage.getItem(key(shown, field));
    if (text !== null) { save(shown, field, text); }
  }
  function resendAll() {
    for (var i = 0; i < localStorage.length; i++) {
      var parts = localStorage.key(i).split(":");
      if (parts[0] === "notes" && Number(parts[1]) === meetingId) {
        save(Number(parts[2]), parts[3], localStorage.getItem(localStorage.key(i)));
      }
    }
  }
  FIELDS.forEach(function (field) {
    $(field).addEventListener("input", function () {
      var position = shown;
      localStorage.setItem(key(position, field), $(field).value);
      clearTimeout(timers[field]);
      timers[field] = setTimeout(function () {
        save(position, field, localStorage.getItem(key(position, field)));
      }, 400);
    });
  });
})();
