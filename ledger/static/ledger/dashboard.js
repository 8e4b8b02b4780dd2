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
  // labels outside with guide lines, moved apart and hidden where they would still overlap
  status.setOption({
    tooltip: { trigger: "item", formatter: "{b}：{c} 项（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    series: [{
      type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"], avoidLabelOverlap: true,
      label: { formatter: "{b}\n{c}", overflow: "break" }, labelLine: { length: 8, length2: 8 },
      labelLayout: { hideOverlap: true, moveOverlap: "shiftY" },
      data: data.status.filter((s) => s.value > 0),
    }],
  });
  status.on("click", (p) => go({ status: p.data.key }));
  }

  const units = make("chart-units");
  if (units) {
  charts.push(units);
  const picked = new Set();
  const shown = () => {
    const n = data.top_n;
    const all = data.units;
    const keep = all.filter((u, i) => i < n || i >= all.length - n || picked.has(String(u.id)));
    return keep;
  };
  const drawUnits = () => {
    const rows = shown();
    units.setOption({
      tooltip: { trigger: "axis", formatter: (ps) => {
        const u = rows[ps[0].dataIndex];
        return `${u.unit}<br>完成率 ${u.rate}%（已销号 ${u.closed} / 事项 ${u.total}）`;
      } },
      grid: { left: 10, right: 40, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map((u) => u.unit), inverse: true,
        axisLabel: { interval: 0, width: 130, overflow: "truncate" } },
      series: [{ name: "完成率", type: "bar", label: { show: true, position: "right", formatter: "{c}%" },
        data: rows.map((u) => ({ value: u.rate,
          itemStyle: { color: picked.has(String(u.id)) ? "#e6a23c" : undefined } })) }],
    }, true);
    units.rows = rows;
  };
  drawUnits();
  const picker = document.getElementById("unit-picker");
  if (picker) picker.addEventListener("change", () => { if (picker.value) picked.add(picker.value); drawUnits(); });
  units.on("click", (p) => go({ unit: units.rows[p.dataIndex].id }));
  }

  const burnup = make("chart-burnup");
  if (burnup) {
  charts.push(burnup);
  burnup.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["已销号累计", "按期应完成累计"], bottom: 0 },
    grid: { left: 10, right: 20, top: 20, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.burnup.map((b) => b.month) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "已销号累计", type: "line", areaStyle: {}, data: data.burnup.map((b) => b.closed) },
      { name: "按期应完成累计", type: "line", step: "end", lineStyle: { type: "dashed" },
        data: data.burnup.map((b) => b.planned) },
    ],
  });
  burnup.on("click", (p) => go({ closed_month: data.burnup[p.dataIndex].month }));
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
