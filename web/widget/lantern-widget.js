/*
 * Lantern chat widget. A website embeds it with one script tag and a container:
 *
 *   <div id="lantern-chat"></div>
 *   <script src="https://lantern.example.org/lantern/widget/lantern-widget.js"
 *           data-container="#lantern-chat" data-title="Questions about ketamine therapy"
 *           data-region="uk" data-color="#0b5394" async></script>
 *
 * Options (data attributes on the script tag, all optional but data-container):
 *   data-server       Lantern's address (default: where this script came from)
 *   data-socket-path  socket.io path (default /socket.io)
 *   data-title        heading of the chat panel
 *   data-region       help-line region: us, ca, uk, ie, au, nz, other
 *   data-color        main colour (header, buttons, your messages); text colours are
 *                     chosen to keep a contrast of at least 4.5:1
 *   data-background   panel background (light colours work best)
 *
 * Transport: Rasa's socket.io channel through socket.io-client (loaded from
 * <server>/lantern/vendor/socket.io.min.js when the page has no `io`). The session id
 * and the messages are kept in localStorage, so a reload keeps the conversation.
 * Bot and user text is only ever put on the page as text (textContent), never as HTML.
 * Safety replies carry `custom.help_actions` ([{label, href, line}]): the region's
 * help lines as call/text buttons (`tel:`/`sms:` links only; anything else is dropped).
 *
 * Also defines window.LanternChat = {mount, createChat} (the kiosk uses createChat).
 */
