// The project's timeline: both sides' obligations on one Gantt-style ECharts chart.
// Data comes from a json_script element named by the chart's data-gantt attribute
// (the Content-Security-Policy forbids inline scripts). One bar per obligation, from the
// date it counts from to its due date, coloured by status; a filled diamond marks the
// met date, a hollow one the original due date beside a moved one; a line marks today.
(function () {
  "use strict";

  var DAY = 86400000;

  function parseDay(text) {
    // "2026-05-01" as a local midnight, so the time axis shows the same calendar day.
    var parts = text.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])).getTime();
  }

  function rows(data) {
    // Enterprise rows, then government rows, each group under a heading row.
    var out = [];
    ["enterprise", "government"].forEach(function (side) {
      var bars = data.bars.filter(function (b) { return b.side === side; });
      if (!bars.length) { return; }
      out.push({ heading: true, label: data.labels[side] });
      bars.forEach(function (b) { out.push(b); });
    });
    return out;
  }

  function shortLabel(text) {
    return text.length > 16 ? text.slice(0, 15) + "…" : text;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function tooltip(bar, labels) {
    var lines = ["<strong>" + escapeHtml(bar.label) + "</strong>", escapeHtml(bar.owner)];
    lines.push(escapeHtml(labels.status) + ": " + escapeHtml(bar.status));
    lines.push(escapeHtml(labels.start) + ": " + bar.start);
    lines.push(escapeHtml(labels.due) + ": " + (bar.due || escapeHtml(labels.pending)));
    if (bar.original) { lines.push(escapeHtml(labels.original) + ": " + bar.original); }
    if (bar.met) { lines.push(escapeHtml(labels.met) + ": " + bar.met); }
    return lines.join("<br>");
  }

  function build(el, data) {
    var list = rows(data);
    var categories = list.map(function (r) { return r.heading ? "{h|" + r.label + "}" : shortLabel(r.label); });
    var bars = [];
    var met = [];
    var original = [];
    list.forEach(function (r, i) {
      if (r.heading) { return; }
      var start = parseDay(r.start);
      var end = Math.max(parseDay(r.end), start + DAY / 2);
      bars.push({
        value: [i, start, end],
        bar: r,
        itemStyle: { color: r.colour }
      });
      if (r.met) { met.push({ value: [parseDay(r.met), i], bar: r }); }
      if (r.original) { original.push({ value: [parseDay(r.original), i], bar: r }); }
    });

    el.style.height = Math.max(220, 60 + list.length * 28) + "px";
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 24, bottom: 28, containLabel: true },
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (p) { return p.data && p.data.bar ? tooltip(p.data.bar, data.labels) : ""; }
      },
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category",
        data: categories,
        inverse: true,
        axisTick: { show: false },
        axisLabel: { rich: { h: { fontWeight: "bold" } } }
      },
      series: [
        {
          type: "custom",
          name: "obligations",
          encode: { x: [1, 2], y: 0 },
          renderItem: function (params, api) {
            var y = api.value(0);
            var from = api.coord([api.value(1), y]);
            var to = api.coord([api.value(2), y]);
            // A pending obligation (no due date yet) is a thin bar up to today.
            var height = api.size([0, 1])[1] * (bars[params.dataIndex].bar.due ? 0.55 : 0.2);
            var shape = window.echarts.graphic.clipRectByRect(
              { x: from[0], y: from[1] - height / 2, width: Math.max(to[0] - from[0], 2), height: height },
              { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height }
            );
            return shape && { type: "rect", shape: shape, style: api.style() };
          },
          data: bars,
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: "#6c757d", type: "dashed" },
            // The y axis runs downwards (inverse), so the line's end is at the bottom,
            // where its label would sit on the time axis's own labels (the year) on a
            // narrow phone: the label goes at the line's top, above the first row.
            label: { formatter: data.labels.today, position: "start", distance: 4 },
            data: [{ xAxis: parseDay(data.today) }]
          }
        },
        {
          type: "scatter",
          name: data.labels.met,
          symbol: "diamond",
          symbolSize: 12,
          itemStyle: { color: "#212529" },
          data: met
        },
        {
          type: "scatter",
          name: data.labels.original,
          symbol: "emptyDiamond",
          symbolSize: 12,
          itemStyle: { color: "#6c757d" },
          data: original
        }
      ]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.bar && p.data.bar.url) { window.location.href = p.data.bar.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "true");
  }

  function draw(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-gantt]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-gantt"));
      if (!source || el.getAttribute("data-rendered")) { return; }
      build(el, JSON.parse(source.textContent));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
