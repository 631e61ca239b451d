/* Sportello virtuale CPI - web widget. Embed with one <script> tag (docs/channels.md).
 * Until the launcher is pressed it only draws one button: no network, no history load.
 */
(function () {
  "use strict";
  var script = document.currentScript, data = (script && script.dataset) || {};
  var HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
  var cfg = {
    endpoint: data.endpoint || "/api/web/messages",
    title: data.title || "Sportello virtuale Lavoro",
    // Only a hex colour: it goes into CSS, and its contrast is computed below.
    color: HEX.test(data.color || "") ? data.color : "#0b5394",
  };
  var STORE = "sportello-cpi";
  var state = null; // {sessionId, log: [{from, text, buttons}], pending: [{id, text}], next}
  var root, dialog, list, input, launcher, lastFocus, live, statusEl, busy = false, wait = 1000, timer, polling, ticker;

  // WCAG contrast: text on the brand colour is white or near-black, whichever reads better.
  function lum(hex) {
    var c = hex.slice(1);
    if (c.length === 3) c = c.replace(/./g, "$&$&");
    return [0, 2, 4].reduce(function (sum, i, k) {
      var v = parseInt(c.substr(i, 2), 16) / 255;
      v = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
      return sum + v * [0.2126, 0.7152, 0.0722][k];
    }, 0);
  }
  var darkBrand = (1.05 / (lum(cfg.color) + 0.05)) >= 4.5;
  var ink = darkBrand ? "#fff" : "#1a1a1a";            // text on the brand colour
  var accent = darkBrand ? cfg.color : "#1a1a1a";      // brand-coloured text on white

  function rid() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load() {
    try { state = JSON.parse(localStorage.getItem(STORE)); } catch (e) { state = null; }
    if (!state || !state.sessionId) state = { sessionId: rid(), log: [] };
    state.log = state.log || []; state.pending = state.pending || []; state.next = state.next || 0;
  }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify({ sessionId: state.sessionId, log: state.log.slice(-100), pending: state.pending, next: state.next })); } catch (e) { /* private mode */ }
  }

  function css() {
    var c = cfg.color, s =
      ".spc-launch{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;background:" + c + ";color:" + ink + ";border:0;border-radius:2rem;padding:.8rem 1.2rem;font:600 1rem/1.2 system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}" +
      // Two rings, dark then yellow: visible on white and on the brand colour alike.
      ".spc-launch:focus-visible,.spc-dialog :focus-visible{outline:3px solid #1a1a1a;outline-offset:0;box-shadow:0 0 0 6px #ffbf47}" +
      ".spc-dialog{position:fixed;right:1rem;bottom:1rem;z-index:2147483001;width:min(24rem,calc(100vw - 2rem));height:min(36rem,calc(100vh - 2rem));display:flex;flex-direction:column;background:#fff;color:#1a1a1a;border-radius:.6rem;box-shadow:0 4px 24px rgba(0,0,0,.35);font:1rem/1.4 system-ui,sans-serif}" +
      ".spc-dialog[hidden],.spc-launch[hidden]{display:none}" +
      "@media (max-width:30rem){.spc-dialog{right:0;bottom:0;width:100vw;height:100%;border-radius:0}.spc-head{border-radius:0}}" +
      ".spc-head{display:flex;align-items:center;justify-content:space-between;background:" + c + ";color:" + ink + ";padding:.6rem .8rem;border-radius:.6rem .6rem 0 0}" +
      ".spc-head h2{font-size:1rem;margin:0}" +
      ".spc-close{background:transparent;color:inherit;border:0;font-size:1.6rem;line-height:1;cursor:pointer;padding:.2rem .5rem;min-width:2.75rem;min-height:2.75rem}" +
      ".spc-log{flex:1;overflow-y:auto;margin:0;padding:.8rem;list-style:none}" +
      ".spc-msg{margin:.4rem 0;padding:.5rem .7rem;border-radius:.6rem;max-width:85%;width:fit-content;white-space:pre-wrap;overflow-wrap:anywhere}" +
      ".spc-bot{background:#eef2f7}.spc-user{background:" + c + ";color:" + ink + ";margin-left:auto}" +
      ".spc-buttons{display:flex;flex-wrap:wrap;gap:.4rem;margin:.2rem 0 .6rem}" +
      ".spc-buttons button{border:2px solid " + accent + ";background:#fff;color:" + accent + ";border-radius:1rem;padding:.4rem .8rem;font:inherit;cursor:pointer;min-height:2.75rem}" +
      ".spc-form{display:flex;gap:.4rem;padding:.6rem;border-top:1px solid #ccc}" +
      ".spc-form textarea{flex:1;min-width:0;resize:none;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:.3rem}" +
      ".spc-form button{background:" + c + ";color:" + ink + ";border:0;border-radius:.3rem;padding:0 .9rem;font:600 1rem system-ui,sans-serif;cursor:pointer}" +
      ".spc-status{font-size:.85rem;color:#595959;padding:0 .8rem;margin:0;min-height:1.2em}" +
      ".spc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";
    // Not a <style>: a constructed sheet runs under a host CSP without 'unsafe-inline'.
    try { var k = new CSSStyleSheet(); k.replaceSync(s); document.adoptedStyleSheets.push(k); }
    catch (e) { document.head.appendChild(el("style", null, s)); }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function render(entry) {
    var li = el("li", "spc-msg " + (entry.from === "user" ? "spc-user" : "spc-bot"));
    li.appendChild(el("span", "spc-sr", entry.from === "user" ? "Tu: " : "Assistente: "));
    li.appendChild(document.createTextNode(entry.text));
    list.appendChild(li);
    if (entry.buttons && entry.buttons.length) {
      var box = el("li", "spc-buttons");
      box.setAttribute("aria-label", "Risposte rapide");
      entry.buttons.forEach(function (b) {
        var btn = el("button", null, b.title);
        btn.type = "button";
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        box.appendChild(btn);
      });
      list.appendChild(box);
    }
    list.scrollTop = list.scrollHeight;
  }

  function push(entry) { state.log.push(entry); save(); render(entry); }
  function status(text) { statusEl.textContent = text || ""; }
  function show(replies) {
    replies.forEach(function (r) { push({ from: "bot", text: r.text, buttons: r.buttons || [] }); });
    if (replies.length) live.textContent = replies.map(function (r) { return "Assistente: " + r.text; }).join("\n");
  }

  // While open, every 3 s: an operator's messages. `next` is saved with the log: never twice.
  function poll() {
    clearTimeout(ticker);
    if (dialog.hidden) return;
    if (!polling) {
      polling = true;
      fetch(cfg.endpoint.replace(/messages$/, "updates") + "?session_id=" + state.sessionId + "&after=" + state.next)
        .then(function (r) { return r.json(); }).then(function (b) {
          if (b.replies && b.next >= 0) { state.next = b.next; show(b.replies); save(); }
        }).catch(Boolean).then(function () { polling = false; });
    }
    ticker = setTimeout(poll, 3000);
  }

  function post(m) {
    return fetch(cfg.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // The same message_id on every retry: the gateway answers it once.
      body: JSON.stringify({ session_id: state.sessionId, text: m.text, message_id: m.id }),
    }).then(function (r) {
      if (r.status >= 500 || r.status === 429) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  // One message at a time, in order; after a network drop keep retrying (sooner when the
  // browser says it is back online), also across page reloads.
  function pump() {
    clearTimeout(timer);
    if (busy || !state || !state.pending.length) return;
    busy = true;
    status("L'assistente sta scrivendo...");
    post(state.pending[0]).then(function (body) {
      busy = false; wait = 1000;
      state.pending.shift();
      status("");
      var replies = (body && body.replies) || [];
      if (!replies.length && body && body.detail) replies = [{ text: body.detail }];
      show(replies); // none when an operator answers: see poll()
      pump();
    }).catch(function () {
      busy = false;
      status("Connessione assente: invierò il messaggio appena torna la rete.");
      timer = setTimeout(pump, wait);
      wait = Math.min(wait * 2, 30000);
    });
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text) return;
    push({ from: "user", text: shown || text });
    state.pending.push({ id: rid(), text: text });
    save();
    pump();
  }

  function trap(e) {
    if (e.key === "Escape") { e.preventDefault(); close(); return; }
    if (e.key !== "Tab") return;
    var f = dialog.querySelectorAll("button, textarea");
    var first = f[0], last = f[f.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  function build() {
    load();
    dialog = el("section", "spc-dialog");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "spc-title");
    var head = el("div", "spc-head");
    var h = el("h2", null, cfg.title); h.id = "spc-title";
    var x = el("button", "spc-close", "\u00d7"); x.type = "button"; x.setAttribute("aria-label", "Chiudi la chat");
    x.addEventListener("click", close);
    head.appendChild(h); head.appendChild(x);
    list = el("ol", "spc-log"); list.setAttribute("aria-label", "Conversazione"); list.tabIndex = 0; // scrollable by keyboard
    live = el("div", "spc-sr"); live.setAttribute("aria-live", "polite");
    statusEl = el("p", "spc-status"); statusEl.setAttribute("role", "status");
    var form = el("form", "spc-form");
    var label = el("label", "spc-sr", "Scrivi il tuo messaggio"); label.htmlFor = "spc-input";
    input = el("textarea"); input.id = "spc-input"; input.rows = 2; input.maxLength = 2000;
    input.placeholder = "Scrivi qui la tua domanda...";
    var sendBtn = el("button", null, "Invia"); sendBtn.type = "submit";
    form.appendChild(label); form.appendChild(input); form.appendChild(sendBtn);
    form.addEventListener("submit", function (e) { e.preventDefault(); var t = input.value; input.value = ""; send(t); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
    });
    dialog.appendChild(head); dialog.appendChild(list); dialog.appendChild(statusEl);
    dialog.appendChild(form); dialog.appendChild(live);
    dialog.addEventListener("keydown", trap);
    root.appendChild(dialog);
    state.log.forEach(render);
    window.addEventListener("online", pump);
    if (!state.log.length) send("ciao", "Ciao");
    else pump(); // messages left unsent before a reload
  }

  function open() {
    lastFocus = document.activeElement;
    if (!dialog) build();
    dialog.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    input.focus();
    poll();
  }

  function close() {
    clearTimeout(ticker);
    dialog.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    (lastFocus && lastFocus !== document.body && lastFocus.focus ? lastFocus : launcher).focus();
  }

  function init() {
    css();
    root = el("div", "spc-root");
    launcher = el("button", "spc-launch", "Chatta con lo sportello");
    launcher.type = "button";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.addEventListener("click", open);
    root.appendChild(launcher);
    document.body.appendChild(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
