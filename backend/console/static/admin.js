// Administration: operators (admin), canned replies (admin, supervisor), audit log
// (admin, supervisor). Plain tables and forms; every change re-draws the section.

import { ApiError, del, get, patch, post } from "./api.js";
import { $, ROLES, el, label, when } from "./util.js";

const ACTIONS = {
  login: "Accesso", login_failed: "Accesso non riuscito", logout: "Uscita",
  take: "Presa in carico", reply: "Risposta", note: "Nota interna", transfer: "Trasferimento",
  close: "Chiusura", cancel: "Annullata dal cittadino", ticket_message: "Messaggio lasciato",
  handoff_created: "Conversazione passata a un operatore",
  operator_created: "Utente creato", operator_updated: "Utente modificato",
  canned_reply_created: "Risposta pronta creata", canned_reply_deleted: "Risposta pronta eliminata",
};

function field(id, text, control) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, text), control);
}

function errorText(error) {
  return error instanceof ApiError ? error.message : "Operazione non riuscita.";
}

// Run a change, report its outcome in the section's status line, then re-draw.
async function change(status, action, done, redraw) {
  status.textContent = "";
  status.className = "status";
  try {
    await action();
  } catch (error) {
    status.className = "error";
    status.textContent = errorText(error);
    return;
  }
  await redraw();
  const fresh = document.getElementById(status.id);
  if (fresh) fresh.textContent = done;
}

async function operatorsSection(me, offices) {
  const status = el("p", { id: "ops-status", class: "status", role: "status" });
  const redraw = () => renderAdmin(me);
  const operators = await get("/admin/operators");
  const rows = operators.map((o) => {
    const locked = o.locked_until && new Date(o.locked_until) > new Date();
    const toggle = el("button", {
      type: "button",
      "aria-label": `${o.active ? "Disattiva" : "Riattiva"} ${o.username}`,
      onclick: () => change(status, () => patch(`/admin/operators/${o.id}`, { active: !o.active }),
        o.active ? `${o.username} disattivato.` : `${o.username} riattivato.`, redraw),
    }, o.active ? "Disattiva" : "Riattiva");
    const pwd = el("input", { type: "password", autocomplete: "new-password" });
    const pwdForm = el("form", { class: "inline-form" },
      field(`pwd-${o.id}`, `Nuova password per ${o.username}`, pwd),
      el("button", { type: "submit" }, "Imposta"));
    pwdForm.addEventListener("submit", (event) => {
      event.preventDefault();
      change(status, () => patch(`/admin/operators/${o.id}`, { password: pwd.value }),
        `Password di ${o.username} cambiata.`, redraw);
    });
    return el("tr", {},
      el("td", {}, o.username), el("td", {}, o.display_name), el("td", {}, label(ROLES, o.role)),
      el("td", {}, o.region || "—"), el("td", {}, o.offices.map((f) => f.name).join(", ") || "—"),
      el("td", {}, !o.active ? "Disattivato" : locked ? "Bloccato" : "Attivo"),
      el("td", {}, toggle, el("details", {}, el("summary", {}, "Password"), pwdForm)));
  });
  const table = el("table", {},
    el("caption", { class: "sr-only" }, "Operatori"),
    el("thead", {}, el("tr", {}, ...["Nome utente", "Nome", "Ruolo", "Regione", "Uffici", "Stato", "Azioni"]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows));

  const inputs = {
    username: el("input", { autocomplete: "off", autocapitalize: "none", required: true }),
    display_name: el("input", { required: true }),
    role: el("select", {}, Object.entries(ROLES).map(([v, t]) => el("option", { value: v }, t))),
    region: el("input", { value: me.region || "" }),
    password: el("input", { type: "password", autocomplete: "new-password", required: true }),
  };
  const boxes = offices.map((o) => el("label", { class: "inline" },
    el("input", { type: "checkbox", value: o.code }), ` ${o.name}`));
  const form = el("form", { class: "admin-form" },
    el("h4", {}, "Nuovo operatore"),
    field("new-username", "Nome utente", inputs.username),
    field("new-display", "Nome e cognome", inputs.display_name),
    field("new-role", "Ruolo", inputs.role),
    field("new-region", "Regione", inputs.region),
    el("fieldset", { class: "offices" }, el("legend", {}, "Uffici"), boxes),
    field("new-password", "Password iniziale", inputs.password),
    el("button", { type: "submit", class: "primary" }, "Crea operatore"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      username: inputs.username.value.trim(),
      display_name: inputs.display_name.value.trim(),
      role: inputs.role.value,
      region: inputs.region.value.trim() || null,
      office_codes: boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value),
      password: inputs.password.value,
    };
    change(status, () => post("/admin/operators", body), `Operatore ${body.username} creato.`, redraw);
  });
  return el("section", { "aria-labelledby": "ops-title" },
    el("h3", { id: "ops-title" }, "Operatori"), status, el("div", { class: "scroll" }, table), form);
}

