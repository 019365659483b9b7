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
  var REPLY_TIMEOUT_SECONDS = 20;
  /* Web addresses (http(s):// or www.) and Swedish phone numbers (0… or +46…). */
  var LINK_PATTERN = /(https?:\/\/[^\s<>"']+)|(www\.[^\s<>"']+)|((?:\+46[ -]?|0)\d{1,3}(?:[ -]?\d{2,4}){1,4})/g;
  /* Must match the full-screen layout in kontaktcenter-chat.css: the panel is modal there. */
  var SMALL_SCREEN = "(max-width: 30rem), (max-height: 32rem)";
  var EVENT_PREFIX = "kontaktcenter:";
  /* Typing signals: sent at most this often; an agent's shown this long after the last. */
  var TYPING_EVERY_MS = 2000;
  var AGENT_TYPING_SHOWN_MS = 5000;

  var TEXT = {
    launcher: "Chatta med oss",
    unread: function (n) { return n === 1 ? "1 nytt meddelande" : n + " nya meddelanden"; },
    title: "Chatta med kontaktcenter",
    close: "Stäng chatten",
    log: "Meddelanden i chatten",
    inputLabel: "Skriv ditt meddelande",
    placeholder: "Skriv här …",
    send: "Skicka",
    keep: "Spara samtalet",
    end: "Avsluta samtalet",
    accessibility: "Tillgänglighet",
    you: "Du",
    bot: "Chattbot",
    agent: "Kommunvägledare",
    system: "Meddelande",
    choices: "Svarsalternativ",
    startChoices: "Vanliga frågor",
    typing: "Väntar på svar",
    agentTyping: function (name) { return (name || "Kommunvägledaren") + " skriver …"; },
    queuePlace: function (place) {
      return place === 1 ? "Du är först i kön." : "Du är nummer " + place + " i kön.";
    },
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
    noReply: "Inget svar har kommit ännu. Vänta en stund eller skriv igen.",
    noReplyCall: "Du kan också ringa oss på ",
    closedByStaff: "Chatten är avslutad. Vill du fråga något mer kan du skriva igen.",
    ended: "Samtalet är avslutat och rensat från den här webbläsaren.",
    newTab: "(öppnas i en ny flik)",
    counter: function (n) { return n + " av högst " + MAX_CHARS + " tecken"; },
    counterOver: function (n) {
      return n + " tecken – " + (n - MAX_CHARS) + " för många. Högst " + MAX_CHARS + " tecken.";
    },
    tooLong: "Meddelandet är för långt. Korta det till högst " + MAX_CHARS + " tecken. " +
      "Texten finns kvar i rutan.",
    keepTitle: "Spara samtalet",
    keepText: "Ladda ner samtalet med ärendenummer, datum och det du skrev, så som det sparats " +
      "hos oss.",
    downloadHtml: "Ladda ner som webbsida (HTML)",
    downloadText: "Ladda ner som text",
    downloadFailed: "Samtalet kunde inte laddas ner just nu. Försök igen om en stund.",
    nothingToDownload: "Det finns inget sparat samtal att ladda ner ännu.",
    endTitle: "Vill du avsluta samtalet?",
    endText: "Samtalet rensas från den här webbläsaren. Ladda ner det först om du vill ha " +
      "det kvar.",
    endConfirm: "Avsluta och rensa",
    endCancel: "Fortsätt chatta",
    closeSheet: "Stäng",
    keepEnded: "Ladda ner det avslutade samtalet:",
    surveyTitle: "Fick du hjälp?",
    surveyScale: "1 betyder nej, inte alls. 5 betyder ja, helt och hållet.",
    surveyComment: "Kommentar (frivilligt)",
    surveySend: "Skicka svar",
    surveySkip: "Hoppa över",
    surveyPick: "Välj ett betyg från 1 till 5.",
    surveyThanks: "Tack för ditt svar!",
    surveyFailed: "Svaret kunde inte skickas just nu. Försök igen om en stund.",
  };

  /* Common topics offered when a conversation starts: [button label, question sent]. */
  var START_TOPICS = [
    ["Öppettider", "Vilka öppettider har ni?"],
    ["Kontakt", "Hur kontaktar jag er?"],
    ["HiD", "Vad är HiD?"],
    ["Prata med en kommunvägledare", "Jag vill prata med en kommunvägledare"],
  ];

  // ---------------------------------------------------------------- configuration

  function fromScript() {
    var data = script ? script.dataset : {};
    var out = {};
    ["socketUrl", "socketPath", "configUrl", "caseUrl", "transcriptUrl", "satisfactionUrl",
      "accessibilityUrl", "phone", "phoneHref", "privacyUrl", "privacyText", "storage",
      "idleMinutes", "replyTimeoutSeconds", "title", "open"].forEach(function (key) {
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
          transcriptUrl: BASE + "transcript",
          satisfactionUrl: BASE + "satisfaction",
          accessibilityUrl: new URL("../tillganglighet", BASE).href,
          storage: "local",
          idleMinutes: 60,
          replyTimeoutSeconds: REPLY_TIMEOUT_SECONDS,
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
    return { sessionId: null, transcript: [], caseNumber: null, lastActive: 0, open: false,
      unread: 0, surveyed: null, queuePlace: 0, withAgent: false };
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
        state.open = raw.open === true;
        state.unread = Math.max(0, Math.min(99, Number(raw.unread) || 0));
        state.surveyed = typeof raw.surveyed === "string" ? raw.surveyed : null;
        state.queuePlace = Math.max(0, Math.min(10000, Math.floor(Number(raw.queuePlace) || 0)));
        state.withAgent = raw.withAgent === true;
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
    var open = this.state.open;
    this.state = this.empty();
    this.state.open = open;
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

  function button(className, text) {
    var node = el("button", className, text);
    node.type = "button";
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

  function newTabLink(href, text) {
    var link = el("a", "kc-link", text);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(el("span", "kc-visually-hidden", " " + TEXT.newTab));
    return link;
  }

  /* tel: address of a Swedish number as written, or null when it is not one. */
  function telHref(text) {
    var digits = text.replace(/[^0-9+]/g, "");
    var national = digits.indexOf("+46") === 0 ? "0" + digits.slice(3) : digits;
    if (!/^0[1-9][0-9]{6,10}$/.test(national)) return null;
    return "tel:+46" + national.slice(1);
  }

  /* One piece of text with web addresses and phone numbers as links; the rest as text. */
  function linkify(container, value) {
    var last = 0;
    value.replace(LINK_PATTERN, function (match, url, www, phone, offset) {
      var before = offset > 0 ? value.charAt(offset - 1) : "";
      var trimmed = match.replace(/[.,;:!?)\]]+$/, "");
      var link = null;
      if (url || www) {
        var href = safeHttpUrl(url ? trimmed : "https://" + trimmed);
        if (href && !/[\w@.\/-]/.test(before)) link = newTabLink(href, trimmed);
      } else if (phone && !/[\w\-+\/.]/.test(before)) {
        trimmed = trimmed.replace(/[ -]+$/, "");
        var tel = telHref(trimmed);
        if (tel) {
          link = el("a", "kc-link", trimmed);
          link.href = tel;
        }
      }
      if (!link) return match;
      container.appendChild(document.createTextNode(value.slice(last, offset)));
      container.appendChild(link);
      last = offset + trimmed.length;
      return match;
    });
    container.appendChild(document.createTextNode(value.slice(last)));
  }

  /* Text whose parts in another language (``langs``: [{text, lang}]) get a lang attribute. */
  function richText(container, text, langs) {
    var value = String(text);
    var spans = (Array.isArray(langs) ? langs : []).filter(function (part) {
      return part && typeof part.text === "string" && part.text &&
        typeof part.lang === "string" && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(part.lang);
    });
    var rest = value;
    spans.forEach(function (part) {
      var at = rest.indexOf(part.text);
      if (at < 0) return;
      linkify(container, rest.slice(0, at));
      var span = el("span", "kc-lang");
      span.lang = part.lang;
      linkify(span, part.text);
      container.appendChild(span);
      rest = rest.slice(at + part.text.length);
    });
    linkify(container, rest);
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

  function focusable(root) {
    var nodes = root.querySelectorAll(
      "a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), " +
      "select:not([disabled]), [tabindex]:not([tabindex='-1'])");
    return Array.prototype.filter.call(nodes, function (node) {
      return node.getClientRects().length > 0 && !node.closest("[hidden]");
    });
  }

  function saveFile(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = el("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  // ---------------------------------------------------------------- the widget

  function Widget(cfg) {
    this.cfg = cfg;
    this.store = new Store(cfg.storage, cfg.idleMinutes);
    this.socket = null;
    this.confirmed = false;
    this.typingTimer = null;
    this.agentTyping = false;
    this.typingSentAt = 0;
    this.caseTimer = null;
    this.caseAskedFor = null;  // the conversation whose diarienummer was asked for
    this.alertKind = null;
    this.anchor = null;
    this.ended = null;
    this.pageTitle = document.title;
    this.smallScreen = window.matchMedia ? window.matchMedia(SMALL_SCREEN) : null;
    this.build();
    this.restore();
    if (cfg.open === true || cfg.open === "true" || this.store.state.open) this.open(false);
    this.connect();
  }

  Widget.prototype.build = function () {
    var cfg = this.cfg;
    this.phoneHref = /^tel:\+?[0-9]+$/.test(cfg.phoneHref || "") ? cfg.phoneHref
      : "tel:" + String(cfg.phone || "").replace(/[^0-9+]/g, "");
    var root = el("div", "kc-chat");
    root.setAttribute("data-kc-widget", "");

    var launcher = button("kc-launcher");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "kc-panel");
    launcher.appendChild(el("span", "kc-launcher__icon"));
    launcher.lastChild.setAttribute("aria-hidden", "true");
    launcher.appendChild(el("span", "kc-launcher__text", TEXT.launcher));
    var badge = el("span", "kc-badge");
    badge.hidden = true;
    var badgeCount = el("span", "kc-badge__count");
    badgeCount.setAttribute("aria-hidden", "true");
    var badgeText = el("span", "kc-visually-hidden");
    badge.append(badgeCount, badgeText);
    launcher.appendChild(badge);

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
    var close = button("kc-close");
    close.setAttribute("aria-label", TEXT.close);
    // An SVG stroked with currentColor: stays visible in forced colours (Windows contrast).
    var svgNs = "http://www.w3.org/2000/svg";
    var icon = document.createElementNS(svgNs, "svg");
    icon.setAttribute("class", "kc-close__icon");
    icon.setAttribute("viewBox", "0 0 20 20");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var cross = document.createElementNS(svgNs, "path");
    cross.setAttribute("d", "M3 3 L17 17 M17 3 L3 17");
    cross.setAttribute("stroke", "currentColor");
    cross.setAttribute("stroke-width", "2.5");
    cross.setAttribute("stroke-linecap", "round");
    cross.setAttribute("fill", "none");
    icon.appendChild(cross);
    close.appendChild(icon);
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
      var p = el("p");
      p.appendChild(newTabLink(safeHttpUrl(cfg.privacyUrl), cfg.privacyText || cfg.privacyUrl));
      notice.appendChild(p);
    }
    log.appendChild(notice);

    var sheet = el("div", "kc-sheet");
    sheet.hidden = true;
    sheet.setAttribute("role", "group");
    sheet.setAttribute("aria-labelledby", "kc-sheet-title");

    var typing = el("div", "kc-typing");
    typing.hidden = true;
    typing.appendChild(el("span", "kc-typing__text", TEXT.typing));
    var dots = el("span", "kc-typing__dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span"), el("span"), el("span"));
    typing.appendChild(dots);

    /* The resident's live place in the queue (announced through the polite live region). */
    var queueLine = el("p", "kc-queue");
    queueLine.hidden = true;

    var form = el("form", "kc-form");
    form.noValidate = true;
    var label = el("label", "kc-visually-hidden", TEXT.inputLabel);
    label.htmlFor = "kc-input";
    var field = el("div", "kc-field");
    var input = el("textarea", "kc-input");
    input.id = "kc-input";
    input.rows = 2;
    input.placeholder = TEXT.placeholder;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-describedby", "kc-counter");
    var counter = el("p", "kc-counter", TEXT.counter(0));
    counter.id = "kc-counter";
    field.append(input, counter);
    var send = el("button", "kc-send", TEXT.send);
    send.type = "submit";
    form.append(label, field, send);

    var footer = el("div", "kc-footer");
    var call = el("p", "kc-call");
    if (cfg.phone) {
      call.appendChild(document.createTextNode(TEXT.preferCall + " "));
      var tel = el("a", "kc-link", cfg.phone);
      tel.href = this.phoneHref;
      call.appendChild(tel);
    }
    var actions = el("div", "kc-actions");
    var keep = button("kc-textbutton kc-keep", TEXT.keep);
    var end = button("kc-textbutton kc-end", TEXT.end);
    actions.append(keep, end);
    var a11yUrl = safeHttpUrl(cfg.accessibilityUrl || "");
    if (a11yUrl) actions.appendChild(newTabLink(a11yUrl, TEXT.accessibility));
    footer.append(call, actions);

    var live = el("div", "kc-visually-hidden kc-live");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-atomic", "false");

    panel.append(header, alert, log, sheet, queueLine, typing, form, footer);
    root.append(panel, launcher, live);
    document.body.appendChild(root);

    this.dom = { root: root, launcher: launcher, badge: badge, badgeCount: badgeCount,
      badgeText: badgeText, panel: panel, status: status, caseLine: caseLine,
      caseNumber: caseNumber, close: close, alert: alert, log: log, notice: notice,
      sheet: sheet, queueLine: queueLine, typing: typing, form: form, input: input, counter: counter, send: send,
      keep: keep, end: end, live: live };

    var self = this;
    launcher.addEventListener("click", function () {
      if (panel.hidden) self.open(true); else self.close();
    });
    close.addEventListener("click", function () { self.close(); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        if (!sheet.hidden) self.hideSheet(); else self.close();
      } else if (event.key === "Tab") {
        self.trapTab(event);
      }
    });
    document.addEventListener("focusin", function (event) {
      if (self.isModal() && !panel.contains(event.target)) self.dom.input.focus();
    });
    if (this.smallScreen && this.smallScreen.addEventListener) {
      this.smallScreen.addEventListener("change", function () { self.updateModal(); });
    }
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
    input.addEventListener("input", function () {
      self.updateCounter();
      self.reportTyping();
    });
    keep.addEventListener("click", function () { self.showKeepSheet(); });
    end.addEventListener("click", function () { self.showEndSheet(); });
    if (window.ResizeObserver) {
      // The header grows when the case number arrives, alerts and sheets come and go:
      // whenever the visible part of the log changes size, bring the newest message back.
      new window.ResizeObserver(function () { self.reveal(); }).observe(log);
    }
  };

  // ---------------------------------------------------------------- open, close, focus

  Widget.prototype.isModal = function () {
    return !this.dom.panel.hidden && !!this.smallScreen && this.smallScreen.matches;
  };

  /* Full screen (small screens, 200 % zoom) the panel covers the page: a modal dialog. */
  Widget.prototype.updateModal = function () {
    if (this.isModal()) this.dom.panel.setAttribute("aria-modal", "true");
    else this.dom.panel.removeAttribute("aria-modal");
  };

  Widget.prototype.trapTab = function (event) {
    if (!this.isModal()) return;
    var items = focusable(this.dom.panel);
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !this.dom.panel.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  Widget.prototype.open = function (focus) {
    var wasHidden = this.dom.panel.hidden;
    this.dom.panel.hidden = false;
    this.dom.root.classList.add("kc-chat--open");
    this.dom.launcher.setAttribute("aria-expanded", "true");
    this.updateModal();
    if (!this.store.state.open) {
      this.store.state.open = true;
      this.store.save();
    }
    this.setUnread(0);
    this.reveal();
    if (focus !== false) this.dom.input.focus();
    if (wasHidden) this.notify("opened", {});
  };

  Widget.prototype.close = function () {
    var wasOpen = !this.dom.panel.hidden;
    this.dom.panel.hidden = true;
    this.dom.root.classList.remove("kc-chat--open");
    this.dom.launcher.setAttribute("aria-expanded", "false");
    this.updateModal();
    this.store.state.open = false;
    this.store.save();
    this.dom.launcher.focus();
    if (wasOpen) this.notify("closed", {});
  };

  /* Unread messages while minimised: a badge on the button and a mark in the page title. */
  Widget.prototype.setUnread = function (count) {
    if (this.store.state.unread !== count) {
      this.store.state.unread = count;
      this.store.save();
    }
    this.dom.badge.hidden = count === 0;
    this.dom.badgeCount.textContent = count > 9 ? "9+" : String(count);
    this.dom.badgeText.textContent = count ? ", " + TEXT.unread(count) : "";
    document.title = count ? "(" + count + ") " + this.pageTitle : this.pageTitle;
  };

  /* Events for the embedding page: window "kontaktcenter:<name>" with the detail. */
  Widget.prototype.notify = function (name, detail) {
    try {
      window.dispatchEvent(new CustomEvent(EVENT_PREFIX + name, { detail: detail }));
    } catch (e) {
      /* a listener's error must not stop the chat */
    }
  };

  Widget.prototype.on = function (name, listener) {
    window.addEventListener(EVENT_PREFIX + name, function (event) { listener(event.detail); });
  };

  /* Keep the newest message's first line in view: the end of the log, unless the newest
   * message is taller than the visible part, then its start. */
  Widget.prototype.reveal = function () {
    var log = this.dom.log;
    if (this.dom.panel.hidden) return;
    var item = this.anchor && this.anchor.isConnected ? this.anchor : log.lastElementChild;
    var bottom = log.scrollHeight - log.clientHeight;
    if (!item) {
      log.scrollTop = bottom;
      return;
    }
    var gap = parseFloat(getComputedStyle(log).paddingTop) || 0;
    var top = item.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - gap;
    log.scrollTop = Math.max(0, Math.min(bottom, top));
  };

  Widget.prototype.announce = function (text) {
    var item = el("p", null, text);
    this.dom.live.appendChild(item);
    while (this.dom.live.childNodes.length > 3) this.dom.live.removeChild(this.dom.live.firstChild);
  };

  Widget.prototype.setStatus = function (text) {
    this.dom.status.textContent = text;
  };

  /* One alert at a time; ``kind`` lets its cause clear it again (e.g. "tooLong"). */
  Widget.prototype.showAlert = function (message, kind) {
    var alert = this.dom.alert;
    alert.textContent = "";
    this.alertKind = message ? kind || "other" : null;
    if (!message) {
      alert.hidden = true;
      return;
    }
    alert.appendChild(el("p", null, message));
    if (this.cfg.phone && kind === "connection") {
      var p = el("p", null, TEXT.callUs + " ");
      var tel = el("a", "kc-link", this.cfg.phone);
      tel.href = this.phoneHref;
      p.appendChild(tel);
      p.appendChild(document.createTextNode("."));
      alert.appendChild(p);
    }
    alert.hidden = false;
  };

  Widget.prototype.clearAlert = function (kind) {
    if (this.alertKind === kind) this.showAlert(null);
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
    richText(bubble, entry.text, entry.langs);
    item.append(meta, bubble);
    if (entry.pending) item.appendChild(el("p", "kc-msg__pending", TEXT.queued));
    this.dom.log.appendChild(item);
    entry.node = item;
    return item;
  };

  Widget.prototype.renderReplies = function (item, replies, className, label) {
    var self = this;
    var group = el("div", className || "kc-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", label || TEXT.choices);
    replies.forEach(function (reply) {
      var choice = button("kc-reply", reply.title);
      choice.addEventListener("click", function () {
        self.removeReplies();
        self.sendText(reply.shown || reply.title, reply.payload);
        self.dom.input.focus();
      });
      group.appendChild(choice);
    });
    item.appendChild(group);
  };

  Widget.prototype.removeReplies = function () {
    var groups = this.dom.log.querySelectorAll(".kc-replies, .kc-start");
    for (var i = 0; i < groups.length; i++) groups[i].remove();
    this.store.state.transcript.forEach(function (entry) { delete entry.replies; });
  };

  /* The common topics, while the resident has not written anything yet. */
  Widget.prototype.showStartTopics = function () {
    var written = this.store.state.transcript.some(function (entry) { return entry.who === "user"; });
    if (written || this.dom.log.querySelector(".kc-start")) return;
    var item = el("li", "kc-start");
    this.renderReplies(item, START_TOPICS.map(function (topic) {
      return { title: topic[0], shown: topic[1], payload: topic[1] };
    }), "kc-replies kc-replies--start", TEXT.startChoices);
    this.dom.log.appendChild(item);
  };

  Widget.prototype.add = function (entry, announce) {
    var stored = Object.assign({}, entry);
    var item = this.render(stored);
    if (entry.replies && entry.replies.length) this.renderReplies(item, entry.replies);
    delete stored.node;
    this.store.state.transcript.push(stored);
    if (entry.who !== "user" && this.dom.panel.hidden) this.setUnread(this.store.state.unread + 1);
    this.store.save();
    if (announce) this.announce(speakerName(entry) + ": " + entry.text);
    this.anchor = item;
    this.reveal();
    this.notify("message", { who: entry.who, text: entry.text, time: entry.time });
    return item;
  };

  Widget.prototype.restore = function () {
    var self = this;
    var transcript = this.store.state.transcript;
    transcript.forEach(function (entry, index) {
      if (!entry || typeof entry.text !== "string") return;
      var item = self.render(Object.assign({}, entry));
      self.anchor = item;
      var last = index === transcript.length - 1;
      if (last && Array.isArray(entry.replies) && entry.replies.length) self.renderReplies(item, entry.replies);
    });
    this.showStartTopics();
    this.showCase(this.store.state.caseNumber);
    this.showQueuePlace();
    this.setUnread(this.store.state.unread);
  };

  Widget.prototype.showCase = function (number) {
    if (!number) return;
    var changed = this.dom.caseNumber.textContent !== number;
    this.dom.caseNumber.textContent = number;
    this.dom.caseLine.hidden = false;
    this.reveal();
    if (changed) this.notify("case", { diarienummer: number });
  };

  Widget.prototype.setCase = function (number) {
    if (typeof number !== "string" || !number) return;
    this.store.state.caseNumber = number.slice(0, 40);
    this.store.save();
    this.showCase(this.store.state.caseNumber);
  };

  // ---------------------------------------------------------------- keeping and ending

  Widget.prototype.hideSheet = function () {
    var wasOpen = !this.dom.sheet.hidden;
    this.dom.sheet.hidden = true;
    this.dom.sheet.textContent = "";
    this.dom.panel.classList.remove("kc-panel--sheet");
    if (wasOpen) this.dom.input.focus();
  };

  Widget.prototype.openSheet = function (title, text, buttons) {
    var sheet = this.dom.sheet;
    sheet.textContent = "";
    var heading = el("h3", "kc-sheet__title", title);
    heading.id = "kc-sheet-title";
    sheet.append(heading, el("p", "kc-sheet__text", text));
    var row = el("div", "kc-sheet__buttons");
    buttons.forEach(function (b) { row.appendChild(b); });
    sheet.appendChild(row);
    sheet.hidden = false;
    this.dom.panel.classList.add("kc-panel--sheet");
    buttons[0].focus();
    this.reveal();
  };

  Widget.prototype.downloadButtons = function (conversation, caseNumber) {
    var self = this;
    return [["html", TEXT.downloadHtml], ["text", TEXT.downloadText]].map(function (kind) {
      var b = button("kc-download", kind[1]);
      b.setAttribute("data-format", kind[0]);
      b.addEventListener("click", function () { self.download(kind[0], conversation, caseNumber); });
      return b;
    });
  };

  Widget.prototype.showKeepSheet = function () {
    var self = this;
    var done = button("kc-sheet__cancel", TEXT.closeSheet);
    done.addEventListener("click", function () { self.hideSheet(); });
    this.openSheet(TEXT.keepTitle, TEXT.keepText,
      this.downloadButtons(null, null).concat([done]));
  };

  Widget.prototype.showEndSheet = function () {
    var self = this;
    var confirm = button("kc-sheet__confirm", TEXT.endConfirm);
    confirm.addEventListener("click", function () { self.endConversation(); });
    var cancel = button("kc-sheet__cancel", TEXT.endCancel);
    cancel.addEventListener("click", function () { self.hideSheet(); });
    this.openSheet(TEXT.endTitle, TEXT.endText,
      [cancel].concat(this.downloadButtons(null, null), [confirm]));
  };

  /* The ownership proof the resident endpoints ask for: the signed conversation token. */
  Widget.prototype.proof = function (conversation) {
    return { conversation: conversation || this.store.state.sessionId };
  };

  Widget.prototype.download = function (format, conversation, caseNumber) {
    var self = this;
    var number = caseNumber || this.store.state.caseNumber || "samtal";
    var body = Object.assign({ format: format }, this.proof(conversation));
    if (!body.conversation) {
      this.showAlert(TEXT.nothingToDownload, "download");
      return Promise.resolve();
    }
    return postJson(this.cfg.transcriptUrl, body).then(function (res) {
      if (res.status === 404) throw new Error(TEXT.nothingToDownload);
      if (!res.ok) throw new Error(TEXT.downloadFailed);
      return res.blob();
    }).then(function (blob) {
      self.clearAlert("download");
      saveFile(blob, "chatt-" + number + (format === "html" ? ".html" : ".txt"));
    }).catch(function (err) {
      self.showAlert(err && err.message ? err.message : TEXT.downloadFailed, "download");
    });
  };

  Widget.prototype.endConversation = function () {
    var state = this.store.state;
    this.ended = { sessionId: state.sessionId, caseNumber: state.caseNumber };
    var asked = state.surveyed;
    this.hideSheet();
    this.store.clear();
    this.confirmed = false;
    var items = this.dom.log.querySelectorAll(".kc-msg, .kc-survey, .kc-kept, .kc-start");
    for (var i = 0; i < items.length; i++) items[i].remove();
    this.dom.caseLine.hidden = true;
    this.dom.caseNumber.textContent = "";
    this.showTyping(false);
    this.showQueuePlace();
    this.add({ who: "system", text: TEXT.ended, time: new Date().toISOString() }, true);
    if (this.ended.sessionId) {
      var kept = el("li", "kc-kept");
      kept.appendChild(el("p", null, TEXT.keepEnded));
      var row = el("div", "kc-sheet__buttons");
      this.downloadButtons(this.ended.sessionId, this.ended.caseNumber).forEach(function (b) {
        row.appendChild(b);
      });
      kept.appendChild(row);
      this.dom.log.appendChild(kept);
      if (asked !== this.ended.sessionId + "|" + this.ended.caseNumber) this.askSatisfaction(this.ended.sessionId, this.ended.caseNumber);
    }
    this.store.clear();
    this.showStartTopics();
    if (this.socket && this.socket.connected) {
      this.socket.emit("session_request", { session_id: null });
    }
    this.dom.input.focus();
  };

  /* "Fick du hjälp?" once per ärende: 1–5 and an optional comment, stored in the register. */
  Widget.prototype.askSatisfaction = function (conversation, caseNumber) {
    var self = this;
    var old = this.dom.log.querySelector(".kc-survey");
    if (old) old.remove();
    var item = el("li", "kc-survey");
    var form = el("form", "kc-survey__form");
    form.noValidate = true;
    var fieldset = el("fieldset", "kc-survey__scale");
    var legend = el("legend", "kc-survey__title", TEXT.surveyTitle);
    var hint = el("p", "kc-survey__hint", TEXT.surveyScale);
    hint.id = "kc-survey-hint";
    fieldset.setAttribute("aria-describedby", "kc-survey-hint");
    var scale = el("div", "kc-survey__options");
    for (var score = 1; score <= 5; score++) {
      var option = el("label", "kc-survey__option");
      var radio = el("input");
      radio.type = "radio";
      radio.name = "kc-score";
      radio.value = String(score);
      option.append(radio, el("span", null, String(score)));
      scale.appendChild(option);
    }
    fieldset.append(legend, hint, scale);
    var commentLabel = el("label", "kc-survey__label", TEXT.surveyComment);
    commentLabel.htmlFor = "kc-survey-comment";
    var comment = el("textarea", "kc-input kc-survey__comment");
    comment.id = "kc-survey-comment";
    comment.rows = 2;
    var row = el("div", "kc-sheet__buttons");
    var submit = el("button", "kc-send", TEXT.surveySend);
    submit.type = "submit";
    var skip = button("kc-sheet__cancel", TEXT.surveySkip);
    row.append(submit, skip);
    var status = el("p", "kc-survey__status");
    status.setAttribute("role", "status");
    form.append(fieldset, commentLabel, comment, row, status);
    item.appendChild(form);
    this.dom.log.appendChild(item);
    this.anchor = item;
    this.reveal();

    function finish(text) {
      item.textContent = "";
      var thanks = el("p", "kc-survey__thanks", text);
      thanks.setAttribute("role", "status");
      item.appendChild(thanks);
      if (self.store.state.sessionId === conversation) {
        self.store.state.surveyed = conversation + "|" + caseNumber;
        self.store.save();
      }
    }
    skip.addEventListener("click", function () {
      item.remove();
      if (self.store.state.sessionId === conversation) {
        self.store.state.surveyed = conversation + "|" + caseNumber;
        self.store.save();
      }
      self.dom.input.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=kc-score]:checked");
      if (!chosen) {
        status.textContent = TEXT.surveyPick;
        return;
      }
      submit.disabled = true;
      postJson(self.cfg.satisfactionUrl, Object.assign({
        score: Number(chosen.value),
        comment: comment.value.trim() || null,
      }, self.proof(conversation))).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (res.ok) return finish(TEXT.surveyThanks);
          if (res.status === 409) return finish(body.error || TEXT.surveyThanks);
          throw new Error(body && typeof body.error === "string" ? body.error : TEXT.surveyFailed);
        });
      }).catch(function (err) {
        submit.disabled = false;
        status.textContent = err && err.message ? err.message : TEXT.surveyFailed;
      });
    });
  };

  // ---------------------------------------------------------------- sending

  Widget.prototype.updateCounter = function () {
    var length = this.dom.input.value.length;
    var over = length > MAX_CHARS;
    var counter = this.dom.counter;
    counter.textContent = over ? TEXT.counterOver(length) : TEXT.counter(length);
    counter.classList.toggle("kc-counter--over", over);
    counter.classList.toggle("kc-counter--near", !over && length > MAX_CHARS * 0.8);
    if (over) {
      this.dom.input.setAttribute("aria-invalid", "true");
      if (this.alertKind !== "tooLong") this.showAlert(TEXT.tooLong, "tooLong");
    } else {
      this.dom.input.removeAttribute("aria-invalid");
      this.clearAlert("tooLong");
    }
  };

  Widget.prototype.submit = function () {
    var text = this.dom.input.value.trim();
    if (!text) {
      this.dom.input.focus();
      return false;
    }
    if (text.length > MAX_CHARS) {
      this.showAlert(TEXT.tooLong, "tooLong");
      this.dom.input.focus();
      return false;
    }
    this.dom.input.value = "";
    this.updateCounter();
    this.clearAlert("tooLong");
    this.removeReplies();
    this.sendText(text, text);
    this.dom.input.focus();
    return true;
  };

  /* The embed API's send(text): as if the resident had typed it. */
  Widget.prototype.send = function (text) {
    if (typeof text !== "string") return false;
    this.dom.input.value = text;
    this.updateCounter();
    return this.submit();
  };

  /* A random id per message: sent again after a broken connection, it stays one message. */
  function deliveryId() {
    var bytes = new Uint8Array(12);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* Show what the resident wrote; send `payload` now or keep it until reconnected. It stays
     "unacked" (kept, with its payload) until the server confirms the turn is saved. */
  Widget.prototype.sendText = function (shown, payload) {
    var ready = this.socket && this.socket.connected && this.confirmed;
    var entry = {
      who: "user", text: shown, time: new Date().toISOString(),
      delivery: deliveryId(), payload: payload, unacked: true,
    };
    if (!ready) entry.pending = true;
    this.add(entry, false);
    if (ready) this.emit(payload, entry.delivery);
  };

  Widget.prototype.emit = function (payload, delivery) {
    var self = this;
    this.socket.emit(
      "user_uttered",
      { message: payload, session_id: this.store.state.sessionId, kc_delivery: delivery },
      function () { self.acknowledged(delivery); }
    );
    // Waiting in the queue or writing with a kommunvägledare: a person answers when they
    // can, so no "Väntar på svar" line and no "no reply yet" notice after a few seconds.
    var state = this.store.state;
    if (!state.queuePlace && !state.withAgent) this.showTyping(true);
  };

  /* The server has the message's turn saved: it need not be sent again. */
  Widget.prototype.acknowledged = function (delivery) {
    var entry = this.store.state.transcript.filter(function (e) {
      return e && e.delivery === delivery;
    })[0];
    if (!entry || !entry.unacked) return;
    delete entry.unacked;
    delete entry.payload;
    this.store.save();
  };

  /* Messages written while disconnected, and messages sent but never acknowledged (their
     server went away), kept in storage, so a reload keeps them too. A message sent again
     keeps its delivery id: the server keeps it once and repeats the answer if it had one. */
  Widget.prototype.flushQueue = function () {
    var self = this;
    var sent = 0;
    this.store.state.transcript.forEach(function (entry) {
      if (!entry || entry.who !== "user" || !(entry.pending || entry.unacked)) return;
      if (!entry.delivery) entry.delivery = deliveryId();
      entry.unacked = true;
      self.emit(typeof entry.payload === "string" ? entry.payload : entry.text, entry.delivery);
      delete entry.pending;
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

  /* While waiting for a reply; if none comes in time, say so and offer the phone. */
  Widget.prototype.showTyping = function (on) {
    var self = this;
    clearTimeout(this.typingTimer);
    if (this.agentTyping) {
      this.agentTyping = false;
      this.dom.typing.firstChild.textContent = TEXT.typing;
    }
    this.dom.typing.hidden = !on;
    if (on) {
      var seconds = Math.max(1, Number(this.cfg.replyTimeoutSeconds) || REPLY_TIMEOUT_SECONDS);
      this.typingTimer = setTimeout(function () { self.noReply(); }, seconds * 1000);
    }
  };

  /* "Anna skriver …" while the kommunvägledare types; announced once when it starts. */
  Widget.prototype.showAgentTyping = function (name) {
    var self = this;
    clearTimeout(this.typingTimer);  // someone is answering: no "no reply yet" notice
    var text = TEXT.agentTyping(typeof name === "string" ? name.slice(0, 40) : "");
    this.dom.typing.firstChild.textContent = text;
    this.dom.typing.hidden = false;
    if (!this.agentTyping) this.announce(text);
    this.agentTyping = true;
    this.typingTimer = setTimeout(function () { self.hideAgentTyping(); }, AGENT_TYPING_SHOWN_MS);
  };

  Widget.prototype.hideAgentTyping = function () {
    if (!this.agentTyping) return;
    this.agentTyping = false;
    this.dom.typing.hidden = true;
    this.dom.typing.firstChild.textContent = TEXT.typing;
  };

  /* Tell the kommunvägledare that the resident is typing (no text; throttled). The server
   * records it only while a person has the chat. */
  Widget.prototype.reportTyping = function () {
    var now = Date.now();
    if (!this.dom.input.value.trim() || now - this.typingSentAt < TYPING_EVERY_MS) return;
    if (!this.socket || !this.socket.connected || !this.confirmed) return;
    this.typingSentAt = now;
    this.socket.emit("kc_typing", {});
  };

  /* The live place in the queue; 0 clears it (taken over, or no longer waiting). */
  Widget.prototype.setQueuePlace = function (place) {
    place = Math.max(0, Math.min(10000, Math.floor(Number(place) || 0)));
    var changed = place !== this.store.state.queuePlace;
    this.store.state.queuePlace = place;
    this.showQueuePlace();
    if (changed) {
      this.store.save();
      if (place) this.announce(TEXT.queuePlace(place));
    }
  };

  Widget.prototype.showQueuePlace = function () {
    var place = this.store.state.queuePlace;
    this.dom.queueLine.textContent = place ? TEXT.queuePlace(place) : "";
    this.dom.queueLine.hidden = !place;
  };

  Widget.prototype.noReply = function () {
    this.dom.typing.hidden = true;
    var text = TEXT.noReply + (this.cfg.phone ? " " + TEXT.noReplyCall + this.cfg.phone + "." : "");
    this.add({ who: "system", text: text, time: new Date().toISOString() }, true);
  };

  // ---------------------------------------------------------------- receiving

  /* An answer repeated for a message sent again: already seen when something other than
     that repeat came after the message (the first answer did arrive before the break). */
  Widget.prototype.answerSeen = function (delivery) {
    var transcript = this.store.state.transcript;
    var at = -1;
    for (var i = 0; i < transcript.length; i++) {
      if (transcript[i] && transcript[i].delivery === delivery) at = i;
    }
    if (at < 0) return true;
    for (var j = at + 1; j < transcript.length; j++) {
      var later = transcript[j];
      if (later && (later.who === "bot" || later.who === "agent") && later.replayOf !== delivery) return true;
    }
    return false;
  };

  Widget.prototype.onBotMessage = function (data) {
    if (!data || typeof data !== "object") return;
    var custom = data.custom && typeof data.custom === "object" ? data.custom : {};
    var agent = typeof data.kc_agent === "string" ? data.kc_agent : custom.kc_agent;
    var closed = data.kc_closed === true || custom.kc_closed === true;
    var langs = Array.isArray(data.kc_lang) ? data.kc_lang : custom.kc_lang;
    var text = typeof data.text === "string" ? data.text : "";
    var replies = (data.quick_replies || data.buttons || []).filter(function (r) {
      return r && typeof r.title === "string" && typeof r.payload === "string";
    }).map(function (r) { return { title: r.title, payload: r.payload }; });
    this.showTyping(false);
    var replay = typeof data.kc_replay === "string" ? data.kc_replay : custom.kc_replay;
    if (typeof replay === "string" && this.answerSeen(replay)) return;
    var fromAgent = typeof agent === "string" && agent !== "";
    if (fromAgent || closed) this.setQueuePlace(0);
    // The latest speaker decides: a kommunvägledare, or the bot again (handed back, closed).
    var withAgent = fromAgent && !closed;
    if ((text || closed) && this.store.state.withAgent !== withAgent) {
      this.store.state.withAgent = withAgent;
      this.store.save();
    }
    this.setCase(typeof data.kc_case === "string" ? data.kc_case : custom.kc_case);
    if (text) {
      if (replies.length) this.removeReplies();
      var entry = {
        who: typeof agent === "string" && agent ? "agent" : "bot",
        agent: typeof agent === "string" ? agent.slice(0, 40) : undefined,
        text: text,
        time: new Date().toISOString(),
        replies: replies,
      };
      if (typeof replay === "string") entry.replayOf = replay;
      if (Array.isArray(langs)) {
        entry.langs = langs.slice(0, 5).map(function (part) {
          return part && typeof part === "object" ? { text: String(part.text || ""), lang: String(part.lang || "") } : null;
        }).filter(Boolean);
      }
      this.add(entry, true);
    }
    if (closed) {
      this.add({ who: "system", text: TEXT.closedByStaff, time: new Date().toISOString() }, true);
      var state = this.store.state;
      if (state.surveyed !== state.sessionId + "|" + state.caseNumber) {
        this.askSatisfaction(state.sessionId, state.caseNumber);
      }
    }
    this.lookupCase();
  };

  /* The diarienummer is pushed with the session's first event (kc_case). Only when it
     was not (a resumed conversation, or the register was busy at session start and the
     broker opened the ärende later) is it asked for, once per conversation: no polling. */
  Widget.prototype.lookupCase = function () {
    var self = this;
    var id = this.store.state.sessionId;
    if (this.store.state.caseNumber || !id || !this.cfg.caseUrl || this.caseAskedFor === id) return;
    this.caseAskedFor = id;
    clearTimeout(this.caseTimer);
    this.caseTimer = setTimeout(function () {
      // The conversation token goes in the body, never the URL (access logs).
      fetch(self.cfg.caseUrl, { method: "POST", body: id, credentials: "omit",
        headers: { "Content-Type": "text/plain" } })
        .then(function (res) { return res.ok ? res.json() : {}; })
        .then(function (body) {
          if (id !== self.store.state.sessionId) return;
          if (body && typeof body.diarienummer === "string" && body.diarienummer) {
            self.setCase(body.diarienummer);
          }
        })
        .catch(function () { /* shown with the next pushed event instead */ });
    }, 1000);
  };

  // ---------------------------------------------------------------- connection

  Widget.prototype.connect = function () {
    var self = this;
    if (!this.cfg.socketUrl || typeof window.io !== "function") {
      this.setStatus(TEXT.noConfig);
      this.showAlert(TEXT.noConfig, "connection");
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
      self.clearAlert("connection");
      self.flushQueue();
      if (state.transcript.length) self.lookupCase();
    });
    socket.on("bot_uttered", function (data) { self.onBotMessage(data); });
    socket.on("kc_typing", function (data) {
      self.showAgentTyping(data && typeof data === "object" ? data.agent : "");
    });
    socket.on("kc_queue", function (data) {
      if (data && typeof data === "object") self.setQueuePlace(data.place);
    });
    socket.on("disconnect", function () {
      self.confirmed = false;
      self.showTyping(false);
      self.setStatus(TEXT.reconnecting);
    });
    socket.on("connect_error", function () {
      failures += 1;
      self.confirmed = false;
      self.setStatus(TEXT.reconnecting);
      if (failures === 2) self.showAlert(TEXT.unreachable, "connection");
    });
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
      var widget = new Widget(results[0]);
      window.KontaktcenterChatWidget = widget;
      widget.notify("ready", { widget: widget });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
