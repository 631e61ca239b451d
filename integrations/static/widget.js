/* Sportello virtuale CPI - web widget.
 * Embed with one tag:
 *   <script src="https://GATEWAY/static/widget.js" defer
 *           data-endpoint="https://GATEWAY/api/web/messages"
 *           data-title="Sportello virtuale Lavoro" data-color="#0b5394"></script>
 * Until the launcher is pressed it only draws one button: no network, no history load.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var cfg = {
    endpoint: (script && script.dataset.endpoint) || "/api/web/messages",
    title: (script && script.dataset.title) || "Sportello virtuale Lavoro",
    color: (script && script.dataset.color) || "#0b5394",
  };
  var STORE = "sportello-cpi";
  var state = null; // {sessionId, log: [{from, text, buttons}]}, loaded on first open
  var root, dialog, list, input, form, launcher, lastFocus, live;

  function load() {
    try { state = JSON.parse(localStorage.getItem(STORE)); } catch (e) { state = null; }
    if (!state || !state.sessionId) {
      var bytes = new Uint8Array(16);
      (window.crypto || window.msCrypto).getRandomValues(bytes);
      var id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      state = { sessionId: id, log: [] };
    }
  }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify({ sessionId: state.sessionId, log: state.log.slice(-100) })); } catch (e) { /* private mode */ }
  }

  function css() {
    var s = document.createElement("style");
    s.textContent =
      ".spc-launch{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;background:" + cfg.color + ";color:#fff;border:0;border-radius:2rem;padding:.8rem 1.2rem;font:600 1rem/1.2 system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}" +
      ".spc-launch:focus-visible,.spc-dialog button:focus-visible,.spc-dialog textarea:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
      ".spc-dialog{position:fixed;right:1rem;bottom:1rem;z-index:2147483001;width:min(24rem,calc(100vw - 2rem));height:min(36rem,calc(100vh - 2rem));display:flex;flex-direction:column;background:#fff;color:#1a1a1a;border-radius:.6rem;box-shadow:0 4px 24px rgba(0,0,0,.35);font:1rem/1.4 system-ui,sans-serif}" +
      ".spc-dialog[hidden]{display:none}" +
      ".spc-head{display:flex;align-items:center;justify-content:space-between;background:" + cfg.color + ";color:#fff;padding:.6rem .8rem;border-radius:.6rem .6rem 0 0}" +
      ".spc-head h2{font-size:1rem;margin:0}" +
      ".spc-close{background:transparent;color:#fff;border:0;font-size:1.4rem;cursor:pointer;padding:0 .4rem}" +
      ".spc-log{flex:1;overflow-y:auto;margin:0;padding:.8rem;list-style:none}" +
      ".spc-msg{margin:.4rem 0;padding:.5rem .7rem;border-radius:.6rem;max-width:85%;white-space:pre-wrap;word-wrap:break-word}" +
      ".spc-bot{background:#eef2f7}.spc-user{background:" + cfg.color + ";color:#fff;margin-left:auto}" +
      ".spc-buttons{display:flex;flex-wrap:wrap;gap:.4rem;margin:.2rem 0 .6rem}" +
      ".spc-buttons button{border:2px solid " + cfg.color + ";background:#fff;color:" + cfg.color + ";border-radius:1rem;padding:.3rem .7rem;font:inherit;cursor:pointer}" +
      ".spc-form{display:flex;gap:.4rem;padding:.6rem;border-top:1px solid #ccc}" +
      ".spc-form textarea{flex:1;resize:none;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:.3rem}" +
      ".spc-form button{background:" + cfg.color + ";color:#fff;border:0;border-radius:.3rem;padding:0 .9rem;font:600 1rem system-ui,sans-serif;cursor:pointer}" +
      ".spc-status{font-size:.85rem;color:#595959;padding:0 .8rem}" +
      ".spc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";
    document.head.appendChild(s);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function render(entry, announce) {
    var li = el("li", "spc-msg " + (entry.from === "user" ? "spc-user" : "spc-bot"), entry.text);
    list.appendChild(li);
    if (entry.buttons && entry.buttons.length) {
      var box = el("li", "spc-buttons");
      entry.buttons.forEach(function (b) {
        var btn = el("button", null, b.title);
        btn.type = "button";
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        box.appendChild(btn);
      });
      list.appendChild(box);
    }
    list.scrollTop = list.scrollHeight;
    if (announce && entry.from === "bot") live.textContent = "Assistente: " + entry.text;
  }

  function push(entry) { state.log.push(entry); save(); render(entry, true); }

  function status(text) { root.querySelector(".spc-status").textContent = text || ""; }

  function post(text, attempt) {
    return fetch(cfg.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: state.sessionId, text: text }),
    }).then(function (r) {
      if (!r.ok && r.status >= 500) throw new Error("HTTP " + r.status);
      return r.json();
    }).catch(function (err) {
      // Network drop: retry with back-off, then tell the citizen plainly.
      if (attempt < 3) {
        status("Connessione assente, riprovo...");
        return new Promise(function (res) { setTimeout(res, 1000 * Math.pow(2, attempt)); })
          .then(function () { return post(text, attempt + 1); });
      }
      throw err;
    });
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text) return;
    push({ from: "user", text: shown || text });
    status("L'assistente sta scrivendo...");
    post(text, 0).then(function (body) {
      status("");
      var replies = (body && body.replies) || [];
      if (!replies.length && body && body.detail) replies = [{ text: body.detail }];
      replies.forEach(function (r) { push({ from: "bot", text: r.text, buttons: r.buttons || [] }); });
    }).catch(function () {
      status("");
      push({ from: "bot", text: "Non riesco a collegarmi al servizio. Controlla la connessione e riprova tra poco." });
    });
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
    list = el("ol", "spc-log"); list.setAttribute("aria-label", "Conversazione");
    live = el("div", "spc-sr"); live.setAttribute("aria-live", "polite"); live.setAttribute("role", "status");
    form = el("form", "spc-form");
    var label = el("label", "spc-sr", "Scrivi il tuo messaggio"); label.htmlFor = "spc-input";
    input = el("textarea"); input.id = "spc-input"; input.rows = 2; input.maxLength = 2000;
    input.placeholder = "Scrivi qui la tua domanda...";
    var sendBtn = el("button", null, "Invia"); sendBtn.type = "submit";
    form.appendChild(label); form.appendChild(input); form.appendChild(sendBtn);
    form.addEventListener("submit", function (e) { e.preventDefault(); var t = input.value; input.value = ""; send(t); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
    });
    dialog.appendChild(head); dialog.appendChild(list); dialog.appendChild(el("p", "spc-status"));
    dialog.appendChild(form); dialog.appendChild(live);
    dialog.addEventListener("keydown", trap);
    root.appendChild(dialog);
    state.log.forEach(function (entry) { render(entry, false); });
    if (!state.log.length) send("ciao", "Ciao");
  }

  function open() {
    lastFocus = document.activeElement;
    if (!dialog) build();
    dialog.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    input.focus();
  }

  function close() {
    dialog.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    (lastFocus && lastFocus.focus ? lastFocus : launcher).focus();
  }

  function init() {
    css();
    root = el("div"); root.className = "spc-root";
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
