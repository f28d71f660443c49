/* Staff pages: a form with data-confirm asks before it is sent, a [data-print] button prints
 * the page. Listeners here rather than onsubmit/onclick attributes, which the page's
 * Content-Security-Policy (script-src 'self') does not run. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
    // a download that takes a while says so, rather than seeming to do nothing
    var slow = event.target.closest("a[data-wait]");
    if (slow) {
      var note = document.querySelector(".wait-note");
      if (note) { note.textContent = slow.getAttribute("data-wait"); note.hidden = false; }
    }
  });
})();
