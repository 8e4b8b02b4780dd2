// 一张图: districts coloured by AQI or by lamp, devices, open alarms and spot checks as layers.
// The data come from onemap/data.py in the page; every text shown here is a word from there.
(function () {
  const data = JSON.parse(document.getElementById("onemap-data").textContent);
  const box = document.getElementById("onemap");
  if (typeof echarts === "undefined" || !box || !data.city) return;
  const esc = echarts.format.encodeHTML;
  const boundary = data.boundary && echarts.getMap(data.boundary.map) ? data.boundary : null;
  const chart = echarts.init(box);
  const byMapName = {};
  data.districts.forEach((d) => { if (d.map_name) byMapName[d.map_name] = d; });
  const NO_DATA = "#eef0f3";
  let mode = "aqi";

  const point = (row, extra) => Object.assign({ value: [row.lon, row.lat], row: row }, extra || {});
  const coords = boundary ? { coordinateSystem: "geo", geoIndex: 0 } : { xAxisIndex: 0, yAxisIndex: 0 };
  const layers = [];
  data.legend.states.forEach((s) => layers.push({
    name: "设备" + s.name, type: "scatter", ...coords, symbolSize: 9, z: 3,
    itemStyle: { color: s.colour, borderColor: "#fff", borderWidth: 1 },
    data: data.devices.filter((d) => d.state === s.key).map((d) => point(d)),
    tip: (r) => `${esc(r.name)}<br>${esc(r.district)} · ${esc(r.state_name)}<br>` +
      (r.last_seen === "从未上传" ? "从未上传" : `最后上传：${esc(r.last_seen)}`),
  }));
  layers.push({
    name: "未办结报警", type: "effectScatter", ...coords, symbol: "triangle", symbolSize: 13, z: 4,
    rippleEffect: { scale: 2.5, brushType: "stroke" },
    itemStyle: { color: data.legend.alarm_colour, borderColor: "#fff", borderWidth: 1 },
    data: data.alarms.map((a) => point(a)),
    tip: (r) => `${esc(r.name)}<br>${esc(r.level)} · ${esc(r.status_name)}<br>首次：${esc(r.since)}`,
  });
  data.legend.inspections.forEach((s) => layers.push({
    name: "抽查" + s.name, type: "scatter", ...coords, symbol: "diamond", symbolSize: 11, z: 3,
    itemStyle: { color: s.colour, borderColor: "#fff", borderWidth: 1 },
    data: data.inspections.filter((i) => i.state === s.key).map((i) => point(i)),
    tip: (r) => `四不两直抽查：${esc(r.name)}<br>${esc(r.district)} · ${esc(r.day)} · ${esc(r.state_name)}`,
  }));
  const shown = layers.filter((l) => l.data.length);

  const districtTip = (d) => {
    if (!d) return "";
    if (mode === "lamp") {
      return d.lamp ? `${esc(d.name)}<br>整改事项：${esc(d.lamp_name)}<br>${esc(d.lamp_tally)}`
        : `${esc(d.name)}<br>无可查看的整改事项`;
    }
    return d.aqi === null ? `${esc(d.name)}<br>当日无空气质量数据`
      : `${esc(d.name)}<br>AQI ${d.aqi} · ${esc(d.aqi_category)}` +
        (d.primary ? `<br>首要污染物：${esc(d.primary)}` : "") + `<br>${esc(data.aqi_day)}`;
  };
  const colourOf = (d) => (mode === "lamp" ? d.lamp_colour : d.aqi_colour) || NO_DATA;

  // the map keeps its shape: the largest box of its aspect that fits below the legend
  const fit = () => {
    const w = box.clientWidth, h = box.clientHeight, top = w < 640 ? 64 : 36;
    const aw = w - 16, ah = Math.max(h - top - 8, 50), a = boundary.aspect || 1;
    const size = aw / ah > a ? Math.max(ah * a, ah) : Math.max(aw, aw / a);
    return { layoutCenter: [w / 2, top + ah / 2], layoutSize: size };
  };

  // without outlines: the axes hug the points (a little margin), as a city's span is < 2°
  const around = {
    min: (v) => Math.floor((v.min - 0.05) * 20) / 20, max: (v) => Math.ceil((v.max + 0.05) * 20) / 20,
    axisLabel: { formatter: (v) => v.toFixed(2) },
  };

  const option = () => {
    const series = shown.map(({ tip, ...s }) => s);
    const base = {
      animation: false,
      tooltip: {
        trigger: "item", confine: true,
        formatter: (p) => {
          if (p.componentType === "geo" || p.seriesType === "map") return districtTip(byMapName[p.name]);
          const layer = shown.find((l) => l.name === p.seriesName);
          return layer && p.data && p.data.row ? layer.tip(p.data.row) : "";
        },
      },
      legend: { type: "plain", top: 0, left: 0, right: 0, itemGap: 8, textStyle: { fontSize: 12 },
        data: shown.map((l) => l.name) },
      series: series,
    };
    if (!boundary) {
      return Object.assign(base, {
        grid: { left: 8, right: 16, top: 64, bottom: 28, containLabel: true },
        xAxis: { type: "value", name: "经度", nameLocation: "middle", nameGap: 26, ...around },
        yAxis: { type: "value", name: "纬度", ...around },
      });
    }
    base.geo = {
      map: boundary.map, roam: true, triggerEvent: true, ...fit(),
      label: { show: true, fontSize: 10, color: "#333" },
      emphasis: { label: { show: true }, itemStyle: { areaColor: "#cfe3ff" } },
      itemStyle: { areaColor: NO_DATA, borderColor: "#666", borderWidth: 0.8 },
      regions: data.districts.filter((d) => d.map_name).map((d) => ({
        name: d.map_name, itemStyle: { areaColor: colourOf(d) },
      })),
    };
    // the districts as a map series on the same geo: tooltips and clicks, and the data a test reads
    base.series = [{
      name: "区县", type: "map", geoIndex: 0,
      data: data.districts.filter((d) => d.map_name).map((d) => ({
        name: d.map_name, value: mode === "lamp" ? d.lamp_name : d.aqi, id: d.id,
      })),
    }].concat(series);
    return base;
  };

  const legendBox = document.getElementById("onemap-legend");
  const drawLegend = () => {
    if (!legendBox) return;
    const rows = mode === "lamp" ? data.legend.lamps : data.legend.aqi;
    legendBox.innerHTML = rows.map((r) =>
      `<span class="onemap-swatch"><i style="background:${esc(r.colour)}"></i>${esc(r.name)}</span>`).join("");
  };
  const draw = () => { chart.setOption(option(), true); drawLegend(); };
  draw();

  chart.on("click", (p) => {
    if (p.componentType === "geo" || p.seriesType === "map") {
      const d = byMapName[p.name];
      const url = d && (mode === "lamp" ? d.lamp_url : d.aqi_url);
      if (url) window.location.href = url;
      return;
    }
    if (p.data && p.data.row && p.data.row.url) window.location.href = p.data.row.url;
  });
  document.querySelectorAll("input[name=colour-by]").forEach((el) =>
    el.addEventListener("change", () => { mode = el.value; draw(); }));
  window.addEventListener("resize", () => { chart.resize(); if (boundary) chart.setOption({ geo: fit() }); });
})();
