/* Charts of the emergency pages (ECharts, vendored). Each function takes an element id and data. */
(function () {
  "use strict";

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function init(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const chart = window.echarts.init(el);
    window.addEventListener("resize", () => chart.resize());
    return chart;
  }

  /* Episode timeline: one row per episode, one bar per level period. */
  function timeline(elId, dataId) {
    const segs = data(dataId);
    const chart = init(elId);
    if (!chart || !segs) return;
    const episodes = [...new Set(segs.map((s) => s.episode))];
    chart.setOption({
      grid: { left: 80, right: 20, top: 20, bottom: 40 },
      tooltip: {
        formatter: (p) => `${p.data.episode} ${p.data.label}<br>${p.data.start.slice(0, 16).replace("T", " ")} — ${p.data.end.slice(0, 16).replace("T", " ")}${p.data.open ? "（进行中）" : ""}`,
      },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: episodes },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
      series: [
        {
          type: "custom",
          encode: { x: [1, 2], y: 0 },
          renderItem: (params, api) => {
            const start = api.coord([api.value(1), api.value(0)]);
            const end = api.coord([api.value(2), api.value(0)]);
            const height = api.size([0, 1])[1] * 0.55;
            return {
              type: "rect",
              shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 3), height: height },
              style: { fill: api.visual("color") },
            };
          },
          data: segs.map((s) => Object.assign({}, s, {
            value: [episodes.indexOf(s.episode), s.start, s.end],
            itemStyle: { color: s.color },
          })),
        },
      ],
    });
  }

  /* Forecast days with the thresholds of the rules in force. */
  function forecast(elId, dataId) {
    const d = data(dataId);
    const chart = init(elId);
    if (!chart || !d) return;
    chart.setOption({
      grid: { left: 50, right: 44, top: 30, bottom: 50 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.x, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: "AQI" },
      series: [
        {
          type: "bar",
          name: "AQI",
          data: d.y,
          itemStyle: {
            color: (p) => (p.value >= 500 ? "#7e0023" : p.value > 300 ? "#e0201b" : p.value > 200 ? "#ff7e00" : p.value > 150 ? "#f2c200" : "#5b9bd5"),
          },
          markLine: { symbol: "none", data: (d.thresholds || []).map((t) => ({ yAxis: t, label: { formatter: String(t) } })) },
        },
      ],
    });
  }

  /* Grouped bars: categories with several series (coverage/compliance, grades). */
  function bars(elId, dataId, stacked) {
    const d = data(dataId);
    const chart = init(elId);
    if (!chart || !d) return;
    chart.setOption({
      grid: { left: 50, right: 20, top: 40, bottom: 70 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.categories, axisLabel: { rotate: 40 } },
      yAxis: { type: "value", name: d.unit || "" },
      series: d.series.map((s) => ({ type: "bar", name: s.name, data: s.data, stack: stacked ? "all" : undefined })),
    });
  }

  /* Online data: one line per device and pollutant, the episode start marked. */
  function lines(elId, dataId) {
    const d = data(dataId);
    const chart = init(elId);
    if (!chart || !d) return;
    chart.setOption({
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time" },
      yAxis: { type: "value" },
      series: Object.entries(d.series).map(([name, points], i) => ({
        type: "line",
        name: name,
        showSymbol: false,
        data: points,
        markLine: i === 0 ? { symbol: "none", data: [{ xAxis: d.start, label: { formatter: "预警启动" } }] } : undefined,
      })),
    });
  }

  window.lantianEmergency = { timeline, forecast, bars, lines };
})();
