// The contract fulfilment dashboard's charts: the government's and the enterprises'
// fulfilment rates as two gauges, and the government's obligations per department as
// stacked bars. Data from the json_script element named by data-source (the
// Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";

  var COLOURS = {
    on_time: "#198754",
    partly: "#e0a800",
    late: "#fd7e14",
    overdue: "#dc3545",
    open: "#0d6efd",
    pending: "#adb5bd"
  };

  function gauge(data) {
    var centres = [["25%", "55%"], ["75%", "55%"]];
    return {
      animation: false,
      series: data.rates.map(function (rate, i) {
        return {
          type: "gauge",
          center: centres[i],
          radius: "60%",
          min: 0,
          max: 100,
          progress: { show: true, width: 10 },
          axisLine: { lineStyle: { width: 10 } },
          axisTick: { show: false },
          splitLine: { length: 6 },
          axisLabel: { distance: 14, fontSize: 9 },
          pointer: { show: rate.value !== null },
          title: { offsetCenter: [0, "80%"], fontSize: 13 },
          detail: {
            offsetCenter: [0, "40%"],
            fontSize: 18,
            formatter: function (v) { return rate.value === null ? data.labels.none : v + "%"; }
          },
          itemStyle: { color: i === 0 ? "#b3261e" : "#0d6efd" },
          data: [{ value: rate.value === null ? 0 : rate.value, name: rate.name }]
        };
      })
    };
  }

  function bars(data) {
    var d = data.departments;
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: d.names, inverse: true },
      series: d.series.map(function (s) {
        return { type: "bar", stack: "all", name: s.name, data: s.data, itemStyle: { color: COLOURS[s.key] } };
      })
    };
  }

  function draw(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-dashboard]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source"));
      if (!source || el.getAttribute("data-rendered")) { return; }
      var data = JSON.parse(source.textContent);
      var kind = el.getAttribute("data-dashboard");
      var chart = window.echarts.init(el);
      chart.setOption(kind === "rates" ? gauge(data) : bars(data));
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-rendered", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
