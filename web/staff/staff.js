/* Staff page: lists open kiosk requests, urgent alerts first (GET /lantern/staff/handoffs),
   closes them (POST /lantern/staff/handoffs/<id>/close), and lists today's intakes with
   scores and flags (GET /lantern/staff/intakes) with each one's FHIR JSON
   (GET /lantern/staff/intakes/<id>). The token is kept in memory only; text from the
   server is put on the page with textContent. */
(function () {
  "use strict";
  var token = "";
  var timer = null;
  var download = null;
  var shown = { handoffs: null, intakes: null };  // last rendered data: unchanged, no re-render
  var $ = function (id) { return document.getElementById(id); };
  var REASONS = {
    phq9_item9: "Urgent: PHQ-9 item 9 (thoughts of death or self-harm) above 0 or unclear",
    phq9_item9_declined: "Urgent: PHQ-9 item 9 (thoughts of death or self-harm) not answered",
    crisis_in_intake: "Urgent: crisis words during the intake",
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

  function render(items) {
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
    window.clearInterval(timer);
    refresh().then(function () { timer = window.setInterval(refresh, 10000); });
  });
})();
