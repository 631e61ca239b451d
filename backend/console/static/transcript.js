// The transcript (citizen, assistant, operator, internal notes, system lines) and what
// the assistant collected. The transcript is updated in place: new lines are appended
// and announced, changed ones (a delivery report) replaced, so scrolling is kept.

import * as U from "./util.js";

const { $, el, label } = U;

function delivery(m) {
  if (m.sender !== "operator") return null;
  if (m.delivery_error) return el("span", { class: "delivery failed" }, `Non consegnato: ${m.delivery_error}`);
  if (m.delivered_at) return el("span", { class: "delivery ok" }, "consegnato");
  return el("span", { class: "delivery" }, "in consegna");
}

function messageNode(m) {
  let who = label(U.SENDERS, m.sender);
  if ((m.sender === "operator" || m.sender === "note") && m.operator_name) {
    who = `${who} · ${m.operator_name}`;
  }
  return el(
    "li", { class: `msg msg-${m.sender}`, "data-id": String(m.id) },
    el("span", { class: "msg-head" }, el("span", { class: "msg-who" }, who), " ",
      el("time", { datetime: m.at }, U.when(m.at))),
    el("span", { class: "msg-text" }, m.text),
    delivery(m),
  );
}

export function renderTranscript(log, rendered, messages, first) {
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const arrived = [];
  const failed = [];
  for (const m of messages) {
    const node = messageNode(m);
    const old = rendered.get(m.id);
    if (old) {
      if (old.textContent === node.textContent) continue;
      old.replaceWith(node);
      if (m.delivery_error && !first) failed.push(m);
    } else {
      log.append(node);
      if (!first) arrived.push(m);
    }
    rendered.set(m.id, node);
  }
  const news = [
    ...arrived.filter((m) => m.sender === "citizen").map((m) => `Cittadino: ${m.text}`),
    ...failed.map((m) => `Messaggio non consegnato: ${m.delivery_error}`),
  ];
  if (news.length) $("#announce").textContent = news.join("\n");
  if (first || nearBottom) log.scrollTop = log.scrollHeight;
}

export function renderContext(list, data) {
  const ctx = data.context || {};
  const rows = [
    ["Richieste", (ctx.intents || []).map((i) => label(U.INTENTS, i)).join(", ")],
    ["Comune", ctx.comune],
    ["Misura", label(U.MEASURES, ctx.misura)],
    ["Codice prenotazione", ctx.booking_code],
    ["Esito verifica requisiti", ctx.eligibility_verdict],
    ["Contatto preferito", label(U.CONTACTS, data.contact_preference)],
    ["Recapito", data.contact_value],
    ["Esito", label(U.OUTCOMES, data.outcome)],
  ].filter(([, value]) => value);
  list.replaceChildren(
    ...(rows.length
      ? rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, String(value))])
      : [el("dd", { class: "hint" }, "Nessuna informazione.")]),
  );
}
