/*!
 * KommunalCampus – einbettbares Chat-Widget für den Weiterbildungsassistenten.
 *
 * Einbindung (eine Zeile):
 *   <script src="https://campus.example/widget/widget.js" data-org="musterstadt"></script>
 *
 * Optionale Attribute am Script-Tag:
 *   data-org="…"                Organisation; geht als metadata.org mit jeder Nachricht an Rasa
 *   data-rasa-url="…"           Rasa-Server (Standard: aus config.json, also vom ausliefernden Server)
 *   data-open="true"            Chatfenster beim ersten Laden geöffnet
 *   data-privacy-url="…"        Link zu Datenschutz, Einwilligung und Löschung (Standard: aus config.json)
 *   data-socket-path="…"        socket.io-Pfad (Standard: /socket.io/)
 *   data-initial-payload="…"    wird bei einer neuen Sitzung still gesendet (z. B. /greet)
 *
 * Das Widget lädt neben sich config.json (Rasa-URL, Datenschutz-Link und alle
 * eigenen deutschen Texte aus data/texts/widget.yml), widget.css und den
 * socket.io-Client aus vendor/ (npm, Version in package.json festgelegt).
 * Es spricht den socketio-Kanal von Rasa an (session_request / session_confirm,
 * user_uttered / bot_uttered, session_persistence: true).
 * Reines ES5/ES2017 ohne Build-Schritt.
 */
