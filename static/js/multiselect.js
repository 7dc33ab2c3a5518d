// Searchable multi-selects: every <select multiple data-searchable> becomes a tom-select box
// (static/vendor/tom-select) where typing part of a name (accents optional) narrows the list and
// each pick shows as a removable chip. Without scripts the plain list of the select stays.
// Rows added later by drafting.js announce themselves with a "formset:added" event.
(function () {
  "use strict";
  if (typeof TomSelect === "undefined") { return; }

  function enhance(root) {
    root.querySelectorAll("select[multiple][data-searchable]").forEach(function (select) {
      if (select.tomselect) { return; }
      var empty = select.getAttribute("data-no-results") || "—";
      new TomSelect(select, {
        plugins: ["remove_button"],
        maxOptions: null,
        hideSelected: true,
        closeAfterSelect: false,
        diacritics: true,
        render: {
          no_results: function () {
            var box = document.createElement("div");
            box.className = "no-results";
            box.textContent = empty;
            return box;
          }
        }
      });
    });
  }

  enhance(document);
  document.addEventListener("formset:added", function (event) { enhance(event.target); });
})();
