// What the handheld, the cashier's screen and the bill widget share: small DOM helpers and
// the fetch wrapper of the API.
(function () {
  "use strict";

  // el("button", {class: "x", dataset: {a: 1}, onclick: f}, child, "text", [more])
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "class") node.className = value;
        else if (key === "dataset") Object.assign(node.dataset, value);
        else if (key === "text") node.textContent = value;
        else if (key === "value") node.value = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else if (value === true) node.setAttribute(key, "");
        else node.setAttribute(key, value);
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // randomUUID needs a secure context, which a branch server on a LAN address is not.
  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function NetError(message) {
    this.message = message;
  }

  // The fetch wrapper of the pages: bearer token, JSON, a timeout; a 401 signs out, a 5xx or a
  // dropped connection is a NetError (worth retrying), anything else is an answer.
  function makeApi(token, onSignedOut) {
    return function api(method, path, body, key) {
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, 12000);
      var headers = { Authorization: "Bearer " + token, "Content-Type": "application/json" };
      if (key) headers["Idempotency-Key"] = key;
      return fetch("/api/v1" + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        signal: controller.signal,
      }).then(function (res) {
        clearTimeout(timer);
        return res.json().catch(function () { return null; }).then(function (data) {
          if (res.status === 401) {
            if (onSignedOut) onSignedOut();
            throw new NetError("signed out");
          }
          if (res.status >= 500) throw new NetError("server " + res.status);
          return { ok: res.ok, status: res.status, data: data, error: data && data.error };
        });
      }, function (err) {
        clearTimeout(timer);
        throw new NetError(String(err));
      });
    };
  }

  // Owners' and managers' screens: a security alert pushed by the server (someone is guessing
  // PINs) shows as a red banner over everything until dismissed, and vibrates where it can.
  function watchSecurityAlerts(socket) {
    var source = document.getElementById("security-alert-strings");
    if (!source) return;
    var T = JSON.parse(source.textContent);
    socket.on("security_alert", function (alert) {
      var text = (alert.budget === "pin-space" ? T.pin_space : T.pin_failures)
        .replace("{source}", alert.source || "?");
      var old = document.getElementById("security-alert");
      if (old) old.remove();
      var banner = el("div", {
        id: "security-alert", class: "security-alert", role: "alert",
        "data-testid": "security-alert",
      }, el("strong", { text: T.title }), el("span", { text: text }), el("button", {
        type: "button", class: "security-alert-dismiss", text: T.dismiss,
        onclick: function () { banner.remove(); },
      }));
      document.body.appendChild(banner);
      if (navigator.vibrate) navigator.vibrate([300, 100, 300]);
    });
  }

  // A text field with a limit the server enforces: no maxlength (a paste past it would be cut
  // silently), a counter "n / max" under it instead, which turns red with a line saying how
  // much too long the text is. `words.count` and `words.over` are texts with {n}, {max} and
  // {over}; the caller asks `ok()` before it lets the form go.
  function limitText(input, max, words) {
    var counter = el("span", { class: "text-count", "aria-live": "polite",
      "data-testid": (input.getAttribute("data-testid") || "text") + "-count" });
    var fill = function (text, n) {
      return text.split("{n}").join(String(n)).split("{max}").join(String(max))
        .split("{over}").join(String(n - max));
    };
    var length = function () { return Array.from(input.value).length; }; // as the server counts
    var update = function () {
      var n = length(), over = n > max;
      counter.textContent = fill(over ? words.over : words.count, n);
      counter.dataset.over = over ? "true" : "false";
      input.setAttribute("aria-invalid", over ? "true" : "false");
    };
    input.addEventListener("input", update);
    update();
    return { counter: counter, ok: function () { return length() <= max; }, update: update };
  }

  window.PosPage = {
    el: el, append: append, clear: clear, uuid: uuid, NetError: NetError, makeApi: makeApi,
    watchSecurityAlerts: watchSecurityAlerts, limitText: limitText,
  };
})();
