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
  function render(state) {
    var notes = state.notes;
    $("notes").hidden = !notes;
    if (!notes) { return; }
    if (shown !== null && shown !== notes.position) {
      FIELDS.forEach(function (field) { flush(field); });  // finish the old household first
    }
    shown = notes.position;
    $("household").textContent = Live.format(T.household, { position: notes.position }) + " · " + state.current.head_name;
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
  function save(position, field, text) {
    $("save-state").textContent = T.saving;
    live.send("save_notes", { position: position, field: field, text: text }, function (answer) {
      if (answer.ok && localStorage.getItem(key(position, field)) === text) {
        localStorage.removeItem(key(position, field));
      }
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
