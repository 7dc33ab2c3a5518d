// Buttons that cannot be undone, and the signer's two forms. No inline script (CSP).
//
// A form with data-confirm asks its question in a Bootstrap modal before it is sent; "Yes"
// sends it with confirm=1. Without this script the server asks the same question on a page of
// its own, since it acts only on a POST that carries confirm=1.
//
// A hidden input with data-mirror-of="<id>" takes the value of that field of another form when
// its own form is sent: the signer's approval carries the return reason typed beside it and the
// return carries the approval comment, so the server can keep both when it refuses one.
(function () {
  "use strict";

  var modalBox = document.getElementById("confirm-modal");
  var pending = null;

  function mirror(form) {
    form.querySelectorAll("input[data-mirror-of]").forEach(function (input) {
      var source = document.getElementById(input.getAttribute("data-mirror-of"));
      input.value = source ? source.value : "";
    });
  }

  function confirmed(form) {
    var flag = form.querySelector("input[name=confirm]");
    return flag && flag.value === "1";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    mirror(form);
    var question = form.getAttribute("data-confirm");
    if (!question || !modalBox || !window.bootstrap || confirmed(form)) { return; }
    event.preventDefault();
    pending = form;
    modalBox.querySelector("[data-testid=confirm-modal-question]").textContent = question;
    var yes = modalBox.querySelector("[data-confirm-yes]");
    yes.textContent = form.getAttribute("data-confirm-yes") || yes.getAttribute("data-default") || yes.textContent;
    window.bootstrap.Modal.getOrCreateInstance(modalBox).show();
  }, true);

  if (modalBox) {
    var yes = modalBox.querySelector("[data-confirm-yes]");
    yes.setAttribute("data-default", yes.textContent);
    yes.addEventListener("click", function () {
      if (!pending) { return; }
      var form = pending;
      pending = null;
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirm";
      flag.value = "1";
      form.appendChild(flag);
      yes.disabled = true;  // one click, one move
      form.submit();
    });
    modalBox.addEventListener("hidden.bs.modal", function () { pending = null; });
  }
})();