(function () {
  "use strict";

  var SCRIPT = document.currentScript;
  var SAFETY_IDS = ["safety_crisis", "safety_emergency", "safety_active_use", "safety_abuse", "get_help"];
  // a phone number to call, or to text with an optional word to send (e.g. START)
  var TAP_HREF = /^(tel:\+?\d{2,15}|sms:\+?\d{2,15}(\?&body=[A-Z]{2,20})?)$/;
  var MAX_STORED = 120;
  // the server reads at most 2,000 characters of a message; the count shows from 1,800
  var MAX_CHARS = 2000;
  var COUNT_FROM = 1800;
  var uid = 0;

  // ---------------------------------------------------------------- helpers
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function nextId(prefix) {
    uid += 1;
    return prefix + "-" + uid;
  }

  function srOnly(text) {
    return el("span", "lw-sr", text);
  }

  function safeUrl(value) {
    if (typeof value !== "string") return null;
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function formatDate(iso) {
    if (typeof iso !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return String(iso || "");
    var date = new Date(iso.slice(0, 10) + "T00:00:00Z");
    if (isNaN(date.getTime())) return iso;
    try {
      return date.toLocaleDateString(undefined, {
        year: "numeric", month: "long", day: "numeric", timeZone: "UTC",
      });
    } catch (e) {
      return iso.slice(0, 10);
    }
  }

  // WCAG relative luminance and contrast, to keep configured colours readable.
  function parseHex(hex) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || "").trim());
    if (!m) return null;
    var h = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(h.slice(i, i + 2), 16); });
  }
  function toHex(rgb) {
    return "#" + rgb.map(function (c) {
      return ("0" + Math.round(Math.max(0, Math.min(255, c))).toString(16)).slice(-2);
    }).join("");
  }
  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function readableOn(background) {
    var white = [255, 255, 255], ink = [27, 31, 36];
    return contrast(white, background) >= contrast(ink, background) ? white : ink;
  }
  /** Darken (or lighten) `color` until it reaches `ratio` against `background`. */
  function ensureContrast(color, background, ratio) {
    var c = color.slice();
    var target = luminance(background) > 0.5 ? [0, 0, 0] : [255, 255, 255];
    for (var i = 0; i < 20 && contrast(c, background) < ratio; i++) {
      c = c.map(function (v, k) { return v + (target[k] - v) * 0.15; });
    }
    return c;
  }

  function themeVariables(options) {
    var vars = {};
    var bg = parseHex(options.background) || [255, 255, 255];
    var primary = parseHex(options.color) || [11, 83, 148];
    vars["--lw-bg"] = toHex(bg);
    vars["--lw-text"] = toHex(readableOn(bg));
    vars["--lw-primary"] = toHex(primary);
    vars["--lw-on-primary"] = toHex(readableOn(primary));
    // the main colour used as text or borders on the panel background
    vars["--lw-primary-text"] = toHex(ensureContrast(primary, bg, 4.6));
    return vars;
  }

  // ------------------------------------------------------------ rendering
  function isSafety(custom) {
    return !!custom && SAFETY_IDS.indexOf(custom.answer_id) !== -1;
  }

  /** A source's citation number: its `n`, else its place in the list (1 = first). */
  function sourceNumber(source, index) {
    var n = source && Number(source.n);
    return n >= 1 && Math.floor(n) === n ? n : index + 1;
  }

  /**
   * The answer text with numbered citations: "[n]" after each sentence that holds a
   * cited fragment (custom.citations: [{text, source: n}]), each a link that opens source
   * n. Everything is put on the page as text nodes; a fragment not found is left out.
   */
  function renderCitedText(text, custom) {
    var p = el("p", "lw-text");
    var sources = Array.isArray(custom.sources) ? custom.sources : [];
    var byNumber = {};
    sources.forEach(function (source, i) {
      if (source && typeof source === "object") byNumber[sourceNumber(source, i)] = source;
    });
    var marks = {};  // position in the text -> citation numbers placed there
    (Array.isArray(custom.citations) ? custom.citations : []).forEach(function (c) {
      if (!c || typeof c.text !== "string" || !c.text || !byNumber[c.source]) return;
      var start = text.indexOf(c.text);
      if (start < 0) return;
      var end = /[.!?]["\u201d')]*(?=\s|$)/g;
      end.lastIndex = Math.max(start, start + c.text.length - 1);
      var found = end.exec(text);
      var at = found ? found.index + found[0].length : text.length;
      marks[at] = marks[at] || [];
      if (marks[at].indexOf(c.source) === -1) marks[at].push(c.source);
    });
    var done = 0;
    Object.keys(marks).map(Number).sort(function (a, b) { return a - b; }).forEach(function (at) {
      p.appendChild(document.createTextNode(text.slice(done, at)));
      done = at;
      marks[at].sort(function (a, b) { return a - b; }).forEach(function (n) {
        var source = byNumber[n];
        var sup = el("sup", "lw-cite");
        var href = safeUrl(source.url);
        var label = "Source " + n + ": " + String(source.title || source.url || "");
        if (href) {
          var link = el("a", "lw-link", "[" + n + "]");
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          link.setAttribute("aria-label", label + " (opens in a new tab)");
          sup.appendChild(link);
        } else {
          sup.appendChild(el("span", null, "[" + n + "]"));
          sup.title = label;
        }
        p.appendChild(sup);
      });
    });
    p.appendChild(document.createTextNode(text.slice(done)));
    return p;
  }

  function renderSources(custom) {
    var box = el("div", "lw-sources");
    var sources = Array.isArray(custom.sources) ? custom.sources : [];
    if (sources.length) {
      var label = el("p", "lw-sources-label", sources.length === 1 ? "Source" : "Sources");
      var list = el("ol", "lw-source-list");
      var labelId = nextId("lw-sources");
      label.id = labelId;
      list.setAttribute("aria-labelledby", labelId);
      sources.forEach(function (source, index) {
        if (!source || typeof source !== "object") return;
        var item = el("li");
        item.appendChild(el("span", "lw-source-n", "[" + sourceNumber(source, index) + "] "));
        var href = safeUrl(source.url);
        var title = String(source.title || source.url || "Source");
        if (href) {
          var link = el("a", "lw-link", title);
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          link.appendChild(srOnly(" (opens in a new tab)"));
          item.appendChild(link);
        } else {
          item.appendChild(el("span", null, title));
        }
        var meta = [source.publisher, source.year].filter(function (v) { return v; }).join(", ");
        if (meta) item.appendChild(el("span", "lw-source-meta", " \u2014 " + meta));
        if (source.secondary === true) {
          item.appendChild(el("span", "lw-source-meta", " (not a regulator or research paper)"));
        }
        list.appendChild(item);
      });
      box.appendChild(label);
      box.appendChild(list);
    }
    var reviewed = custom.reviewed;
    if (reviewed && typeof reviewed === "object" && reviewed.date) {
      var p = el("p", "lw-reviewed");
      p.appendChild(document.createTextNode("Reviewed" + (reviewed.by ? " by " + reviewed.by : "") + " on "));
      var time = el("time", null, formatDate(reviewed.date));
      time.setAttribute("datetime", String(reviewed.date).slice(0, 10));
      p.appendChild(time);
      box.appendChild(p);
    }
    return box;
  }

  /**
   * The help lines of a safety reply as call/text links styled as buttons. They stay on
   * every safety message (help is one tap away, also further up the conversation).
   */
  function renderHelpActions(custom) {
    var actions = Array.isArray(custom.help_actions) ? custom.help_actions : [];
    var group = el("div", "lw-taps");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", custom.lang === "es" ? "Llamar o enviar un mensaje" : "Call or text for help");
    actions.forEach(function (action) {
      if (!action || typeof action.label !== "string" || typeof action.href !== "string") return;
      if (!TAP_HREF.test(action.href)) return;
      var link = el("a", "lw-tap", action.label);
      link.href = action.href;
      if (action.line === "emergency") link.classList.add("lw-tap-emergency");
      group.appendChild(link);
    });
    return group.children.length ? group : null;
  }

  /** One message as an <li>; `current` adds its buttons (only the latest turn has them). */
  function renderMessage(message, current, onChoice) {
    var li = el("li", "lw-msg " + (message.from === "user" ? "lw-user" : "lw-bot"));
    if (message.kind) li.classList.add("lw-" + message.kind);
    var custom = message.custom;
    if (custom && typeof custom.answer_id === "string") li.setAttribute("data-answer-id", custom.answer_id);
    if (message.from === "user") {
      li.appendChild(srOnly("You said: "));
    } else if (message.kind === "consult") {
      li.appendChild(el("span", "lw-consult-label", "For your own care"));
      li.appendChild(srOnly(": "));
    } else {
      li.appendChild(srOnly("Lantern said: "));
    }
    if (message.kind === "answer" && custom && custom.title) {
      li.appendChild(el("p", "lw-answer-title", custom.title));
    }
    if (message.text) {
      li.appendChild(message.kind === "answer" && custom
        ? renderCitedText(String(message.text), custom)
        : el("p", "lw-text", message.text));
    }
    if (message.kind === "answer" && custom) li.appendChild(renderSources(custom));
    var taps = custom ? renderHelpActions(custom) : null;
    if (taps) li.appendChild(taps);
    if (current && message.buttons && message.buttons.length) {
      var group = el("div", "lw-choices");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", message.text ? String(message.text).slice(0, 80) : "Suggested replies");
      message.buttons.forEach(function (button) {
        var b = el("button", "lw-choice", button.title);
        b.type = "button";
        if (button.payload === "/get_help") b.classList.add("lw-choice-help");
        b.addEventListener("click", function () { onChoice(button); });
        group.appendChild(b);
      });
      li.appendChild(group);
    }
    return li;
  }

  function cleanBotMessage(raw) {
    if (!raw || typeof raw !== "object") return null;
    var custom = raw.custom && typeof raw.custom === "object" && !Array.isArray(raw.custom) ? raw.custom : null;
    var buttons = Array.isArray(raw.quick_replies) ? raw.quick_replies : Array.isArray(raw.buttons) ? raw.buttons : [];
    return {
      from: "bot",
      text: typeof raw.text === "string" ? raw.text : "",
      buttons: buttons.filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      }).map(function (b) { return { title: b.title, payload: b.payload }; }),
      custom: custom,
    };
  }

  /**
   * Say how much room is left once a message nears the 2,000-character limit, and say
   * plainly when it is reached (the box takes no more, and pasted text is cut there).
   * `note` is shown under the box; returns a function to call after the box is cleared.
   */
  function attachCounter(input, note) {
    input.maxLength = MAX_CHARS;
    if (!note.id) note.id = nextId("lw-count");
    note.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", note.id);
    var shown = "";
    function update() {
      var used = input.value.length;
      var left = MAX_CHARS - used;
      var text = "";
      if (left <= 0) {
        text = "You have reached the limit of 2,000 characters: anything longer was cut off. " +
          "Please check the end of your message, or send the rest in another message.";
      } else if (used >= COUNT_FROM) {
        text = left + (left === 1 ? " character" : " characters") + " left (the limit is 2,000).";
      }
      if (text === shown) return;
      shown = text;
      note.textContent = text;
      note.hidden = !text;
      note.classList.toggle("lw-count-full", left <= 0);
    }
    input.addEventListener("input", update);
    update();
    return update;
  }

  // --------------------------------------------------------- conversation
  /**
   * A conversation over Rasa's socket.io channel, drawn into `options.log`.
   * options: server, path, log, typing, status, storageKey (null: keep nothing),
   *   region, greet, metadata, onHelp(shown), onActivity(), onBotMessage(message), afterChoice()
   */
  function createChat(options) {
    var state = { sessionId: null, messages: [], help: false, lastConsult: null };
    var socket = null;
    var ready = false;
    var queue = [];
    var regionPending = null;
    var typingTimer = null;

    function load() {
      if (!options.storageKey) return;
      try {
        var saved = JSON.parse(window.localStorage.getItem(options.storageKey) || "null");
        if (saved && typeof saved.sessionId === "string" && Array.isArray(saved.messages)) {
          state.sessionId = saved.sessionId;
          state.messages = saved.messages.filter(function (m) { return m && typeof m === "object"; });
          state.help = !!saved.help;
          state.lastConsult = typeof saved.lastConsult === "string" ? saved.lastConsult : null;
        }
      } catch (e) { /* unreadable storage: start afresh */ }
    }

    function save() {
      if (!options.storageKey) return;
      try {
        window.localStorage.setItem(options.storageKey, JSON.stringify({
          sessionId: state.sessionId,
          messages: state.messages.slice(-MAX_STORED),
          help: state.help,
          lastConsult: state.lastConsult,
        }));
      } catch (e) { /* storage full or disabled: the conversation still works */ }
    }

    function lastUserIndex() {
      for (var i = state.messages.length - 1; i >= 0; i--) {
        if (state.messages[i].from === "user") return i;
      }
      return -1;
    }

    function render() {
      options.log.replaceChildren();
      var since = lastUserIndex();
      state.messages.forEach(function (m, i) {
        options.log.appendChild(renderMessage(m, i > since, choose));
      });
      scrollToEnd();
    }

    /** Show the latest turn: all of it if it fits, else from the user's message on. */
    function scrollToEnd() {
      var scroller = options.scroller || options.log;
      var end = scroller.scrollHeight - scroller.clientHeight;
      var users = options.log.querySelectorAll(".lw-user");
      var last = users.length ? users[users.length - 1] : null;
      scroller.scrollTop = last ? Math.min(end, last.offsetTop - 8) : end;
    }

    function setStatus(text) {
      if (options.status) {
        options.status.textContent = text;
        options.status.hidden = !text;
      }
    }

    function setTyping(on) {
      if (!options.typing) return;
      window.clearTimeout(typingTimer);
      options.typing.hidden = !on;
      if (on) typingTimer = window.setTimeout(function () { options.typing.hidden = true; }, 30000);
      scrollToEnd();
    }

    function setHelp(on) {
      state.help = on;
      if (options.onHelp) options.onHelp(on);
    }

    function append(message) {
      state.messages.push(message);
      if (message.from === "user") {
        options.log.querySelectorAll(".lw-choices").forEach(function (g) { g.remove(); });
      }
      options.log.appendChild(renderMessage(message, message.from === "bot", choose));
      save();
      scrollToEnd();
    }

    function choose(button) {
      send(button.payload, { label: button.title });
      if (options.afterChoice) options.afterChoice();
    }

    function emit(data) {
      socket.emit("user_uttered", {
        message: data.message,
        session_id: state.sessionId,
        metadata: data.metadata,
      });
    }

    function send(text, opts) {
      opts = opts || {};
      if (!opts.hidden) append({ from: "user", text: opts.label || text });
      setTyping(true);
      var data = {
        message: text,
        metadata: Object.assign({}, options.metadata || {}, opts.metadata || {}),
      };
      if (ready && socket && socket.connected) emit(data);
      else queue.push(data);
      if (options.onActivity) options.onActivity();
    }

    function receive(raw) {
      var message = cleanBotMessage(raw);
      if (!message) return;
      var custom = message.custom;
      if (regionPending && custom && custom.answer_id === "region_set") {
        // the reply to the widget's own region setting: not part of the conversation
        var done = regionPending;
        regionPending = null;
        done();
        return;
      }
      setTyping(false);
      if (custom && Array.isArray(custom.sources)) {
        message.kind = "answer";
        state.lastConsult = typeof custom.consult === "string" ? custom.consult.trim() : null;
      } else if (message.text && state.lastConsult && message.text.trim() === state.lastConsult) {
        message.kind = "consult";
      } else if (isSafety(custom)) {
        message.kind = "safety";
      }
      if (isSafety(custom)) setHelp(true);
      if (options.onBotMessage) options.onBotMessage(message);
      if (!message.text && !message.buttons.length && message.kind !== "answer") {
        save();
        return;
      }
      append(message);
    }

    function start() {
      // a new conversation: set the help-line region quietly, then say hello
      var region = (options.region || "").toLowerCase();
      var greet = function () { if (options.greet !== false) send("/greet", { hidden: true }); };
      if (/^[a-z]{2,5}$/.test(region)) {
        var timer = window.setTimeout(function () { if (regionPending) { regionPending = null; greet(); } }, 8000);
        regionPending = function () { window.clearTimeout(timer); greet(); };
        send('/inform_region{"region":"' + region + '"}', { hidden: true });
      } else {
        greet();
      }
    }

    function connect() {
      var io = window.io;
      socket = io(options.server, {
        path: options.path || "/socket.io",
        // WebSocket first: it works when the widget is embedded on another site's
        // page (browsers apply no CORS to it); long-polling stays as the fallback
        transports: ["websocket", "polling"],
        reconnectionDelayMax: 5000,
        forceNew: true,
      });
      var mine = socket;
      socket.on("connect", function () {
        if (mine !== socket) return;
        ready = false;
        setStatus("");
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function (data) {
        if (mine !== socket) return;
        var id = typeof data === "string" ? data : data && data.session_id;
        if (typeof id !== "string" || !id) return;
        var fresh = id !== state.sessionId || state.messages.length === 0;
        if (id !== state.sessionId) {
          state.sessionId = id;
          state.messages = [];
          state.lastConsult = null;
          setHelp(false);
          render();
          save();
        }
        ready = true;
        var pending = queue;
        queue = [];
        pending.forEach(emit);
        if (fresh && pending.length === 0) start();
      });
      socket.on("bot_uttered", function (raw) {
        if (mine === socket) receive(raw);
      });
      socket.on("disconnect", function (reason) {
        if (mine !== socket) return;
        ready = false;
        setTyping(false);
        setStatus("Connection lost. Reconnecting\u2026");
        // the server closed this socket on purpose: ask again (a restart, for example)
        if (reason === "io server disconnect") socket.connect();
      });
      socket.on("connect_error", function () {
        if (mine === socket) setStatus("Can't reach Lantern right now. Trying again\u2026");
      });
    }

    /** Forget everything and start a new conversation (new id from the server). */
    function reset() {
      queue = [];
      regionPending = null;
      state = { sessionId: null, messages: [], help: false, lastConsult: null };
      setTyping(false);
      setHelp(false);
      options.log.replaceChildren();
      if (options.storageKey) {
        try { window.localStorage.removeItem(options.storageKey); } catch (e) { /* ignore */ }
      }
      if (socket) {
        var old = socket;
        socket = null;
        old.removeAllListeners();
        old.disconnect();
      }
      ready = false;
      connect();
    }

    load();
    render();
    if (state.help && options.onHelp) options.onHelp(true);
    connect();

    return {
      send: send,
      reset: reset,
      sessionId: function () { return state.sessionId; },
      hasContent: function () { return state.messages.length > 0 || state.help; },
      close: function () { if (socket) { socket.removeAllListeners(); socket.disconnect(); socket = null; } },
    };
  }

  // ---------------------------------------------------------------- widget
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadStyle(href) {
    if (document.querySelector('link[data-lantern-widget]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-lantern-widget", "");
    document.head.appendChild(link);
  }

  function buildPanel(container, options) {
    var root = el("section", "lantern-w");
    var titleId = nextId("lw-title");
    root.setAttribute("aria-labelledby", titleId);
    var vars = themeVariables(options);
    Object.keys(vars).forEach(function (k) { root.style.setProperty(k, vars[k]); });

    var header = el("header", "lw-header");
    var heading = el("h2", "lw-title", options.title || "Ask Lantern");
    heading.id = titleId;
    var headText = el("div", "lw-head-text");
    headText.appendChild(heading);
    headText.appendChild(el("p", "lw-subtitle", "Automated information, not medical advice"));
    var newChat = el("button", "lw-new", "New chat");
    newChat.type = "button";
    newChat.setAttribute("aria-label", "Start a new chat (clears this conversation)");
    header.appendChild(headText);
    header.appendChild(newChat);

    var banner = el("div", "lw-banner");
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", "Urgent help");
    banner.hidden = true;
    banner.appendChild(el("p", "lw-banner-text", "If you are struggling, people are ready to talk with you now."));
    var helpButton = el("button", "lw-help", "Get help now");
    helpButton.type = "button";
    banner.appendChild(helpButton);

    var status = el("p", "lw-status");
    status.setAttribute("role", "status");
    status.hidden = true;

    var scroller = el("div", "lw-scroller");
    scroller.tabIndex = 0;
    // the live region: new messages are read out (the list inside keeps list semantics)
    scroller.setAttribute("role", "log");
    scroller.setAttribute("aria-label", "Conversation");
    scroller.setAttribute("aria-live", "polite");
    scroller.setAttribute("aria-relevant", "additions");
    var log = el("ol", "lw-log");
    var typing = el("div", "lw-typing");
    typing.hidden = true;
    typing.setAttribute("aria-hidden", "true");
    typing.appendChild(el("span", "lw-dot"));
    typing.appendChild(el("span", "lw-dot"));
    typing.appendChild(el("span", "lw-dot"));
    typing.appendChild(el("span", "lw-typing-text", "Lantern is typing"));
    scroller.appendChild(log);
    scroller.appendChild(typing);

    var form = el("form", "lw-form");
    var inputId = nextId("lw-input");
    var label = el("label", "lw-sr", "Type your question");
    label.htmlFor = inputId;
    var input = el("input", "lw-input");
    input.id = inputId;
    input.type = "text";
    input.maxLength = MAX_CHARS;
    input.autocomplete = "off";
    input.placeholder = "Type your question";
    var sendButton = el("button", "lw-send", "Send");
    sendButton.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(sendButton);

    var count = el("p", "lw-count");
    count.hidden = true;
    var note = el("p", "lw-note", "Not for emergencies. If you are in danger, call your local emergency number.");

    [header, banner, status, scroller, form, count, note].forEach(function (n) { root.appendChild(n); });
    container.replaceChildren(root);
    return {
      root: root, log: log, scroller: scroller, typing: typing, status: status, banner: banner,
      helpButton: helpButton, form: form, input: input, newChat: newChat, count: count,
    };
  }

  /** Mount the widget in `container` (an element or a selector). */
  function mount(container, options) {
    if (typeof container === "string") container = document.querySelector(container);
    if (!container) throw new Error("Lantern widget: container not found");
    options = options || {};
    var server = options.server || window.location.origin;
    var ui = buildPanel(container, options);
    var chat = createChat({
      server: server,
      path: options.socketPath || "/socket.io",
      log: ui.log,
      scroller: ui.scroller,
      typing: ui.typing,
      status: ui.status,
      storageKey: "lantern-widget:" + server + (options.socketPath || "/socket.io"),
      region: options.region,
      metadata: { client: "widget", region: options.region || null },
      onHelp: function (on) { ui.banner.hidden = !on; },
      afterChoice: function () { ui.input.focus(); },
    });
    var updateCount = attachCounter(ui.input, ui.count);
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      updateCount();
      chat.send(text);
    });
    ui.helpButton.addEventListener("click", function () {
      chat.send("/get_help", { label: "Get help now" });
    });
    ui.newChat.addEventListener("click", function () {
      chat.reset();
      ui.input.focus();
    });
    return chat;
  }

  function optionsFromScript(script) {
    var d = script.dataset;
    var origin = window.location.origin;
    try { origin = new URL(script.src, window.location.href).origin; } catch (e) { /* inline */ }
    return {
      container: d.container,
      server: d.server || origin,
      socketPath: d.socketPath || "/socket.io",
      title: d.title,
      region: d.region,
      color: d.color,
      background: d.background,
    };
  }

  function autoMount() {
    if (!SCRIPT || !SCRIPT.dataset.container) return;
    var options = optionsFromScript(SCRIPT);
    loadStyle(options.server + "/lantern/widget/lantern-widget.css");
    var ready = window.io ? Promise.resolve() : loadScript(options.server + "/lantern/vendor/socket.io.min.js");
    ready.then(function () {
      var go = function () { window.LanternChat.instance = mount(options.container, options); };
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
      else go();
    }).catch(function (error) {
      var box = document.querySelector(options.container);
      if (box) box.textContent = "The chat could not be loaded. Please try again later.";
      if (window.console) window.console.error(error);
    });
  }

  window.LanternChat = {
    mount: mount, createChat: createChat, renderMessage: renderMessage, attachCounter: attachCounter,
  };
  autoMount();
})();
