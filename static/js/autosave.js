// Autosave for application forms: every change is posted (files excepted) and a copy of what was typed
// stays in this browser until the server has it, so an expired session or a lost connection loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form || !window.fetch) { return; }
  var statusEl = document.getElementById("autosave-status");
  var key = form.getAttribute("data-draft-key");
  var timer = null;
  var lang = document.documentElement.lang;
  var texts = {
    saving: statusEl.getAttribute("data-saving"),
    failed: statusEl.getAttribute("data-failed"),
    restored: statusEl.getAttribute("data-restored")
  };

  function fields() {
    var data = new FormData(form);
    var plain = new FormData();
    data.forEach(function (value, name) {
      if (typeof value === "string") { plain.append(name, value); }
    });
    return plain;
  }
  function keep(data) {
    var copy = {};
    data.forEach(function (value, name) {
      if (name === "csrf_token" || name === "row_version") { return; }
      (copy[name] = copy[name] || []).push(value);
    });
    copy.__version = form.querySelector("[name=row_version]").value;
    try { window.localStorage.setItem(key, JSON.stringify(copy)); } catch (e) { /* storage full or off */ }
  }
  function say(text) { if (statusEl) { statusEl.textContent = text; } }
  function showErrors(errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
  }
  function save() {
    var data = fields();
    keep(data);
    say(texts.saving);
    fetch(form.getAttribute("data-autosave-url"), { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return [response, body]; }); })
      .then(function (pair) {
        var body = pair[1];
        if (pair[0].ok && body.ok) {
          form.querySelector("[name=row_version]").value = body.row_version;
          try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
          showErrors(body.errors);
          say(body.message + " " + new Date().toLocaleTimeString(lang === "en" ? "en-GB" : "ko-KR"));
        } else {
          say(body.message || texts.failed);
        }
      })
      .catch(function () { say(texts.failed); });
  }
  function schedule(event) {
    if (event.target.type === "file") { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 700);
  }
  function restore() {
    var raw = null;
    try { raw = window.localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var kept = JSON.parse(raw);
    var current = form.querySelector("[name=row_version]").value;
    if (String(kept.__version) !== String(current)) {
      // the server saved a newer version since this copy was taken: the copy is stale
      try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
      return;
    }
    delete kept.__version;
    Object.keys(kept).forEach(function (name) {
      var inputs = form.querySelectorAll("[name='" + name + "']");
      inputs.forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = kept[name].indexOf(input.value) !== -1;
        } else if (input.type !== "file") {
          input.value = kept[name][0];
        }
      });
    });
    say(texts.restored);
    save();
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () { keep(fields()); });
  restore();
})();
