// The numbers pages (数据看板, 增长与留存): every element with data-chart inside #numbers is
// drawn with ECharts from the JSON at #numbers' data-src, in the words that JSON carries (the
// viewer's language). Each chart can be saved as a PNG; with prefers-reduced-motion nothing
// animates. No inline script: the page only names its charts.
(function () {
  "use strict";

  var root = document.getElementById("numbers");
  if (!root || !window.echarts) return;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var english = document.documentElement.lang === "en";
  var font = window.getComputedStyle(document.body).fontFamily;
  var colours = ["#2f6fed", "#1f9d55", "#c77700", "#8e44ad", "#d93636", "#0ea5a4", "#6b7280"];
  var drawn = [];

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function day(value) { return String(value).slice(5); }
  function total(list) { return (list || []).reduce(function (a, b) { return a + (b || 0); }, 0); }

  function frame(labels, name, option) {
    var common = {
      animation: !still,
      color: colours,
      textStyle: { fontFamily: font },
      toolbox: { right: 4, top: 0, feature: { saveAsImage: {
        title: labels.save_png, name: name, pixelRatio: 2, backgroundColor: "#fff"
      } } },
      tooltip: { trigger: "axis" },
      legend: { top: 0, left: 0, right: 40, type: "scroll" },
      grid: { left: 8, right: 8, top: 34, bottom: 4, containLabel: true }
    };
    return Object.assign(common, option);
  }

  function dateAxis(dates) {
    return { type: "category", data: dates, axisLabel: { formatter: day }, boundaryGap: true };
  }
  var rateAxis = { type: "value", axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } };
  var rateTip = { valueFormatter: pct };

  function line(name, data, extra) {
    return Object.assign({ name: name, type: "line", data: data, showSymbol: data.length < 32, connectNulls: true }, extra || {});
  }

  var builders = {
    spark: function (d, el) {
      var values = d.series[el.getAttribute("data-series")] || [];
      return {
        animation: !still, color: [colours[0]],
        grid: { left: 0, right: 0, top: 4, bottom: 4 },
        xAxis: { type: "category", show: false, data: d.series.dates, boundaryGap: false },
        yAxis: { type: "value", show: false, scale: true },
        tooltip: { trigger: "axis", confine: true, valueFormatter: el.getAttribute("data-series").indexOf("Rate") > 0 || el.getAttribute("data-series") === "stickiness" ? pct : undefined },
        series: [{ type: "line", data: values, showSymbol: false, lineStyle: { width: 1.5 }, areaStyle: { opacity: 0.12 } }]
      };
    },
    dau: function (d, l) {
      var s = d.series;
      return frame(l, "dau", {
        xAxis: dateAxis(s.dates),
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, splitLine: { show: false } }],
        series: [
          line(l.dau, s.dau),
          line(l.prev_dau, s.prevDau, { lineStyle: { type: "dashed" }, showSymbol: false, itemStyle: { color: "#9aa3b0" } }),
          { name: l["new"], type: "bar", yAxisIndex: 1, data: s.newUsers, barMaxWidth: 14, itemStyle: { color: colours[1], opacity: 0.7 } }
        ]
      });
    },
    dauMau: function (d, l) {
      return frame(l, "dau-mau", { tooltip: Object.assign({ trigger: "axis" }, rateTip), xAxis: dateAxis(d.series.dates), yAxis: rateAxis, series: [line(l.dau_mau, d.series.dauMau, { areaStyle: { opacity: 0.1 } })] });
    },
    output: function (d, l) {
      var s = d.series;
      function bar(name, data) { return { name: name, type: "bar", stack: "output", data: data, barMaxWidth: 18 }; }
      return frame(l, "content-output", { xAxis: dateAxis(s.dates), yAxis: { type: "value" }, series: [bar(l.posts, s.posts), bar(l.comments, s.comments), bar(l.likes, s.likes), bar(l.shares, s.shares)] });
    },
    rates: function (d, l) {
      var s = d.series;
      return frame(l, "rates", { tooltip: Object.assign({ trigger: "axis" }, rateTip), xAxis: dateAxis(s.dates), yAxis: rateAxis, series: [line(l.interaction, s.interactionRate), line(l.reply, s.replyRate)] });
    },
    reports: function (d, l) {
      var s = d.series;
      return frame(l, "reports", {
        xAxis: dateAxis(s.dates),
        yAxis: [{ type: "value", minInterval: 1 }, Object.assign({ splitLine: { show: false } }, rateAxis)],
        series: (s.reportReasons && s.reportReasons.length ? s.reportReasons.map(function (r) {
          return { name: r.label, type: "bar", stack: "reports", data: r.counts, barMaxWidth: 18 };
        }) : [{ name: l.reports, type: "bar", data: s.reports, barMaxWidth: 18, itemStyle: { color: colours[4] } }]).concat([
          line(l.report_rate, s.reportRate, { yAxisIndex: 1, tooltip: rateTip, itemStyle: { color: colours[2] } })
        ])
      });
    },
    calendar: function (d, l) {
      var s = d.series;
      var top = Math.max.apply(null, s.dau.concat([1]));
      return {
        animation: !still, textStyle: { fontFamily: font },
        toolbox: { right: 4, top: 0, feature: { saveAsImage: { title: l.save_png, name: "dau-calendar", pixelRatio: 2, backgroundColor: "#fff" } } },
        tooltip: { formatter: function (p) { return p.value[0] + "<br>" + l.dau + " " + p.value[1]; } },
        visualMap: { min: 0, max: top, text: [String(top), "0"], orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, calculable: false, inRange: { color: ["#eef3fd", "#2f6fed"] } },
        calendar: {
          range: [d.range.from, d.range.to], top: 44, left: 40, right: 16, bottom: 44, cellSize: ["auto", "auto"],
          dayLabel: { firstDay: 1, nameMap: english ? "EN" : "ZH" }, monthLabel: { nameMap: english ? "EN" : "ZH" },
          yearLabel: { show: false }, itemStyle: { borderColor: "#fff", borderWidth: 2 }, splitLine: { lineStyle: { color: "#cfd4dc" } }
        },
        series: [{ type: "heatmap", coordinateSystem: "calendar", data: s.dates.map(function (x, i) { return [x, s.dau[i]]; }) }]
      };
    },
    moderation: function (d, l) {
      var m = d.moderation;
      return frame(l, "moderation", {
        xAxis: dateAxis(m.days),
        yAxis: [{ type: "value", minInterval: 1 }, Object.assign({ splitLine: { show: false }, max: 1 }, rateAxis)],
        series: [
          { name: l.inflow, type: "bar", data: m.inflow, barMaxWidth: 14 },
          { name: l.decided, type: "bar", data: m.decided, barMaxWidth: 14 },
          line(l.within_sla, m.withinSlaDaily, { yAxisIndex: 1, tooltip: rateTip, connectNulls: false })
        ]
      });
    },
    cohorts: function (d, l) {
      var c = d.cohorts;
      var unit = c.period === "WEEK" ? l.week_n : l.day_n;
      var names = c.rows.map(function (r) { return r.date + " (" + r.size + ")"; }).concat([l.average]);
      var cells = [];
      c.rows.concat([{ rates: c.average }]).forEach(function (row, y) {
        row.rates.forEach(function (rate, x) {
          cells.push([x, y, rate === null ? "-" : Math.round(rate * 1000) / 10]);
        });
      });
      return {
        animation: !still, textStyle: { fontFamily: font },
        toolbox: { right: 4, top: 0, feature: { saveAsImage: { title: l.save_png, name: "retention", pixelRatio: 2, backgroundColor: "#fff" } } },
        tooltip: { formatter: function (p) { return names[p.value[1]] + "<br>" + unit.replace("N", c.days[p.value[0]]) + "：" + p.value[2] + "%"; } },
        grid: { left: 8, right: 16, top: 30, bottom: 50, containLabel: true },
        xAxis: { type: "category", position: "top", data: c.days.map(function (n) { return unit.replace("N", n); }), splitArea: { show: true } },
        yAxis: { type: "category", data: names, inverse: true, splitArea: { show: true }, axisLabel: { interval: 0 } },
        visualMap: { min: 0, max: 100, orient: "horizontal", left: "center", bottom: 0, itemHeight: 160, text: ["100%", "0%"], inRange: { color: ["#f4f7fd", "#2f6fed"] } },
        series: [{ type: "heatmap", data: cells, label: { show: true, fontSize: 10, formatter: function (p) { return p.value[2] === "-" ? "" : p.value[2] + "%"; } } }]
      };
    },
    funnel: function (d, l) {
      var steps = d.funnel;
      return {
        animation: !still, color: colours, textStyle: { fontFamily: font },
        title: total(steps.map(function (s) { return s.count; })) ? undefined : { text: l.no_data, left: "center", top: "middle", textStyle: { color: "#6b7280", fontSize: 13 } },
        toolbox: { right: 4, top: 0, feature: { saveAsImage: { title: l.save_png, name: "share-funnel", pixelRatio: 2, backgroundColor: "#fff" } } },
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "6%", width: "58%", top: 30, bottom: 8, minSize: "8%", gap: 2, label: { position: "right", formatter: "{b}  {c}", color: "#1d2129" }, labelLine: { show: true }, data: steps.map(function (s) { return { name: s.name, value: s.count }; }) }]
      };
    },
    segments: function (d, l) {
      var parts = d.segments;
      return {
        animation: !still, color: colours, textStyle: { fontFamily: font },
        title: total(parts.map(function (s) { return s.count; })) ? undefined : { text: l.no_data, left: "center", top: "middle", textStyle: { color: "#6b7280", fontSize: 13 } },
        toolbox: { right: 4, top: 0, feature: { saveAsImage: { title: l.save_png, name: "segments", pixelRatio: 2, backgroundColor: "#fff" } } },
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0, left: "center" },
        series: [{ type: "pie", radius: ["42%", "68%"], center: ["50%", "46%"], label: { formatter: "{b} {c}" }, data: parts.map(function (s) { return { name: s.name, value: s.count }; }) }]
      };
    }
  };

  function draw(payload) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-chart")];
      if (!build) return;
      if (el.getAttribute("data-chart") === "cohorts") {
        // A row per cohort (and the average): the heatmap grows with the range.
        el.style.height = Math.max(240, (payload.cohorts.rows.length + 1) * 24 + 110) + "px";
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(payload, el.getAttribute("data-chart") === "spark" ? el : payload.labels));
      drawn.push(chart);
    });
  }

  function fail(message) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      el.classList.add("chart-empty");
      el.textContent = message;
    });
  }

  fetch(root.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (answer) {
      return answer.json().then(function (body) {
        if (!answer.ok) throw new Error((body.errors || [{ message: answer.status }])[0].message);
        return body;
      });
    })
    .then(draw)
    .catch(function (error) { fail(String(error.message || error)); });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { drawn.forEach(function (c) { c.resize(); }); }, 120);
  });
})();
