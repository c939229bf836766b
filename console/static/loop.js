// 问卷: the new-survey form adds and removes question blocks (options only for choice
// questions); the results page draws each question's chart with ECharts from its
// data-chart attribute. No inline script: the pages only name what to draw.
(function () {
  "use strict";

  function syncOptions(block) {
    var kind = block.querySelector("select[name=qKind]");
    var options = block.querySelector(".q-options");
    if (!kind || !options) return;
    var choice = kind.value === "SINGLE" || kind.value === "MULTIPLE";
    options.hidden = !choice;
    options.required = choice;
  }

  function numberBlocks(list) {
    var blocks = list.querySelectorAll("fieldset.question");
    blocks.forEach(function (block, i) {
      var legend = block.querySelector("legend");
      if (!legend.getAttribute("data-name")) legend.setAttribute("data-name", legend.textContent);
      legend.textContent = legend.getAttribute("data-name") + " " + (i + 1);
      block.querySelector(".remove-question").hidden = blocks.length < 2;
    });
  }

  var list = document.getElementById("questions");
  var add = document.getElementById("add-question");
  if (list && add) {
    var model = list.querySelector("fieldset.question").cloneNode(true);
    list.addEventListener("change", function (event) {
      var block = event.target.closest("fieldset.question");
      if (block) syncOptions(block);
    });
    list.addEventListener("click", function (event) {
      if (!event.target.classList.contains("remove-question")) return;
      event.target.closest("fieldset.question").remove();
      numberBlocks(list);
    });
    add.addEventListener("click", function () {
      var block = model.cloneNode(true);
      list.appendChild(block);
      syncOptions(block);
      numberBlocks(list);
      block.querySelector("input[name=qTitle]").focus();
    });
    list.querySelectorAll("fieldset.question").forEach(syncOptions);
    numberBlocks(list);
  }

  if (!window.echarts) return;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var font = window.getComputedStyle(document.body).fontFamily;
  var bands = ["#d93636", "#9ca3af", "#1f9d55"]; // detractors, passives, promoters
  var drawn = [];

  function option(d) {
    var total = d.counts.reduce(function (a, b) { return a + b; }, 0);
    function share(v) { return total ? (100 * v / total).toFixed(1) + "%" : "0%"; }
    var percents = d.percents || d.counts.map(function (v) { return total ? 100 * v / total : 0; });
    var horizontal = d.kind === "choice";
    var category = { type: "category", data: d.labels, axisTick: { show: false } };
    var value = { type: "value", minInterval: 1 };
    if (horizontal) category.inverse = true;
    return {
      animation: !still,
      textStyle: { fontFamily: font },
      grid: { left: 8, right: horizontal ? 72 : 8, top: horizontal ? 8 : 26, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{
        name: d.answers,
        type: "bar",
        barMaxWidth: 36,
        data: d.counts.map(function (v, i) {
          var item = { value: v };
          if (d.kind === "nps") item.itemStyle = { color: bands[i] };
          else item.itemStyle = { color: "#2f6fed" };
          return item;
        }),
        label: {
          show: true,
          position: horizontal ? "right" : "top",
          formatter: function (p) {
            return p.value + " (" + (d.percents ? Number(percents[p.dataIndex]).toFixed(1) + "%" : share(p.value)) + ")";
          }
        }
      }]
    };
  }

  document.querySelectorAll("[data-survey-chart]").forEach(function (el) {
    var data;
    try { data = JSON.parse(el.getAttribute("data-survey-chart")); } catch (e) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(data));
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
