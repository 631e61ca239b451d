// The queue column: open handoffs grouped (waiting, tickets, in progress) or the closed
// ones; waiting times that tick every second; the count of waiting citizens in the title;
// a beep and an announcement when a new conversation arrives.

import { get } from "./api.js";
import { beep } from "./sound.js";
import { $, CHANNELS, REASONS, duration, el, label, officeName, when } from "./util.js";

const TITLE = "Console operatori";
let me = null;
let mode = "open"; // "open" | "closed"
let selectedId = null;
let known = null; // ids of waiting/ticket handoffs already seen; null before the first load
let waitingSince = new Map(); // id -> Date.now() - waiting_seconds, at fetch time
let ticker = null;

export function setOperator(operator) {
  me = operator;
  known = null;
}

export function setMode(next) {
  mode = next;
}

export function select(id) {
  selectedId = id;
  for (const link of document.querySelectorAll("#queue-lists a[data-id]")) {
    if (Number(link.dataset.id) === id) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
}

function item(h) {
  const href = `#/${mode === "open" ? "coda" : "chiuse"}/${h.id}`;
  const preview = h.last_message ? h.last_message.text : "Nessun messaggio";
  let status = null;
  if (h.status === "waiting") {
    status = el("span", { class: "wait", "data-wait": h.id }, duration(h.waiting_seconds || 0));
  } else if (h.status === "ticket") {
    status = el("span", { class: "owner" }, `lasciato ${when(h.created_at, true)}`);
  } else if (h.operator) {
    const mine = me && h.operator.id === me.id;
    status = el("span", { class: "owner" }, mine ? "In carico a te" : `Con ${h.operator.display_name}`);
  } else if (mode === "closed") {
    status = el("span", { class: "owner" }, when(h.created_at, true));
  }
  const link = el(
    "a",
    { href, "data-id": String(h.id), class: "item" },
    el(
      "span",
      { class: "item-head" },
      el("span", { class: `chan chan-${h.channel}` }, label(CHANNELS, h.channel)),
      el("strong", {}, label(REASONS, h.reason)),
      status,
    ),
    el("span", { class: "item-office" }, officeName(h)),
    el("span", { class: "item-preview" }, preview),
  );
  if (h.id === selectedId) link.setAttribute("aria-current", "true");
  return el("li", {}, link);
}

function group(title, id, items, empty) {
  const heading = el("h3", { id }, `${title} `, el("span", { class: "count" }, `(${items.length})`));
  const body = items.length
    ? el("ul", { class: "items", "aria-labelledby": id }, items.map(item))
    : el("p", { class: "hint" }, empty);
  return el("div", { class: "group" }, heading, body);
}

function announceArrivals(items) {
  const fresh = items.filter((h) => ["waiting", "ticket"].includes(h.status));
  const ids = new Set(fresh.map((h) => h.id));
  if (known) {
    const arrived = fresh.filter((h) => !known.has(h.id));
    if (arrived.length) {
      beep();
      const first = arrived[0];
      const what = first.status === "waiting" ? "Nuova conversazione in attesa" : "Nuovo messaggio lasciato";
      $("#announce").textContent =
        `${what}: ${label(CHANNELS, first.channel)}, ${label(REASONS, first.reason)}, ${officeName(first)}.`;
    }
  }
  known = ids;
}

function render(items) {
  const root = $("#queue-lists");
  $("#queue-title").textContent = mode === "open" ? "Coda" : "Conversazioni chiuse";
  waitingSince = new Map();
  const now = Date.now();
  for (const h of items) {
    if (h.status === "waiting") waitingSince.set(h.id, now - (h.waiting_seconds || 0) * 1000);
  }
  if (mode === "closed") {
    // Newest first: the last closed is the one an operator looks for.
    const closed = [...items].reverse();
    root.replaceChildren(group("Chiuse", "group-closed", closed, "Nessuna conversazione chiusa."));
    return;
  }
  const waiting = items.filter((h) => h.status === "waiting");
  const tickets = items.filter((h) => h.status === "ticket");
  const mine = (h) => (me && h.operator && h.operator.id === me.id ? 0 : 1);
  const active = items.filter((h) => h.status === "active").sort((a, b) => mine(a) - mine(b));
  root.replaceChildren(
    group("In attesa", "group-waiting", waiting, "Nessun cittadino in attesa."),
    group("Messaggi lasciati", "group-tickets", tickets, "Nessun messaggio lasciato."),
    group("In corso", "group-active", active, "Nessuna conversazione in corso."),
  );
  document.title = waiting.length ? `(${waiting.length}) ${TITLE}` : TITLE;
}

function tick() {
  const now = Date.now();
  for (const span of document.querySelectorAll("#queue-lists [data-wait]")) {
    const since = waitingSince.get(Number(span.dataset.wait));
    if (since !== undefined) span.textContent = duration((now - since) / 1000);
  }
}

// Fetch and draw the queue. The open queue is always fetched, also while the closed tab
// is shown, so that arrivals beep and the title's count stays right.
export async function refreshQueue() {
  const open = await get("/handoffs?state=open");
  announceArrivals(open);
  if (mode === "open") render(open);
  else {
    const waiting = open.filter((h) => h.status === "waiting").length;
    document.title = waiting ? `(${waiting}) ${TITLE}` : TITLE;
    render(await get("/handoffs?state=closed"));
  }
  if (!ticker) ticker = setInterval(tick, 1000);
}

export function stopQueue() {
  clearInterval(ticker);
  ticker = null;
  known = null;
  document.title = TITLE;
  $("#queue-lists").replaceChildren();
}
