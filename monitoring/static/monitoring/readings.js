// Readings chart on the device page: fetches /api/v1/monitoring/devices/<id>/readings as JSON.
(function () {
  var el = document.getElementById("readings-chart");
  var form = document.getElementById("chart-form");
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  function load() {
    var params = new URLSearchParams(new FormData(form));
    fetch(el.dataset.url + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var series = [{name: data.name || data.code, type: "line", showSymbol: false,
          data: data.points.map(function (p) { return [p.time, p.value]; })}];
        var filled = data.points.filter(function (p) { return p.backfilled; });
        if (filled.length) {  // back-filled values (补传) stand out as dots on the line
          series.push({name: "补传", type: "scatter", symbolSize: 7, itemStyle: {color: "#ef6c00"},
            data: filled.map(function (p) { return [p.time, p.value]; })});
        }
        if (data.limit !== null) {
          series[0].markLine = {symbol: "none", data: [{yAxis: data.limit, name: "限值"}],
            lineStyle: {color: "#c62828"}};
        }
        // no data in the window: say why rather than draw empty axes
        var empty = data.points.length ? [] : [{type: "text", left: "center", top: "middle",
          style: {text: el.dataset.empty, fill: "#666", font: "14px sans-serif", width: 280,
            overflow: "break", align: "center"}}];
        chart.setOption({tooltip: {trigger: "axis"}, legend: {}, graphic: empty,
          xAxis: {type: "time"}, yAxis: {type: "value", name: data.unit}, series: series}, true);
        el.dataset.points = data.points.length;
        el.dataset.backfilled = filled.length;
      });
  }
  form.addEventListener("change", load);
  load();
  setInterval(function () { if (!document.hidden) load(); }, 20000);  // live devices: a moving chart
})();
