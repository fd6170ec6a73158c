// Small improvements on top of pages that work without JavaScript: confirm dialogs, focus on errors.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (event.target.hasAttribute("data-clear-drafts")) { forgetDrafts(null); }  // signing out
  });
  // Autosave (autosave.js) keeps unsent form entries under "draft:<user id>:<application id>:<state>" (the
  // state names the form: a copy of one step's form is never compared with the next one's). They are
  // removed on sign-out, and a page signed in as someone else removes every copy that is not theirs
  // (an expired session keeps the copy for its own user only).
  function forgetDrafts(keepUser) {
    var keep = keepUser ? "draft:" + keepUser + ":" : null;
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        var draft = key && (key.indexOf("draft:") === 0 || key.indexOf("draft-") === 0);
        if (draft && (!keep || key.indexOf(keep) !== 0)) { window.localStorage.removeItem(key); }
      }
    } catch (e) { /* storage off */ }
  }
  if (document.body && document.body.getAttribute("data-user")) {
    forgetDrafts(document.body.getAttribute("data-user"));
  }
  // Tables become cards on a phone (CSS below 600 px): each cell carries its column's heading.
  // a heading's words without its decorations (a sort arrow is aria-hidden)
  function headingText(heading) {
    var copy = heading.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("[aria-hidden='true']"), function (hidden) { hidden.remove(); });
    return copy.textContent.trim();
  }
  function labelTableCells() {
    var tables = document.querySelectorAll(".table-wrap > table, table.cards");
    Array.prototype.forEach.call(tables, function (table) {
      var headings = table.querySelectorAll("thead th");
      if (!headings.length) { return; }
      table.classList.add("cards");
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var span = parseInt(cell.getAttribute("colspan") || "1", 10);
          var heading = headings[column];
          if (span === 1 && heading && !cell.hasAttribute("data-label")) {
            var text = headingText(heading);
            if (text) { cell.setAttribute("data-label", text); }
          }
          column += span;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    labelTableCells();
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
// A print button (the receipt and the submitted application): the browser's print dialog, also "save as PDF".
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("[data-print]")) { window.print(); }
});
