// The officer's pages: a decision's confirmation names the outcome chosen; the board's "select all".
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm-choice");
    if (!question) { return; }
    var chosen = event.target.querySelector("input[type=radio]:checked");
    var label = chosen ? chosen.getAttribute("data-label") : "";
    if (!window.confirm(label ? question.replace("{choice}", label) : button.getAttribute("data-confirm-plain"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("[data-select-all]")) { return; }
    var form = all.getAttribute("form");
    // the rows' boxes, and the other "tick all" box (the table's head on a wide screen, the bar's on a phone)
    var boxes = document.querySelectorAll("input[name=application_id][form='" + form + "'], [data-select-all][form='" + form + "']");
    Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
  });
})();
