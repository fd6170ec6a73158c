// Small improvements on top of pages that work without JavaScript: confirm dialogs, focus on errors.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Tables become cards on a phone (CSS below 600 px): each cell carries its column's heading.
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
            var text = heading.textContent.trim();
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
