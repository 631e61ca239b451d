// One conversation: header and actions, transcript, what the assistant collected, the
// reply box with canned and suggested replies, internal notes. Built once per opened
// handoff and updated in place on every refresh, so typing and focus survive live updates.

import { ApiError, get, post } from "./api.js";
import { openCloseDialog, openTransferDialog } from "./dialogs.js";
import { renderContext, renderTranscript } from "./transcript.js";
import * as U from "./util.js";

const { $, el, label } = U;
let me = null;
let current = null; // {id, data, rendered: Map(message id -> li), lastCitizen, nodes}
let cannedReplies = null;
let afterChange = () => {};

export function setOperator(operator, onChange) {
  me = operator;
  cannedReplies = null;
  afterChange = onChange;
}

export function currentId() {
  return current ? current.id : null;
}

const isMine = (data) => Boolean(me && data.operator && data.operator.id === me.id);
const isOpen = (data) => ["waiting", "active", "ticket"].includes(data.status);
const mayManage = (data) => isMine(data) || ["supervisor", "admin"].includes(me.role);

function showError(error) {
  const text = error instanceof ApiError ? error.message : "Operazione non riuscita.";
  current.nodes.error.textContent = text;
}

async function act(action, { success, focus } = {}) {
  current.nodes.error.textContent = "";
  try {
    await action();
  } catch (error) {
    showError(error);
    return false;
  }
  if (success) $("#announce").textContent = success;
  await afterChange();
  if (focus) focus.focus();
  return true;
}

function sendOnEnter(textarea, form) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

function insertText(textarea, text) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  textarea.value = value.slice(0, start) + text + value.slice(end);
  textarea.focus();
  textarea.setSelectionRange(start + text.length, start + text.length);
}

function build(id) {
  const n = {};
  n.title = el("h2", { id: "conv-title", tabindex: "-1" }, `Conversazione n. ${id}`);
  n.meta = el("p", { class: "meta" });
  n.error = el("p", { class: "error", role: "alert" });
  n.take = el("button", { type: "button", class: "primary" }, "Prendi in carico");
  n.transfer = el("button", { type: "button" }, "Trasferisci");
  n.close = el("button", { type: "button" }, "Chiudi con esito");
  n.actions = el("div", { class: "actions" }, n.take, n.transfer, n.close);
  n.log = el("ol", { class: "transcript", "aria-label": "Trascrizione", tabindex: "0" });
  n.context = el("dl", { class: "context" });
  n.aside = el(
    "aside", { class: "side", "aria-labelledby": "ctx-title" },
    el("h3", { id: "ctx-title" }, "Cosa ha raccolto l'assistente"), n.context,
  );

  n.replyText = el("textarea", { id: "reply-text", rows: 3, maxlength: "2000" });
  n.reply = el(
    "form", { class: "composer", "aria-labelledby": "reply-label" },
    el("label", { id: "reply-label", for: "reply-text" }, "Risposta al cittadino"),
    n.replyText,
    el("p", { class: "hint", id: "reply-hint" }, "Invio per inviare, Maiusc+Invio per andare a capo."),
    el("button", { type: "submit", class: "primary" }, "Invia"),
  );
  n.replyText.setAttribute("aria-describedby", "reply-hint");
  n.cannedSelect = el("select", { id: "canned" });
  n.canned = el(
    "div", { class: "canned" },
    el("label", { for: "canned" }, "Risposte pronte"), n.cannedSelect,
    el("button", { type: "button", onclick: () => insertCanned() }, "Inserisci"),
  );
  n.suggestions = el("ul", { class: "suggestions" });
  n.suggestBox = el(
    "section", { class: "suggest", "aria-labelledby": "suggest-title" },
    el("h3", { id: "suggest-title" }, "Risposte suggerite"), n.suggestions,
  );
  n.noteText = el("textarea", { id: "note-text", rows: 2, maxlength: "2000" });
  n.note = el(
    "form", { class: "note-form" },
    el("label", { for: "note-text" }, "Nota interna (non viene inviata al cittadino)"),
    n.noteText,
    el("button", { type: "submit" }, "Salva nota"),
  );
  n.composerBox = el("div", { class: "compose-area" }, n.reply, n.canned);
  n.aside.append(n.suggestBox);

  n.take.addEventListener("click", () =>
    act(() => post(`/handoffs/${id}/take`), { success: "Conversazione presa in carico.", focus: n.replyText }));
  n.transfer.addEventListener("click", () =>
    openTransferDialog(id, me, async () => {
      $("#announce").textContent = "Conversazione trasferita.";
      await afterChange();
    }));
  n.close.addEventListener("click", () =>
    openCloseDialog(id, async () => {
      $("#announce").textContent = "Conversazione chiusa.";
      await afterChange();
      n.title.focus();
    }));
  n.reply.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = n.replyText.value.trim();
    if (!text) return;
    if (await act(() => post(`/handoffs/${id}/messages`, { text }))) n.replyText.value = "";
  });
  n.note.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = n.noteText.value.trim();
    if (!text) return;
    if (await act(() => post(`/handoffs/${id}/notes`, { text }), { success: "Nota salvata." })) {
      n.noteText.value = "";
    }
  });
  sendOnEnter(n.replyText, n.reply);

  const body = el(
    "div", { class: "conv-body" },
    el("div", { class: "conv-main" }, n.log, n.composerBox, n.note),
    n.aside,
  );
  $("#conversation").replaceChildren(n.title, n.meta, n.actions, n.error, body);
  return n;
}

