/* Designation dossiers: each chosen file deposited on its own, one after another, with its
   progress (REFERENCE §5.1). Without this script the form sends every file at once. */
(function () {
  "use strict";

  function errorOf(xhr) {
    var doc = xhr.responseXML;
    var alert = doc && doc.querySelector("main .alert-error, main .error-page .lead");
    return alert ? alert.textContent.trim() : "Le dépôt n'a pas abouti (code " + xhr.status + "). Réessayez.";
  }

  function deposit(form, file, line) {
    return new Promise(function (resolve, reject) {
      var body = new FormData();
      body.append("cle", form.elements.cle.value);
      body.append("fichiers", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.responseType = "document";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          var percent = Math.round(100 * event.loaded / event.total);
          line.progress.value = percent;
          line.state.textContent = percent + " %";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          line.progress.value = 100;
          line.state.textContent = "déposé";
          resolve(xhr.responseURL);
        } else {
          line.state.textContent = errorOf(xhr);
          reject(new Error(line.state.textContent));
        }
      });
      xhr.addEventListener("error", function () {
        line.state.textContent = "Le portail ne répond pas. Réessayez dans un instant.";
        reject(new Error(line.state.textContent));
      });
      xhr.send(body);
    });
  }

  function lineFor(list, file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name + " ";
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", "Progression du dépôt de " + file.name);
    var state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = " en attente";
    item.append(name, progress, state);
    list.append(item);
    return {progress: progress, state: state};
  }

  // Delegated: the form may arrive later, when htmx swaps in the dossier the vault has just opened.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-televersement]")) {
      return;
    }
    var input = form.querySelector("input[type=file]");
    if (!input.files.length || !window.FormData) {
      return;
    }
    event.preventDefault();
    var list = form.querySelector(".upload-progress");
    list.textContent = "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var files = Array.prototype.slice.call(input.files);
    var lines = files.map(function (file) { return lineFor(list, file); });
    var chain = Promise.resolve(null);
    files.forEach(function (file, index) {
      chain = chain.then(function () { return deposit(form, file, lines[index]); });
    });
    chain.then(function (pageAfter) {
      var done = new URL(pageAfter || window.location.href);
      done.searchParams.set("deposes", String(files.length));
      window.location.assign(done.toString());
    }, function () {
      button.disabled = false;
    });
  });
}());
