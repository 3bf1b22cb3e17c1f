/* Staff page: lists open kiosk handoff requests (GET /lantern/staff/handoffs) and
   closes them (POST /lantern/staff/handoffs/<id>/close). The token is kept in memory
   only; text from the server is put on the page with textContent. */
(function () {
  "use strict";
  var token = "";
  var timer = null;
  var $ = function (id) { return document.getElementById(id); };

  function api(path, method) {
    return fetch("/lantern/staff/handoffs" + path, {
      method: method || "GET",
      headers: { Authorization: "Bearer " + token },
      cache: "no-store",
    });
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function render(items) {
    var rows = $("s-rows");
    rows.replaceChildren();
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      var when = new Date(item.requested_at);
      tr.appendChild(cell(isNaN(when.getTime()) ? item.requested_at : when.toLocaleString()));
      tr.appendChild(cell(String(item.conversation_id).slice(0, 12)));
      var td = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Done";
      button.setAttribute("aria-label", "Mark the request from " + tr.firstChild.textContent + " as done");
      button.addEventListener("click", function () {
        api("/" + encodeURIComponent(item.id) + "/close", "POST").then(refresh);
      });
      td.appendChild(button);
      tr.appendChild(td);
      rows.appendChild(tr);
    });
    $("s-table").hidden = false;
    $("s-status").textContent = items.length
      ? items.length + (items.length === 1 ? " open request" : " open requests")
      : "No open requests.";
  }

  function refresh() {
    return api("").then(function (response) {
      if (response.status === 401 || response.status === 403) {
        $("s-table").hidden = true;
        $("s-status").textContent = "That token was not accepted (or the staff page is turned off).";
        window.clearInterval(timer);
        return;
      }
      return response.json().then(function (data) { render(data.handoffs || []); });
    }).catch(function () {
      $("s-status").textContent = "Can't reach Lantern. Trying again shortly.";
    });
  }

  $("s-login").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("s-token").value;
    $("s-token").value = "";
    window.clearInterval(timer);
    refresh().then(function () { timer = window.setInterval(refresh, 10000); });
  });
})();
