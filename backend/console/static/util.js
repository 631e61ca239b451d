// Small DOM helpers and the Italian labels of the API's codes.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export const CHANNELS = { web: "Web", telegram: "Telegram", whatsapp: "WhatsApp" };
export const REASONS = {
  request_human: "Richiesta operatore",
  fallback: "Assistente non ha capito",
  form_failures: "Difficoltà nel modulo",
  complaint: "Reclamo",
};
export const STATUSES = {
  waiting: "In attesa",
  ticket: "Messaggio lasciato",
  active: "In corso",
  closed: "Chiusa",
  cancelled: "Annullata dal cittadino",
};
export const OUTCOMES = {
  risolto: "Risolto",
  appuntamento_fissato: "Appuntamento fissato",
  inoltrato_ufficio: "Inoltrato all'ufficio",
  non_risolto: "Non risolto",
  cittadino_assente: "Cittadino assente",
};
export const SENDERS = {
  citizen: "Cittadino",
  bot: "Assistente",
  operator: "Operatore",
  note: "Nota interna",
  system: "Sistema",
};
export const INTENTS = {
  book_appointment: "prenotare un appuntamento",
  cancel_appointment: "annullare un appuntamento",
  reschedule_appointment: "spostare un appuntamento",
  list_appointments: "vedere i suoi appuntamenti",
  check_eligibility: "verificare i requisiti",
  office_info: "informazioni sul CPI",
  faq: "domanda sui servizi",
  request_human: "parlare con un operatore",
  complaint: "reclamo",
  delete_my_data: "cancellare i suoi dati",
  nlu_fallback: "non compreso",
  out_of_scope: "fuori tema",
};
export const MEASURES = {
  gol: "GOL",
  adi: "Assegno di Inclusione",
  sfl: "Supporto Formazione e Lavoro",
  rdc: "Reddito di Cittadinanza",
  naspi: "NASpI",
  garanzia_giovani: "Garanzia Giovani",
};
export const ROLES = { operator: "Operatore", supervisor: "Supervisore", admin: "Amministratore" };
export const CONTACTS = { chat: "In chat", telefono: "Telefono", email: "E-mail" };

export const label = (table, code) => (code && table[code]) || code || "";

// 75 -> "01:15"; 3700 -> "1:01:40".
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const mm = two(Math.floor((s % 3600) / 60));
  return h ? `${h}:${mm}:${two(s % 60)}` : `${mm}:${two(s % 60)}`;
}

const timeFormat = new Intl.DateTimeFormat("it-IT", {
  hour: "2-digit", minute: "2-digit", timeZone: "Europe/Rome",
});
const dateTimeFormat = new Intl.DateTimeFormat("it-IT", {
  day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Rome",
});

export function when(iso, withDate = false) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return (withDate ? dateTimeFormat : timeFormat).format(date);
}

export function officeName(item) {
  return item.office ? item.office.name : "Coda regionale";
}
