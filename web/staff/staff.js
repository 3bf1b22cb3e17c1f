/* Staff page: lists open kiosk requests, urgent alerts first (GET /lantern/staff/handoffs),
   closes them (POST /lantern/staff/handoffs/<id>/close), and lists today's intakes with
   scores and flags (GET /lantern/staff/intakes) with each one's FHIR JSON
   (GET /lantern/staff/intakes/<id>). The token is kept in memory only; text from the
   server is put on the page with textContent.

   Live: the requests list is watched with `?since=<version>`, which the server holds
   until the list changes, then asked again at once (no timer, so a background tab is
   not slowed down). A new request plays a beep (Web Audio: three for an urgent alert,
   one otherwise) and shows a browser notification (a fixed text, never conversation
   data); both are set up by the "Show requests" click, as browsers require a click. */
(function () {
  "use strict";
  var token = "";
  var timer = null;
  var INTAKES_EVERY_MS = 10000;
  var RETRY_MS = 3000;
  var watching = 0;  // the current sign-in's watch loop (an older one stops)
  var known = null;  // request ids already shown (null: nothing shown yet)
  var audio = null;
  var baseTitle = document.title;
  var download = null;
  var shown = { handoffs: null, intakes: null };  // last rendered data: unchanged, no re-render
  var $ = function (id) { return document.getElementById(id); };
  var REASONS = {
    phq9_item9: "Urgent: PHQ-9 item 9 (thoughts of death or self-harm) above 0 or unclear",
    phq9_item9_declined: "Urgent: PHQ-9 item 9 (thoughts of death or self-harm) not answered",
    crisis_in_intake: "Urgent: crisis words during the intake",
    crisis_on_kiosk: "Urgent: crisis words on the kiosk",
    unspecified: "Urgent alert",
  };
  var FLAGS = {
    item9: "PHQ-9 item 9 above 0 (now or earlier in the intake)",
    item9_declined: "PHQ-9 item 9 not answered (declined)",
    lithium: "Lithium",
    maoi: "MAOI",
    psychosis_bipolar: "Psychosis or bipolar history",
    cardiovascular: "Heart or blood pressure history",
    pregnancy: "Pregnant or breastfeeding",
  };

  function api(path, method) {
    return fetch("/lantern/staff/" + path, {
      method: method || "GET",
      headers: { Authorization: "Bearer " + token },
      cache: "no-store",
    });
  }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function when(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }

  // ------------------------------------------------------------ alerts
  /** On the sign-in click: an AudioContext (allowed only after a click) and permission. */
  function prepareAlerts() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try { audio = new Context(); } catch (e) { audio = null; }
    }
    if (audio && audio.state === "suspended" && audio.resume) audio.resume();
    if ("Notification" in window && window.Notification.permission === "default") {
      try {
        var asked = window.Notification.requestPermission();
        if (asked && asked.catch) asked.catch(function () {});
      } catch (e) { /* old browsers take a callback; no notification then */ }
    }
  }

  function beep(times) {
    if (!audio) return;
    for (var i = 0; i < times; i++) {
      var start = audio.currentTime + i * 0.35;
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(start);
      tone.stop(start + 0.3);
    }
  }

  function notify(title, body, tag, urgent) {
    if (!("Notification" in window) || window.Notification.permission !== "granted") return;
    try {
      var shown = new window.Notification(title, { body: body, tag: tag, requireInteraction: !!urgent });
      shown.onclick = function () { window.focus(); shown.close(); };
    } catch (e) { /* notifications unavailable here: the sound and the page still show it */ }
  }

  /** Sound and notification for requests not seen before (none for the first list shown). */
  function announce(items) {
    var fresh = known === null ? [] : items.filter(function (item) { return !known[item.id]; });
    known = {};
    items.forEach(function (item) { known[item.id] = true; });
    var urgent = fresh.filter(function (item) { return item.urgent; });
    if (urgent.length) {
      beep(3);
      notify(REASONS[urgent[0].reason] || REASONS.unspecified,
        "Please go to the kiosk now.", "lantern-" + urgent[0].id, true);
    } else if (fresh.length) {
      beep(1);
      notify("A patient at the kiosk asked to talk to staff", "Please go to the kiosk.",
        "lantern-" + fresh[0].id, false);
    }
    var open = items.filter(function (item) { return item.urgent; }).length;
    document.title = (open ? "(" + open + " urgent) " : items.length ? "(" + items.length + ") " : "") + baseTitle;
  }

  function render(items) {
    announce(items);
    var key = JSON.stringify(items);
    if (key === shown.handoffs && !$("s-table-wrap").hidden) return;
    shown.handoffs = key;
    var rows = $("s-rows");
    rows.replaceChildren();
    var urgent = 0;
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(when(item.requested_at)));
      tr.appendChild(cell(String(item.conversation_id).slice(0, 12)));
      if (item.urgent) {
        urgent += 1;
        tr.className = "s-urgent";
        tr.appendChild(cell(REASONS[item.reason] || REASONS.unspecified, "s-why"));
      } else {
        tr.appendChild(cell("Talk to staff"));
      }
      var td = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Done";
      button.setAttribute("aria-label", "Mark the request from " + tr.firstChild.textContent + " as done");
      button.addEventListener("click", function () {
        api("handoffs/" + encodeURIComponent(item.id) + "/close", "POST").then(refresh);
      });
      td.appendChild(button);
      tr.appendChild(td);
      rows.appendChild(tr);
    });
    $("s-table-wrap").hidden = false;
    $("s-status").textContent = items.length
      ? items.length + (items.length === 1 ? " open request" : " open requests") +
        (urgent ? " (" + urgent + " urgent)" : "")
      : "No open requests.";
  }

  function score(total, band) {
    return total === null || total === undefined ? "incomplete" : total + " (" + band + ")";
  }

  function patient(item) {
    if (item.appointment_code) return "Code " + item.appointment_code;
    var parts = [item.first_name, item.birth_date ? "born " + item.birth_date : ""];
    return parts.filter(Boolean).join(", ") || "not given";
  }

  function showFhir(item, button) {
    api("intakes/" + encodeURIComponent(item.id)).then(function (response) {
      if (!response.ok) {
        $("s-intake-status").textContent = "That record could not be opened (" + response.status + ").";
        return;
      }
      return response.text().then(function (text) {
        var pretty = JSON.stringify(JSON.parse(text), null, 2);
        if (download) URL.revokeObjectURL(download);
        download = URL.createObjectURL(new Blob([pretty], { type: "application/fhir+json" }));
        $("s-fhir-download").href = download;
        $("s-fhir-download").setAttribute("download", "intake-" + item.id + ".json");
        $("s-fhir-title").textContent = "FHIR QuestionnaireResponse: " + patient(item);
        $("s-fhir-json").textContent = pretty;
        $("s-fhir").hidden = false;
        $("s-fhir").returnFocus = button;
        $("s-fhir-title").focus();
      });
    });
  }

  function renderIntakes(items) {
    var key = JSON.stringify(items);
    if (key === shown.intakes) return;
    shown.intakes = key;
    var rows = $("s-intake-rows");
    rows.replaceChildren();
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      if (item.urgent) tr.className = "s-urgent";
      tr.appendChild(cell(when(item.created_at)));
      tr.appendChild(cell(patient(item)));
      tr.appendChild(cell(score(item.phq9_total, item.phq9_band)));
      tr.appendChild(cell(score(item.gad7_total, item.gad7_band)));
      var flags = (item.flags || []).map(function (f) { return FLAGS[f] || f; });
      tr.appendChild(cell((item.urgent ? "URGENT. " : "") + (flags.join("; ") || "none"),
        item.urgent ? "s-why" : ""));
      var td = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "FHIR JSON";
      button.setAttribute("aria-label", "Show the FHIR JSON of the intake from " + tr.firstChild.textContent);
      button.addEventListener("click", function () { showFhir(item, button); });
      td.appendChild(button);
      tr.appendChild(td);
      rows.appendChild(tr);
    });
    $("s-intake-wrap").hidden = items.length === 0;
    $("s-intake-status").textContent = items.length
      ? items.length + (items.length === 1 ? " intake today" : " intakes today")
      : "No intakes today.";
  }

  function refusedToken(response) {
    shown = { handoffs: null, intakes: null };
    watching += 1;  // stops the watch loop
    known = null;
    document.title = baseTitle;
    $("s-table-wrap").hidden = true;
    $("s-intakes").hidden = true;
    window.clearInterval(timer);
    if (response && (response.status === 429 || response.status === 503)) {
      // locked out after wrong tokens, or the server's token is too short: say why
      return response.json().then(function (data) {
        $("s-status").textContent = "Not available: " + (data.error || response.status);
      }, function () {
        $("s-status").textContent = "Not available right now (" + response.status + ").";
      });
    }
    $("s-status").textContent = "That token was not accepted (or the staff page is turned off).";
  }

  function refused(response) {
    return [401, 403, 429, 503].indexOf(response.status) !== -1;
  }

  function refreshIntakes() {
    return api("intakes").then(function (response) {
      if (refused(response) && response.status !== 503) return refusedToken(response);
      $("s-intakes").hidden = false;
      return response.json().then(function (data) {
        if (!response.ok) {
          shown.intakes = null;
          $("s-intake-wrap").hidden = true;
          $("s-intake-status").textContent = "Intakes can't be shown: " + (data.detail || data.error || response.status);
          return;
        }
        renderIntakes(data.intakes || []);
      });
    }).catch(function () {
      $("s-intake-status").textContent = "Can't reach Lantern. Trying again shortly.";
    });
  }

  function refresh() {
    return api("handoffs").then(function (response) {
      if (refused(response)) return refusedToken(response);
      return response.json().then(function (data) { render(data.handoffs || []); })
        .then(refreshIntakes);
    }).catch(function () {
      $("s-status").textContent = "Can't reach Lantern. Trying again shortly.";
    });
  }

  /** Ask for the list again as soon as it differs from `version` (the server waits). */
  function watch(loop, version) {
    if (loop !== watching) return;
    api("handoffs?since=" + encodeURIComponent(version)).then(function (response) {
      if (loop !== watching) return;
      if (refused(response)) return refusedToken(response);
      if (!response.ok) throw new Error(String(response.status));
      return response.json().then(function (data) {
        if (loop !== watching) return;
        render(data.handoffs || []);
        watch(loop, String(data.version || ""));
      });
    }).catch(function () {
      if (loop !== watching) return;
      $("s-status").textContent = "Can't reach Lantern. Trying again shortly.";
      window.setTimeout(function () { watch(loop, version); }, RETRY_MS);
    });
  }

  $("s-fhir-close").addEventListener("click", function () {
    $("s-fhir").hidden = true;
    $("s-fhir-json").textContent = "";
    if (download) URL.revokeObjectURL(download);
    download = null;
    if ($("s-fhir").returnFocus) $("s-fhir").returnFocus.focus();
  });

  $("s-login").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("s-token").value;
    $("s-token").value = "";
    prepareAlerts();
    window.clearInterval(timer);
    watching += 1;
    known = null;
    var loop = watching;
    // the first list (no sound), then the live feed; intakes every 10 seconds
    watch(loop, "");
    refreshIntakes();
    timer = window.setInterval(refreshIntakes, INTAKES_EVERY_MS);
  });
})();
