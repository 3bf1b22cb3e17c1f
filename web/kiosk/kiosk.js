/*
 * Lantern's waiting-room kiosk: topic tiles, answers, "Talk to staff", "Start over",
 * the pre-visit intake by touch, and a privacy reset when nobody has touched the
 * screen for a while (a reset during an intake cancels it on the server: "stop").
 * An intake that is sent (or stopped) is cleared from the screen at once: a thank-you
 * screen covers it, the conversation behind it is reset (a new conversation id), and
 * the start screen comes back after data-done-seconds. "Start over" during an intake
 * asks first.
 *
 * Nothing is written to localStorage or sessionStorage and no history entries are
 * added, so after a reset nothing of the previous conversation is left in the page,
 * in browser storage, or behind the Back button. Settings: data-idle-seconds,
 * data-warn-seconds, data-done-seconds and data-region on <body>, or ?idle= ?warn=
 * ?done= ?region= in the URL.
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
  // the thank-you screen: the start screen is back within 10 seconds of "Yes, send it"
  var DONE_SECONDS = Math.min(setting("done", "data-done-seconds", 8), 9);
  // how long messages of the same turn are still added to the thank-you screen
  var GATHER_MS = 1500;
  var REGION = (query.get("region") || body.getAttribute("data-region") || "").toLowerCase();

  var $ = function (id) { return document.getElementById(id); };
  var log = $("k-log");
  var empty = $("k-empty");
  var input = $("k-input");
  var idleBox = $("k-idle");
  var idleCount = $("k-idle-count");
  var help = $("k-help");
  var form = $("k-form");
  var inputLabel = document.querySelector('label[for="k-input"]');
  var conversationTitle = $("k-conversation-title");

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
    onBotMessage: function (message) {
      if (!warningShown) armIdle();
      onIntakeMessage(message);
      onFinished(message);
    },
  });
  var updateCount = window.LanternChat.attachCounter(input, $("k-count"));

  function send(text, label, metadata) {
    chat.send(text, { label: label, metadata: metadata });
    empty.hidden = true;
    // on a narrow screen the answers are below the tiles: bring them into view
    var panel = document.querySelector(".k-conversation");
    var top = panel.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) panel.scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------ intake
  // The pre-visit intake (actions/intake.py). Each bot message of it is a text with
  // buttons followed by a custom message {answer_id, question}; the kiosk puts those
  // on the text's <li> (data-answer-id, data-question), shows "Question 5 of 31" as a
  // progress line, gives "Go back" and "Stop" a row of their own, shows the summary
  // as a list, and points to the text box where an answer is typed. The widget removes
  // the buttons of a question once it is answered, so an old answer can't be tapped.
  var INTAKE_OPEN = ["intake_consent", "intake_question", "intake_summary", "intake_reprompt",
    "intake_paused", "intake_save_failed"];
  var INTAKE_CLOSED = ["intake_submitted", "intake_cancelled", "intake_declined"];
  var ASKING = ["intake_consent", "intake_question", "intake_summary"];
  var NAV_BUTTONS = { "Go back": "k-nav-back", "Stop and delete my answers": "k-nav-stop" };
  // questions answered by typing (the others have buttons; typing still works)
  var TYPED = {
    appointment_code: { label: "Type your appointment code", focus: true, code: true },
    first_name: { label: "Type your first name", focus: true },
    birth_date: { label: "Type your date of birth", focus: true },
    medicines: { label: "Type your medicines, or tap None" },
  };
  var PROGRESS = /\n?\(Question (\d+) of (\d+)\)\s*$/;
  var DEFAULT_PROMPT = "Or type a question";
  var intake = { started: false, active: false };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setIntakeMode(on) {
    intake.active = on;
    if (!on) intake.started = false;
    body.classList.toggle("k-intake", on);
    conversationTitle.textContent = on ? "Your intake" : "Your answers";
    if (!on) setPrompt(null);
  }

  /** The text box's label and hints for the question asked now (null: a typed question). */
  function setPrompt(question) {
    var typed = question ? TYPED[question] : null;
    var text = typed ? typed.label : intake.active ? "Or type your answer" : DEFAULT_PROMPT;
    inputLabel.textContent = text;
    input.placeholder = text;
    input.setAttribute("autocapitalize", typed && typed.code ? "characters" : "sentences");
    input.setAttribute("enterkeyhint", "send");
    input.spellcheck = !intake.active;
    form.classList.toggle("k-form-wanted", !!typed);
    // the on-screen keyboard opens where only typing answers the question
    if (typed && typed.focus) input.focus({ preventScroll: true });
  }

  function showProgress(li, text) {
    var match = PROGRESS.exec(text.textContent);
    if (!match) return;
    var at = parseInt(match[1], 10), of = parseInt(match[2], 10);
    text.textContent = text.textContent.slice(0, match.index);
    var line = el("p", "k-progress");
    line.appendChild(el("span", "k-progress-text", "Question " + at + " of " + of));
    var bar = el("span", "k-progress-bar");
    bar.setAttribute("aria-hidden", "true");
    var fill = el("span", "k-progress-fill");
    fill.style.width = Math.max(0, Math.min(100, (100 * at) / of)).toFixed(1) + "%";
    bar.appendChild(fill);
    line.appendChild(bar);
    li.insertBefore(line, text);
  }

  /** "Here is what you told us:\n- Label: answer\n...\n\nIs this right?..." as a list. */
  function showSummary(li, text) {
    var lines = text.textContent.split("\n");
    var first = -1, last = -1;
    lines.forEach(function (line, i) {
      if (/^- [^:]+: /.test(line)) { if (first < 0) first = i; last = i; }
    });
    if (first < 0) return;
    var list = el("dl", "k-summary");
    lines.slice(first, last + 1).forEach(function (line) {
      var colon = line.indexOf(": ");
      if (!/^- /.test(line) || colon < 0) return;
      var row = el("div", "k-summary-row");
      row.appendChild(el("dt", null, line.slice(2, colon)));
      row.appendChild(el("dd", null, line.slice(colon + 2)));
      list.appendChild(row);
    });
    var after = el("p", "lw-text k-summary-after", lines.slice(last + 1).join("\n").trim());
    text.textContent = lines.slice(0, first).join("\n").trim();
    text.after(list, after);
    li.classList.add("k-summary-msg");
  }

  /** Mark Go back and Stop; unless `together`, move them to a row of their own. */
  function separateNavigation(li, together) {
    var group = li.querySelector(".lw-choices");
    if (!group) return;
    var nav = el("div", "lw-choices k-nav"); // .lw-choices: removed with the answers
    nav.setAttribute("role", "group");
    nav.setAttribute("aria-label", "Go back or stop");
    Array.prototype.slice.call(group.querySelectorAll(".lw-choice")).forEach(function (button) {
      var cls = NAV_BUTTONS[button.textContent];
      if (!cls) return;
      button.classList.add(cls);
      if (!together) nav.appendChild(button);
    });
    if (!nav.children.length) return;
    if (!group.children.length) group.remove();
    li.appendChild(nav);
  }

  function decorate(li, custom) {
    var id = custom.answer_id;
    if (!li.hasAttribute("data-answer-id")) li.setAttribute("data-answer-id", id);
    if (typeof custom.question === "string") li.setAttribute("data-question", custom.question);
    li.classList.add("k-intake-msg");
    var text = li.querySelector(".lw-text");
    if (text) {
      showProgress(li, text);
      if (id === "intake_summary") showSummary(li, text);
    }
    separateNavigation(li, id === "intake_summary"); // the summary's stay in one bar
    if (ASKING.indexOf(id) !== -1) {
      log.querySelectorAll(".k-current").forEach(function (n) { n.classList.remove("k-current"); });
      li.classList.add("k-current");
      showCurrent();
    }
  }

  /** Scroll the question being asked into view: all of it if it fits, else its top. */
  function showCurrent() {
    var li = log.querySelector(".k-current");
    if (!li) return;
    var scroller = $("k-scroller");
    var end = scroller.scrollHeight - scroller.clientHeight;
    if (end > 0) {
      scroller.scrollTop = Math.max(0, Math.min(end, li.offsetTop - 8));
    } else { // a phone: the page scrolls, not the transcript
      var box = li.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        li.scrollIntoView({ block: box.height > window.innerHeight ? "start" : "end" });
      }
    }
  }
  window.addEventListener("resize", showCurrent);

  function onIntakeMessage(message) {
    var custom = message && message.custom;
    var id = custom && custom.answer_id;
    var opens = INTAKE_OPEN.indexOf(id) !== -1, closes = INTAKE_CLOSED.indexOf(id) !== -1;
    if (!opens && !closes) return;
    function apply(li) {
      if (opens && !intake.active) setIntakeMode(true);
      if (li && li.classList.contains("lw-bot")) decorate(li, custom);
      if (closes) setIntakeMode(false);
      else if (ASKING.indexOf(id) !== -1) setPrompt(custom.question);
    }
    if (message.text || message.buttons.length) {
      // the widget shows this message right after this call: decorate it then
      var before = log.lastElementChild;
      Promise.resolve().then(function () {
        apply(before ? before.nextElementSibling : log.firstElementChild);
      });
    } else {
      // a custom-only message belongs to the bot message shown just before it
      var last = log.lastElementChild;
      apply(last && !last.hasAttribute("data-answer-id") ? last : null);
    }
  }

  // an answer, tapped or typed, ends the "current" look of the question it answers
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      Array.prototype.forEach.call(record.addedNodes, function (node) {
        if (node.classList && node.classList.contains("lw-user")) {
          log.querySelectorAll(".k-current").forEach(function (n) { n.classList.remove("k-current"); });
        }
      });
    });
  }).observe(log, { childList: true });

  /**
   * Cancel the intake of a conversation the kiosk is leaving: "stop" deletes every
   * answer collected so far (action_intake_cancel). Sent on a socket of its own so
   * the screen and the new conversation don't wait for it.
   */
  function cancelIntake(sessionId) {
    var socket = window.io(window.location.origin, {
      path: "/kiosk/socket.io",
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 5000,
      forceNew: true,
    });
    var done = false;
    var giveUp = window.setTimeout(finish, 120000);
    function finish() {
      if (done) return;
      done = true;
      window.clearTimeout(giveUp);
      socket.removeAllListeners();
      socket.disconnect();
    }
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (id !== sessionId) return finish();
      socket.emit("user_uttered", {
        message: "stop",
        session_id: sessionId,
        metadata: { client: "kiosk", kiosk: true, reset: true },
      });
    });
    socket.on("bot_uttered", function (raw) {
      if (raw && raw.custom && raw.custom.answer_id === "intake_cancelled") finish();
    });
  }

  // ----------------------------------------------------- a finished intake
  // "Yes, send it" (or "Stop"): the answers must not stay on a shared screen. The
  // thank-you screen covers them at once and shows what the bot said in this turn;
  // behind it the conversation is reset; after DONE_SECONDS the start screen is back.
  var FINISHED = {
    intake_submitted: "Thank you",
    intake_cancelled: "Your answers were deleted",
  };
  var doneBox = $("k-done");
  var finished = { gathering: false, gather: null, countdown: null };

  function botTextsOfThisTurn() {
    var texts = [];
    for (var li = log.lastElementChild; li && !li.classList.contains("lw-user"); li = li.previousElementSibling) {
      var text = li.querySelector(".lw-text");
      if (text && text.textContent.trim()) texts.unshift(text.textContent.trim());
    }
    return texts;
  }

  function addDoneText(text) {
    if (text) $("k-done-text").appendChild(el("p", null, text));
  }

  function onFinished(message) {
    var id = message && message.custom && message.custom.answer_id;
    if (finished.gathering) {
      addDoneText(message.text);
      return;
    }
    if (!FINISHED[id]) return;
    $("k-done-title").textContent = FINISHED[id];
    $("k-done-text").replaceChildren();
    botTextsOfThisTurn().forEach(addDoneText);
    addDoneText(message.text);
    hideWarning();
    hideConfirm();
    doneBox.hidden = false;
    $("k-done-title").focus();
    finished.gathering = true;
    window.clearTimeout(finished.gather);
    finished.gather = window.setTimeout(clearBehindDone, GATHER_MS);
    var deadline = Date.now() + DONE_SECONDS * 1000;
    $("k-done-count").textContent = String(Math.ceil(DONE_SECONDS));
    window.clearInterval(finished.countdown);
    finished.countdown = window.setInterval(function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      $("k-done-count").textContent = String(left);
      if (Date.now() >= deadline) closeDone();
    }, 250);
  }

  /** Reset the conversation behind the thank-you screen (nothing to cancel: it is over). */
  function clearBehindDone() {
    window.clearTimeout(finished.gather);
    if (!finished.gathering) return;
    finished.gathering = false;
    reset({ keepDone: true });
  }

  function closeDone() {
    clearBehindDone();
    window.clearInterval(finished.countdown);
    doneBox.hidden = true;
    $("k-done-text").replaceChildren();
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    armIdle();
  }

  $("k-done-now").addEventListener("click", closeDone);

  // ------------------------------------------------------------ controls
  document.querySelectorAll(".k-tile").forEach(function (tile) {
    tile.addEventListener("click", function () {
      var title = tile.querySelector(".k-tile-title").textContent;
      var payload = tile.getAttribute("data-payload");
      if (tile.classList.contains("k-tile-intake")) intake.started = true;
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
    updateCount();
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

  /** Clear the screen and start a new conversation; options.keepDone: the thank-you stays. */
  function reset(options) {
    hideWarning();
    hideConfirm();
    if (!(options && options.keepDone)) {
      finished.gathering = false;
      window.clearTimeout(finished.gather);
      window.clearInterval(finished.countdown);
      doneBox.hidden = true;
    }
    var old = chat.sessionId();
    if (old && (intake.active || intake.started)) cancelIntake(old);
    setIntakeMode(false);
    chat.reset(); // empties the log, forgets the id, asks the server for a new one
    input.value = "";
    updateCount();
    help.hidden = true;
    empty.hidden = false;
    clearStorage();
    // one history entry for the kiosk, with no state: Back never shows an old screen
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (window.getSelection) window.getSelection().removeAllRanges();
    if (!doneBox.hidden) $("k-done-title").focus();
    else if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo(0, 0);
    $("k-scroller").scrollTop = 0;
    armIdle();
  }

  // "Start over" during an intake deletes its answers: ask first
  var confirmBox = $("k-confirm");

  function hideConfirm() {
    confirmBox.hidden = true;
  }

  $("k-start-over").addEventListener("click", function () {
    if (!(intake.active || intake.started)) {
      reset();
      return;
    }
    confirmBox.hidden = false;
    $("k-keep-going").focus();
  });
  $("k-keep-going").addEventListener("click", function () {
    hideConfirm();
    $("k-start-over").focus();
  });
  $("k-confirm-over").addEventListener("click", function () { reset(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !confirmBox.hidden) {
      hideConfirm();
      $("k-start-over").focus();
    }
  });
  $("k-clear-now").addEventListener("click", function () { reset(); });

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
  // a restored page's text box may hold text from before: count it
  updateCount();

  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  armIdle();

  // for tests and monitoring: the current conversation id (random, not personal)
  window.LanternKiosk = {
    sessionId: function () { return chat.sessionId(); },
    // the conversation id the server keeps (the session id without its signature)
    conversationId: function () { return (chat.sessionId() || "").split(".")[0] || null; },
    reset: function () { reset(); },
    idleSeconds: IDLE_SECONDS,
    warnSeconds: WARN_SECONDS,
    doneSeconds: DONE_SECONDS,
  };
})();
