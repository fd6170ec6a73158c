// Autosave for application forms: every change is posted (files are uploaded the moment they are chosen)
// and a copy of what was typed stays in this browser until the server has it, so an expired session or a
// lost connection loses nothing. Entries a field refuses are kept by the server as typed and marked here.
// When the copy in this browser differs from what the server has, the person chooses which to keep.
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form || !window.fetch) { return; }
  var statusEl = document.getElementById("autosave-status");
  var choice = document.getElementById("draft-choice");
  var key = form.getAttribute("data-draft-key");
  var timer = null;
  var choosing = false;  // a differing copy waits for the person's choice: it is neither replaced nor removed
  var lang = document.documentElement.lang;
  var texts = {
    saving: statusEl.getAttribute("data-saving"),
    failed: statusEl.getAttribute("data-failed"),
    restored: statusEl.getAttribute("data-restored"),
    waitingForUpload: statusEl.getAttribute("data-waiting-upload")
  };

  function versionInput() { return form.querySelector("[name=row_version]"); }
  function fields() {
    var data = new FormData(form);
    var plain = new FormData();
    data.forEach(function (value, name) {
      if (typeof value === "string" && name !== "remove_file") { plain.append(name, value); }
    });
    return plain;
  }
  function snapshot(data) {
    var copy = {};
    data.forEach(function (value, name) {
      if (name === "csrf_token" || name === "row_version") { return; }
      (copy[name] = copy[name] || []).push(value);
    });
    return copy;
  }
  function keep(data) {
    if (choosing) { return; }
    var copy = snapshot(data);
    copy.__version = versionInput().value;
    try { window.localStorage.setItem(key, JSON.stringify(copy)); } catch (e) { /* storage full or off */ }
  }
  function forget() {
    if (choosing) { return; }
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }
  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  // errors from the server, shown at each field as the page itself would show them
  function inputsOf(name) { return form.querySelectorAll("[name='" + name + "']"); }
  function errorBox(name) {
    var input = inputsOf(name)[0];
    return input ? document.getElementById((input.id || name) + "-error") : null;
  }
  function markField(name, messages) {
    var inputs = inputsOf(name);
    if (!inputs.length || inputs[0].type === "file") { return; }
    var first = inputs[0];
    var box = errorBox(name);
    var holder = first.closest(".field");
    if (messages && messages.length) {
      if (!box) {
        box = document.createElement("p");
        box.className = "error";
        box.id = (first.id || name) + "-error";
        first.insertAdjacentElement("afterend", box);
        var described = (first.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        described.push(box.id);
        first.setAttribute("aria-describedby", described.join(" "));
      }
      box.textContent = messages.join(" ");
      inputs.forEach(function (input) { input.setAttribute("aria-invalid", "true"); });
      if (holder) { holder.classList.add("has-error"); }
    } else {
      inputs.forEach(function (input) { input.removeAttribute("aria-invalid"); });
      if (box) { box.textContent = ""; }
      if (holder) { holder.classList.remove("has-error"); }
      var note = document.getElementById(name + "-kept");
      if (note) { note.remove(); }
    }
  }
  function showErrors(errors) {
    var names = {};
    form.querySelectorAll("[name]").forEach(function (input) { names[input.name] = true; });
    delete names.csrf_token; delete names.row_version;
    Object.keys(names).forEach(function (name) { markField(name, (errors || {})[name]); });
  }

  // every request this form makes (autosaves and uploads) goes one after another: each moves the row's
  // version, and one sent before the previous answer came would carry a stale version (refused as stale)
  var queue = Promise.resolve();
  var pending = 0;
  var held = null;
  function enqueue(send) {
    pending += 1;
    queue = queue.then(send).catch(function () { say(texts.failed); }).then(function () {
      pending -= 1;
      if (!pending && held) {
        var button = held.button;
        held = null;
        if (button) { form.requestSubmit(button); } else { form.requestSubmit(); }
      }
    });
  }

  function save() {
    enqueue(function () {
      var data = fields();
      keep(data);
      say(texts.saving);
      return fetch(form.getAttribute("data-autosave-url"), { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json().then(function (body) { return [response, body]; }); })
        .then(function (pair) {
          var body = pair[1];
          if (pair[0].ok && body.ok) {
            versionInput().value = body.row_version;
            forget();
            showErrors(body.errors);
            say(body.message + " " + new Date().toLocaleTimeString(lang === "en" ? "en-GB" : "ko-KR"));
          } else {
            say(body.message || texts.failed);
          }
        })
        .catch(function () { say(texts.failed); });
    });
  }
  function schedule(event) {
    if (event.target.type === "file") { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 700);
  }

  // files: uploaded the moment they are chosen, listed under the field, removable with its button;
  // a submit pressed while a request is still out waits for it and is sent when it is in
  function upload(input) {
    var box = form.querySelector("[data-uploaded='" + input.name + "']");
    var file = input.files && input.files[0];
    if (!file || !box) { return; }
    var limit = parseInt(box.getAttribute("data-max-bytes") || "0", 10);
    if (limit && file.size > limit) {
      showUploadError(box, input, box.getAttribute("data-too-big"));
      return;
    }
    say(box.getAttribute("data-uploading"));
    enqueue(function () {
      var data = new FormData();
      data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      data.append("row_version", versionInput().value);
      data.append(input.name, file);
      return fetch(form.getAttribute("data-upload-url").replace("FIELD", encodeURIComponent(input.name)),
            { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (!body.ok) { showUploadError(box, input, body.message || texts.failed); return; }
          versionInput().value = body.row_version;
          input.value = "";
          input.removeAttribute("aria-invalid");
          listUpload(box, input.name, body);
          say(body.message);
        })
        .catch(function () { showUploadError(box, input, texts.failed); });
    });
  }
  function listUpload(box, name, body) {
    var line = document.createElement("p");
    line.className = "meta";
    var title = document.createElement("span");
    title.className = "file-name";
    title.textContent = body.message + (body.file.size_text ? " (" + body.file.size_text + ")" : "");
    var link = document.createElement("a");
    link.href = body.file.url;
    link.textContent = box.getAttribute("data-download");
    var remove = document.createElement("button");
    remove.type = "submit";
    remove.className = "button small danger";
    remove.name = "remove_file";
    remove.value = name;
    remove.setAttribute("data-confirm", box.getAttribute("data-remove-confirm"));
    remove.textContent = box.getAttribute("data-remove");
    line.appendChild(title);
    line.appendChild(document.createTextNode(" — "));
    line.appendChild(link);
    line.appendChild(document.createTextNode(" "));
    line.appendChild(remove);
    box.textContent = "";
    box.appendChild(line);
  }
  function showUploadError(box, input, message) {
    var error = box.querySelector(".error");
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.id = input.id + "-upload-error";
      box.insertBefore(error, box.firstChild);
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + error.id).trim());
    }
    error.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.value = "";
    say(message);
  }

  // the browser's copy against the server's: the same is forgotten, a difference is the person's choice
  function currentValues(name) {
    var values = [];
    inputsOf(name).forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) { values.push(input.value); }
      } else if (input.type !== "file") {
        values.push(input.value);
      }
    });
    return values;
  }
  function same(a, b) {
    var left = (a || []).filter(function (v) { return v !== ""; }).slice().sort();
    var right = (b || []).filter(function (v) { return v !== ""; }).slice().sort();
    return left.join("\u0000") === right.join("\u0000");
  }
  function labelOf(name) {
    var input = inputsOf(name)[0];
    var fieldset = input && input.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    var label = input && input.id ? form.querySelector("label[for='" + input.id + "']") : null;
    var text = (legend || label || { textContent: name }).textContent;
    return text.replace(/\*/g, "").trim();
  }
  function shown(name, values) {
    var inputs = inputsOf(name);
    var chosen = inputs[0] && (inputs[0].type === "checkbox" || inputs[0].type === "radio");
    var words = values.filter(function (v) { return v !== ""; }).map(function (value) {
      if (!chosen) { return value; }
      var match = Array.prototype.filter.call(inputs, function (i) { return i.value === value; })[0];
      var text = match && match.closest("label");
      return text ? text.textContent.trim() : value;
    });
    return words.length ? words.join(", ") : null;
  }
  function apply(kept) {
    Object.keys(kept).forEach(function (name) {
      inputsOf(name).forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = kept[name].indexOf(input.value) !== -1;
        } else if (input.type !== "file") {
          input.value = kept[name][0];
        }
      });
    });
    if (window.amountsRefresh) { window.amountsRefresh(); }
  }
  function ask(kept, differing) {
    var list = choice.querySelector(".draft-choice-list");
    var empty = list.getAttribute("data-empty");
    differing.forEach(function (name) {
      var item = document.createElement("li");
      var title = document.createElement("strong");
      title.textContent = labelOf(name);
      item.appendChild(title);
      [["data-browser", kept[name] || []], ["data-saved", currentValues(name)]].forEach(function (pair) {
        var line = document.createElement("div");
        var which = document.createElement("span");
        which.className = "which";
        which.textContent = list.getAttribute(pair[0]) + ": ";
        line.appendChild(which);
        line.appendChild(document.createTextNode(shown(name, pair[1]) || empty));
        item.appendChild(line);
      });
      list.appendChild(item);
    });
    choosing = true;
    choice.hidden = false;
    choice.focus();
    choice.querySelector("[data-choice=browser]").addEventListener("click", function () {
      choosing = false;
      choice.hidden = true;
      apply(kept);
      say(texts.restored);
      save();
    });
    choice.querySelector("[data-choice=saved]").addEventListener("click", function () {
      choosing = false;
      choice.hidden = true;
      forget();
    });
  }
  function restore() {
    var raw = null;
    try { raw = window.localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var kept;
    try { kept = JSON.parse(raw); } catch (e) { forget(); return; }
    delete kept.__version;
    var names = {};
    Object.keys(kept).forEach(function (name) { if (inputsOf(name).length) { names[name] = true; } });
    form.querySelectorAll("[name]").forEach(function (input) {
      if (input.type !== "file" && input.type !== "hidden" && input.type !== "submit") { names[input.name] = true; }
    });
    var differing = Object.keys(names).filter(function (name) {
      return inputsOf(name)[0] && inputsOf(name)[0].type !== "file" && !same(kept[name], currentValues(name));
    });
    if (!differing.length) { forget(); return; }
    if (!choice) { apply(kept); save(); return; }
    ask(kept, differing);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", function (event) {
    if (event.target.type === "file") { upload(event.target); return; }
    schedule(event);
  });
  form.addEventListener("submit", function (event) {
    if (pending) {
      event.preventDefault();
      held = { button: event.submitter || null };  // sent as soon as the last request is in
      say(texts.waitingForUpload);
      return;
    }
    window.clearTimeout(timer);  // the form sends every value itself
    keep(fields());
  });
  restore();
})();
