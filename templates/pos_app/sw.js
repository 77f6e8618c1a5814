// The branch server's service worker (pos_app/offline.py): the handheld, the kitchen screen and
// the cashier still load on this device when the branch server cannot be reached.
//
// While the server answers, every page and static file comes from it (network first), so an
// upgrade is never hidden behind old files. When it cannot be reached, a page listed in
// `shells` is answered with the copy kept for it (a "shell": the server took its bearer token
// and CSRF token out before it was kept) and static files come from this release's cache. API
// calls, Socket.IO and every other page are left alone: no API answer is ever served from here.
// A new release is a new version: its worker takes over and deletes the old release's caches.
"use strict";

var CONFIG = {{ config }};
var STATIC = "pos-static-" + CONFIG.version;
var SHELLS = "pos-shell-" + CONFIG.version;
var OURS = /^pos-(static|shell)-/;

self.addEventListener("install", function (event) {
  event.waitUntil(fillStatic().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return OURS.test(name) && name !== STATIC && name !== SHELLS;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && CONFIG.shells.indexOf(url.pathname) >= 0) {
    event.respondWith(page(request, url.pathname));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request, url.origin + url.pathname));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var work;
  if (data.type === "keep-shell") work = keepShell(String(data.path || ""));
  else if (data.type === "forget") work = forget();
  else return;
  event.waitUntil(work.then(function (answer) {
    if (port) port.postMessage(answer);
  }, function (err) {
    if (port) port.postMessage({ ok: false, error: String(err) });
  }));
});

// False once a newer release's worker took over: this one must not write into the caches.
function current() {
  return !self.serviceWorker || self.serviceWorker.state !== "redundant";
}

// The network's answer, or a failure after `ms` (a switched-off server often says nothing).
function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("no answer")); }, ms);
    promise.then(function (value) {
      clearTimeout(timer);
      resolve(value);
    }, function (err) {
      clearTimeout(timer);
      reject(err);
    });
  });
}

// A page: the server's answer whenever there is one (it carries a fresh token and is never
// kept as it is); the kept shell when the server cannot be reached, or a proxy in front of it
// says so (502-504).
function page(request, path) {
  var kept = function () {
    return caches.open(SHELLS).then(function (cache) { return cache.match(path); });
  };
  return withTimeout(fetch(request), CONFIG.navigationTimeoutMs).then(function (response) {
    if (response.status < 502 || response.status > 504) return response;
    return kept().then(function (shell) { return shell || response; });
  }, function () {
    return kept().then(function (shell) { return shell || Response.error(); });
  });
}

// A static file: from the server while it answers (the kept copy, if any, is refreshed; after
// a logout nothing is kept again until a signed-in page asks), else this release's copy.
function asset(request, key) {
  return withTimeout(fetch(request), CONFIG.navigationTimeoutMs).then(function (response) {
    if (response.ok && response.type === "basic" && current()) {
      var copy = response.clone();
      caches.has(STATIC).then(function (kept) {
        return kept && caches.open(STATIC).then(function (cache) { return cache.put(key, copy); });
      });
    }
    return response;
  }, function () {
    return caches.open(STATIC).then(function (cache) { return cache.match(key); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

// Every static file of this release that the cache does not hold yet.
function fillStatic() {
  return caches.open(STATIC).then(function (cache) {
    return Promise.all(CONFIG.assets.map(function (url) {
      return cache.match(url).then(function (hit) {
        if (hit) return null;
        return fetch(new Request(url, { cache: "no-cache" })).then(function (response) {
          return response.ok ? cache.put(url, response) : null;
        }).catch(function () { return null; });
      });
    }));
  });
}

// The shell of the page at `path`, as the signed-in user sees it now, fetched with the shell
// header; kept only when the server says it is one (a login page or an old server: nothing).
function keepShell(path) {
  if (CONFIG.shells.indexOf(path) < 0) {
    return Promise.resolve({ ok: true, kept: false, version: CONFIG.version });
  }
  var headers = {};
  headers[CONFIG.shellHeader] = "1";
  var shell = fetch(path, {
    headers: headers, cache: "no-store", credentials: "same-origin", redirect: "manual",
  }).then(function (response) {
    if (response.status !== 200 || response.headers.get(CONFIG.shellHeader) !== "1") return false;
    if (!current()) return false;
    return caches.open(SHELLS).then(function (cache) { return cache.put(path, response); })
      .then(function () { return true; });
  });
  return Promise.all([fillStatic(), shell]).then(function (done) {
    return { ok: true, kept: done[1], version: CONFIG.version };
  });
}

// Logout, a revoked session, another user: nothing of theirs stays on the device.
function forget() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return OURS.test(name); })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return { ok: true, forgotten: true, version: CONFIG.version }; });
}
