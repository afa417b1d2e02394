/* An expertise's documents: after a download (a file's link, or the ZIP of the selection) the vault
   no longer counts those documents as New for the caller, so the tree and the list are fetched again
   (htmx, `hx-trigger="telecharge"` on #espace-documents) and New disappears without reloading the
   page (REFERENCE §5.4). Listening here, not with htmx's `from:` triggers: those would cancel the
   click or the submit, i.e. the download itself. Without this script the next page load shows it. */
(function () {
  "use strict";

  function refreshSoon() {
    // Time for the vault to record the download before the list is read again.
    window.setTimeout(function () {
      var area = document.getElementById("espace-documents");
      if (area && window.htmx) {
        window.htmx.trigger(area, "telecharge");
      }
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("a.telechargement")) {
      refreshSoon();
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target instanceof Element && event.target.matches("form.archive")) {
      refreshSoon();
    }
  });
}());
