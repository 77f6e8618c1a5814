// Back office printers page: health of every printer and what the virtual printers printed,
// refreshed every 2 s without reloading, with the session's token as Bearer.
(function () {
  "use strict";
  var root = document.getElementById("printers-page");
  if (!root) return;
  var T = JSON.parse(document.getElementById("printers-i18n").textContent);
  var tokenMeta = document.querySelector('meta[name="pos-token"]');
  var HEADERS = { Authorization: "Bearer " + (tokenMeta ? tokenMeta.content : "") };
  var EVERY_MS = 2000;
  var shown = {}; // printer id -> key of the virtual output on screen

  function t(key, vars) {
    var text = T[key] || key;
    Object.keys(vars || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(vars[k])); });
    return text;
  }
  function esc(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function when(value) {
    if (value == null) return t("never");
    var d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    if (isNaN(d)) return "";
    return d.toLocaleString([], { dateStyle: "short", timeStyle: "medium" });
  }
  function api(method, path) {
    return fetch("/api/v1" + path, { method: method, headers: HEADERS, cache: "no-store" })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (body) {
          if (!res.ok) throw new Error((body && body.error && body.error.message) || String(res.status));
          return body;
        });
      });
  }
  function say(text, error) {
    var el = root.querySelector("[data-testid=message]");
    el.textContent = text;
    el.classList.toggle("is-error", !!error);
  }

  function showHealth(items) {
    items.forEach(function (p) {
      var row = root.querySelector('[data-printer="' + p.id + '"]');
      if (!row) return;
      var state = p.paper_out ? "paper_out" : p.online === true ? "online" : p.online === false ? "offline" : "unknown";
      var badge = row.querySelector("[data-testid=printer-status]");
      badge.dataset.state = state;
      badge.textContent = t(state);
      row.querySelector("[data-testid=queue-depth]").textContent = p.queue_depth;
      row.querySelector("[data-testid=last-printed]").textContent = when(p.last_printed_at);
      row.querySelector("[data-testid=last-error]").textContent = p.last_error || "";
    });
  }

  function showOutput(section, jobs) {
    var key = jobs.map(function (j) { return j.at + ":" + j.bytes; }).join(",");
    var id = section.dataset.virtual;
    if (shown[id] === key) return; // unchanged: keep the reader's scroll position
    shown[id] = key;
    var box = section.querySelector("[data-testid=virtual-output]");
    box.innerHTML = jobs.length ? jobs.map(function (j) {
      return '<figure class="virtual-ticket' + (j.complete ? "" : " is-cut") + '" data-testid="virtual-ticket">' +
        "<figcaption>" + esc(when(j.at)) + " · " + esc(t("bytes", { n: j.bytes })) +
        (j.complete ? "" : " · <b>" + esc(t("cut_off")) + "</b>") + "</figcaption>" +
        "<pre>" + esc(j.text) + "</pre></figure>";
    }).join("") : '<p class="small">' + esc(t("nothing_printed")) + "</p>";
  }

  var busy = false;
  function refresh() {
    if (busy) return;
    busy = true;
    var calls = [api("GET", "/printers/health").then(function (body) { showHealth(body.items); })];
    root.querySelectorAll("[data-virtual]").forEach(function (section) {
      calls.push(api("GET", "/printers/" + section.dataset.virtual + "/virtual-output")
        .then(function (body) { showOutput(section, body.items); }));
    });
    Promise.all(calls).then(function () {
      root.querySelector("[data-testid=updated]").textContent = t("updated", { time: when(Date.now() / 1000) });
    }, function (err) {
      say(err && err.message === "Failed to fetch" ? t("no_answer") : t("failed", { message: err.message }), true);
    }).then(function () { busy = false; });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-test-print]");
    if (!button) return;
    button.disabled = true;
    api("POST", "/printers/" + button.dataset.testPrint + "/test-print").then(function () {
      say(t("test_sent", { name: button.dataset.name }));
      refresh();
    }, function (err) {
      say(t("failed", { message: err.message }), true);
    }).then(function () { button.disabled = false; });
  });

  refresh();
  setInterval(refresh, EVERY_MS);
})();
