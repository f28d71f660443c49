/* The secretary's notes: saved as typed; a copy waits in the browser until the server has it,
 * so a dropped connection loses nothing. */
(function () {
  "use strict";
  var script = document.getElementById("secretary-script");
  var meetingId = Number(script.getAttribute("data-meeting"));
  var T = Live.texts();
  var $ = function (id) { return document.getElementById(id); };
  var position = null;
  var timers = {};
  var live = new Live({
    meeting: meetingId,
    view: "staff",
    onLink: function (up, reason) {
      $("link").textContent = up ? T.connected : (reason || T.offline);
      if (up) { resend(); }
    },
    onState: render
  });
  function key(field) { return "notes:" + meetingId + ":" + position + ":" + field; }
  function render(state) {
    var notes = state.notes;
    $("notes").hidden = !notes;
    if (!notes) { return; }
    position = notes.position;
    $("household").textContent = Live.format(T.household, { position: notes.position }) + " · " + state.current.head_name;
    ["statement_notes", "questioning_notes"].forEach(function (field) {
      var area = $(field);
      var unsent = localStorage.getItem(key(field));
      // never overwrite what is being typed or not yet saved
      if (document.activeElement !== area && unsent === null) { area.value = notes[field]; }
      area.setAttribute("data-position", notes.position);
    });
  }
  function save(field) {
    var text = $(field).value;
    localStorage.setItem(key(field), text);
    $("save-state").textContent = T.saving;
    live.send("save_notes", { position: position, field: field, text: text }, function (answer) {
      if (answer.ok && localStorage.getItem(key(field)) === text) { localStorage.removeItem(key(field)); }
      $("save-state").textContent = answer.ok ? T.saved : answer.error;
    });
  }
  function resend() {
    ["statement_notes", "questioning_notes"].forEach(function (field) {
      if (position !== null && localStorage.getItem(key(field)) !== null) { save(field); }
    });
  }
  ["statement_notes", "questioning_notes"].forEach(function (field) {
    $(field).addEventListener("input", function () {
      clearTimeout(timers[field]);
      timers[field] = setTimeout(function () { save(field); }, 400);
    });
  });
})();
