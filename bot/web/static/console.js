// The console's charts: every [data-chart] element draws the JSON of its data-src with Apache
// ECharts and fetches it again every data-refresh seconds; [data-summary] tiles show today's
// totals. The JSON is /api/v1's (read with the session cookie). No other script on the pages.
(function () {
  "use strict";

  function labels(element) {
    return JSON.parse(element.dataset.labels || "{}");
  }

  function todayOption(data, names) {
    var channels = data.channels.map(function (c) { return c.name; });
    var last = data.days.length - 1;
    function series(key) {
      return { name: names[key], type: "bar", data: data.channels.map(function (c) { return c[key][last]; }) };
    }
    return {
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: channels }, yAxis: { type: "value", minInterval: 1 },
      series: [series("adds"), series("deletions"), series("net")]
    };
  }

  function daysOption(data, names) {
    function total(key) {
      return data.days.map(function (_, i) {
        return data.channels.reduce(function (sum, c) { return sum + c[key][i]; }, 0);
      });
    }
    var perChannel = data.channels.map(function (c) {
      return { name: c.name + " " + names.adds, type: "bar", stack: "adds", data: c.adds };
    });
    return {
      tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: perChannel.concat([
        { name: names.deletions, type: "line", data: total("deletions") },
        { name: names.net, type: "line", data: total("net") }
      ])
    };
  }

  var builders = { today: todayOption, days: daysOption };

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function drawChart(element) {
    var chart = window.echarts.init(element);
    var names = labels(element);
    function load() {
      fetchJSON(element.dataset.src).then(function (data) {
        chart.setOption(builders[element.dataset.chart](data, names), true);
        element.dataset.loaded = String(Date.now());
      }).catch(function () { /* keep the last picture; the next refresh tries again */ });
    }
    load();
    window.setInterval(load, 1000 * Number(element.dataset.refresh || 30));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function fillTiles(element) {
    function load() {
      fetchJSON(element.dataset.summary).then(function (data) {
        var last = data.days.length - 1;
        element.querySelectorAll("[data-today]").forEach(function (tile) {
          var key = tile.dataset.today;
          tile.textContent = data.channels.reduce(function (sum, c) { return sum + c[key][last]; }, 0);
        });
      }).catch(function () {});
    }
    load();
    window.setInterval(load, 1000 * Number(element.dataset.refresh || 30));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(drawChart);
    document.querySelectorAll("[data-summary]").forEach(fillTiles);
  });
})();
