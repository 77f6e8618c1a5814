// Offline pages, the browser's side (pos_app/offline.py has the server's): registers the
// service worker that keeps the working screens loadable while the branch server is down,
// and keeps what a kept copy of the page (a "shell") needs and the server took out of it.
//
// - The live page hands its bearer token to PosOffline.token(token); it is kept in this tab's
//   sessionStorage (gone when the tab closes, like the session cookie that carries it). A shell
//   comes without one and asks PosOffline.token("") for it. The logout form's CSRF token is
//   kept the same way: a logout form without one is how a shell knows it is one.
// - A logout, and every login page (where a revoked or expired session lands), forgets the
//   token, the kept copies of the pages and whatever a page kept with PosOffline.keep.
// - A shell shows the offline banner until the server answers /healthz again, then goes on
//   live; a shell that has no token (the tab was closed meanwhile), or whose page asked for
//   it (the cashier), then loads the live page instead.
(function () {
  "use strict";
  var TOKEN_KEY = "pos.offline.token";
  var CSRF_KEY = "pos.offline.csrf";
  var KEEP_PREFIX = "pos.offline.keep.";
  var LOGIN_PATHS = ["/login", "/backoffice/login"];
  var PROBE_MS = 2000;
  var root = document.documentElement;
  var logout = document.querySelector('form[action="/logout"]');
  var csrf = logout && logout.querySelector('input[name="csrf_token"]');
  var shell = !!(csrf && !csrf.value);
  var worker = ("serviceWorker" in navigator) && window.isSecureContext;
  var reloadWhenBack = false;

  function session(action, key, value) {
    try {
      if (action === "get") return sessionStorage.getItem(key);
      if (action === "set") sessionStorage.setItem(key, value);
      else sessionStorage.removeItem(key);
    } catch (err) { /* storage blocked: a reload while offline then shows the browser's page */ }
    return null;
  }

  // Nothing of the signed-in user stays: token, CSRF token, kept data, kept pages.
  function forget() {
    session("remove", TOKEN_KEY);
    session("remove", CSRF_KEY);
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(KEEP_PREFIX) === 0) localStorage.removeItem(key);
      });
    } catch (err) { /* nothing kept */ }
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return /^pos-(static|shell)-/.test(name); })
        .map(function (name) { return caches.delete(name); }));
    }).catch(function () { /* no cache storage here */ });
  }

  function ask(message) {
    if (!worker) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        var timer = setTimeout(function () { resolve(null); }, 15000);
        channel.port1.onmessage = function (event) {
          clearTimeout(timer);
          resolve(event.data);
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  // Ask the worker to keep this page's shell as the server makes it for this user now.
  function keepShell() {
    return ask({ type: "keep-shell", path: location.pathname }).then(function (answer) {
      root.dataset.offline = answer && answer.kept ? "ready" : "none";
      if (answer) root.dataset.offlineVersion = answer.version;
    });
  }

  function probe() {
    fetch("/healthz", { cache: "no-store" }).then(function (response) {
      if (response.ok) back();
      else setTimeout(probe, PROBE_MS);
    }, function () { setTimeout(probe, PROBE_MS); });
  }

  // The server answers again: the page goes on live (its socket reconnects by itself), or,
  // with no token to go on with, loads the live page.
  function back() {
    shell = false;
    root.dataset.offline = "back";
    if (window.posConnection) window.posConnection.setShell(false);
    if (reloadWhenBack || !session("get", TOKEN_KEY)) {
      location.reload();
      return;
    }
    if (worker) register();
  }

  if (LOGIN_PATHS.indexOf(location.pathname) >= 0) forget();
  if (logout) logout.addEventListener("submit", function () { forget(); });

  if (csrf && csrf.value) session("set", CSRF_KEY, csrf.value);
  if (shell) {
    csrf.value = session("get", CSRF_KEY) || "";
    root.dataset.offline = "shell";
    if (window.posConnection) window.posConnection.setShell(true);
    probe();
  }

  // Registering looks for a new release too; a shell waits until the server answers.
  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(keepShell, function () {
      root.dataset.offline = "unavailable";
    });
  }

  if (!worker) {
    if (!shell) root.dataset.offline = "unavailable"; // plain http on a LAN address: README
  } else if (logout) {
    if (!shell) {
      root.dataset.offline = "registering";
      register();
    }
    // A new release's worker took over (and dropped the old copies): keep this page again.
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (!shell) keepShell();
    });
  }

  window.PosOffline = {
    shell: shell,
    // The page's bearer token: kept when the live page gives it, given back to a shell.
    token: function (fromPage) {
      if (fromPage) {
        session("set", TOKEN_KEY, fromPage);
        return fromPage;
      }
      return session("get", TOKEN_KEY) || "";
    },
    // Data a page shows again when it is loaded as a shell (the kitchen screen's last board).
    keep: function (name, value) {
      try { localStorage.setItem(KEEP_PREFIX + name, JSON.stringify(value)); } catch (err) { /* full */ }
    },
    kept: function (name) {
      try { return JSON.parse(localStorage.getItem(KEEP_PREFIX + name) || "null"); } catch (err) { return null; }
    },
    // A page whose copy should give way to the live page once the server answers again.
    reloadWhenBack: function () { reloadWhenBack = true; },
    forget: forget,
  };
})();
