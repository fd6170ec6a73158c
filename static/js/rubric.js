// The review form's live total: the sum of the whole numbers typed in the rubric's score fields.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rubric]");
  if (!form) return;
  var out = form.querySelector("[data-rubric-total]");
  var inputs = form.querySelectorAll("input[data-rubric-score]");
  function update() {
    var total = 0;
    inputs.forEach(function (input) {
      var text = input.value.trim();
      var max = parseInt(input.getAttribute("data-rubric-score"), 10);
      if (/^[0-9]+$/.test(text)) {
        var value = parseInt(text, 10);
        if (value <= max) total += value;
      }
    });
    out.textContent = String(total);
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
