// 比较 / 统计 pages: draw the charts whose numbers the page carries as JSON in
// <script type="application/json" id="chart-data"> (data, never executed), with the plotly.js bundle the
// application serves itself (/vendor/plotly.min.js). Each chart goes into <div id="chart-{id}">.
// Chart spec: {id, title, type: stacked | grouped | line | band, categories, series: [{name, values}], y: count | share}.
(function () {
  "use strict";

  const holder = document.getElementById("chart-data");
  if (!holder || typeof Plotly === "undefined") {
    return;
  }
  const FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif";
  const BAND = "rgba(139, 26, 26, 0.15)";

  function bars(spec) {
    return spec.series.map(function (s) {
      const t = { type: "bar", name: s.name, x: spec.categories, y: s.values };
      if (spec.type === "stacked") {  // drawn as shares of each bar; the hover gives the count
        t.customdata = s.values;
        t.hovertemplate = "%{x}<br>" + s.name + "：%{customdata:,} 件（%{y:.1f}%）<extra></extra>";
      }
      return t;
    });
  }

  function lines(spec) {
    return spec.series.map(function (s) {
      return { type: "scatter", mode: "lines+markers", name: s.name, x: spec.categories, y: s.values,
               connectgaps: false };
    });
  }

  // series: P25, P50, P75 of the peers, then the subject. The band is P75 filled down to P25.
  function band(spec) {
    const [p25, p50, p75, own] = spec.series;
    const x = spec.categories;
    return [
      { type: "scatter", mode: "lines", name: p25.name, x: x, y: p25.values, line: { width: 0 }, showlegend: false },
      { type: "scatter", mode: "lines", name: p75.name, x: x, y: p75.values, line: { width: 0 }, fill: "tonexty",
        fillcolor: BAND, showlegend: false },
      { type: "scatter", mode: "markers", name: p50.name, x: x, y: p50.values,
        marker: { symbol: "line-ew-open", size: 22, color: "#8b1a1a" } },
      { type: "scatter", mode: "markers", name: own.name, x: x, y: own.values,
        marker: { size: 11, color: "#1f5fa8" } },
    ];
  }

  function traces(spec) {
    if (spec.type === "line") {
      return lines(spec);
    }
    if (spec.type === "band") {
      return band(spec);
    }
    return bars(spec);
  }

  function empty(spec) {
    return spec.series.every(function (s) {
      return s.values.every(function (v) { return v === null; });
    });
  }

  function layout(spec) {
    const yaxis = spec.type === "stacked"
      ? { ticksuffix: "%", range: [0, 100], title: { text: "占办理总数的比例" } }
      : spec.y === "share" ? { tickformat: ".0%", rangemode: "tozero" } : { tickformat: ",d", rangemode: "tozero" };
    const out = {
      title: { text: spec.title }, font: { family: FONT, size: 13 }, xaxis: { type: "category", automargin: true },
      yaxis: Object.assign({ automargin: true }, yaxis), legend: { orientation: "h", y: -0.2 },
      margin: { t: 50, r: 20, b: 40, l: 60 }, barmode: spec.type === "stacked" ? "stack" : "group",
    };
    if (spec.type === "stacked") {
      out.barnorm = "percent";
    }
    if (empty(spec)) {
      out.annotations = [{ text: "没有可绘制的数字", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }];
    }
    return out;
  }

  JSON.parse(holder.textContent).forEach(function (spec) {
    const div = document.getElementById("chart-" + spec.id);
    if (div) {
      Plotly.newPlot(div, traces(spec), layout(spec), { displayModeBar: false, responsive: true });
    }
  });
})();