(function () {
  "use strict";

  if (window.KommunalCampusWidget) {
    return; // bereits eingebunden
  }

  // ---------------------------------------------------------------------------
  // Konfiguration aus dem Script-Tag
  // ---------------------------------------------------------------------------
  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/widget\.js(\?|#|$)/.test(all[i].src || "")) return all[i];
    }
    return null;
  })();

  function attr(name) {
    var v = script ? script.getAttribute(name) : null;
    // leer oder unersetzter Platzhalter (z. B. "__RASA_URL__"): nicht gesetzt
    return v === null || v === undefined || v === "" || /^__.*__$/.test(v) ? null : v;
  }

  var scriptSrc = (script && script.src) || window.location.href;
  var BASE_URL = new URL(".", scriptSrc).href;

  var CONFIG = {
    rasaUrl: attr("data-rasa-url"),
    org: attr("data-org") || "",
    open: attr("data-open") === "true",
    privacyUrl: attr("data-privacy-url"),
    socketPath: attr("data-socket-path"),
    initialPayload: attr("data-initial-payload") || ""
  };
  var TEXT = {}; // aus config.json (data/texts/widget.yml)

  var MAX_TRANSCRIPT = 200;
  var MAX_INPUT = 2000;
  var TYPING_TIMEOUT_MS = 30000;
  var RECONNECTED_NOTICE_MS = 5000;
  var STORAGE_PREFIX = "kc-widget:" + (CONFIG.org || "default") + ":";
  var KEY_SESSION = STORAGE_PREFIX + "session_id";
  var KEY_TRANSCRIPT = STORAGE_PREFIX + "transcript";
  var KEY_OPEN = STORAGE_PREFIX + "open";
  var KEY_INVITE = STORAGE_PREFIX + "invite";

  function t(key, values) {
    var s = Object.prototype.hasOwnProperty.call(TEXT, key) ? String(TEXT[key]) : key;
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return values && values[name] !== undefined ? String(values[name]) : m;
    });
  }

  // ---------------------------------------------------------------------------
  // Speicher im Browser (robust gegen gesperrten localStorage)
  // ---------------------------------------------------------------------------
  var store = {
    get: function (key) {
      try { return window.localStorage.getItem(key); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, value); } catch (e) { /* ignorieren */ }
    },
    remove: function (key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* ignorieren */ }
    }
  };

  function loadTranscript() {
    try {
      var parsed = JSON.parse(store.get(KEY_TRANSCRIPT) || "[]");
      return Array.isArray(parsed) ? parsed.slice(-MAX_TRANSCRIPT) : [];
    } catch (e) {
      return [];
    }
  }

  function saveTranscript() {
    store.set(KEY_TRANSCRIPT, JSON.stringify(transcript.slice(-MAX_TRANSCRIPT)));
  }

  // ---------------------------------------------------------------------------
  // Zustand
  // ---------------------------------------------------------------------------
  var sessionId = store.get(KEY_SESSION) || null;
  var transcript = loadTranscript();
  var socket = null;
  var confirmed = false;   // session_confirm für die aktuelle Verbindung erhalten
  var wasOffline = false;  // nach einer Unterbrechung: Hinweis "wieder da" zeigen
  var outbox = [];         // {entry, el}: noch nicht gesendete Nachrichten
  var typingTimer = null;
  var noticeTimer = null;
  var els = {};

  // ---------------------------------------------------------------------------
  // DOM-Hilfen
  // ---------------------------------------------------------------------------
  function h(tag, props, children) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "className") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  /** Nur http(s)-Adressen; alles andere (javascript:, data:, …) ergibt null. */
  function safeHttpUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var u = new URL(value, window.location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function svgIcon(pathD) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "24");
    svg.setAttribute("height", "24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", pathD);
    p.setAttribute("fill", "currentColor");
    svg.appendChild(p);
    return svg;
  }

  var ICON_CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8.4L4 21.5V18a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm2 5v2h12V8H6zm0 4v2h8v-2H6z";
  var ICON_CLOSE = "M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z";
  var ICON_SEND = "M2.5 21 23 12 2.5 3 2.5 10l14.5 2-14.5 2z";
  var ICON_RESTART = "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z";

  // ---------------------------------------------------------------------------
  // Textformatierung: HTML aus Bot-Texten wird nie interpretiert (nur
  // Textknoten); **fett** wird <strong>, [Text](https://…) und reine
  // http(s)-/www-Adressen werden zu Links.
  // ---------------------------------------------------------------------------
  var TOKEN_RE = /\*\*([^*]+?)\*\*|\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+|www\.[^\s<>"']+)/g;

  function makeLink(href, label) {
    var url = safeHttpUrl(href);
    if (!url) return document.createTextNode(label);
    return h("a", {
      href: url,
      target: "_blank",
      rel: "noopener noreferrer",
      className: "kc-link",
      title: t("newWindow")
    }, [label]);
  }

  function appendInline(parent, text, allowBold) {
    var re = new RegExp(TOKEN_RE.source, "g"); // eigener Zustand je Aufruf (Rekursion)
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) {
        if (allowBold) {
          var strong = h("strong");
          appendInline(strong, m[1], false); // Links im Fettdruck ja, Fettdruck darin nicht
          parent.appendChild(strong);
        } else {
          parent.appendChild(document.createTextNode(m[0]));
        }
      } else if (m[2] !== undefined) {
        parent.appendChild(makeLink(m[3], m[2]));
      } else {
        var raw = m[4];
        var trail = ""; // Satzzeichen am Ende gehören nicht zur Adresse
        var tm = raw.match(/[.,;:!?)\]»“"]+$/);
        if (tm) {
          trail = tm[0];
          raw = raw.slice(0, -trail.length);
        }
        parent.appendChild(makeLink(/^www\./i.test(raw) ? "https://" + raw : raw, raw));
        if (trail) parent.appendChild(document.createTextNode(trail));
      }
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderText(text) {
    var p = h("div", { className: "kc-text" });
    appendInline(p, String(text), true);
    return p;
  }

  // ---------------------------------------------------------------------------
  // Lernplan-Einträge als Karten
  //   "1. **Titel** – 87 % Übereinstimmung. Begründung …"          (Lernplan)
  //   "• Titel – 72 % Übereinstimmung (Basismodul, online, 8 Std.)"  (Themensuche)
  // ---------------------------------------------------------------------------
  var PLAN_ITEM_RE = /^\s*(\d{1,2})\.\s+\*\*(.+?)\*\*\s+[–—-]\s+(\d{1,3})\s*%\s+Übereinstimmung\.?\s*([\s\S]*)$/;
  var SEARCH_HIT_RE = /^\s*[•*-]\s+(.+?)\s+[–—-]\s+(\d{1,3})\s*%\s+Übereinstimmung\s*(?:\(([^)]*)\))?\.?\s*$/;

  function parsePlanItem(text) {
    if (typeof text !== "string") return null;
    var m = text.match(PLAN_ITEM_RE);
    if (m) return { position: Number(m[1]), title: m[2], percent: Math.min(100, Number(m[3])), detail: m[4].trim() };
    m = text.match(SEARCH_HIT_RE);
    if (m) return { position: null, title: m[1], percent: Math.min(100, Number(m[2])), detail: (m[3] || "").trim() };
    return null;
  }

  function buildPlanCard(item) {
    var meter = h("span", { className: "kc-meter", "aria-hidden": "true" }, [h("span", { className: "kc-meter-bar" })]);
    meter.firstChild.style.width = item.percent + "%";
    var head = h("div", { className: "kc-plan-head" }, [
      item.position ? h("span", { className: "kc-plan-pos", title: t("planPosition", { position: item.position }) },
        [item.position + "."]) : null,
      h("strong", { className: "kc-plan-title" }, [item.title])
    ]);
    var card = h("div", { className: "kc-plan-card" }, [
      head,
      h("div", { className: "kc-plan-match" }, [
        h("span", { className: "kc-plan-percent", text: t("planMatch", { percent: item.percent }) }),
        meter
      ])
    ]);
    if (item.detail) {
      var detail = renderText(item.detail);
      detail.className += " kc-plan-detail";
      card.appendChild(detail);
    }
    return card;
  }

  // ---------------------------------------------------------------------------
  // Nachrichten darstellen
  // ---------------------------------------------------------------------------
  function normaliseButtons(list) {
    if (!Array.isArray(list)) return [];
    return list.map(function (b) {
      if (!b || typeof b !== "object") return null;
      var title = typeof b.title === "string" ? b.title : (typeof b.payload === "string" ? b.payload : "");
      if (!title) return null;
      var url = b.type === "web_url" ? safeHttpUrl(b.url) : null;
      if (url) return { title: title, url: url };
      var payload = typeof b.payload === "string" ? b.payload : title;
      return { title: title, payload: payload };
    }).filter(Boolean);
  }

  function renderButtons(buttons) {
    var group = h("div", { className: "kc-buttons", role: "group", "aria-label": t("buttonGroup") });
    buttons.forEach(function (b) {
      var el;
      if (b.url) {
        el = h("a", {
          className: "kc-button kc-button-link",
          href: b.url,
          target: "_blank",
          rel: "noopener noreferrer",
          title: t("newWindow")
        }, [b.title]);
      } else {
        el = h("button", {
          type: "button",
          className: "kc-button",
          "data-payload": b.payload,
          onclick: function () {
            if (el.disabled) return;
            if (!el.closest(".kc-plan")) el.classList.add("kc-button-selected"); // Ihre Antwort auf die Frage
            sendMessage(b.payload, b.title);
            els.input.focus(); // die Schaltfläche wird gleich deaktiviert
          }
        }, [b.title]);
      }
      group.appendChild(el);
    });
    return group;
  }

  /**
   * Antwort-Schaltflächen einer Frage gelten nicht mehr, sobald Sie geantwortet haben.
   * Die Schaltflächen an Lernplan-Karten (Details, Annehmen, …) bleiben bedienbar.
   */
  function retireButtons(before) {
    var nodes = els.messages.querySelectorAll(".kc-msg");
    for (var i = 0; i < nodes.length && nodes[i] !== before; i++) {
      if (nodes[i].classList.contains("kc-plan")) continue;
      Array.prototype.forEach.call(nodes[i].querySelectorAll("button.kc-button"), function (b) { b.disabled = true; });
    }
  }

  /** Reduziert eine bot_uttered-Nutzlast auf das, was wir darstellen können. */
  function normaliseBotPayload(data) {
    if (typeof data === "string") data = { text: data };
    if (!data || typeof data !== "object") return null;
    var msg = {};
    if (typeof data.text === "string" && data.text.trim()) msg.text = data.text;
    var buttons = normaliseButtons(data.quick_replies).concat(normaliseButtons(data.buttons));
    if (buttons.length) msg.buttons = buttons;
    var att = data.attachment;
    if (att && typeof att === "object") {
      var payload = att.payload && typeof att.payload === "object" ? att.payload : {};
      if (att.type === "image") {
        var src = safeHttpUrl(payload.src);
        if (src) msg.image = src;
      } else if (att.type === "template") {
        var elements = payload.elements;
        if (elements && !Array.isArray(elements)) elements = [elements];
        if (Array.isArray(elements)) {
          var cards = elements.map(function (e) {
            if (!e || typeof e !== "object") return null;
            var card = {};
            if (typeof e.title === "string") card.title = e.title;
            if (typeof e.subtitle === "string") card.subtitle = e.subtitle;
            var img = safeHttpUrl(e.image_url);
            if (img) card.image = img;
            var bs = normaliseButtons(e.buttons);
            if (bs.length) card.buttons = bs;
            return Object.keys(card).length ? card : null;
          }).filter(Boolean);
          if (cards.length) msg.cards = cards;
        }
      }
    }
    return Object.keys(msg).length ? msg : null;
  }

  /** Nur die darstellbaren Felder der Rohdaten speichern (beim Laden erneut geprüft). */
  function storableBotPayload(data) {
    if (typeof data === "string") return { text: data };
    var out = {};
    ["text", "quick_replies", "buttons", "attachment"].forEach(function (k) {
      if (data[k] !== undefined) out[k] = data[k];
    });
    return out;
  }

  function buildBotMessage(msg) {
    var el = h("div", { className: "kc-msg kc-bot" });
    var item = parsePlanItem(msg.text);
    var planCard = null;
    if (item) {
      el.classList.add("kc-plan");
      planCard = el.appendChild(buildPlanCard(item));
    } else if (msg.text) {
      el.appendChild(renderText(msg.text));
    }
    if (msg.image) {
      el.appendChild(h("img", { className: "kc-image", src: msg.image, alt: t("image"), onload: scrollToEnd }));
    }
    if (msg.cards) {
      msg.cards.forEach(function (c) {
        var card = h("div", { className: "kc-card" });
        if (c.image) card.appendChild(h("img", { className: "kc-image", src: c.image, alt: c.title || t("image"), onload: scrollToEnd }));
        if (c.title) card.appendChild(h("div", { className: "kc-card-title", text: c.title }));
        if (c.subtitle) card.appendChild(renderText(c.subtitle));
        if (c.buttons) card.appendChild(renderButtons(c.buttons));
        el.appendChild(card);
      });
    }
    if (msg.buttons) (planCard || el).appendChild(renderButtons(msg.buttons));
    return el;
  }

  function buildUserMessage(text, pending) {
    var el = h("div", { className: "kc-msg kc-user" }, [h("div", { className: "kc-text", text: text })]);
    if (pending) markPending(el, true);
    return el;
  }

  function markPending(el, pending) {
    var note = el.querySelector(".kc-pending-note");
    el.classList.toggle("kc-pending", pending);
    if (pending && !note) el.appendChild(h("div", { className: "kc-pending-note", text: t("pending") }));
    if (!pending && note) note.remove();
  }

  function appendToList(el) {
    els.messages.appendChild(el);
    var msgs = els.messages.querySelectorAll(".kc-msg"); // nur die letzten MAX_TRANSCRIPT im DOM
    for (var i = 0; i < msgs.length - MAX_TRANSCRIPT; i++) msgs[i].remove();
    updateEmptyState();
    scrollToEnd();
  }

  function scrollToEnd() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function updateEmptyState() {
    els.empty.hidden = els.messages.querySelector(".kc-msg") !== null;
  }

  function record(entry) {
    transcript.push(entry);
    if (transcript.length > MAX_TRANSCRIPT) transcript = transcript.slice(-MAX_TRANSCRIPT);
    saveTranscript();
  }

  function renderEntry(entry) {
    if (entry && entry.from === "user" && typeof entry.text === "string") return buildUserMessage(entry.text, !!entry.pending);
    if (entry && entry.from === "bot" && entry.msg) {
      var msg = normaliseBotPayload(entry.msg); // erneut prüfen: der Speicher ist nicht vertrauenswürdig
      return msg ? buildBotMessage(msg) : null;
    }
    return null;
  }

  /** Nach dem Neuladen: sichtbaren Verlauf wiederherstellen, Ungesendetes wieder einreihen. */
  function restoreTranscript() {
    var lastUser = null;
    transcript.forEach(function (entry) {
      var el = renderEntry(entry);
      if (!el) return;
      els.messages.appendChild(el);
      if (entry.from === "user") {
        lastUser = el;
        if (entry.pending && typeof entry.payload === "string") outbox.push({ entry: entry, el: el });
      }
    });
    if (lastUser) retireButtons(lastUser); // nur Fragen nach Ihrer letzten Antwort sind noch offen
    updateEmptyState();
    scrollToEnd();
  }

  // ---------------------------------------------------------------------------
  // Tippanzeige, Verbindungsstatus, Hinweise
  // ---------------------------------------------------------------------------
  function showTyping() {
    els.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
    scrollToEnd();
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    els.typing.hidden = true;
  }

  function showNotice(text, kind, timeoutMs) {
    clearTimeout(noticeTimer);
    els.connNotice.textContent = text;
    els.connNotice.setAttribute("data-kind", kind);
    els.connNotice.hidden = false;
    if (timeoutMs) noticeTimer = setTimeout(hideNotice, timeoutMs);
  }

  function hideNotice() {
    clearTimeout(noticeTimer);
    els.connNotice.hidden = true;
    els.connNotice.textContent = "";
  }

  function setStatus(state) {
    var text = state === "connected" ? t("connected") : state === "reconnecting" ? t("reconnecting") : t("connecting");
    if (els.status.textContent !== text) els.status.textContent = text;
    els.status.setAttribute("data-state", state);
    els.root.setAttribute("data-connection", state);
    if (state === "reconnecting") {
      if (!wasOffline) showNotice(t("offlineNotice"), "offline");
      wasOffline = true;
      hideTyping();
    } else if (state === "connected" && wasOffline) {
      wasOffline = false;
      showNotice(t("reconnected"), "online", RECONNECTED_NOTICE_MS);
    }
  }

  // ---------------------------------------------------------------------------
  // Senden / Empfangen
  // ---------------------------------------------------------------------------
  function canSend() {
    return !!(socket && socket.connected && confirmed && sessionId);
  }

  function emitUserMessage(payload) {
    var data = { message: payload, session_id: sessionId };
    if (CONFIG.org) data.metadata = { org: CONFIG.org };
    socket.emit("user_uttered", data);
  }

  /** Sendet `payload` an Rasa und zeigt `display` (oder payload) als Ihre Nachricht. */
  function sendMessage(payload, display) {
    if (typeof payload !== "string") return false;
    payload = payload.trim();
    if (!payload) return false;
    if (payload.length > MAX_INPUT) payload = payload.slice(0, MAX_INPUT);
    var shown = typeof display === "string" && display.trim() ? display.trim() : payload;
    retireButtons();
    var entry = { from: "user", text: shown, payload: payload, pending: !canSend() };
    var el = buildUserMessage(shown, entry.pending);
    appendToList(el);
    record(entry);
    if (entry.pending) {
      outbox.push({ entry: entry, el: el }); // gesendet, sobald die Verbindung wieder steht
    } else {
      emitUserMessage(payload);
      showTyping();
    }
    return true;
  }

  function flushOutbox() {
    var pending = outbox;
    outbox = [];
    pending.forEach(function (p) {
      emitUserMessage(p.entry.payload);
      p.entry.pending = false;
      if (p.el) markPending(p.el, false);
    });
    if (pending.length) {
      saveTranscript();
      showTyping();
    }
  }

  function onBotUttered(data) {
    var msg = normaliseBotPayload(data);
    if (!msg) {
      if (window.console && console.debug) console.debug("[KommunalCampus] Nachricht ignoriert:", data);
      return;
    }
    hideTyping();
    appendToList(buildBotMessage(msg));
    record({ from: "bot", msg: storableBotPayload(data) });
  }

  function onSessionConfirm(data) {
    var id = typeof data === "string" ? data : data && data.session_id;
    if (!id) return;
    var isNew = !sessionId;
    sessionId = String(id);
    store.set(KEY_SESSION, sessionId);
    confirmed = true;
    setStatus("connected");
    flushOutbox();
    if (invitationToken() && store.get(KEY_INVITE) !== invitationToken()) {
      // opened from an HR campaign link (?kc_invite=…): start the interview for that invitation, once
      store.set(KEY_INVITE, invitationToken());
      emitUserMessage("/accept_invitation" + JSON.stringify({ invitation_token: invitationToken() }));
      showTyping();
    } else if (isNew && CONFIG.initialPayload && transcript.length === 0) {
      emitUserMessage(CONFIG.initialPayload);
      showTyping();
    }
  }

  function invitationToken() {
    try {
      var token = new URL(window.location.href).searchParams.get("kc_invite") || "";
      return /^[A-Za-z0-9_-]{20,64}$/.test(token) ? token : "";
    } catch (e) { return ""; }
  }

  function onConnectionLost() {
    confirmed = false;
    setStatus("reconnecting");
  }

  function connect() {
    socket = window.io(CONFIG.rasaUrl, {
      path: CONFIG.socketPath,
      // WebSocket zuerst (keine CORS-Vorgaben nötig), sonst Long-Polling
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000
    });
    socket.on("connect", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotUttered);
    socket.on("disconnect", onConnectionLost);
    socket.on("connect_error", onConnectionLost);

    // Der Browser meldet "offline": die Verbindung ist tot, auch wenn der Socket es noch nicht weiß.
    window.addEventListener("offline", function () {
      if (socket.io.engine) socket.io.engine.close(); // socket.io verbindet sich danach selbst neu
    });
    // Wieder "online": nicht auf den nächsten Versuch der Wartezeit warten.
    window.addEventListener("online", function () {
      if (!socket.connected) {
        socket.disconnect();
        socket.connect();
      }
    });
  }

  function reset() {
    store.remove(KEY_SESSION);
    store.remove(KEY_TRANSCRIPT);
    sessionId = null;
    transcript = [];
    outbox = [];
    hideTyping();
    Array.prototype.slice.call(els.messages.querySelectorAll(".kc-msg")).forEach(function (m) { m.remove(); });
    updateEmptyState();
    if (socket) {
      // neue Verbindung, damit der Raum der alten Sitzung verlassen wird
      confirmed = false;
      socket.disconnect();
      socket.connect();
    }
  }

  // ---------------------------------------------------------------------------
  // Öffnen / Schließen
  // ---------------------------------------------------------------------------
  function isOpen() {
    return !els.panel.hidden;
  }

  function openPanel(focusInput) {
    els.panel.hidden = false;
    els.root.classList.add("kc-open");
    els.launcher.setAttribute("aria-expanded", "true");
    els.launcher.setAttribute("aria-label", t("launcherClose"));
    store.set(KEY_OPEN, "1");
    scrollToEnd();
    if (focusInput) els.input.focus();
  }

  function closePanel(focusLauncher) {
    els.panel.hidden = true;
    els.root.classList.remove("kc-open");
    els.launcher.setAttribute("aria-expanded", "false");
    els.launcher.setAttribute("aria-label", t("launcherOpen"));
    store.set(KEY_OPEN, "0");
    if (focusLauncher) els.launcher.focus();
  }

  // ---------------------------------------------------------------------------
  // Aufbau
  // ---------------------------------------------------------------------------
  function build() {
    var titleId = "kc-title";

    els.launcher = h("button", {
      type: "button",
      id: "kc-launcher",
      className: "kc-launcher",
      "aria-controls": "kc-widget",
      "aria-expanded": "false",
      "aria-label": t("launcherOpen"),
      onclick: function () {
        if (isOpen()) closePanel(false);
        else openPanel(true);
      }
    }, [svgIcon(ICON_CHAT)]);

    els.status = h("div", { id: "kc-status", className: "kc-status", role: "status" });

    var header = h("div", { className: "kc-header" }, [
      h("div", { className: "kc-heading" }, [
        h("h2", { id: titleId, className: "kc-title", text: t("title") }),
        h("p", { className: "kc-subtitle", text: t("subtitle") })
      ]),
      h("button", {
        type: "button",
        className: "kc-icon-button kc-restart",
        id: "kc-restart",
        "aria-label": t("restart"),
        title: t("restart"),
        onclick: function () {
          if (transcript.length && !window.confirm(t("restartConfirm"))) return;
          reset();
          els.input.focus();
        }
      }, [svgIcon(ICON_RESTART)]),
      h("button", {
        type: "button",
        className: "kc-icon-button kc-close",
        id: "kc-close",
        "aria-label": t("close"),
        title: t("close"),
        onclick: function () { closePanel(true); }
      }, [svgIcon(ICON_CLOSE)])
    ]);

    var notice = h("p", { className: "kc-notice", id: "kc-notice" }, [
      t("notice") + " ",
      CONFIG.privacyUrl ? h("a", {
        href: CONFIG.privacyUrl,
        id: "kc-privacy-link",
        className: "kc-link",
        target: "_blank",
        rel: "noopener",
        title: t("newWindow")
      }, [t("privacyLink")]) : null
    ]);

    els.messages = h("div", {
      id: "kc-messages",
      className: "kc-messages",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": t("log"),
      tabindex: "0"
    });

    els.empty = h("p", { className: "kc-empty", id: "kc-empty", text: t("empty") });

    els.typing = h("div", { id: "kc-typing", className: "kc-typing", hidden: true }, [
      h("span", { className: "kc-dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
      h("span", { className: "kc-typing-text", text: t("typing") })
    ]);

    els.connNotice = h("div", { id: "kc-connection-notice", className: "kc-conn-notice", role: "status", hidden: true });

    els.input = h("input", {
      id: "kc-input",
      className: "kc-input",
      type: "text",
      maxlength: String(MAX_INPUT),
      autocomplete: "off",
      placeholder: t("placeholder"),
      "aria-label": t("inputLabel"),
      enterkeyhint: "send"
    });

    els.send = h("button", {
      type: "submit",
      id: "kc-send",
      className: "kc-send",
      "aria-label": t("send"),
      title: t("send")
    }, [svgIcon(ICON_SEND)]);

    var form = h("form", {
      className: "kc-form",
      novalidate: true,
      onsubmit: function (ev) {
        ev.preventDefault();
        if (sendMessage(els.input.value)) els.input.value = "";
        els.input.focus();
      }
    }, [els.input, els.send]);

    els.panel = h("section", {
      id: "kc-widget",
      className: "kc-panel",
      "aria-labelledby": titleId,
      hidden: true
    }, [header, notice, els.status, h("div", { className: "kc-body" }, [els.empty, els.messages, els.typing]),
      els.connNotice, form]);

    els.root = h("div", { id: "kc-root", className: "kc-root kc-loading", lang: "de" }, [els.panel, els.launcher]);

    els.root.addEventListener("keydown", function (ev) {
      if ((ev.key === "Escape" || ev.key === "Esc") && isOpen()) {
        ev.preventDefault();
        closePanel(true);
      }
    });

    document.body.appendChild(els.root);
    restoreTranscript();
    setStatus("connecting");

    var wasOpen = store.get(KEY_OPEN);
    if (wasOpen === "1" || (wasOpen === null && CONFIG.open)) openPanel(false);
    else closePanel(false);
  }

  // ---------------------------------------------------------------------------
  // Ressourcen laden
  // ---------------------------------------------------------------------------
  function loadConfig() {
    return fetch(new URL("config.json", BASE_URL).href, { credentials: "omit" }).then(function (r) {
      if (!r.ok) throw new Error("config.json: HTTP " + r.status);
      return r.json();
    }).then(function (cfg) {
      TEXT = cfg.texts || {};
      CONFIG.rasaUrl = (CONFIG.rasaUrl || cfg.rasaUrl || new URL(BASE_URL).origin).replace(/\/+$/, "");
      CONFIG.privacyUrl = safeHttpUrl(CONFIG.privacyUrl || cfg.privacyUrl || "");
      CONFIG.socketPath = CONFIG.socketPath || cfg.socketPath || "/socket.io/";
    });
  }

  function loadCss() {
    return new Promise(function (resolve) {
      if (document.querySelector("link[data-kc-widget-css]")) return resolve();
      var link = h("link", { rel: "stylesheet", href: new URL("widget.css", BASE_URL).href, "data-kc-widget-css": "" });
      link.addEventListener("load", function () { resolve(); });
      link.addEventListener("error", function () { resolve(); });
      setTimeout(resolve, 5000);
      document.head.appendChild(link);
    });
  }

  function loadSocketIo() {
    return new Promise(function (resolve, reject) {
      if (typeof window.io === "function") return resolve();
      var s = document.createElement("script");
      s.src = new URL("vendor/socket.io.min.js", BASE_URL).href;
      s.async = true;
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error("vendor/socket.io.min.js konnte nicht geladen werden")); };
      document.head.appendChild(s);
    });
  }

  function start() {
    Promise.all([loadConfig(), loadCss(), loadSocketIo()]).then(function () {
      build();
      els.root.classList.remove("kc-loading");
      connect();
    }).catch(function (err) {
      // Ohne Konfiguration oder socket.io-Client kein Widget; die Seite selbst bleibt unberührt.
      if (window.console) console.error("[KommunalCampus] Chat-Widget nicht verfügbar:", err);
    });
  }

  window.KommunalCampusWidget = {
    /** Aktuelle Rasa-Sitzungs-ID (oder null vor der ersten Bestätigung). */
    sessionId: function () { return sessionId; },
    /** true, wenn Nachrichten gerade sofort gesendet werden. */
    connected: function () { return canSend(); },
    /** Sendet einen Text wie über das Eingabefeld. */
    send: function (text) { return sendMessage(String(text)); },
    /** Löscht gespeicherte Sitzung und Verlauf in diesem Browser und beginnt ein neues Gespräch. */
    reset: function () { if (els.panel) reset(); },
    open: function () { if (els.panel) openPanel(true); },
    close: function () { if (els.panel) closePanel(false); }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
