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
      if (row) { row.dispatchEvent(new CustomEvent("formset:added", { bubbles: true })); }
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

  // The signer chosen fills the printed title and name, unless the drafter wrote others: a
  // field still empty or still showing the previous signer's value follows the new choice.
  var signer = document.getElementById("id_signer");
  var title = document.getElementById("id_signer_title");
  var name = document.getElementById("id_signer_name");
  if (signer && title && name) {
    var previous = signer.options[signer.selectedIndex] || null;
    signer.addEventListener("change", function () {
      var chosen = signer.options[signer.selectedIndex];
      [[title, "data-title"], [name, "data-name"]].forEach(function (pair) {
        var field = pair[0], attribute = pair[1];
        var before = previous ? (previous.getAttribute(attribute) || "") : "";
        var after = chosen ? (chosen.getAttribute(attribute) || "") : "";
        if (after && (field.value === "" || field.value === before)) { field.value = after; }
      });
      previous = chosen;
      refreshPreview(signer);
    });
  }

  // "Use this unit" beside a Nơi nhận line printed but not sent (in the preview or above the
  // form): fills the line's unit field, and the preview shows the line as sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-unit]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-fill-unit"));
    if (!field) { return; }
    field.value = button.getAttribute("data-unit-text") || "";
    field.focus();
    refreshPreview(field);
    var notice = button.closest("[data-unsent-line]");
    if (notice) { notice.hidden = true; }
  });
})();
