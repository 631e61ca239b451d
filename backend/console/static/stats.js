// "Statistiche" (supervisors: their region; admins: every region): the period's figures
// as charts with their data tables, and the CSV for the Osservatorio.

import { ApiError, get } from "./api.js";
import { barChart, formatNumber, stackedColumns } from "./charts.js";
import { $, CHANNELS, INTENTS, MEASURES, el, label } from "./util.js";

const VERDICTS = {
  likely_eligible: "probabile", not_eligible: "non risulta", to_verify: "da verificare",
};
const BOOKINGS = {
  booked: "Prenotati", cancelled: "Annullati", attended: "Presentati",
  no_show: "Assenti", to_verify: "Presenza da verificare",
};

const percent = (rate) => (rate === null ? "—" : `${(rate * 100).toLocaleString("it-IT", { maximumFractionDigits: 1 })}%`);
const minutes = (seconds) => `${(seconds / 60).toLocaleString("it-IT", { maximumFractionDigits: 1 })} min`;

// Sum rows' `field` by `key(row)`, largest first.
function totals(rows, key, field) {
  const sums = new Map();
  for (const row of rows) sums.set(key(row), (sums.get(key(row)) || 0) + row[field]);
  return [...sums].map(([name, value]) => ({ label: name, value })).sort((a, b) => b.value - a.value);
}

function conversationsChart(data) {
  const days = [...new Set(data.conversations.map((r) => r.day))].sort();
  const channels = [...new Set(data.conversations.map((r) => r.channel))].sort();
  const series = channels.map((channel) => ({
    name: label(CHANNELS, channel),
    values: days.map((day) => {
      const row = data.conversations.find((r) => r.day === day && r.channel === channel);
      return row ? row.conversations : 0;
    }),
  }));
  return stackedColumns("Conversazioni al giorno, per canale", days, series);
}

function keyFigures(summary, waiting) {
  const overall = waiting.find((w) => w.channel === null);
  const items = [
    ["Conversazioni", formatNumber(summary.conversations)],
    ["Risolte senza operatore (contenimento)", percent(summary.containment)],
    ["Passate a un operatore", `${formatNumber(summary.handed_off)} (${percent(summary.handoff_rate)})`],
    ["Messaggi non compresi (fallback)", `${formatNumber(summary.fallbacks)} (${percent(summary.fallback_rate)})`],
    ["Attesa mediana / 90° percentile", overall ? `${minutes(overall.median_seconds)} / ${minutes(overall.p90_seconds)}` : "—"],
  ];
  return el("dl", { class: "key-figures" }, items.map(([term, value]) =>
    el("div", {}, el("dt", {}, term), el("dd", {}, value))));
}

function byProvince(caption, rows, name) {
  if (!rows.length) return null;
  const head = ["Provincia", name, "Messaggi", "Conversazioni"].map((h) => el("th", { scope: "col" }, h));
  return el("details", { class: "chart-data" }, el("summary", {}, caption),
    el("table", {}, el("caption", { class: "sr-only" }, caption),
      el("thead", {}, el("tr", {}, head)),
      el("tbody", {}, rows.map((r) => el("tr", {},
        el("td", {}, r.province || "non indicata"), el("td", {}, r.label),
        el("td", {}, formatNumber(r.messages)), el("td", {}, formatNumber(r.conversations)))))));
}

function draw(body, data) {
  const intents = totals(data.intents, (r) => label(INTENTS, r.label), "messages").slice(0, 10);
  const faq = totals(data.faq, (r) => r.label.replaceAll("_", " "), "messages").slice(0, 10);
  const bookings = totals(data.bookings, (r) => BOOKINGS[r.item] || r.item, "bookings");
  const checks = totals(data.eligibility,
    (r) => `${label(MEASURES, r.measure)}: ${VERDICTS[r.verdict] || r.verdict || "—"}`, "checks");
  const waiting = data.waiting.filter((w) => w.channel !== null).flatMap((w) => [
    { label: `${label(CHANNELS, w.channel)}, mediana`, value: w.median_seconds / 60 },
    { label: `${label(CHANNELS, w.channel)}, 90° percentile`, value: w.p90_seconds / 60 },
  ]);
  const oneDecimal = (v) => v.toLocaleString("it-IT", { maximumFractionDigits: 1 });
  body.replaceChildren(
    keyFigures(data.summary, data.waiting),
    el("div", { class: "charts" },
      conversationsChart(data),
      barChart("Attesa prima che un operatore risponda (minuti)", waiting, { unit: " min", format: oneDecimal }),
      barChart("Intenti più frequenti (messaggi)", intents),
      barChart("Domande frequenti più richieste (messaggi)", faq),
      barChart("Appuntamenti", bookings),
      barChart("Verifiche dei requisiti per misura ed esito", checks)),
    byProvince("Intenti per provincia", data.intents, "Intento"),
    byProvince("Domande frequenti per provincia", data.faq, "Argomento"),
  );
}

export async function renderStats(me) {
  const root = $("#stats-body");
  // Empty at first: the server picks the last 30 days in Italy. The browser's own date
  // would be wrong around midnight (toISOString is UTC) and on a machine set to another zone.
  const from = el("input", { type: "date", id: "stats-from" });
  const to = el("input", { type: "date", id: "stats-to" });
  const csv = el("a", { class: "button-link", id: "stats-csv", download: "" }, "Scarica CSV");
  const status = el("p", { class: "status", role: "status", id: "stats-status" });
  const body = el("div", { id: "stats-figures" });
  const scope = me.role === "admin" ? "tutte le regioni" : `Regione ${me.region || ""}`;
  const form = el("form", { class: "stats-form" },
    el("div", { class: "field" }, el("label", { for: "stats-from" }, "Dal"), from),
    el("div", { class: "field" }, el("label", { for: "stats-to" }, "Al"), to),
    el("button", { type: "submit", class: "primary" }, "Aggiorna"), csv);
  root.replaceChildren(
    el("p", { class: "hint" }, `Dati di ${scope}. Nel CSV ogni gruppo con meno di 10 cittadini è sostituito da «<10».`),
    form, status, body);

  async function load() {
    const query = from.value && to.value ? `?from=${from.value}&to=${to.value}` : "";
    csv.href = `/api/console/analytics/export.csv${query}`;
    status.className = "status";
    status.textContent = "Caricamento…";
    try {
      const data = await get(`/analytics${query}`);
      from.value = data.from;
      to.value = data.to;
      csv.href = `/api/console/analytics/export.csv?from=${data.from}&to=${data.to}`;
      draw(body, data);
      status.textContent = `Dati dal ${data.from} al ${data.to}.`;
    } catch (error) {
      status.className = "error";
      status.textContent = error instanceof ApiError ? error.message : "Statistiche non disponibili.";
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  await load();
}
