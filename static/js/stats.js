// Draws each dashboard chart from its JSON data block (the CSP allows no inline script).
(function () {
  "use strict";
  var COLOURS = ["#1d4e89", "#7aa6d8", "#b5532b", "#4f8a3c", "#8a6d1d", "#6b4f9a"];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (set, i) {
      set.backgroundColor = COLOURS[i % COLOURS.length];
      set.borderColor = COLOURS[i % COLOURS.length];
      set.spanGaps = true;
    });
    new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true } },
        plugins: {
          legend: { position: "bottom" },
          title: { display: Boolean(data.title), text: data.title }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();
