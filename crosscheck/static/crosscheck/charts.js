/* Cross-check evidence charts (ECharts, vendored): an inspector's day on a map without tiles
   (longitude/latitude axes, the route in time order, impossible legs in red), an enterprise's
   online data around the inspection day, a district's rank around a close-out. Containers
   carry data-cc-chart="route|series|ranks" and data-src, the id of a json_script element. */
(function () {
  "use strict";

  function route(el, data) {
    var pts = data.points.filter(function (p) { return p.where; });
    var bad = {};
    (data.legs || []).forEach(function (l) { bad[l[0] + "-" + l[1]] = true; });
    var lines = [];
    for (var i = 1; i < pts.length; i++) {
      var a = pts[i - 1], b = pts[i];
      lines.push({
        coords: [[a.where[1], a.where[0]], [b.where[1], b.where[0]]],
        lineStyle: { color: bad[a.inspection + "-" + b.inspection] ? "#c0392b" : "#7f8c8d", width: 2 }
      });
    }
    echarts.init(el).setOption({
      tooltip: { formatter: function (p) { return p.data.label || ""; } },
      grid: { left: 60, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "value", name: "经度", scale: true },
      yAxis: { type: "value", name: "纬度", scale: true },
      series: [
        { type: "lines", coordinateSystem: "cartesian2d", polyline: false, data: lines,
          symbol: ["none", "arrow"], symbolSize: 8 },
        { type: "scatter", symbolSize: 12,
          data: pts.map(function (p) {
            return { value: [p.where[1], p.where[0]], label: p.at + " " + p.enterprise };
          }),
          label: { show: true, position: "right", formatter: function (p) { return p.data.label; } } }
      ]
    });
  }

  function series(el, data) {
    var names = Object.keys(data.series);
    echarts.init(el).setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 40 },
      xAxis: { type: "time" },
      yAxis: { type: "value" },
      series: names.map(function (name, i) {
        var s = { type: "line", name: name, showSymbol: false, data: data.series[name] };
        if (i === 0 && data.day) {
          s.markArea = { itemStyle: { color: "rgba(192,57,43,0.12)" },
                         data: [[{ xAxis: data.day + "T00:00:00+08:00" }, { xAxis: data.day + "T23:59:59+08:00" }]] };
        }
        return s;
      })
    });
  }

  function ranks(el, data) {
    echarts.init(el).setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 30, bottom: 40 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", inverse: true, min: 1, max: data.districts || null, name: "名次" },
      series: [{
        type: "line", name: data.metric, data: data.ranks, connectNulls: false,
        markLine: { symbol: "none", data: [{ xAxis: data.closed, label: { formatter: "销号", position: "insideMiddleTop" } }] },
        markArea: { itemStyle: { color: "rgba(230,126,34,0.15)" },
                    data: [[{ xAxis: data.run[0] }, { xAxis: data.run[data.run.length - 1] }]] }
      }]
    });
  }

  var kinds = { route: route, series: series, ranks: ranks };
  document.querySelectorAll("[data-cc-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-src"));
    var draw = kinds[el.getAttribute("data-cc-chart")];
    if (source && draw && window.echarts) { draw(el, JSON.parse(source.textContent)); }
  });
})();
