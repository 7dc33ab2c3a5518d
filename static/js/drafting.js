// Drafting page: add and remove lines of the Kính gửi, Nơi nhận and task formsets.
// New rows are inserted next to the existing ones (never by rewriting the container's HTML),
// so nothing already typed is lost. No inline script: the CSP allows only our own files.
(function () {
  "use strict";

  function refreshPreview(element) {
    // The live preview listens for input events on the form.
    element.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.querySelectorAll("[data-formset]").forEach(function (box) {
    var prefix = box.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = box.querySelector("[data-rows]");
    var add = box.querySelector("[data-add]");
    if (!total || !template || !rows || !add) { return; }

    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var row = rows.lastElementChild;
      var first = row && row.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
      if (first) { first.focus(); }
    });

    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove]");
      if (!button) { return; }
      var row = button.closest("[data-row]");
      var flag = row && row.querySelector("input[name$='-DELETE']");
      if (!row || !flag) { return; }
      flag.checked = true;
      row.hidden = true;
      add.focus();
      refreshPreview(box);
    });
  });
})();
