// Charts as inline SVG built through the DOM (no library, nothing inline for the CSP).
// Each chart is a <figure>: a caption, the SVG (role="img", named by the caption) and
// the same numbers as a table for screen readers and for whoever prefers figures.

import { el } from "./util.js";

const SVG = "http://www.w3.org/2000/svg";
// Colour-blind-safe palette (Okabe-Ito), each at 3:1 or more on white.
export const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9"];
let counter = 0;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

const number = new Intl.NumberFormat("it-IT");
export const formatNumber = (value) => number.format(value);

function dataTable(caption, head, rows) {
  return el("details", { class: "chart-data" },
    el("summary", {}, "Tabella dei dati"),
    el("table", {},
      el("caption", { class: "sr-only" }, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {},
        cells.map((c, i) => (i === 0 ? el("th", { scope: "row" }, c) : el("td", {}, c))))))));
}

function figure(caption, chart, table) {
  const id = `chart-${++counter}`;
  chart.setAttribute("role", "img");
  chart.setAttribute("aria-labelledby", id);
  return el("figure", { class: "chart" }, el("figcaption", { id }, caption), chart, table);
}

function empty(caption) {
  return el("figure", { class: "chart" }, el("figcaption", {}, caption),
    el("p", { class: "hint" }, "Nessun dato nel periodo scelto."));
}

// Horizontal bars: rows [{label, value}], largest first as given.
export function barChart(caption, rows, { unit = "", format = formatNumber } = {}) {
  if (!rows.length) return empty(caption);
  const labelWidth = 210, barWidth = 380, rowHeight = 26, width = labelWidth + barWidth + 90;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const height = rows.length * rowHeight + 8;
  // Drawn at its own size (text stays legible), shrunk by CSS on narrow screens.
  const chart = svg("svg", { class: "chart-svg", viewBox: `0 0 ${width} ${height}`, width, height });
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    const length = Math.max(1, (row.value / max) * barWidth);
    chart.append(
      svg("text", { x: labelWidth - 8, y: y + 16, "text-anchor": "end", class: "chart-label" }, row.label),
      svg("rect", { x: labelWidth, y, width: length, height: rowHeight - 8, fill: COLOURS[0] },
        svg("title", {}, `${row.label}: ${format(row.value)}${unit}`)),
      svg("text", { x: labelWidth + length + 6, y: y + 16, class: "chart-value" }, `${format(row.value)}${unit}`),
    );
  });
  const table = dataTable(caption, ["Voce", "Valore"],
    rows.map((r) => [r.label, `${format(r.value)}${unit}`]));
  return figure(caption, chart, table);
}

// Columns per day, stacked by series: days ["2026-11-23", ...], series [{name, values}].
export function stackedColumns(caption, days, series) {
  if (!days.length) return empty(caption);
  const left = 44, bottom = 40, height = 220, top = 10;
  const step = Math.max(14, Math.min(48, 600 / days.length));
  const width = Math.max(320, left + days.length * step + 10);
  const totals = days.map((_, d) => series.reduce((sum, s) => sum + s.values[d], 0));
  const max = Math.max(...totals, 1);
  const scale = (v) => (v / max) * height;
  const full = top + height + bottom;
  const chart = svg("svg", { class: "chart-svg", viewBox: `0 0 ${width} ${full}`, width, height: full });
  chart.append(
    svg("line", { x1: left, y1: top + height, x2: width, y2: top + height, class: "chart-axis" }),
    svg("text", { x: left - 6, y: top + 10, "text-anchor": "end", class: "chart-value" }, formatNumber(max)),
    svg("text", { x: left - 6, y: top + height, "text-anchor": "end", class: "chart-value" }, "0"),
  );
  days.forEach((day, d) => {
    let y = top + height;
    const x = left + d * step + 2;
    series.forEach((s, k) => {
      const h = scale(s.values[d]);
      if (h > 0) {
        y -= h;
        chart.append(svg("rect", { x, y, width: step - 4, height: h, fill: COLOURS[k % COLOURS.length] },
          svg("title", {}, `${day} ${s.name}: ${formatNumber(s.values[d])}`)));
      }
    });
    if (days.length <= 16 || d % Math.ceil(days.length / 16) === 0) {
      chart.append(svg("text", {
        x: x + (step - 4) / 2, y: top + height + 16, "text-anchor": "middle", class: "chart-tick",
      }, day.slice(8, 10) + "/" + day.slice(5, 7)));
    }
  });
  const legend = el("ul", { class: "chart-legend" }, series.map((s, k) =>
    el("li", {}, el("span", { class: `swatch swatch-${k % COLOURS.length}`, "aria-hidden": "true" }), s.name)));
  const table = dataTable(caption, ["Giorno", ...series.map((s) => s.name)],
    days.map((day, d) => [day, ...series.map((s) => formatNumber(s.values[d]))]));
  const fig = figure(caption, chart, table);
  fig.insertBefore(legend, table);
  return fig;
}
