/* Shared by every live screen: connect to the meeting's room, keep the newest state.
 * The server sends the whole state, numbered by the meeting's version, on connect and
 * after changes (a burst of changes as one state, so numbers may jump); every state is
 * complete, so a screen takes any newer one and ignores an older one. Reconnecting brings
 * the current state at once. */
(function () {
  "use strict";
  function format(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }
  function Live(options) {
    var self = this;
    var version = -1;
    var failures = 0;
    self.clockOffset = 0;
    // the page's language, so that the labels in every state match the page
    var lang = document.documentElement.lang.indexOf("en") === 0 ? "en" : "zh";
    // the meeting in the query too: a balancer in front of several processes hashes on it
    self.socket = io({ auth: { meeting: options.meeting, view: options.view },
      query: { lang: lang, meeting: String(options.meeting) } });
    self.socket.on("connect", function () { options.onLink && options.onLink(true); });
    self.socket.on("disconnect", function () { options.onLink && options.onLink(false); });
    self.socket.on("connect_error", function (error) {
      // the server's own refusal is a sentence for the person; a transport's ("xhr poll
      // error", "timeout") is not: the page says it is reconnecting instead
      var transport = !error || error.type === "TransportError" || error.message === "timeout";
      failures += 1;
      document.documentElement.setAttribute("data-link-failures", String(failures));  // tests
      options.onLink && options.onLink(false, transport ? null : error.message);
    });
    self.socket.on("you", function (you) { options.onYou && options.onYou(you); });
    self.socket.on("state", function (state) {
      if (state.version < version) { return; }  // an older state overtaken by a newer one
      version = state.version;
      self.clockOffset = Date.parse(state.server_time) - Date.now();
      window.liveVersion = version;  // read by the browser tests
      options.onState(state);
    });
  }
  /* Send an event; the callback gets the server's answer {ok, error}. A "busy" answer
   * (nothing was done) is sent again after a moment, a few times, before it is shown. */
  Live.prototype.send = function (event, payload, done, tries) {
    var self = this;
    tries = tries || 0;
    this.socket.timeout(8000).emit(event, payload || {}, function (timedOut, answer) {
      if (!timedOut && answer && answer.busy && tries < 4) {
        setTimeout(function () { self.send(event, payload, done, tries + 1); }, 400 * (tries + 1));
        return;
      }
      if (done) { done(timedOut ? { ok: false, error: "timeout", code: "timeout" } : answer); }
    });
  };
  /* Seconds left until an ISO deadline, by the server's clock. */
  Live.prototype.secondsLeft = function (deadline) {
    return Math.round((Date.parse(deadline) - (Date.now() + this.clockOffset)) / 1000);
  };
  Live.clock = function (seconds) {
    var sign = seconds < 0 ? "-" : "";
    seconds = Math.abs(seconds);
    var s = seconds % 60;
    return sign + Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  };
  /* A ballot's tracker code: 8 characters of base32 (40 random bits), drawn on this device.
   * Math.random only where the browser has no crypto at all (docs/ballot-secrecy.md). */
  Live.tracker = function () {
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", bytes = [], i, code = "";
    var c = window.crypto || window.msCrypto;
    if (c && c.getRandomValues) {
      bytes = c.getRandomValues(new Uint8Array(8));
    } else {
      for (i = 0; i < 8; i++) { bytes.push(Math.floor(Math.random() * 256)); }
    }
    for (i = 0; i < 8; i++) { code += alphabet.charAt(bytes[i] & 31); }
    return code;
  };
  Live.format = format;
  Live.texts = function () { return JSON.parse(document.getElementById("texts").textContent); };
  window.Live = Live;
})();
