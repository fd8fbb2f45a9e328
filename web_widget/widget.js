/*!
 * KommunalCampus – einbettbares Chat-Widget für den Weiterbildungsassistenten.
 *
 * Einbindung (eine Zeile):
 *   <script src="https://host/widget/widget.js"
 *           data-rasa-url="http://localhost:5005"
 *           data-org="musterstadt"></script>
 *
 * Optionale Attribute am Script-Tag:
 *   data-open="true"            Chatfenster beim Laden geöffnet
 *   data-privacy-url="…"        Link zu den Datenschutzhinweisen (Standard: #datenschutz)
 *   data-socket-path="…"        socket.io-Pfad (Standard: /socket.io/)
 *   data-initial-payload="…"    wird bei einer neuen Sitzung still gesendet (z. B. /greet)
 *
 * Spricht den socketio-Kanal von Rasa an (user_uttered / bot_uttered,
 * session_persistence: true). Reines ES2017, kein Build-Schritt.
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

  function attr(name, fallback) {
    var v = script ? script.getAttribute(name) : null;
    return v === null || v === undefined || v === "" ? fallback : v;
  }

  var scriptSrc = (script && script.src) || window.location.href;
  var BASE_URL = new URL(".", scriptSrc).href;

  function configuredRasaUrl() {
    var v = attr("data-rasa-url", "");
    // Unersetzter Platzhalter (z. B. "__RASA_URL__") oder leer: gleiche Herkunft.
    if (!v || /^__.*__$/.test(v)) return window.location.origin;
    return v.replace(/\/+$/, "");
  }

  var CONFIG = {
    rasaUrl: configuredRasaUrl(),
    org: attr("data-org", ""),
    open: attr("data-open", "false") === "true",
    privacyUrl: attr("data-privacy-url", "#datenschutz"),
    socketPath: attr("data-socket-path", "/socket.io/"),
    initialPayload: attr("data-initial-payload", "")
  };

  var MAX_TRANSCRIPT = 50;
  var MAX_INPUT = 2000;
  var TYPING_TIMEOUT_MS = 15000;
  var STORAGE_PREFIX = "kc-widget:" + (CONFIG.org || "default") + ":";
  var KEY_SESSION = STORAGE_PREFIX + "session_id";
  var KEY_TRANSCRIPT = STORAGE_PREFIX + "transcript";
  var KEY_OPEN = STORAGE_PREFIX + "open";

  var TEXT = {
    title: "KommunalCampus",
    subtitle: "Ihr Weiterbildungsassistent",
    launcherOpen: "Chat mit dem KommunalCampus-Weiterbildungsassistenten öffnen",
    launcherClose: "Chat mit dem KommunalCampus-Weiterbildungsassistenten schließen",
    close: "Chatfenster schließen",
    restart: "Gespräch neu beginnen und gespeicherten Verlauf in diesem Browser löschen",
    restartLabel: "Neu beginnen",
    panel: "KommunalCampus – Chat mit dem Weiterbildungsassistenten",
    log: "Gesprächsverlauf",
    inputLabel: "Ihre Nachricht an den Assistenten",
    placeholder: "Ihre Frage eingeben …",
    send: "Nachricht senden",
    typing: "Der Assistent schreibt …",
    connecting: "Verbindung wird hergestellt …",
    connected: "Verbunden",
    reconnecting: "Verbindung unterbrochen – neuer Versuch …",
    loadError: "Der Chat konnte nicht geladen werden. Bitte versuchen Sie es später erneut.",
    empty: "Stellen Sie Ihre Frage zu Fortbildungen, Lernwegen oder Seminaren – der Assistent hilft Ihnen gern weiter.",
    notice: "Ihre Angaben werden nur auf der Plattform KommunalCampus gespeichert und ausschließlich für Ihre Weiterbildungsberatung verwendet. Sie können Ihre Daten jederzeit einsehen oder löschen lassen.",
    privacyLink: "Datenschutzhinweise",
    image: "Bild vom Assistenten",
    newWindow: "(öffnet in neuem Fenster)",
    buttonGroup: "Antwortmöglichkeiten"
  };

  // ---------------------------------------------------------------------------
  // Speicher (robust gegen gesperrten localStorage)
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
  var confirmed = false; // session_confirm für die aktuelle Verbindung erhalten
  var outbox = []; // Nachrichten, die vor der Bestätigung gesendet wurden
  var typingTimer = null;
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
  // Textformatierung: HTML wird nie interpretiert (nur Textknoten),
  // **fett**, [Text](https://…) und reine URLs werden zu <strong>/<a>.
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
      title: TEXT.newWindow
    }, [label]);
  }

  function appendInline(parent, text, allowBold) {
    var last = 0;
    var m;
    TOKEN_RE.lastIndex = 0;
    while ((m = TOKEN_RE.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) {
        if (allowBold) {
          var strong = h("strong");
          // innerhalb von Fettdruck dürfen Links vorkommen, aber kein weiterer Fettdruck
          var saved = TOKEN_RE.lastIndex;
          appendInline(strong, m[1], false);
          TOKEN_RE.lastIndex = saved;
          parent.appendChild(strong);
        } else {
          parent.appendChild(document.createTextNode(m[0]));
        }
      } else if (m[2] !== undefined) {
        parent.appendChild(makeLink(m[3], m[2]));
      } else {
        var raw = m[4];
        // Satzzeichen am Ende gehören nicht zur URL
        var trail = "";
        var tm = raw.match(/[.,;:!?)\]]+$/);
        if (tm) {
          trail = tm[0];
          raw = raw.slice(0, -trail.length);
        }
        var href = /^www\./i.test(raw) ? "https://" + raw : raw;
        parent.appendChild(makeLink(href, raw));
        if (trail) parent.appendChild(document.createTextNode(trail));
      }
      last = TOKEN_RE.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderText(text) {
    var p = h("div", { className: "kc-text" });
    appendInline(p, String(text), true);
    return p;
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
    var group = h("div", { className: "kc-buttons", role: "group", "aria-label": TEXT.buttonGroup });
    buttons.forEach(function (b) {
      var el;
      if (b.url) {
        el = h("a", {
          className: "kc-button kc-button-link",
          href: b.url,
          target: "_blank",
          rel: "noopener noreferrer",
          title: TEXT.newWindow
        }, [b.title]);
      } else {
        el = h("button", {
          type: "button",
          className: "kc-button",
          "data-payload": b.payload,
          onclick: function () {
            Array.prototype.forEach.call(group.querySelectorAll(".kc-button"), function (x) {
              x.classList.remove("kc-button-selected");
            });
            el.classList.add("kc-button-selected");
            sendMessage(b.payload, b.title);
          }
        }, [b.title]);
      }
      group.appendChild(el);
    });
    return group;
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
    if (msg.text) el.appendChild(renderText(msg.text));
    if (msg.image) {
      el.appendChild(h("img", { className: "kc-image", src: msg.image, alt: TEXT.image, onload: scrollToEnd }));
    }
    if (msg.cards) {
      msg.cards.forEach(function (c) {
        var card = h("div", { className: "kc-card" });
        if (c.image) card.appendChild(h("img", { className: "kc-image", src: c.image, alt: c.title || TEXT.image, onload: scrollToEnd }));
        if (c.title) card.appendChild(h("div", { className: "kc-card-title", text: c.title }));
        if (c.subtitle) card.appendChild(renderText(c.subtitle));
        if (c.buttons) card.appendChild(renderButtons(c.buttons));
        el.appendChild(card);
      });
    }
    if (msg.buttons) el.appendChild(renderButtons(msg.buttons));
    return el;
  }

  function buildUserMessage(text) {
    return h("div", { className: "kc-msg kc-user" }, [h("div", { className: "kc-text", text: text })]);
  }

  function appendToList(el) {
    els.messages.appendChild(el);
    // Nur die letzten MAX_TRANSCRIPT Nachrichten im DOM halten
    var msgs = els.messages.querySelectorAll(".kc-msg");
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
    if (entry && entry.from === "user" && typeof entry.text === "string") return buildUserMessage(entry.text);
    if (entry && entry.from === "bot" && entry.msg) {
      var msg = normaliseBotPayload(entry.msg); // erneut prüfen: Speicher ist nicht vertrauenswürdig
      return msg ? buildBotMessage(msg) : null;
    }
    return null;
  }

  function restoreTranscript() {
    transcript.forEach(function (entry) {
      var el = renderEntry(entry);
      if (el) els.messages.appendChild(el);
    });
    updateEmptyState();
    scrollToEnd();
  }

  // ---------------------------------------------------------------------------
  // Tippanzeige und Status
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

  function setStatus(state) {
    var text = state === "connected" ? TEXT.connected
      : state === "reconnecting" ? TEXT.reconnecting
      : state === "error" ? TEXT.loadError
      : TEXT.connecting;
    if (els.status.textContent !== text) els.status.textContent = text;
    els.status.setAttribute("data-state", state);
    els.root.setAttribute("data-connection", state);
  }

  // ---------------------------------------------------------------------------
  // Senden / Empfangen
  // ---------------------------------------------------------------------------
  function emitUserMessage(payload) {
    var data = { message: payload, session_id: sessionId };
    if (CONFIG.org) data.metadata = { org: CONFIG.org };
    socket.emit("user_uttered", data);
  }

  /** Sendet `payload` an Rasa und zeigt `display` (oder payload) als eigene Nachricht. */
  function sendMessage(payload, display) {
    if (typeof payload !== "string") return false;
    payload = payload.trim();
    if (!payload) return false;
    if (payload.length > MAX_INPUT) payload = payload.slice(0, MAX_INPUT);
    var shown = typeof display === "string" && display.trim() ? display.trim() : payload;
    appendToList(buildUserMessage(shown));
    record({ from: "user", text: shown });
    showTyping();
    if (socket && socket.connected && confirmed && sessionId) emitUserMessage(payload);
    else outbox.push(payload);
    return true;
  }

  function flushOutbox() {
    var pending = outbox;
    outbox = [];
    pending.forEach(emitUserMessage);
  }

  function onBotUttered(data) {
    var msg = normaliseBotPayload(data);
    if (!msg) {
      // Unbekannte Custom-Nutzlast: still ignorieren
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
    if (isNew && CONFIG.initialPayload && transcript.length === 0) {
      emitUserMessage(CONFIG.initialPayload);
      showTyping();
    }
  }

  function connect() {
    if (typeof window.io !== "function") {
      setStatus("error");
      return;
    }
    socket = window.io(CONFIG.rasaUrl, {
      path: CONFIG.socketPath,
      // WebSocket zuerst (keine CORS-Vorgaben nötig), sonst Long-Polling
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000
    });
    socket.on("connect", function () {
      confirmed = false;
      setStatus("connecting");
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotUttered);
    socket.on("disconnect", function () {
      confirmed = false;
      setStatus("reconnecting");
    });
    socket.on("connect_error", function () {
      confirmed = false;
      setStatus("reconnecting");
    });
  }

  function reset() {
    store.remove(KEY_SESSION);
    store.remove(KEY_TRANSCRIPT);
    sessionId = null;
    transcript = [];
    outbox = [];
    hideTyping();
    if (els.messages) {
      Array.prototype.slice.call(els.messages.querySelectorAll(".kc-msg")).forEach(function (m) { m.remove(); });
      updateEmptyState();
    }
    if (socket) {
      // Neue Verbindung, damit der Raum der alten Sitzung verlassen wird
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
    els.launcher.setAttribute("aria-label", TEXT.launcherClose);
    store.set(KEY_OPEN, "1");
    scrollToEnd();
    if (focusInput) els.input.focus();
  }

  function closePanel(focusLauncher) {
    els.panel.hidden = true;
    els.root.classList.remove("kc-open");
    els.launcher.setAttribute("aria-expanded", "false");
    els.launcher.setAttribute("aria-label", TEXT.launcherOpen);
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
      "aria-label": TEXT.launcherOpen,
      onclick: function () {
        if (isOpen()) closePanel(false);
        else openPanel(true);
      }
    }, [svgIcon(ICON_CHAT)]);

    els.status = h("div", { id: "kc-status", className: "kc-status", role: "status", "aria-live": "polite" });

    var header = h("div", { className: "kc-header" }, [
      h("div", { className: "kc-heading" }, [
        h("h2", { id: titleId, className: "kc-title", text: TEXT.title }),
        h("p", { className: "kc-subtitle", text: TEXT.subtitle })
      ]),
      h("button", {
        type: "button",
        className: "kc-icon-button kc-restart",
        id: "kc-restart",
        "aria-label": TEXT.restart,
        title: TEXT.restart,
        onclick: function () {
          reset();
          els.input.focus();
        }
      }, [svgIcon(ICON_RESTART)]),
      h("button", {
        type: "button",
        className: "kc-icon-button kc-close",
        id: "kc-close",
        "aria-label": TEXT.close,
        title: TEXT.close,
        onclick: function () { closePanel(true); }
      }, [svgIcon(ICON_CLOSE)])
    ]);

    var notice = h("p", { className: "kc-notice", id: "kc-notice" }, [
      TEXT.notice + " ",
      h("a", { href: CONFIG.privacyUrl, className: "kc-link" }, [TEXT.privacyLink]),
      "."
    ]);

    els.messages = h("div", {
      id: "kc-messages",
      className: "kc-messages",
      role: "log",
      "aria-live": "polite",
      "aria-label": TEXT.log,
      tabindex: "0"
    });

    els.empty = h("p", { className: "kc-empty", id: "kc-empty", text: TEXT.empty });

    els.typing = h("div", { id: "kc-typing", className: "kc-typing", hidden: true }, [
      h("span", { className: "kc-dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
      h("span", { className: "kc-typing-text", text: TEXT.typing })
    ]);

    els.input = h("input", {
      id: "kc-input",
      className: "kc-input",
      type: "text",
      maxlength: String(MAX_INPUT),
      autocomplete: "off",
      placeholder: TEXT.placeholder,
      "aria-label": TEXT.inputLabel,
      enterkeyhint: "send"
    });

    els.send = h("button", {
      type: "submit",
      id: "kc-send",
      className: "kc-send",
      "aria-label": TEXT.send,
      title: TEXT.send
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
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": titleId,
      hidden: true
    }, [header, notice, els.status, h("div", { className: "kc-body" }, [els.empty, els.messages, els.typing]), form]);

    els.root = h("div", { id: "kc-root", className: "kc-root kc-loading" }, [els.panel, els.launcher]);

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
    if (CONFIG.open || wasOpen === "1") openPanel(false);
    else closePanel(false);
  }

  // ---------------------------------------------------------------------------
  // Ressourcen laden
  // ---------------------------------------------------------------------------
  function loadCss() {
    return new Promise(function (resolve) {
      var href = new URL("widget.css", BASE_URL).href;
      var existing = document.querySelector('link[data-kc-widget-css]');
      if (existing) return resolve();
      var link = h("link", { rel: "stylesheet", href: href, "data-kc-widget-css": "" });
      var done = function () { resolve(); };
      link.addEventListener("load", done);
      link.addEventListener("error", done);
      setTimeout(done, 3000);
      document.head.appendChild(link);
    });
  }

  function loadSocketIo() {
    return new Promise(function (resolve) {
      if (typeof window.io === "function") return resolve();
      var s = document.createElement("script");
      s.src = new URL("vendor/socket.io.min.js", BASE_URL).href;
      s.async = true;
      s.onload = function () { resolve(); };
      s.onerror = function () { resolve(); };
      document.head.appendChild(s);
    });
  }

  function start() {
    build();
    Promise.all([loadCss(), loadSocketIo()]).then(function () {
      els.root.classList.remove("kc-loading");
      connect();
    });
  }

  window.KommunalCampusWidget = {
    /** Aktuelle Rasa-Sitzungs-ID (oder null vor der ersten Bestätigung). */
    sessionId: function () { return sessionId; },
    /** Sendet einen Text wie über das Eingabefeld. */
    send: function (text) { return sendMessage(String(text)); },
    /** Löscht gespeicherte Sitzung und Verlauf und beginnt ein neues Gespräch. */
    reset: reset,
    open: function () { if (els.panel) openPanel(true); },
    close: function () { if (els.panel) closePanel(false); }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
