// Starts ReDoc on /api/docs/redoc/ from the page's data attributes (no inline script, for the
// CSP): the schema's URL, and the response's nonce, which ReDoc puts on the <style> elements
// its styled components write. The search box runs in a worker made from a blob: URL, which
// this page's CSP alone allows (portal/api_docs.py).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var nonce = container.dataset.nonce;

  // A bundled stylesheet (the menu's scrollbar) is written as a <style> without the nonce,
  // which the CSP refuses: write it again, the same text, with the nonce.
  function withNonce(node) {
    if (node.nodeName !== "STYLE" || node.nonce === nonce) {
      return;
    }
    var style = document.createElement("style");
    style.nonce = nonce;
    style.textContent = node.textContent;
    node.replaceWith(style);
  }
  document.querySelectorAll("style").forEach(withNonce);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(withNonce);
    });
  }).observe(document.head, { childList: true });

  Redoc.init(container.dataset.schemaUrl, { nonce: nonce }, container);
})();
