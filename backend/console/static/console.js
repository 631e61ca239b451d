// The operator console: sign-in, navigation between the queue, closed conversations,
// administration and the audit log, and live updates.

import { renderAdmin, renderAudit } from "./admin.js";
import { ApiError, get, post, setCsrfToken, whenUnauthorized } from "./api.js";
import * as conversation from "./conversation.js";
import { startLive, stopLive } from "./live.js";
import * as queue from "./queue.js";
import { renderStats } from "./stats.js";
import { setSound, soundEnabled, unlock } from "./sound.js";
import { $, ROLES, label } from "./util.js";

let me = null;

function show(view) {
  $("#view-login").hidden = view !== "login";
  $("#view-work").hidden = !["queue", "closed"].includes(view);
  $("#view-admin").hidden = view !== "admin";
  $("#view-audit").hidden = view !== "audit";
  $("#view-stats").hidden = view !== "stats";
  for (const link of document.querySelectorAll("#tabs a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function allowed(link) {
  return !link.dataset.roles || link.dataset.roles.split(" ").includes(me.role);
}

async function refreshAll() {
  try {
    await queue.refreshQueue();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) {
      $("#connection").textContent = error.message;
    }
    return;
  }
  await conversation.refreshConversation();
}

// #/coda, #/coda/17, #/chiuse, #/chiuse/17, #/amministrazione, #/registro, #/statistiche
async function route() {
  if (!me) return;
  const [, section = "coda", id] = location.hash.split("/");
  const views = { coda: "queue", chiuse: "closed", amministrazione: "admin", registro: "audit", statistiche: "stats" };
  let view = views[section] || "queue";
  const link = document.querySelector(`#tabs a[data-view=${view}]`);
  if (!allowed(link)) view = "queue";
  show(view);
  if (view === "admin") {
    await renderAdmin(me);
    $("#admin-title").focus();
    return;
  }
  if (view === "audit") {
    await renderAudit();
    $("#audit-title").focus();
    return;
  }
  if (view === "stats") {
    await renderStats(me);
    $("#stats-title").focus();
    return;
  }
  queue.setMode(view === "queue" ? "open" : "closed");
  await queue.refreshQueue().catch(() => {});
  const handoffId = Number(id) || null;
  queue.select(handoffId);
  if (handoffId) await conversation.openConversation(handoffId);
  else conversation.closeConversation();
}

function signedIn(session) {
  me = session.operator;
  setCsrfToken(session.csrf_token);
  $("#who-name").textContent = `${me.display_name} (${label(ROLES, me.role)})`;
  $("#who").hidden = false;
  $("#tabs").hidden = false;
  for (const link of document.querySelectorAll("#tabs a")) link.hidden = !allowed(link);
  queue.setOperator(me);
  conversation.setOperator(me, refreshAll);
  startLive(refreshAll);
  return route();
}

function signedOut(message = "") {
  me = null;
  setCsrfToken(null);
  stopLive();
  queue.stopQueue();
  conversation.closeConversation();
  $("#who").hidden = true;
  $("#tabs").hidden = true;
  $("#connection").textContent = "";
  $("#login-error").textContent = message;
  $("#login-password").value = "";
  show("login");
  $("#login-username").focus();
}

async function login(event) {
  event.preventDefault();
  unlock(); // a user gesture: the beep may play from now on
  const username = $("#login-username").value.trim();
  const password = $("#login-password").value;
  if (!username || !password) {
    $("#login-error").textContent = "Scrivi nome utente e password.";
    return;
  }
  const button = event.target.querySelector("button");
  button.disabled = true;
  try {
    const session = await post("/login", { username, password });
    $("#login-error").textContent = "";
    $("#login-password").value = "";
    if (!location.hash) history.replaceState(null, "", "#/coda");
    await signedIn(session);
    $("#queue-title").focus();
  } catch (error) {
    $("#login-error").textContent = error.message;
    $("#login-password").focus();
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  try {
    await post("/logout");
  } catch (error) {
    // Signed out anyway from this page's point of view.
  }
  signedOut();
}

function soundButton() {
  const button = $("#sound");
  const draw = () => {
    button.setAttribute("aria-pressed", String(soundEnabled()));
    button.textContent = soundEnabled() ? "Suono attivo" : "Suono disattivato";
  };
  button.addEventListener("click", () => {
    setSound(!soundEnabled());
    draw();
  });
  draw();
}

async function boot() {
  $("#login-form").addEventListener("submit", login);
  $("#logout").addEventListener("click", logout);
  soundButton();
  document.addEventListener("pointerdown", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });
  window.addEventListener("hashchange", route);
  whenUnauthorized(() => {
    if (me) signedOut("La sessione è scaduta: accedi di nuovo.");
  });
  try {
    await signedIn(await get("/me"));
  } catch (error) {
    signedOut();
  }
}

boot();