async function cannedSection(me, offices) {
  const status = el("p", { id: "canned-status", class: "status", role: "status" });
  const redraw = () => renderAdmin(me);
  const replies = await get("/canned-replies");
  const officeName = (id) => (offices.find((o) => o.id === id) || {}).name || "Tutti gli uffici";
  const list = replies.length
    ? el("ul", { class: "canned-list" }, replies.map((r) => el("li", {},
      el("strong", {}, r.title), el("span", { class: "hint" }, ` · ${officeName(r.office_id)}`),
      el("p", {}, r.text),
      el("button", {
        type: "button", "aria-label": `Elimina la risposta ${r.title}`,
        onclick: () => change(status, () => del(`/canned-replies/${r.id}`), "Risposta eliminata.", redraw),
      }, "Elimina"))))
    : el("p", { class: "hint" }, "Nessuna risposta pronta.");
  const title = el("input", { required: true, maxlength: "120" });
  const text = el("textarea", { rows: 3, required: true, maxlength: "4000" });
  const office = el("select", {},
    me.role === "admin" ? el("option", { value: "" }, "Tutti gli uffici") : null,
    offices.map((o) => el("option", { value: String(o.id) }, o.name)));
  const form = el("form", { class: "admin-form" },
    el("h4", {}, "Nuova risposta pronta"),
    field("canned-title", "Titolo", title), field("canned-text", "Testo", text),
    field("canned-office", "Ufficio", office),
    el("button", { type: "submit", class: "primary" }, "Aggiungi"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { title: title.value.trim(), text: text.value.trim(), office_id: office.value ? Number(office.value) : null };
    change(status, () => post("/canned-replies", body), "Risposta aggiunta.", redraw);
  });
  return el("section", { "aria-labelledby": "canned-title-h" },
    el("h3", { id: "canned-title-h" }, "Risposte pronte"), status, list, form);
}

export async function renderAdmin(me) {
  const body = $("#admin-body");
  try {
    // All offices for an admin; a supervisor's region's, whose replies they manage.
    const offices = await get("/offices");
    const parts = [];
    if (me.role === "admin") parts.push(await operatorsSection(me, offices));
    parts.push(await cannedSection(me, offices));
    body.replaceChildren(...parts);
  } catch (error) {
    body.replaceChildren(el("p", { class: "error", role: "alert" }, errorText(error)));
  }
}

export async function renderAudit() {
  const body = $("#audit-body");
  try {
    const entries = await get("/admin/audit?limit=200");
    if (!entries.length) {
      body.replaceChildren(el("p", { class: "hint" }, "Nessuna attività registrata."));
      return;
    }
    const rows = entries.map((a) => el("tr", {},
      el("td", {}, when(a.at, true)), el("td", {}, a.operator_username || "—"),
      el("td", {}, ACTIONS[a.action] || a.action),
      el("td", {}, a.handoff_id ? el("a", { href: `#/chiuse/${a.handoff_id}` }, `n. ${a.handoff_id}`) : "—"), el("td", {}, a.detail || "")));
    const head = ["Quando", "Chi", "Azione", "Conversazione", "Dettaglio"]
      .map((h) => el("th", { scope: "col" }, h));
    body.replaceChildren(el("div", { class: "scroll" }, el("table", {},
      el("caption", { class: "sr-only" }, "Ultime 200 attività, dalla più recente"),
      el("thead", {}, el("tr", {}, head)), el("tbody", {}, rows))));
  } catch (error) {
    body.replaceChildren(el("p", { class: "error", role: "alert" }, errorText(error)));
  }
}
