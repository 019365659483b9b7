// Staff console: self-updating queue and live transcript. No inline script (CSP);
// everything a resident wrote is put in the page with textContent, never as HTML.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.href = "/console/login"; throw new Error("login"); }
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      });
  }

  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { Accept: "application/json", "X-CSRF-Token": csrf },
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }

  // Push: the server sends "queue", "messages" and "typing" events (server-sent events);
  // a slow poll is only the fallback if the stream is down. One stream per page, any
  // number of listeners.
  var FALLBACK_MS = 15000;
  var listeners = { queue: [], messages: [], typing: [], ready: [] };
  function on(name, fn) { listeners[name].push(fn); }
  function fire(name, ids) { listeners[name].forEach(function (fn) { fn(ids); }); }
  function startPush() {
    if (!window.EventSource) return;
    var source = new EventSource("/console/api/events");
    ["queue", "messages", "typing"].forEach(function (name) {
      source.addEventListener(name, function (event) {
        var data = JSON.parse(event.data || "{}");
        fire(name, (data.handovers || []).map(Number));
      });
    });
    // On (re)connect: catch up on anything that changed while the stream was down.
    source.addEventListener("ready", function () {
      document.body.setAttribute("data-push", "on");
      fire("ready", []);
    });
  }

  // Unread marks: the register's count of what the resident wrote in each of my chats,
  // against the count this browser last showed the agent (kept per browser, so every
  // tab agrees). A chat never opened here counts as read.
  var SEEN_KEY = "kcSeen";
  function seenCounts() {
    try { return JSON.parse(localStorage.getItem(SEEN_KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function markSeen(id, count) {
    var all = seenCounts();
    if (all[id] === count) return;
    all[id] = count;
    localStorage.setItem(SEEN_KEY, JSON.stringify(all));
  }
  function unreadOf(item, seen) {
    var before = seen[item.id];
    return before === undefined ? 0 : Math.max(0, item.resident_messages - before);
  }
  function unreadText(n) { return n === 1 ? "1 nytt meddelande" : n + " nya meddelanden"; }

  // Lists that update themselves must not take the keyboard focus away from an agent who
  // is tabbing through them: a list is rebuilt only when what it shows has changed, and
  // the control that had the focus (same data-focus-key) gets it back.
  function rebuild(container, signature, build) {
    if (container.getAttribute("data-signature") === signature) return;
    var active = document.activeElement;
    var key = active && container.contains(active) ? active.getAttribute("data-focus-key") : null;
    container.replaceChildren();
    build();
    container.setAttribute("data-signature", signature);
    if (key) {
      var again = container.querySelector('[data-focus-key="' + key + '"]');
      if (again) again.focus();
    }
  }

  // "Mina pågående samtal" with unread marks, on the queue page and beside a conversation.
  // A chat getting its first unread message is announced once (politely).
  function myChats(currentId) {
    var list = document.getElementById("mine");
    var live = document.getElementById("desk-live");
    if (!list) return function () {};
    var unreadBefore = {};
    var items = [];
    function render() {
      var seen = seenCounts();
      rebuild(list, JSON.stringify([items, seen]), function () { build(seen); });
      list.setAttribute("data-loaded", "1");
    }
    function build(seen) {
      if (!items.length) list.appendChild(el("li", "", "Inga just nu."));
      items.forEach(function (item) {
        var li = el("li");
        var a = el("a", "", (item.diarienummer || "Samtal") + ": " + item.concern);
        a.href = "/console/handover/" + item.id;
        a.setAttribute("data-focus-key", "mine-" + item.id);
        if (String(item.id) === String(currentId)) a.setAttribute("aria-current", "page");
        li.appendChild(a);
        var unread = String(item.id) === String(currentId) ? 0 : unreadOf(item, seen);
        if (unread) {
          li.appendChild(el("span", "unread", unreadText(unread)));
          if (!unreadBefore[item.id] && live) {
            live.textContent = unreadText(unread) + " i " + (item.diarienummer || "ett samtal") + ".";
          }
        }
        unreadBefore[item.id] = unread;
        list.appendChild(li);
      });
    }
    window.addEventListener("storage", function (event) { if (event.key === SEEN_KEY) render(); });
    return function (mine) {
      items = mine;
      if (currentId === null) {  // the queue page has the full list: forget closed chats
        var seen = seenCounts(), kept = {};
        mine.forEach(function (item) { if (seen[item.id] !== undefined) kept[item.id] = seen[item.id]; });
        localStorage.setItem(SEEN_KEY, JSON.stringify(kept));
      }
      render();
    };
  }

  // Notification: a count in the page title while the tab is not looked at, an optional
  // sound, and the browser's notification where the agent has allowed it.
  var unseen = 0;
  var baseTitle = document.title;
  function notify(title, body) {
    if (!document.hidden && document.hasFocus()) return;
    unseen += 1;
    document.title = "(" + unseen + ") " + baseTitle;
    if (localStorage.getItem("kcSound") === "1") beep();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification(title, { body: body, tag: "kontaktcenter" }); } catch (e) { /* ignore */ }
    }
  }
  function seen() { unseen = 0; document.title = baseTitle; }
  window.addEventListener("focus", seen);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) seen(); });
  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = 880; gain.gain.value = 0.1;
    osc.connect(gain); gain.connect(ctx.destination);
    osc.start(); osc.stop(ctx.currentTime + 0.2);
  }
  function notificationSettings() {
    var sound = document.getElementById("notify-sound");
    if (sound) {
      sound.checked = localStorage.getItem("kcSound") === "1";
      sound.addEventListener("change", function () {
        localStorage.setItem("kcSound", sound.checked ? "1" : "0");
      });
    }
    var allow = document.getElementById("notify-allow");
    if (allow && window.Notification && Notification.permission === "default") {
      allow.hidden = false;
      allow.addEventListener("click", function () {
        Notification.requestPermission().then(function () { allow.hidden = true; });
      });
    }
  }

  function queuePage() {
    var rows = document.getElementById("queue-rows");
    var showMine = myChats(null);
    var known = null;
    function takeButton(id) {
      var form = el("form");
      form.method = "post";
      form.action = "/console/handover/" + id + "/take";
      var token = el("input"); token.type = "hidden"; token.name = "csrf_token"; token.value = csrf;
      var button = el("button", "", "Ta över"); button.type = "submit";
      button.setAttribute("data-focus-key", "take-" + id);
      form.appendChild(token); form.appendChild(button);
      return form;
    }
    function refresh() {
      getJSON("/console/api/queue").then(function (res) {
        if (!res.ok) return;
        var ids = res.body.queue.map(function (item) { return item.id; });
        if (known !== null && ids.some(function (id) { return known.indexOf(id) < 0; })) {
          notify("Ny invånare i kön", "Någon väntar på en kommunvägledare.");
        }
        known = ids;
        rebuild(rows, JSON.stringify(res.body.queue), function () { queueRows(res.body.queue); });
        showMine(res.body.mine);
      }).catch(function () {});
    }
    function queueRows(queue) {
      if (!queue.length) {
        var empty = el("tr"); var cell = el("td", "", "Ingen väntar just nu."); cell.colSpan = 5;
        empty.appendChild(cell); rows.appendChild(empty);
      }
      queue.forEach(function (item) {
        var tr = el("tr");
        tr.appendChild(el("td", "", item.waited_minutes + " min"));
        tr.appendChild(el("td", "", item.concern + (item.assigned_to_me ? " (till dig)" : "")
          + (item.resident_left ? " (invånaren har lämnat)" : "")));
        tr.appendChild(el("td", "", item.diarienummer || ""));
        tr.appendChild(el("td", "", item.channel));
        var action = el("td"); action.appendChild(takeButton(item.id)); tr.appendChild(action);
        rows.appendChild(tr);
      });
    }
    refresh();
    on("queue", refresh);
    on("ready", refresh);
    on("messages", function () {
      refresh();
      notify("Nytt meddelande", "En invånare har skrivit i ett av dina samtal.");
    });
    setInterval(refresh, FALLBACK_MS);
  }

  function conversationPage() {
    var id = document.body.getAttribute("data-handover");
    var list = document.getElementById("transcript");
    var problem = document.getElementById("transcript-error");
    var typingLine = document.getElementById("typing-status");
    var showMine = myChats(id);
    var shown = -1;
    var typingTimer = null;
    var TYPING_SHOWN_MS = 5000;
    function residentTyping(on) {
      clearTimeout(typingTimer);
      if (!typingLine) return;
      // Only the change from quiet to typing is announced (role=status, polite).
      var text = on ? "Invånaren skriver …" : "";
      if (typingLine.textContent !== text) typingLine.textContent = text;
      if (on) typingTimer = setTimeout(function () { residentTyping(false); }, TYPING_SHOWN_MS);
    }
    function refreshMine() {
      getJSON("/console/api/queue").then(function (res) { if (res.ok) showMine(res.body.mine); })
        .catch(function () {});
    }
    function refresh() {
      getJSON("/console/api/handover/" + id + "/transcript").then(function (res) {
        if (!res.ok) { problem.textContent = res.body.error || "Fel"; problem.hidden = false; return; }
        problem.hidden = true;
        var notice = document.getElementById("transcript-notice");
        if (notice) { notice.textContent = res.body.notice || ""; notice.hidden = !res.body.notice; }
        if (!document.hidden) markSeen(id, res.body.resident_messages);
        var messages = res.body.messages;
        if (messages.length === shown) return;
        if (shown >= 0) residentTyping(false);  // what was being typed has arrived
        shown = messages.length;
        list.replaceChildren();
        messages.forEach(function (m) {
          var li = el("li", "msg " + m.role);
          li.appendChild(el("span", "who", m.who));
          li.appendChild(el("span", "text", m.text));
          list.appendChild(li);
        });
        list.scrollTop = list.scrollHeight;
      }).catch(function () {});
    }
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
    var form = document.getElementById("reply-form");
    if (form) replyBox(form, "/console/handover/" + id + "/typing");
    if (form) form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.querySelector("textarea");
      post(form.action, { text: box.value }).then(function (res) {
        if (res.ok) { box.value = ""; refresh(); }
        else { problem.textContent = res.body.error || "Svaret kunde inte skickas."; problem.hidden = false; }
      });
    });
    refresh();
    refreshMine();
    on("ready", function () { refresh(); refreshMine(); });
    on("queue", refreshMine);
    on("messages", function (ids) {
      refreshMine();
      if (ids.indexOf(Number(id)) < 0) {
        notify("Nytt meddelande", "En invånare har skrivit i ett av dina andra samtal.");
        return;
      }
      refresh();
      notify("Nytt meddelande", "Invånaren har skrivit i samtalet.");
    });
    on("typing", function (ids) { if (ids.indexOf(Number(id)) >= 0) residentTyping(true); });
    setInterval(refresh, FALLBACK_MS / 3);  // also notices the resident leaving
  }

  // The reply box: Enter sends, Shift+Enter breaks the line; "/kortord" + Tab or the
  // Snabbsvar list inserts a snabbsvar at the caret; focus stays in the box.
  function replyBox(form, typingUrl) {
    var box = form.querySelector("textarea");
    // The resident sees "Anna skriver …": told at most every 2 s while the text changes.
    var lastTyping = 0;
    box.addEventListener("input", function () {
      var now = Date.now();
      if (!box.value.trim() || now - lastTyping < 2000) return;
      lastTyping = now;
      post(typingUrl, {}).catch(function () {});
    });
    var select = document.getElementById("canned-select");
    var canned = {};
    if (select) Array.prototype.forEach.call(select.options, function (o) {
      canned[o.value] = o.getAttribute("data-text") || "";
    });
    function insert(text, from) {
      var start = from === undefined ? box.selectionStart : from;
      var end = box.selectionEnd;
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      box.selectionStart = box.selectionEnd = start + text.length;
      box.focus();
    }
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (box.value.trim()) form.requestSubmit();
        return;
      }
      if (event.key === "Tab" && !event.shiftKey && box.selectionStart === box.selectionEnd) {
        var before = box.value.slice(0, box.selectionStart);
        var match = /(^|\s)\/([a-z\u00e5\u00e4\u00f60-9_-]+)$/.exec(before);
        if (match && Object.prototype.hasOwnProperty.call(canned, match[2])) {
          event.preventDefault();
          insert(canned[match[2]], box.selectionStart - match[2].length - 1);
        }
      }
    });
    var button = document.getElementById("canned-insert");
    if (button && select) button.addEventListener("click", function () {
      insert(canned[select.value] || "");
    });
    box.focus();
  }

  var page = document.body.getAttribute("data-page");
  notificationSettings();
  if (page === "queue") queuePage();
  if (page === "conversation") conversationPage();
  if (page === "queue" || page === "conversation") startPush();
})();
