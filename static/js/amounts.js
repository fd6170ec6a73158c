// Amount fields: thousands separators while typing, and the stage totals the rule file declares
// (`totals:`) with each share's limit, updated live. The server accepts "45,000,000" and checks the same
// limits on submit; what is typed otherwise (other digits, letters) is left as typed for it to refuse.
(function () {
  "use strict";
  var PLAIN = /^[0-9,\s]*$/;

  function group(digits) {
    return digits.replace(/^0+(?=[0-9])/, "").replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ",");
  }
  function amountOf(input) {
    var value = input.value.trim();
    if (!value || !PLAIN.test(value)) { return null; }
    var digits = value.replace(/[,\s]/g, "");
    return digits && digits.length <= 15 ? parseInt(digits, 10) : null;
  }
  function regroup(input) {
    var value = input.value;
    if (!PLAIN.test(value)) { return; }  // not plain digits: keep it as typed (the server explains why)
    var caret = input.selectionStart === null ? value.length : input.selectionStart;
    var digitsBefore = value.slice(0, caret).replace(/[^0-9]/g, "").length;
    var grouped = group(value.replace(/[^0-9]/g, ""));
    if (grouped === value) { return; }
    input.value = grouped;
    var position = 0, seen = 0;
    while (position < grouped.length && seen < digitsBefore) {
      if (grouped.charAt(position) !== ",") { seen += 1; }
      position += 1;
    }
    if (document.activeElement === input) { input.setSelectionRange(position, position); }
  }
  function percentText(value) {
    var rounded = Math.round(value * 10) / 10;
    return (rounded % 1 === 0 ? rounded.toFixed(0) : rounded.toFixed(1)) + "%";
  }
  function field(form, name) { return form.querySelector("input[name='" + name + "']"); }
  function refresh(panel) {
    var form = panel.closest("form");
    var names = panel.getAttribute("data-sum").split(" ");
    var total = 0, known = true;
    names.forEach(function (name) {
      var input = field(form, name);
      var amount = input ? amountOf(input) : null;
      if (amount === null) { known = false; } else { total += amount; }
    });
    panel.querySelector("[data-total-amount]").textContent = known
      ? panel.getAttribute("data-prefix") + group(String(total)) + panel.getAttribute("data-suffix") : "—";
    Array.prototype.forEach.call(panel.querySelectorAll("[data-share]"), function (item) {
      var input = field(form, item.getAttribute("data-share"));
      var part = input ? amountOf(input) : null;
      var out = item.querySelector("[data-share-percent]");
      var verdict = item.querySelector(".share-verdict");
      item.classList.remove("ok", "over");
      if (!known || total <= 0 || part === null) { out.textContent = "—"; verdict.textContent = ""; return; }
      var max = item.getAttribute("data-max"), min = item.getAttribute("data-min");
      var over = (max !== "" && part * 100 > total * parseFloat(max)) ||
                 (min !== "" && part * 100 < total * parseFloat(min));
      out.textContent = percentText(part * 100 / total);
      item.classList.add(over ? "over" : "ok");
      verdict.textContent = verdict.getAttribute(over ? "data-over" : "data-ok");
    });
  }
  function refreshAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-total]"), refresh);
  }
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-amount")) {
      regroup(event.target);
      refreshAll();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-amount]"), regroup);
    refreshAll();
  });
  window.amountsRefresh = refreshAll;  // autosave.js calls it after restoring a kept copy
})();