function insertCanned() {
  const reply = (cannedReplies || []).find((r) => String(r.id) === current.nodes.cannedSelect.value);
  if (reply) insertText(current.nodes.replyText, reply.text);
}

async function loadCanned() {
  if (cannedReplies === null) {
    try {
      cannedReplies = await get("/canned-replies");
    } catch (error) {
      cannedReplies = [];
    }
  }
  const select = current.nodes.cannedSelect;
  select.replaceChildren(...cannedReplies.map((r) => el("option", { value: String(r.id) }, r.title)));
  current.nodes.canned.hidden = cannedReplies.length === 0;
}

async function loadSuggestions(id) {
  const list = current.nodes.suggestions;
  let items = [];
  try {
    items = await get(`/handoffs/${id}/suggestions`);
  } catch (error) {
    items = [];
  }
  if (!current || current.id !== id) return;
  if (!items.length) {
    list.replaceChildren(el("li", { class: "hint" }, "Nessun suggerimento"));
    return;
  }
  list.replaceChildren(...items.map((s) => el(
    "li", {},
    el("strong", {}, s.title), el("p", {}, s.text),
    el("button", {
      type: "button",
      "aria-label": `Usa il suggerimento: ${s.title}`,
      onclick: () => insertText(current.nodes.replyText, s.text),
    }, "Usa"),
  )));
}

function update(data, first) {
  const n = current.nodes;
  current.data = data;
  let status = label(U.STATUSES, data.status);
  if (data.operator) status += ` · ${isMine(data) ? "in carico a te" : `con ${data.operator.display_name}`}`;
  n.meta.textContent = [
    label(U.CHANNELS, data.channel), label(U.REASONS, data.reason), U.officeName(data), status,
    `aperta alle ${U.when(data.created_at, true)}`,
  ].join(" · ");
  const open = isOpen(data);
  n.take.hidden = !["waiting", "ticket"].includes(data.status);
  n.transfer.hidden = !open || !mayManage(data);
  n.close.hidden = !open || !mayManage(data);
  n.actions.hidden = n.take.hidden && n.transfer.hidden && n.close.hidden;
  n.composerBox.hidden = !(data.status === "active" && isMine(data));
  n.suggestBox.hidden = n.composerBox.hidden;
  n.note.hidden = !open;
  renderTranscript(n.log, current.rendered, data.messages || [], first);
  renderContext(n.context, data);
  const citizen = (data.messages || []).filter((m) => m.sender === "citizen");
  const lastCitizen = citizen.length ? citizen[citizen.length - 1].id : null;
  if (!n.composerBox.hidden && (first || lastCitizen !== current.lastCitizen || current.suggestStale)) {
    current.suggestStale = false;
    loadCanned();
    loadSuggestions(data.id);
  } else if (n.composerBox.hidden) {
    current.suggestStale = true;
  }
  current.lastCitizen = lastCitizen;
}

export async function openConversation(id) {
  if (!current || current.id !== id) {
    current = { id, data: null, rendered: new Map(), lastCitizen: null, suggestStale: true };
    current.nodes = build(id);
    let data;
    try {
      data = await get(`/handoffs/${id}`);
    } catch (error) {
      showError(error);
      return;
    }
    if (current.id !== id) return;
    update(data, true);
    current.nodes.title.focus();
    return;
  }
  await refreshConversation();
}

export async function refreshConversation() {
  if (!current) return;
  const id = current.id;
  try {
    const data = await get(`/handoffs/${id}`);
    if (current && current.id === id) update(data, false);
  } catch (error) {
    if (!current || current.id !== id) return;
    if (error instanceof ApiError && [403, 404].includes(error.status)) {
      // Transferred to a queue this operator does not see, for instance.
      $("#announce").textContent = "La conversazione non è più tra quelle che puoi vedere.";
      location.hash = "#/coda";
      return;
    }
    showError(error);
  }
}

export function closeConversation() {
  current = null;
  $("#conversation").replaceChildren(
    el("h2", { id: "conv-title", tabindex: "-1" }, "Nessuna conversazione aperta"),
    el("p", { class: "hint" }, "Scegli una conversazione dalla coda."),
  );
}
