// Dashboard charts: data comes from the json_script block "dashboard-data" (CSP: no inline JS).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function bar(canvasId, series, colour, max) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !series || !series.labels.length) {
      if (canvas) { canvas.closest(".card").classList.add("d-none"); }
      return;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [{ label: series.title, data: series.values, backgroundColor: colour }]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        plugins: { legend: { display: false }, title: { display: true, text: series.title } },
        scales: { x: { beginAtZero: true, suggestedMax: max } }
      }
    });
  }

  bar("chart-ack", data.ack, "#0d6efd", undefined);
  bar("chart-on-time", data.on_time, "#198754", 100);
})();
