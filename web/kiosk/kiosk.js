/*
 * Lantern's waiting-room kiosk: topic tiles, answers, "Talk to staff", "Start over",
 * and a privacy reset when nobody has touched the screen for a while.
 *
 * Nothing is written to localStorage or sessionStorage and no history entries are
 * added, so after a reset nothing of the previous conversation is left in the page,
 * in browser storage, or behind the Back button. Settings: data-idle-seconds,
 * data-warn-seconds and data-region on <body>, or ?idle= ?warn= ?region= in the URL.
 */
(function () {
  "use strict";

  var body = document.body;
  var query = new URLSearchParams(window.location.search);

  function setting(name, attribute, fallback) {
    var value = query.get(name) || body.getAttribute(attribute) || "";
    var number = parseFloat(value);
    return isFinite(number) && number > 0 ? number : fallback;
  }

  var IDLE_SECONDS = setting("idle", "data-idle-seconds", 90);
  var WARN_SECONDS = setting("warn", "data-warn-seconds", 30);
  var REGION = (query.get("region") || body.getAttribute("data-region") || "").toLowerCase();

  var $ = function (id) { return document.getElementById(id); };
  var log = $("k-log");
  var empty = $("k-empty");
  var input = $("k-input");
  var idleBox = $("k-idle");
  var idleCount = $("k-idle-count");
  var help = $("k-help");

  var chat = window.LanternChat.createChat({
    server: window.location.origin,
    path: "/kiosk/socket.io",
    log: log,
    scroller: $("k-scroller"),
    typing: $("k-typing"),
    status: $("k-status"),
    storageKey: null, // a shared screen keeps nothing
    region: REGION,
    greet: false, // the tiles are the welcome
    metadata: { client: "kiosk", kiosk: true },
    onHelp: function (on) { help.hidden = !on; },
    onActivity: function () { empty.hidden = true; },
    // the idle time counts from the last thing shown, not from the tap that asked
    onBotMessage: function () { if (!warningShown) armIdle(); },
  });

  function send(text, label, metadata) {
    chat.send(text, { label: label, metadata: metadata });
    empty.hidden = true;
    // on a narrow screen the answers are below the tiles: bring them into view
    var panel = document.querySelector(".k-conversation");
    var top = panel.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) panel.scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------ controls
  document.querySelectorAll(".k-tile").forEach(function (tile) {
    tile.addEventListener("click", function () {
      var title = tile.querySelector(".k-tile-title").textContent;
      var payload = tile.getAttribute("data-payload");
      send(payload || tile.getAttribute("data-text"), title);
    });
  });

  $("k-staff").addEventListener("click", function () {
    send("/handoff", "Talk to staff", { kiosk: true, handoff: true });
  });

  $("k-get-help").addEventListener("click", function () {
    send("/get_help", "Get help now");
  });

  $("k-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.blur(); // closes the on-screen keyboard
    send(text);
  });

  // ------------------------------------------------------------- reset
  function clearStorage() {
    // the kiosk never writes any; remove Lantern's keys in case another page did
    [window.localStorage, window.sessionStorage].forEach(function (store) {
      try {
        for (var i = store.length - 1; i >= 0; i--) {
          var key = store.key(i);
          if (key && key.indexOf("lantern") === 0) store.removeItem(key);
        }
        if (store === window.sessionStorage) store.clear();
      } catch (e) { /* storage disabled */ }
    });
  }

  function reset() {
    hideWarning();
    chat.reset(); // empties the log, forgets the id, asks the server for a new one
    input.value = "";
    help.hidden = true;
    empty.hidden = false;
    clearStorage();
    // one history entry for the kiosk, with no state: Back never shows an old screen
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (window.getSelection) window.getSelection().removeAllRanges();
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo(0, 0);
    $("k-scroller").scrollTop = 0;
    armIdle();
  }

  $("k-start-over").addEventListener("click", reset);
  $("k-clear-now").addEventListener("click", reset);

  // -------------------------------------------------------------- idle
  var idleTimer = null;
  var countdown = null;
  var warningShown = false;

  function hasSomethingToClear() {
    return chat.hasContent() || input.value.trim() !== "" || !help.hidden;
  }

  function armIdle() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(onIdle, IDLE_SECONDS * 1000);
  }

  function onIdle() {
    if (!hasSomethingToClear()) {
      armIdle();
      return;
    }
    showWarning();
  }

  function showWarning() {
    warningShown = true;
    var left = Math.ceil(WARN_SECONDS);
    idleCount.textContent = String(left);
    idleBox.hidden = false;
    $("k-still-here").focus();
    window.clearInterval(countdown);
    var deadline = Date.now() + WARN_SECONDS * 1000;
    countdown = window.setInterval(function () {
      var remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      idleCount.textContent = String(remaining);
      if (Date.now() >= deadline) reset();
    }, 250);
  }

  function hideWarning() {
    warningShown = false;
    window.clearInterval(countdown);
    idleBox.hidden = true;
  }

  $("k-still-here").addEventListener("click", function () {
    hideWarning();
    armIdle();
  });

  ["pointerdown", "keydown", "touchstart", "input", "wheel"].forEach(function (type) {
    document.addEventListener(type, function () {
      if (!warningShown) armIdle(); // while warning, only "I'm still here" keeps the screen
    }, { passive: true, capture: true });
  });

  // a page restored from the back/forward cache starts clean as well
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) reset();
  });

  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  armIdle();

  // for tests and monitoring: the current conversation id (random, not personal)
  window.LanternKiosk = {
    sessionId: function () { return chat.sessionId(); },
    reset: reset,
    idleSeconds: IDLE_SECONDS,
    warnSeconds: WARN_SECONDS,
  };
})();
