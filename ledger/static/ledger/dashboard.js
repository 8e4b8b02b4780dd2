// 驾驶舱: each chart opens the ledger list filtered to what was clicked.
(function () {
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const go = (query) => { window.location.href = data.list_url + "?" + new URLSearchParams(query); };
  if (typeof echarts === "undefined") return;

  // a chart whose data are empty is not drawn: the page says why instead
  const make = (id) => (document.getElementById(id) ? echarts.init(document.getElementById(id)) : null);
  const charts = [];
  const status = make("chart-status");
  if (status) {
  charts.push(status);
  status.setOption({
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: data.status.filter((s) => s.value > 0) }],
  });
  status.on("click", (p) => go({ status: p.data.key }));
  }

  const units = make("chart-units");
  if (units) {
  charts.push(units);
  units.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["事项", "已销号"] },
    grid: { left: 160 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.units.map((u) => u.unit), inverse: true, axisLabel: { interval: 0 } },
    series: [
      { name: "事项", type: "bar", data: data.units.map((u) => u.total) },
      { name: "已销号", type: "bar", data: data.units.map((u) => u.closed) },
    ],
  });
  units.on("click", (p) => {
    const query = { unit: data.units[p.dataIndex].id };
    if (p.seriesName === "已销号") query.status = "closed";
    go(query);
  });
  }

  const burnup = make("chart-burnup");
  if (burnup) {
  charts.push(burnup);
  burnup.setOption({
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.burnup.map((b) => b.month) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", areaStyle: {}, data: data.burnup.map((b) => b.closed) }],
  });
  burnup.on("click", (p) => go({ closed_month: data.burnup[p.dataIndex].month }));
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
