// The problem ledger dashboard's charts: problems per channel by state (stacked bars),
// per category (a ring), the departments' closure and on-time rates (bars) and the
// campaigns' problems (bars). A click on a bar or a slice opens the problem list
// filtered to it. Data from the json_script element named by data-source (the
// Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";

  var COLOURS = {
    closed: "#198754",
    verified: "#20c997",
    open: "#0d6efd",
    overdue: "#dc3545",
    closure: "#198754",
    on_time: "#0d6efd",
    registered: "#6c757d"
  };

  function stacked(block, horizontal) {
    var category = { type: "category", data: block.names, axisLabel: { interval: 0, width: 120, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
      series: block.series.map(function (s) {
        return { type: "bar", stack: "all", name: s.name, data: s.data, itemStyle: { color: COLOURS[s.key] } };
      })
    };
  }

  function grouped(block, unit) {
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: unit ? 100 : null, minInterval: 1 },
      yAxis: { type: "category", data: block.names, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: block.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, itemStyle: { color: COLOURS[s.key] } };
      })
    };
  }

  function ring(items) {
    return {
      animation: false,
      tooltip: { trigger: "item", confine: true },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: ["40%", "68%"],
        center: ["50%", "45%"],
        label: { formatter: "{c}" },
        data: items.map(function (item) { return { name: item.name, value: item.value }; })
      }]
    };
  }

  function option(kind, data) {
    if (kind === "channels") { return stacked(data.channels, false); }
    if (kind === "categories") { return ring(data.categories); }
    if (kind === "departments") { return grouped(data.departments, data.labels.percent); }
    return grouped(data.campaigns, "");
  }

  function urls(kind, data) {
    if (kind === "categories") { return data.categories.map(function (item) { return item.url; }); }
    return data[kind].urls;
  }

  function draw(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source"));
      if (!source || el.getAttribute("data-rendered")) { return; }
      var data = JSON.parse(source.textContent);
      var kind = el.getAttribute("data-chart");
      var chart = window.echarts.init(el);
      chart.setOption(option(kind, data));
      var links = urls(kind, data);
      chart.on("click", function (params) {
        var url = links[params.dataIndex];
        if (url) { window.location.assign(url); }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-rendered", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
