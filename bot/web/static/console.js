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

  // /api/v1/stats/daily: one section's labels per day (stacked), or its top labels in total.
  function labelsOf(data, section) {
    var seen = {};
    data.days.forEach(function (d) { Object.keys(d[section]).forEach(function (k) { seen[k] = true; }); });
    return Object.keys(seen).sort();
  }

  function perDayOption(section) {
    return function (data, names) {
      var keys = labelsOf(data, section);
      return {
        tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
        xAxis: { type: "category", data: data.days.map(function (d) { return d.day.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 },
        title: keys.length ? undefined : { text: names.empty, left: "center", top: "middle", textStyle: { fontSize: 14, color: "#888" } },
        series: keys.map(function (k) {
          return { name: names[k] || k, type: "bar", stack: section,
                   data: data.days.map(function (d) { return d[section][k] || 0; }) };
        })
      };
    };
  }

  function topOption(section, count) {
    return function (data, names) {
      var totals = {};
      data.days.forEach(function (d) {
        Object.keys(d[section]).forEach(function (k) { totals[k] = (totals[k] || 0) + d[section][k]; });
      });
      var top = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; }).slice(0, count).reverse();
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 24, bottom: 8, top: 16, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: top.map(function (k) { return names[k] || k; }) },
        title: top.length ? undefined : { text: names.empty, left: "center", top: "middle", textStyle: { fontSize: 14, color: "#888" } },
        series: [{ type: "bar", data: top.map(function (k) { return totals[k]; }) }]
      };
    };
  }

  var builders = {
    today: todayOption, days: daysOption,
    welcomes: perDayOption("welcomes"), hits: perDayOption("hits"),
    reminders: perDayOption("reminders"), intents: topOption("intents", 10)
  };

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
