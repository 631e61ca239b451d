// Live updates: the console's WebSocket; any event means "something changed, fetch
// again". If the socket drops, reconnect with back-off and poll every 5 s meanwhile.

import { $ } from "./util.js";

const POLL_MS = 5000;
let socket = null;
let handler = null;
let retryMs = 1000;
let retryTimer = null;
let pollTimer = null;
let pending = null;

function notify() {
  // Several events in a burst (message + handoff_updated) make one refresh.
  clearTimeout(pending);
  pending = setTimeout(() => handler && handler(), 150);
}

function startPolling() {
  if (pollTimer) return;
  $("#connection").textContent =
    "Aggiornamenti in tempo reale non disponibili: la coda si aggiorna ogni 5 secondi.";
  pollTimer = setInterval(notify, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
  $("#connection").textContent = "";
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  let opened = false;
  socket = new WebSocket(`${scheme}//${location.host}/api/console/ws`);
  socket.addEventListener("open", () => {
    opened = true;
    retryMs = 1000;
    stopPolling();
    notify(); // anything missed while disconnected
  });
  socket.addEventListener("message", notify);
  socket.addEventListener("close", () => {
    socket = null;
    if (!handler) return;
    startPolling();
    if (opened) notify();
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  });
}

export function startLive(onChange) {
  stopLive();
  handler = onChange;
  connect();
}

export function stopLive() {
  handler = null;
  clearTimeout(retryTimer);
  clearTimeout(pending);
  stopPolling();
  if (socket) socket.close();
  socket = null;
}

export function liveConnected() {
  return Boolean(socket && socket.readyState === WebSocket.OPEN);
}
