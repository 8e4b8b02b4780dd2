/* Air-quality charts (ECharts, vendored). Each page puts its data in a json_script element
   with id "air-chart" and marks chart containers with data-chart="calendar|bars|lines|aqi". */
(function () {
  "use strict";

  function pieces(levels) {
    var low = 0;
    return levels.map(function (lv) {
      var piece = { min: low, max: lv.max, color: lv.color, label: lv.category };
      low = lv.max + 1;
      return piece;
    });
  }

  function calendar(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {
        formatter: function (p) { return p.value[0] + "<br>AQI " + p.value[1]; }
      },
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 0,
        dimension: 1, pieces: pieces(data.levels)
      },
      calendar: {
        range: String(data.year), cellSize: ["auto", 16], top: 30, left: 40, right: 20,
        dayLabel: { nameMap: "ZH", firstDay: 1 }, monthLabel: { nameMap: "ZH" },
        yearLabel: { show: false }
      },
      series: [{ type: "heatmap", coordinateSystem: "calendar", data: data.calendar }]
    });
    return chart;
  }

  function bars(el, items, opts) {
    opts = opts || {};
    var chart = echarts.init(el);
    var series = {
      type: "bar",
      data: items.map(function (i) {
        return { value: i.value !== undefined ? i.value : i.aqi, itemStyle: i.color ? { color: i.color } : undefined };
      }),
      label: { show: true, position: "right" }
    };
    if (opts.target !== undefined && opts.target !== null) {
      series.markLine = { symbol: "none", data: [{ xAxis: opts.target, name: opts.targetName || "" }],
                          label: { formatter: (opts.targetName || "") + " {c}" },
                          lineStyle: { color: "#c62828", type: "dashed" } };
    }
    chart.setOption({
      grid: { left: 90, right: 50, top: 10, bottom: 20 },
      tooltip: {},
      xAxis: { type: "value", name: opts.unit || "" },
      yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.name; }) },
      series: [series]
    });
    return chart;
  }

  function lines(el, times, named) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 50 },
      xAxis: { type: "category", data: times },
      yAxis: { type: "value", name: "µg/m³" },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
      series: Object.keys(named).map(function (name) {
        return { name: name, type: "line", showSymbol: false, connectNulls: false, data: named[name] };
      })
    });
    return chart;
  }

  function aqiSeries(el, dates, aqi, pm25) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 30, bottom: 30 },
      xAxis: { type: "category", data: dates },
      yAxis: [{ type: "value", name: "AQI" }, { type: "value", name: "PM₂.₅" }],
      series: [
        { name: "AQI", type: "bar", data: aqi },
        { name: "PM₂.₅", type: "line", yAxisIndex: 1, showSymbol: false, data: pm25 }
      ]
    });
    return chart;
  }

  function start() {
    var source = document.getElementById("air-chart");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (kind === "calendar") { charts.push(calendar(el, data)); }
      if (kind === "bars") { charts.push(bars(el, data.bars)); }
      if (kind === "composite") { charts.push(bars(el, data.composite, { unit: "综合指数" })); }
      if (kind === "dust") { charts.push(bars(el, data.dust, { target: data.target, targetName: "目标", unit: "t/(km²·30d)" })); }
      if (kind === "lines") { charts.push(lines(el, data.times, data.series)); }
      if (kind === "aqi") { charts.push(aqiSeries(el, data.dates, data.aqi, data.pm25)); }
      el.setAttribute("data-ready", "1");
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
