/*
 * Helsingborg kontaktcenter – the resident's chat widget.
 *
 * Embed with one tag (docs/widget.md):
 *   <script src="https://<web>/widget/kontaktcenter-chat.js" defer></script>
 * optionally preceded by window.KontaktcenterChat = { socketUrl: "...", ... } or with
 * data-* attributes on the script tag (for pages whose CSP forbids inline script).
 *
 * Talks to Rasa's socket.io channel (rasa_addons/socketio_channel.py). Text from the
 * server is only ever inserted with textContent; only http(s) URLs become links.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = new URL(".", script ? script.src : window.location.href).href;
  var STORE_KEY = "kontaktcenterChat.v1";
  var TIME_ZONE = "Europe/Stockholm";
  var MAX_CHARS = 1000;
  var MAX_STORED = 200;
  var REPLY_TIMEOUT_MS = 20000;
  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

  var TEXT = {
    launcher: "Chatta med oss",
    title: "Chatta med kontaktcenter",
    close: "Stäng chatten",
    log: "Meddelanden i chatten",
    inputLabel: "Skriv ditt meddelande",
    placeholder: "Skriv här …",
    send: "Skicka",
    end: "Avsluta och rensa samtalet",
    you: "Du",
    bot: "Chattbot",
    agent: "Kommunvägledare",
    system: "Meddelande",
    choices: "Svarsalternativ",
    typing: "Väntar på svar",
    connecting: "Ansluter …",
    connected: "Ansluten",
    reconnecting: "Anslutningen bröts – försöker igen …",
    caseLabel: "Ärendenummer:",
    notice: "Samtalet sparas och blir en allmän handling som andra kan begära att få läsa. " +
      "Skriv inte känsliga uppgifter, till exempel om din hälsa.",
    unreachable: "Chatten går inte att nå just nu. Det du skriver skickas när anslutningen " +
      "fungerar igen.",
    noConfig: "Chatten kan inte startas just nu.",
    callUs: "Du kan också ringa oss på",
    preferCall: "Vill du hellre ringa?",
    queued: "Skickas när anslutningen fungerar igen",
    closedByStaff: "Chatten är avslutad. Vill du fråga något mer kan du skriva igen.",
    ended: "Samtalet är avslutat och rensat från den här webbläsaren.",
    newTab: "(öppnas i en ny flik)",
    newMessage: "Nytt meddelande från",
    tooLong: "Meddelandet är för långt. Korta det till högst " + MAX_CHARS + " tecken.",
  };

  // ---------------------------------------------------------------- configuration

  function fromScript() {
    var data = script ? script.dataset : {};
    var out = {};
    ["socketUrl", "socketPath", "configUrl", "caseUrl", "phone", "phoneHref",
      "privacyUrl", "privacyText", "storage", "idleMinutes", "title", "open"].forEach(function (key) {
      if (data[key]) out[key] = data[key];
    });
    return out;
  }

  function loadConfig() {
    var given = Object.assign({}, fromScript(), window.KontaktcenterChat || {});
    var url = given.configUrl || BASE + "config.json";
    return fetch(url, { credentials: "omit" })
      .then(function (res) { return res.ok ? res.json() : {}; })
      .catch(function () { return {}; })
      .then(function (server) {
        var cfg = Object.assign({
          socketPath: "/socket.io",
          caseUrl: BASE + "case",
          storage: "local",
          idleMinutes: 60,
        }, server, given);
        return cfg;
      });
  }

  // ---------------------------------------------------------------- storage

  function Store(kind, idleMinutes) {
    try {
      this.area = kind === "session" ? window.sessionStorage : window.localStorage;
    } catch (e) {
      this.area = null;
    }
    this.idleMs = Math.max(1, Number(idleMinutes) || 60) * 60000;
    this.state = this.read();
  }

  Store.prototype.empty = function () {
    return { sessionId: null, transcript: [], caseNumber: null, lastActive: 0 };
  };

  Store.prototype.read = function () {
    var state = this.empty();
    if (!this.area) return state;
    try {
      var raw = JSON.parse(this.area.getItem(STORE_KEY) || "null");
      if (raw && typeof raw === "object" && Date.now() - (raw.lastActive || 0) < this.idleMs) {
        state.sessionId = typeof raw.sessionId === "string" ? raw.sessionId : null;
        state.transcript = Array.isArray(raw.transcript) ? raw.transcript : [];
        state.caseNumber = typeof raw.caseNumber === "string" ? raw.caseNumber : null;
        state.lastActive = raw.lastActive;
      } else if (raw) {
        this.area.removeItem(STORE_KEY);
      }
    } catch (e) {
      /* unreadable storage: start afresh */
    }
    return state;
  };

  Store.prototype.save = function () {
    this.state.lastActive = Date.now();
    this.state.transcript = this.state.transcript.slice(-MAX_STORED);
    if (!this.area) return;
    try {
      this.area.setItem(STORE_KEY, JSON.stringify(this.state));
    } catch (e) {
      /* full or blocked storage: the chat still works, only without history */
    }
  };

  Store.prototype.clear = function () {
    this.state = this.empty();
    if (this.area) {
      try { this.area.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
    }
  };

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeHttpUrl(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /* Text with its http(s) URLs as links; everything else as text nodes. */
  function richText(container, text) {
    var value = String(text);
    var last = 0;
    value.replace(URL_PATTERN, function (match, offset) {
      var trimmed = match.replace(/[.,;:!?)\]]+$/, "");
      var href = safeHttpUrl(trimmed);
      if (!href) return match;
      container.appendChild(document.createTextNode(value.slice(last, offset)));
      var link = el("a", "kc-link", trimmed);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(el("span", "kc-visually-hidden", " " + TEXT.newTab));
      container.appendChild(link);
      last = offset + trimmed.length;
      return match;
    });
    container.appendChild(document.createTextNode(value.slice(last)));
  }

  function clockTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) date = new Date();
    return date.toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE });
  }

  function speakerName(entry) {
    if (entry.who === "user") return TEXT.you;
    if (entry.who === "agent") return TEXT.agent + (entry.agent ? " " + entry.agent : "");
    if (entry.who === "system") return TEXT.system;
    return TEXT.bot;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // ---------------------------------------------------------------- the widget

  function Widget(cfg) {
    this.cfg = cfg;
    this.store = new Store(cfg.storage, cfg.idleMinutes);
    this.socket = null;
    this.confirmed = false;
    this.typingTimer = null;
    this.caseTimer = null;
    this.build();
    this.restore();
    if (cfg.open === true || cfg.open === "true") this.open(false);
    this.connect();
  }

  Widget.prototype.build = function () {
    var cfg = this.cfg;
    this.phoneHref = /^tel:\+?[0-9]+$/.test(cfg.phoneHref || "") ? cfg.phoneHref
      : "tel:" + String(cfg.phone || "").replace(/[^0-9+]/g, "");
    var root = el("div", "kc-chat");
    root.setAttribute("data-kc-widget", "");

    var launcher = el("button", "kc-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "kc-panel");
    launcher.appendChild(el("span", "kc-launcher__icon"));
    launcher.lastChild.setAttribute("aria-hidden", "true");
    launcher.appendChild(el("span", "kc-launcher__text", TEXT.launcher));

    var panel = el("section", "kc-panel");
    panel.id = "kc-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "kc-title");

    var header = el("div", "kc-header");
    var heading = el("div", "kc-header__text");
    var title = el("h2", "kc-title", cfg.title || TEXT.title);
    title.id = "kc-title";
    var status = el("p", "kc-status", TEXT.connecting);
    var caseLine = el("p", "kc-case");
    caseLine.hidden = true;
    caseLine.appendChild(el("span", "kc-case__label", TEXT.caseLabel + " "));
    var caseNumber = el("strong", "kc-case__number");
    caseLine.appendChild(caseNumber);
    var meta = el("div", "kc-header__meta");
    meta.append(status, caseLine);
    heading.append(title, meta);
    var close = el("button", "kc-close");
    close.type = "button";
    close.setAttribute("aria-label", TEXT.close);
    close.appendChild(el("span", "kc-close__icon"));
    close.lastChild.setAttribute("aria-hidden", "true");
    header.append(heading, close);

    var alert = el("div", "kc-alert");
    alert.setAttribute("role", "alert");
    alert.hidden = true;

    var log = el("ol", "kc-log");
    log.setAttribute("aria-label", TEXT.log);
    log.tabIndex = 0;

    var notice = el("li", "kc-notice");
    notice.appendChild(el("p", null, TEXT.notice));
    if (cfg.privacyUrl && safeHttpUrl(cfg.privacyUrl)) {
      var privacy = el("a", "kc-link", cfg.privacyText || cfg.privacyUrl);
      privacy.href = safeHttpUrl(cfg.privacyUrl);
      privacy.target = "_blank";
      privacy.rel = "noopener noreferrer";
      privacy.appendChild(el("span", "kc-visually-hidden", " " + TEXT.newTab));
      var p = el("p");
      p.appendChild(privacy);
      notice.appendChild(p);
    }
    log.appendChild(notice);

    var typing = el("div", "kc-typing");
    typing.hidden = true;
    typing.appendChild(el("span", "kc-typing__text", TEXT.typing));
    var dots = el("span", "kc-typing__dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span"), el("span"), el("span"));
    typing.appendChild(dots);

    var form = el("form", "kc-form");
    form.noValidate = true;
    var label = el("label", "kc-visually-hidden", TEXT.inputLabel);
    label.htmlFor = "kc-input";
    var input = el("textarea", "kc-input");
    input.id = "kc-input";
    input.rows = 2;
    input.maxLength = MAX_CHARS;
    input.placeholder = TEXT.placeholder;
    input.setAttribute("autocomplete", "off");
    var send = el("button", "kc-send", TEXT.send);
    send.type = "submit";
    form.append(label, input, send);

    var footer = el("div", "kc-footer");
    var call = el("p", "kc-call");
    if (cfg.phone) {
      call.appendChild(document.createTextNode(TEXT.preferCall + " "));
      var tel = el("a", "kc-link", cfg.phone);
      tel.href = this.phoneHref;
      call.appendChild(tel);
    }
    var end = el("button", "kc-end", TEXT.end);
    end.type = "button";
    footer.append(call, end);

    var live = el("div", "kc-visually-hidden");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-atomic", "false");
    live.className = "kc-visually-hidden kc-live";

    panel.append(header, alert, log, typing, form, footer);
    root.append(panel, launcher, live);
    document.body.appendChild(root);

    this.dom = { root: root, launcher: launcher, panel: panel, status: status, caseLine: caseLine,
      caseNumber: caseNumber, close: close, alert: alert, log: log, typing: typing, form: form,
      input: input, send: send, end: end, live: live };

    var self = this;
    launcher.addEventListener("click", function () {
      if (panel.hidden) self.open(true); else self.close();
    });
    close.addEventListener("click", function () { self.close(); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        self.close();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    end.addEventListener("click", function () { self.endConversation(); });
  };

  Widget.prototype.open = function (focus) {
    this.dom.panel.hidden = false;
    this.dom.root.classList.add("kc-chat--open");
    this.dom.launcher.setAttribute("aria-expanded", "true");
    this.scrollToEnd();
    if (focus) this.dom.input.focus();
  };

  Widget.prototype.close = function () {
    this.dom.panel.hidden = true;
    this.dom.root.classList.remove("kc-chat--open");
    this.dom.launcher.setAttribute("aria-expanded", "false");
    this.dom.launcher.focus();
  };

  Widget.prototype.scrollToEnd = function () {
    var log = this.dom.log;
    if (log.scrollTo) {
      log.scrollTo({ top: log.scrollHeight, behavior: reducedMotion() ? "auto" : "smooth" });
    } else {
      log.scrollTop = log.scrollHeight;
    }
  };

  Widget.prototype.announce = function (text) {
    var item = el("p", null, text);
    this.dom.live.appendChild(item);
    while (this.dom.live.childNodes.length > 3) this.dom.live.removeChild(this.dom.live.firstChild);
  };

  Widget.prototype.setStatus = function (text) {
    this.dom.status.textContent = text;
  };

  Widget.prototype.showAlert = function (message) {
    var alert = this.dom.alert;
    alert.textContent = "";
    if (!message) {
      alert.hidden = true;
      return;
    }
    alert.appendChild(el("p", null, message));
    if (this.cfg.phone) {
      var p = el("p", null, TEXT.callUs + " ");
      var tel = el("a", "kc-link", this.cfg.phone);
      tel.href = this.phoneHref;
      p.appendChild(tel);
      p.appendChild(document.createTextNode("."));
      alert.appendChild(p);
    }
    alert.hidden = false;
  };

  // ---------------------------------------------------------------- transcript

  Widget.prototype.render = function (entry) {
    var item = el("li", "kc-msg kc-msg--" + entry.who);
    if (entry.pending) item.classList.add("kc-msg--pending");
    var meta = el("p", "kc-msg__meta");
    meta.appendChild(el("span", "kc-msg__who", speakerName(entry)));
    var time = el("time", "kc-msg__time", clockTime(entry.time));
    time.dateTime = entry.time;
    meta.appendChild(time);
    var bubble = el("p", "kc-msg__text");
    richText(bubble, entry.text);
    item.append(meta, bubble);
    if (entry.pending) item.appendChild(el("p", "kc-msg__pending", TEXT.queued));
    this.dom.log.appendChild(item);
    entry.node = item;
    return item;
  };

  Widget.prototype.renderReplies = function (item, replies) {
    var self = this;
    var group = el("div", "kc-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.choices);
    replies.forEach(function (reply) {
      var button = el("button", "kc-reply", reply.title);
      button.type = "button";
      button.addEventListener("click", function () {
        self.removeReplies();
        self.sendText(reply.title, reply.payload);
        self.dom.input.focus();
      });
      group.appendChild(button);
    });
    item.appendChild(group);
  };

  Widget.prototype.removeReplies = function () {
    var groups = this.dom.log.querySelectorAll(".kc-replies");
    for (var i = 0; i < groups.length; i++) groups[i].remove();
    this.store.state.transcript.forEach(function (entry) { delete entry.replies; });
  };

  Widget.prototype.add = function (entry, announce) {
    var stored = Object.assign({}, entry);
    var item = this.render(stored);
    if (entry.replies && entry.replies.length) this.renderReplies(item, entry.replies);
    delete stored.node;
    this.store.state.transcript.push(stored);
    this.store.save();
    if (announce) this.announce(speakerName(entry) + ": " + entry.text);
    this.scrollToEnd();
    return item;
  };

  Widget.prototype.restore = function () {
    var self = this;
    var transcript = this.store.state.transcript;
    transcript.forEach(function (entry, index) {
      if (!entry || typeof entry.text !== "string") return;
      var item = self.render(Object.assign({}, entry));
      var last = index === transcript.length - 1;
      if (last && Array.isArray(entry.replies) && entry.replies.length) self.renderReplies(item, entry.replies);
    });
    this.showCase(this.store.state.caseNumber);
  };

  Widget.prototype.showCase = function (number) {
    if (!number) return;
    this.dom.caseNumber.textContent = number;
    this.dom.caseLine.hidden = false;
  };

  // ---------------------------------------------------------------- sending

  Widget.prototype.submit = function () {
    var text = this.dom.input.value.trim();
    if (!text) {
      this.dom.input.focus();
      return;
    }
    if (text.length > MAX_CHARS) {
      this.showAlert(TEXT.tooLong);
      return;
    }
    this.dom.input.value = "";
    this.removeReplies();
    this.sendText(text, text);
    this.dom.input.focus();
  };

  /* Show what the resident wrote; send `payload` now or keep it until reconnected. */
  Widget.prototype.sendText = function (shown, payload) {
    var ready = this.socket && this.socket.connected && this.confirmed;
    var entry = { who: "user", text: shown, time: new Date().toISOString() };
    if (!ready) {
      entry.pending = true;
      entry.payload = payload;
    }
    this.add(entry, false);
    if (ready) this.emit(payload);
  };

  Widget.prototype.emit = function (payload) {
    this.socket.emit("user_uttered", { message: payload, session_id: this.store.state.sessionId });
    this.showTyping(true);
  };

  /* Messages written while disconnected (kept in storage, so a reload keeps them too). */
  Widget.prototype.flushQueue = function () {
    var self = this;
    var sent = 0;
    this.store.state.transcript.forEach(function (entry) {
      if (!entry.pending) return;
      self.emit(typeof entry.payload === "string" ? entry.payload : entry.text);
      delete entry.pending;
      delete entry.payload;
      sent += 1;
    });
    if (!sent) return;
    this.store.save();
    var pending = this.dom.log.querySelectorAll(".kc-msg--pending");
    for (var i = 0; i < pending.length; i++) {
      pending[i].classList.remove("kc-msg--pending");
      var note = pending[i].querySelector(".kc-msg__pending");
      if (note) note.remove();
    }
  };

  Widget.prototype.showTyping = function (on) {
    var self = this;
    clearTimeout(this.typingTimer);
    this.dom.typing.hidden = !on;
    if (on) {
      this.typingTimer = setTimeout(function () { self.dom.typing.hidden = true; }, REPLY_TIMEOUT_MS);
      this.scrollToEnd();
    }
  };

  // ---------------------------------------------------------------- receiving

  Widget.prototype.onBotMessage = function (data) {
    if (!data || typeof data !== "object") return;
    var custom = data.custom && typeof data.custom === "object" ? data.custom : {};
    var agent = typeof data.kc_agent === "string" ? data.kc_agent : custom.kc_agent;
    var closed = data.kc_closed === true || custom.kc_closed === true;
    var text = typeof data.text === "string" ? data.text : "";
    var replies = (data.quick_replies || data.buttons || []).filter(function (r) {
      return r && typeof r.title === "string" && typeof r.payload === "string";
    }).map(function (r) { return { title: r.title, payload: r.payload }; });
    this.showTyping(false);
    if (text) {
      if (replies.length) this.removeReplies();
      this.add({
        who: typeof agent === "string" && agent ? "agent" : "bot",
        agent: typeof agent === "string" ? agent.slice(0, 40) : undefined,
        text: text,
        time: new Date().toISOString(),
        replies: replies,
      }, true);
    }
    if (closed) this.add({ who: "system", text: TEXT.closedByStaff, time: new Date().toISOString() }, true);
    this.lookupCase(0);
  };

  /* The diarienummer appears once the register has opened the ärende: ask a few times. */
  Widget.prototype.lookupCase = function (attempt) {
    var self = this;
    var id = this.store.state.sessionId;
    if (this.store.state.caseNumber || !id || !this.cfg.caseUrl || attempt > 3) return;
    clearTimeout(this.caseTimer);
    this.caseTimer = setTimeout(function () {
      // The conversation token goes in the body, never the URL (access logs).
      fetch(self.cfg.caseUrl, { method: "POST", body: id, credentials: "omit",
        headers: { "Content-Type": "text/plain" } })
        .then(function (res) { return res.ok ? res.json() : {}; })
        .then(function (body) {
          if (id !== self.store.state.sessionId) return;
          if (body && typeof body.diarienummer === "string" && body.diarienummer) {
            self.store.state.caseNumber = body.diarienummer.slice(0, 40);
            self.store.save();
            self.showCase(self.store.state.caseNumber);
          } else {
            self.lookupCase(attempt + 1);
          }
        })
        .catch(function () { self.lookupCase(attempt + 1); });
    }, attempt === 0 ? 800 : 2000 * attempt);
  };

  // ---------------------------------------------------------------- connection

  Widget.prototype.connect = function () {
    var self = this;
    if (!this.cfg.socketUrl || typeof window.io !== "function") {
      this.setStatus(TEXT.noConfig);
      this.showAlert(TEXT.noConfig);
      return;
    }
    var socket = window.io(this.cfg.socketUrl, {
      path: this.cfg.socketPath || "/socket.io",
      reconnectionDelayMax: 10000,
      withCredentials: false,
    });
    this.socket = socket;
    var failures = 0;
    socket.on("connect", function () {
      failures = 0;
      self.confirmed = false;
      socket.emit("session_request", { session_id: self.store.state.sessionId });
    });
    socket.on("session_confirm", function (sessionId) {
      if (typeof sessionId !== "string") return;
      var state = self.store.state;
      if (state.sessionId && state.sessionId !== sessionId) {
        // The server did not accept the stored id: a new conversation, new record.
        state.caseNumber = null;
        self.dom.caseLine.hidden = true;
      }
      state.sessionId = sessionId;
      self.store.save();
      self.confirmed = true;
      self.setStatus(TEXT.connected);
      self.showAlert(null);
      self.flushQueue();
      if (state.transcript.length) self.lookupCase(0);
    });
    socket.on("bot_uttered", function (data) { self.onBotMessage(data); });
    socket.on("disconnect", function () {
      self.confirmed = false;
      self.showTyping(false);
      self.setStatus(TEXT.reconnecting);
    });
    socket.on("connect_error", function () {
      failures += 1;
      self.confirmed = false;
      self.setStatus(TEXT.reconnecting);
      if (failures === 2) self.showAlert(TEXT.unreachable);
    });
  };

  Widget.prototype.endConversation = function () {
    this.store.clear();
    this.confirmed = false;
    var items = this.dom.log.querySelectorAll(".kc-msg");
    for (var i = 0; i < items.length; i++) items[i].remove();
    this.dom.caseLine.hidden = true;
    this.dom.caseNumber.textContent = "";
    this.showTyping(false);
    this.add({ who: "system", text: TEXT.ended, time: new Date().toISOString() }, true);
    this.store.clear();
    if (this.socket && this.socket.connected) {
      this.socket.emit("session_request", { session_id: null });
    }
    this.dom.input.focus();
  };

  // ---------------------------------------------------------------- start

  function loadSocketIo() {
    if (typeof window.io === "function") return Promise.resolve();
    return new Promise(function (resolve) {
      var tag = document.createElement("script");
      tag.src = BASE + "socket.io.min.js";
      tag.onload = resolve;
      tag.onerror = resolve;
      document.head.appendChild(tag);
    });
  }

  /* The widget's stylesheet, unless the page already links it (or a theme of its own). */
  function loadStyle() {
    if (document.querySelector("link[data-kc-style]")) return Promise.resolve();
    return new Promise(function (resolve) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = BASE + "kontaktcenter-chat.css";
      link.setAttribute("data-kc-style", "");
      link.onload = resolve;
      link.onerror = resolve;
      document.head.appendChild(link);
    });
  }

  function start() {
    if (document.querySelector("[data-kc-widget]")) return;
    Promise.all([loadConfig(), loadSocketIo(), loadStyle()]).then(function (results) {
      window.KontaktcenterChatWidget = new Widget(results[0]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
