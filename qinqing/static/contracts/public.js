// The public figures' chart: each zone's fulfilment rate, government beside enterprises.
// Data comes from a json_script element named by the chart's data-contracts-chart.
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-contracts-chart"));
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 48, right: 16, bottom: 48, top: 40 },
      xAxis: { type: "category", data: data.zones, axisLabel: { interval: 0, overflow: "break", width: 96 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      color: ["#b3261e", "#1f6feb"],
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 40 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll("[data-contracts-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
