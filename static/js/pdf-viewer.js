// The letter's PDF drawn into the page on phones, where browsers show no PDF in a frame.
// Each [data-pdf-viewer] element names the PDF (data-pdf-url) and PDF.js's worker
// (data-pdf-worker); its pages are drawn one canvas each, as wide as the element. The element
// is shown only below Bootstrap's md breakpoint (the desktop keeps its frame), and nothing is
// fetched while it is hidden. PDF.js (static/vendor/pdfjs) is loaded from data-pdf-lib, its
// URL as the static files name it; no eval (the CSP allows scripts from the portal's files only).

const PHONE = window.matchMedia("(max-width: 767.98px)");

async function draw(viewer) {
  viewer.dataset.state = "loading";
  const pages = viewer.querySelector("[data-pdf-pages]");
  const status = viewer.querySelector("[data-pdf-status]");
  try {
    const pdfjs = await import(viewer.dataset.pdfLib);
    pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.pdfWorker;
    const pdf = await pdfjs.getDocument({
      url: viewer.dataset.pdfUrl,
      isEvalSupported: false,
      withCredentials: true,
    }).promise;
    const width = pages.clientWidth || viewer.clientWidth || window.innerWidth;
    const ratio = window.devicePixelRatio || 1;
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      const scale = width / page.getViewport({ scale: 1 }).width;
      const viewport = page.getViewport({ scale: scale * ratio });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.className = "pdf-page";
      canvas.setAttribute("role", "img");
      canvas.setAttribute(
        "aria-label",
        (viewer.dataset.pageLabel || "{n} / {total}")
          .replace("{n}", number)
          .replace("{total}", pdf.numPages),
      );
      pages.appendChild(canvas);
      // Every annotation into the canvas, the signatures' images included (no form layer).
      await page.render({
        canvasContext: canvas.getContext("2d"),
        viewport,
        canvas,
        annotationMode: pdfjs.AnnotationMode.ENABLE,
      }).promise;
    }
    viewer.dataset.pages = String(pdf.numPages);
    viewer.dataset.state = "ready";
    if (status) status.hidden = true;
  } catch (error) {
    viewer.dataset.state = "failed";
    if (status) status.textContent = viewer.dataset.failedText || String(error);
  }
}

function start() {
  document.querySelectorAll("[data-pdf-viewer]").forEach((viewer) => {
    if (viewer.dataset.state) return;
    if (PHONE.matches) draw(viewer);
  });
}

start();
PHONE.addEventListener("change", start);
