// The waiter's handheld: floor map, order taking, ready notices. One page, never reloaded.
//
// What the waiter types lives in localStorage first (a "draft" per order, its UUIDs made once),
// then goes to the server: over the /floor socket when it is up, else over HTTP. Sends are
// retried with the same UUIDs until the server has them (it is idempotent), a stale version
// (409) is answered by adding the waiter's lines again to the order as it is now, and nothing
// the waiter typed is thrown away unless they say so.
(function () {
  "use strict";
  var el = PosPage.el, append = PosPage.append, clear = PosPage.clear, uuid = PosPage.uuid;
  var limitText = PosPage.limitText;
  var NetError = PosPage.NetError, makeApi = PosPage.makeApi;

  var BOOT = JSON.parse(document.getElementById("hh-boot").textContent);
  var T = BOOT.strings;
  var STAFF = BOOT.staff;
  // A copy loaded while the server was down has no token in it: offline.js keeps this tab's.
  var TOKEN = window.PosOffline ? PosOffline.token(BOOT.token) : BOOT.token;
  var LANG = document.documentElement.lang === "ar" ? "ar" : "en";
  var STORE_KEY = "pos.handheld.v1.staff." + STAFF.id;
  var CACHE_KEY = "pos.handheld.v1.cache";
  var OPEN_STATUSES = ["open", "in_kitchen", "ready", "served", "picked_up", "out_for_delivery"];
  var STATUSES = ["free", "seated", "ordered", "ready", "served", "bill_asked", "dirty"];
  // How Arabic screens name a currency after the amount (as pos_app.money does on pages).
  var AR_CURRENCY = {
    SAR: "ر.س", AED: "د.إ", KWD: "د.ك", BHD: "د.ب", QAR: "ر.ق", OMR: "ر.ع", EGP: "ج.م", JOD: "د.أ",
  };
  var HAND_OVER = { dine_in: "served_action", takeaway: "picked_up_action", delivery: "out_action" };
  var ALLERGENS = ["gluten", "dairy", "nuts", "sesame", "egg", "fish", "shellfish", "soy"];
  var GUTTER = 14; // px for an empty grid line of the floor plan (walkways shrink, tables do not)
  var MAX_UNIT = 140; // px: wider than this, a table for two looks like a banquet
  // A tablet (handheld.css's same query) shows the floor, the menu and the check side by side;
  // a phone shows one of them at a time.
  var TABLET = window.matchMedia("(min-width: 768px) and (min-height: 600px)");

  var S = {
    currency: "SAR",
    exponent: 2,
    menu: null,
    items: new Map(),
    groups: new Map(),
    floors: [],
    floorId: null,
    tables: new Map(), // the shown floor's tables, by id
    allTables: new Map(), // every table we know, by id
    orders: new Map(), // open orders, by id
    ordersLoaded: false,
    drafts: {}, // order id -> what this handheld has not yet handed to the server
    notices: [], // ready orders the waiter has not handed over yet
    view: { name: "floor", orderId: null },
    catId: null,
    cartOpen: false,
    linkUp: false,
    everConnected: false,
  };

  // -- small helpers ------------------------------------------------------------------------

  function t(key, vars) {
    var text = T[key] || key;
    if (vars) {
      Object.keys(vars).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(vars[name]));
      });
    }
    return text;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function name(obj) {
    if (!obj) return "";
    if (obj.name && typeof obj.name === "object") return obj.name[LANG] || obj.name.en || "";
    if (LANG === "ar") return obj.name_ar || obj.name || "";
    return obj.name || "";
  }

  function floorName(floor) {
    return (LANG === "ar" && floor.name_ar) || floor.name;
  }

  // Minor units with the branch's exponent and currency, Western digits, as receipts print.
  function money(minor) {
    var exp = S.exponent, div = Math.pow(10, exp), abs = Math.abs(minor);
    var text = String(Math.floor(abs / div)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    if (exp) text += "." + String(abs % div).padStart(exp, "0");
    var symbol = LANG === "ar" ? AR_CURRENCY[S.currency] || S.currency : S.currency;
    return (minor < 0 ? "-" : "") + text + "\u00a0" + symbol;
  }

  function moneyEl(minor, cls) {
    return el("bdi", { class: "hh-money " + (cls || "") }, money(minor));
  }

  // UUIDs are made once per order and line, here; randomUUID needs a secure context, which a
  // branch server on a LAN address is not, so fall back to getRandomValues (same v4 layout).

  // The server speaks English to the API; known refusals are told in the page's language.
  function errorText(error) {
    if (!error) return t("failed");
    var key = "err_" + error.code;
    return T[key] ? T[key] : error.message || t("failed");
  }

  function courseLabel(course) {
    return course === 0 ? t("drinks") : t("course_n", { n: course });
  }

  // -- storage: drafts survive a Wi-Fi drop and a reload ---------------------------------------

  function loadLocal() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
      S.drafts = saved.drafts || {};
      S.notices = saved.notices || [];
      S.floorId = saved.floorId || null;
    } catch (err) {
      S.drafts = {};
    }
  }

  function saveLocal() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({
        drafts: S.drafts, notices: S.notices, floorId: S.floorId,
      }));
    } catch (err) { /* storage full or blocked: the page still works while open */ }
  }

  function cacheGet() {
    try { return JSON.parse(localStorage.getItem(CACHE_KEY) || "{}"); } catch (err) { return {}; }
  }

  function cachePut(key, value) {
    var cache = cacheGet();
    cache[key] = value;
    try { localStorage.setItem(CACHE_KEY, JSON.stringify(cache)); } catch (err) { /* ignore */ }
  }

  // -- talking to the server ----------------------------------------------------------------

  var api = makeApi(TOKEN, goToLogin);

  // A one-off command (void, hand over, move, ...): one Idempotency-Key per tap, so a retry
  // after a lost answer does nothing twice; a dropped request is tried twice more.
  function once(method, path, body) {
    var key = uuid();
    var attempt = function (left) {
      return api(method, path, body, key).catch(function (err) {
        if (!(err instanceof NetError) || left <= 0 || !navigator.onLine) throw err;
        return new Promise(function (resolve) { setTimeout(resolve, 1500); }).then(function () {
          return attempt(left - 1);
        });
      });
    };
    return attempt(2);
  }

  // A command over the socket when it is up (the fast path), else the same over HTTP.
  function command(event, payload, method, path, body) {
    if (socket && socket.connected && navigator.onLine) {
      return new Promise(function (resolve, reject) {
        socket.timeout(8000).emit(event, payload, function (err, ack) {
          if (err || !ack) reject(new NetError("no answer"));
          // The ack says what HTTP would: {ok, status, data} or {ok, status, error}.
          else resolve({ ok: !!ack.ok, status: ack.status, data: ack.ok ? ack.data : ack,
            error: ack.error });
        });
      }).catch(function () {
        return api(method, path, body === undefined ? payload : body); // same UUIDs: idempotent
      });
    }
    return api(method, path, body === undefined ? payload : body);
  }

  function isStale(res) {
    return !!(res && res.error && res.error.code === "stale_version" && res.error.current);
  }

  var leaving = false;
  function goToLogin() {
    // Once: session_revoked, connect_error and a 401 may all ask, and a second navigation
    // would abort the first.
    if (leaving) return;
    leaving = true;
    window.location.assign("/login?next=" + encodeURIComponent("/handheld" + location.hash));
  }
  // A sign-out from this page is already on its way to the login page: the socket's
  // session_revoked that follows it must not send a second navigation.
  var logoutForm = document.querySelector('form[action="/logout"]');
  if (logoutForm) logoutForm.addEventListener("submit", function () { leaving = true; });

  // -- orders, tables, notices --------------------------------------------------------------

  function applyOrder(order) {
    if (!order || !order.id) return;
    var known = S.orders.get(order.id);
    if (known && known.version > order.version) return;
    if (OPEN_STATUSES.indexOf(order.status) >= 0) S.orders.set(order.id, order);
    else {
      S.orders.delete(order.id);
      if (S.view.orderId === order.id && !S.drafts[order.id]) {
        flash(t("not_found"), "warn");
        goFloor();
      }
    }
    if (order.status !== "ready") dropNotice(order.id);
    render();
  }

  function applyTable(table) {
    if (!table || !table.id) return;
    S.allTables.set(table.id, table);
    if (table.floor_id === S.floorId) S.tables.set(table.id, table);
    render();
  }

  function refreshOrders() {
    return api("GET", "/orders").then(function (res) {
      if (!res.ok) return;
      S.orders = new Map();
      res.data.items.forEach(function (o) { S.orders.set(o.id, o); });
      S.ordersLoaded = true;
      cachePut("orders", res.data.items);
      // A notice missed while offline is still owed: my ready orders get one (no buzz).
      S.notices = S.notices.filter(function (n) {
        var o = S.orders.get(n.order_id);
        return o && o.status === "ready";
      });
      S.orders.forEach(function (o) {
        if (o.status === "ready" && o.waiter_id === STAFF.id && !findNotice(o.id)) {
          S.notices.push(noticeOf(o));
        }
      });
      saveLocal();
      render();
    }).catch(function () { /* offline: keep what we have */ });
  }

  function loadTables(floorId) {
    if (socket && socket.connected) {
      return new Promise(function (resolve) {
        socket.timeout(8000).emit("join_floor", { floor_id: floorId }, function (err, ack) {
          if (!err && ack && ack.ok) setFloorTables(floorId, ack.data.tables);
          resolve();
        });
      });
    }
    return api("GET", "/tables?active=true&floor_id=" + floorId).then(function (res) {
      if (res.ok) setFloorTables(floorId, res.data.items);
    }).catch(function () { /* offline: the cached plan stays */ });
  }

  function setFloorTables(floorId, tables) {
    if (floorId !== S.floorId) return;
    S.tables = new Map();
    tables.forEach(function (tb) {
      if (tb.active === false) return;
      S.tables.set(tb.id, tb);
      S.allTables.set(tb.id, tb);
    });
    cachePut("tables:" + floorId, tables);
    render();
  }

  function loadAllTables() {
    return api("GET", "/tables?active=true").then(function (res) {
      if (!res.ok) return;
      res.data.items.forEach(function (tb) { S.allTables.set(tb.id, tb); });
    });
  }

  function noticeOf(o) {
    return {
      order_id: o.id || o.order_id, number: o.number, table: o.table_label || o.table || "",
      type: o.type, customer: o.customer_name || o.customer || "", version: o.version,
      dismissed: false,
    };
  }

  function findNotice(orderId) {
    return S.notices.filter(function (n) { return n.order_id === orderId; })[0];
  }

  function dropNotice(orderId) {
    var before = S.notices.length;
    S.notices = S.notices.filter(function (n) { return n.order_id !== orderId; });
    if (S.notices.length !== before) saveLocal();
  }

  function onOrderReady(payload) {
    var known = findNotice(payload.order_id);
    if (known && known.version >= payload.version && !known.dismissed) return; // floor + staff room
    dropNotice(payload.order_id);
    S.notices.push(noticeOf(payload));
    saveLocal();
    var order = S.orders.get(payload.order_id);
    if (!order || order.waiter_id === STAFF.id) { // a colleague's order: shown, but no buzz
      if (navigator.vibrate) navigator.vibrate([300, 120, 300, 120, 500]);
      chime();
    }
    render();
  }

  function noticeText(n) {
    if (n.table) return t("ready_table", { number: n.number, table: n.table });
    if (n.customer) return t("ready_named", { number: n.number, name: n.customer });
    return t("ready_plain", { number: n.number });
  }

  function handOver(orderId, hint) {
    if (!navigator.onLine) return Promise.resolve(flash(t("offline_try_later"), "error"));
    var known = S.orders.get(orderId);
    var version = Math.max(known ? known.version : 0, hint || 0);
    var attempt = function (v, again) {
      return once("POST", "/orders/" + orderId + "/hand-over", { version: v }).then(function (res) {
        if (res.ok) {
          applyOrder(res.data);
          dropNotice(orderId);
          render();
          return flash(t(HAND_OVER[res.data.type] || "served_action"));
        }
        var current = res.error && res.error.current;
        if (again && current && current.status === "ready") {
          applyOrder(current);
          return attempt(current.version, false);
        }
        if (current) applyOrder(current);
        dropNotice(orderId);
        render();
        return flash(errorText(res.error), "error");
      });
    };
    return attempt(version, true).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  // -- drafts: the order being typed ---------------------------------------------------------

  function newDraft(fields) {
    var draft = Object.assign({
      id: uuid(), created: false, type: "dine_in", table_id: null, table_label: "", guests: null,
      customer_name: "", customer_phone: "", customer_address: "", notes: "", rush: false,
      lines: [], queued: false, error: null,
    }, fields);
    S.drafts[draft.id] = draft;
    saveLocal();
    return draft;
  }

  function draftFor(orderId, create) {
    var draft = S.drafts[orderId];
    if (!draft && create) {
      var o = S.orders.get(orderId);
      draft = newDraft({
        id: orderId, created: true, type: o ? o.type : "dine_in",
        table_id: o ? o.table_id : null, table_label: o ? o.table_label : "",
        guests: o ? o.guests : null,
      });
    }
    return draft;
  }

  function dropDraftIfEmpty(draft) {
    if (draft && !draft.lines.length && !draft.queued && (draft.created || draft.discard)) {
      delete S.drafts[draft.id];
    }
    saveLocal();
  }

  function lineUnit(line) {
    var item = S.items.get(line.item_id);
    var base = item ? item.price_minor : line._price || 0;
    return base + line.modifier_ids.reduce(function (sum, id) {
      var m = modifierById(id);
      return sum + (m ? m.price_delta_minor : 0);
    }, 0);
  }

  function modifierById(id) {
    var found = null;
    S.groups.forEach(function (g) {
      g.modifiers.forEach(function (m) { if (m.id === id) found = m; });
    });
    return found;
  }

  function wireLine(line) {
    return {
      id: line.id, item_id: line.item_id, quantity: line.quantity,
      modifier_ids: line.modifier_ids, note: line.note, allergy: line.allergy,
      seat: line.seat, course: line.course,
    };
  }

  function createBody(draft) {
    var body = {
      id: draft.id, type: draft.type, rush: !!draft.rush, notes: draft.notes || "",
      lines: draft.lines.map(wireLine), fire: true,
    };
    if (draft.type === "dine_in") {
      body.table_id = draft.table_id;
      body.guests = draft.guests;
    }
    ["customer_name", "customer_phone", "customer_address"].forEach(function (k) {
      body[k] = draft[k] || "";
    });
    return body;
  }

  function queueSend(draft) {
    draft.queued = true;
    draft.error = null;
    saveLocal();
    render();
    if (!navigator.onLine) {
      flash(t("saved_offline"), "warn");
    } else {
      flash(t("sending"));
    }
    sync();
  }

  var syncing = null, syncAgain = false, retryTimer = null;

  function sync() {
    if (syncing) {
      syncAgain = true;
      return syncing;
    }
    syncing = (async function () {
      try {
        do {
          syncAgain = false;
          await syncOnce();
        } while (syncAgain);
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  }

  async function syncOnce() {
    var queued = Object.keys(S.drafts).map(function (k) { return S.drafts[k]; })
      .filter(function (d) { return d.queued; });
    if (!queued.length || !navigator.onLine) return;
    for (var i = 0; i < queued.length; i++) {
      var draft = queued[i];
      try {
        await pushDraft(draft);
      } catch (err) {
        if (err instanceof NetError) {
          retrySoon();
          return;
        }
        draft.queued = false;
        draft.error = { code: "failed", message: String(err && err.message) };
      }
      saveLocal();
      render();
    }
  }

  function retrySoon() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      sync();
    }, 4000);
  }

  function failDraft(draft, error) {
    draft.queued = false;
    draft.error = error || { code: "failed", message: t("failed") };
    saveLocal();
    render();
    flash(t("send_failed", { message: errorText(draft.error) }), "error");
  }

  // Hand one draft to the server: create (with its lines, fired) or add the missing lines and
  // fire. Every step is safe to repeat; a stale version re-applies the lines to the order as
  // the server has it now.
  async function pushDraft(draft) {
    var order = null, res, reapplied = false;
    var pushing = lineIds(draft); // lines added while this runs go on the next round
    if (!draft.created) {
      res = await command("create_order", createBody(draft), "POST", "/orders");
      if (!res.ok) return failDraft(draft, res.error);
      order = res.data;
      draft.created = true;
      saveLocal();
      applyOrder(order);
    } else {
      order = S.orders.get(draft.id); // maybe stale: the server says so (409) and we re-apply
      if (!order) {
        res = await api("GET", "/orders/" + draft.id);
        if (!res.ok) return failDraft(draft, res.error);
        order = res.data;
        applyOrder(order);
      }
      if (OPEN_STATUSES.indexOf(order.status) < 0) {
        return failDraft(draft, { code: "order_closed", message: t("order_closed") });
      }
    }
    for (var attempt = 0; attempt < 6; attempt++) {
      var have = lineIds(order);
      var missing = draft.lines.filter(function (l) { return !have[l.id]; });
      if (!missing.length) break;
      res = await api("POST", "/orders/" + draft.id + "/lines", {
        version: order.version, lines: missing.map(wireLine),
      });
      if (res.ok) {
        order = res.data;
        applyOrder(order);
        break;
      }
      if (isStale(res)) {
        order = res.error.current; // someone else changed it: add ours to it as it is now
        applyOrder(order);
        reapplied = true;
        continue;
      }
      if (res.error && res.error.code === "order_closed") {
        applyOrder(res.error.current);
        return failDraft(draft, { code: "order_closed", message: t("order_closed") });
      }
      return failDraft(draft, res.error);
    }
    if (draft.created && draft.rush && !order.rush) {
      res = await api("PATCH", "/orders/" + draft.id, { version: order.version, rush: true });
      if (res.ok) {
        order = res.data;
        applyOrder(order);
      }
    }
    for (attempt = 0; attempt < 6 && order.pending_changes; attempt++) {
      res = await command("fire_order", { order_id: draft.id, version: order.version }, "POST",
        "/orders/" + draft.id + "/fire", { version: order.version });
      if (res.ok) {
        order = res.data;
        applyOrder(order);
        break;
      }
      if (isStale(res)) {
        order = res.error.current;
        applyOrder(order);
        continue;
      }
      if (res.error && res.error.code === "nothing_to_fire") break;
      return failDraft(draft, res.error);
    }
    var sent = lineIds(order);
    draft.lines = draft.lines.filter(function (l) { return !sent[l.id]; });
    if (draft.lines.some(function (l) { return pushing[l.id]; })) {
      return failDraft(draft, { code: "stale_version", message: t("failed") }); // kept, shown
    }
    draft.error = null;
    if (draft.lines.length) syncAgain = true; // typed meanwhile: they follow at once
    else {
      draft.queued = false;
      delete S.drafts[draft.id];
    }
    saveLocal();
    flash(reapplied ? t("reapplied") : t("sent_ok"), reapplied ? "warn" : "ok");
  }

  function lineIds(order) {
    var ids = {};
    (order.lines || []).forEach(function (l) { ids[l.id] = true; });
    return ids;
  }

  // -- the socket -----------------------------------------------------------------------------

  var socket = null;

  function connect() {
    if (typeof io !== "function") return;
    socket = io("/floor", {
      auth: { token: TOKEN }, transports: ["websocket"],
      reconnectionDelay: 500, reconnectionDelayMax: 4000, timeout: 8000,
    });
    socket.on("connect", function () {
      if (S.everConnected) refreshMenu();
      S.everConnected = true;
      setLink();
      if (S.floorId) loadTables(S.floorId);
      refreshOrders().then(sync);
    });
    socket.on("disconnect", setLink);
    socket.on("connect_error", function (err) {
      var code = err && err.data && err.data.error && err.data.error.code;
      if (code && /^token_|staff_inactive/.test(code)) goToLogin();
      setLink();
    });
    socket.on("table_updated", applyTable);
    socket.on("order_updated", applyOrder);
    socket.on("order_ready", onOrderReady);
    // Logout, deactivation, a new PIN or an expired login: the server says so, then hangs up.
    socket.on("session_revoked", goToLogin);
    PosPage.watchSecurityAlerts(socket);  // pushed to owners and managers only
  }

  function setLink() {
    S.linkUp = !!(socket && socket.connected && navigator.onLine);
    if (window.posConnection) window.posConnection.setOnline(S.linkUp || !S.everConnected && navigator.onLine);
    render();
  }

  window.addEventListener("offline", function () {
    if (socket) socket.disconnect(); // the OS says the network is gone: stop pretending
    setLink();
  });
  window.addEventListener("online", function () {
    if (socket && !socket.connected) socket.connect();
    setLink();
    sync(); // over HTTP while the socket is still reconnecting
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && navigator.onLine) {
      refreshOrders();
      refreshMenu();
      sync();
    }
  });
  setInterval(function () {
    if (navigator.onLine && Object.keys(S.drafts).some(function (k) { return S.drafts[k].queued; })) sync();
  }, 10000);

  // -- sound: a chime needs an audio context unlocked by a tap --------------------------------

  var audio = null;
  document.addEventListener("pointerdown", function () {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (err) { audio = null; }
  }, true);

  function chime() {
    if (!audio) return;
    var now = audio.currentTime;
    [988, 1319, 1568].forEach(function (freq, i) {
      var osc = audio.createOscillator(), gain = audio.createGain(), at = now + i * 0.16;
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.4);
    });
  }

  // -- toast ----------------------------------------------------------------------------------

  var toastTimer = null;

  function flash(message, kind) {
    var box = $("hh-toast");
    box.textContent = message;
    box.dataset.kind = kind || "ok";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, kind === "error" ? 6000 : 2600);
  }

  // -- rendering ------------------------------------------------------------------------------

  var renderQueued = false, memo = {};

  // Rebuild a part of the screen only when what it shows changed: a rebuilt table would
  // restart its "ready" glow and a rebuilt notice would drop in again.
  function changed(part, key) {
    var text = JSON.stringify(key);
    if (memo[part] === text) return false;
    memo[part] = text;
    return true;
  }

  function render() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(function () {
      renderQueued = false;
      renderNow();
    });
  }

  function renderNow() {
    var onOrder = S.view.name === "order", both = TABLET.matches;
    $("hh").dataset.view = S.view.name;
    $("hh").dataset.layout = both ? "tablet" : "phone";
    $("hh-floor").hidden = onOrder && !both;
    $("hh-order").hidden = !onOrder && !both;
    renderLink();
    renderNotices();
    if (onOrder || both) renderOrder();
    if (!onOrder || both) renderFloor();
  }

  function renderLink() {
    var link = $("hh-link");
    var state = S.linkUp ? "live" : navigator.onLine && !S.everConnected ? "connecting"
      : navigator.onLine ? "reconnecting" : "offline";
    link.dataset.state = state;
    link.textContent = state === "live" ? t("live") : state === "offline" ? t("offline")
      : t("reconnecting");
  }

  function renderNotices() {
    // The three newest stay on top of the screen; older ones live on as badges on the map.
    var visible = S.notices.filter(function (n) { return !n.dismissed; }).slice(-3).reverse();
    if (!changed("notices", visible)) return;
    var box = clear($("hh-notices"));
    visible.forEach(function (n) {
      box.appendChild(el("div", { class: "hh-notice", role: "alert", "data-testid": "ready-notice",
        dataset: { order: n.order_id } },
        el("button", { type: "button", class: "hh-notice-text", onclick: function () {
          openOrder(n.order_id);
        } }, el("span", { class: "hh-notice-bell", "aria-hidden": "true" }), noticeText(n)),
        el("div", { class: "hh-notice-actions" },
          el("button", { type: "button", class: "hh-btn hh-btn-light", "data-testid": "notice-served",
            onclick: function () { handOver(n.order_id, n.version); } }, t(HAND_OVER[n.type] || "served_action")),
          el("button", { type: "button", class: "hh-icon-btn hh-notice-close", "aria-label": t("dismiss"),
            "data-testid": "notice-dismiss", onclick: function () {
              n.dismissed = true;
              saveLocal();
              render();
            } }, "✕"))));
    });
  }

  // The floor plan: x/y/width/height in grid units. Empty grid lines shrink to a gutter, and
  // a wide plan on a narrow portrait phone is drawn turned (rows become columns), so tables
  // stay big enough for a thumb.
  function renderFloor() {
    if (changed("floors", [S.floors, S.floorId])) renderFloorTabs();
    renderOutbox();
    renderMap();
    var legend = $("hh-legend");
    if (!legend.childElementCount) {
      STATUSES.forEach(function (s) {
        legend.appendChild(el("li", { class: "hh-legend-item" },
          el("span", { class: "hh-swatch hh-st-" + s, "aria-hidden": "true" }), t("status_" + s)));
      });
    }
    var count = $("hh-orders-count");
    var n = listOrders().length;
    count.hidden = !n;
    count.textContent = n;
  }

  function renderFloorTabs() {
    var tabs = clear($("hh-floor-tabs"));
    S.floors.forEach(function (f) {
      tabs.appendChild(el("button", {
        type: "button", role: "tab", class: "hh-tab", "aria-selected": f.id === S.floorId ? "true" : "false",
        "data-testid": "floor-tab-" + f.id, onclick: function () { chooseFloor(f.id); },
      }, floorName(f)));
    });
  }

  function renderOutbox() {
    var drafts = Object.keys(S.drafts).map(function (k) { return S.drafts[k]; });
    var waiting = drafts.filter(function (d) { return d.queued; });
    var broken = drafts.filter(function (d) { return d.error && d.lines.length; });
    var bar = $("hh-outbox");
    bar.hidden = !waiting.length && !broken.length;
    bar.dataset.kind = broken.length ? "error" : "warn";
    bar.textContent = broken.length ? t("outbox_error", { n: broken.length })
      : t("outbox", { n: waiting.length });
    bar.onclick = function () {
      var first = broken[0] || waiting[0];
      if (first) openOrder(first.id);
    };
  }

  function renderMap() {
    var wrap = $("hh-map-wrap"), map = $("hh-map");
    var tables = Array.from(S.tables.values());
    var key = [wrap.clientWidth, wrap.clientHeight, TABLET.matches, S.view.orderId,
      window.innerHeight > window.innerWidth, tables.map(function (tb) {
      var o = tb.order_id && S.orders.get(tb.order_id);
      var d = localDraftAt(tb.id) || (tb.order_id && S.drafts[tb.order_id]);
      return [tb, o ? [o.number, o.guests] : 0, d ? [d.lines.length, d.queued, d.guests] : 0,
        !!(tb.order_id && findNotice(tb.order_id))];
    })];
    if (!changed("map", key)) return;
    clear(map);
    if (!tables.length) return;
    var spanX = Math.max.apply(null, tables.map(function (tb) { return tb.x + tb.width; }));
    var spanY = Math.max.apply(null, tables.map(function (tb) { return tb.y + tb.height; }));
    var style = getComputedStyle(wrap);
    var width = wrap.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var height = wrap.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    var plan = TABLET.matches ? fitPane(tables, width, height)
      : phonePlan(tables, width, spanX > spanY && width < 600 && window.innerHeight > window.innerWidth);
    var turn = plan.turn, boxes = plan.boxes, cols = plan.cols, rows = plan.rows;
    var unitX = plan.unitX, unitY = plan.unitY;
    var px = function (a, i, unit) { return a.used[i] * unit + a.empty_at[i] * GUTTER; };
    map.style.width = px(cols, cols.span, unitX) + "px";
    map.style.height = px(rows, rows.span, unitY) + "px";
    map.dataset.turned = turn ? "true" : "false";
    boxes.forEach(function (b) {
      var left = px(cols, b.x, unitX), top = px(rows, b.y, unitY);
      map.appendChild(tableTile(b.tb, {
        left: left, top: top,
        width: px(cols, b.x + b.w, unitX) - left, height: px(rows, b.y + b.h, unitY) - top,
      }));
    });
  }

  function planBoxes(tables, turn) {
    var boxes = tables.map(function (tb) {
      return turn ? { tb: tb, x: tb.y, y: tb.x, w: tb.height, h: tb.width }
        : { tb: tb, x: tb.x, y: tb.y, w: tb.width, h: tb.height };
    });
    return { turn: turn, boxes: boxes, cols: axis(boxes, "x", "w"), rows: axis(boxes, "y", "h") };
  }

  // A phone: the plan as wide as the screen, rows of a fixed height (the page scrolls).
  function phonePlan(tables, width, turn) {
    var plan = planBoxes(tables, turn);
    plan.unitX = Math.max(56, Math.min(MAX_UNIT, (width - plan.cols.emptyCount * GUTTER) / plan.cols.usedCount));
    plan.unitY = turn ? 66 : Math.max(64, Math.min(110, plan.unitX * 0.8));
    return plan;
  }

  // A tablet: the plan fills its pane both ways, turned if that makes the tables bigger.
  function fitPane(tables, width, height) {
    var best = null;
    [false, true].forEach(function (turn) {
      var plan = planBoxes(tables, turn);
      var fit = function (room, a) { return (room - a.emptyCount * GUTTER) / a.usedCount; };
      // 44 px is the smallest target for a thumb; a table is rarely a single grid unit wide.
      plan.unitX = Math.max(44, Math.min(MAX_UNIT * 1.3, fit(width, plan.cols)));
      plan.unitY = Math.max(44, Math.min(MAX_UNIT, fit(height, plan.rows)));
      plan.size = Math.min(plan.unitX, plan.unitY);
      if (!best || plan.size > best.size + 1) best = plan;
    });
    return best;
  }

  // Per grid line: how many used lines (a table's width each) and empty ones (a gutter each)
  // come before it.
  function axis(boxes, pos, size) {
    var span = 0;
    boxes.forEach(function (b) { span = Math.max(span, b[pos] + b[size]); });
    var busy = new Array(span).fill(false);
    boxes.forEach(function (b) {
      for (var i = b[pos]; i < b[pos] + b[size]; i++) busy[i] = true;
    });
    var used = [0], empty = [0];
    for (var i = 0; i < span; i++) {
      used.push(used[i] + (busy[i] ? 1 : 0));
      empty.push(empty[i] + (busy[i] ? 0 : 1));
    }
    return { span: span, used: used, empty_at: empty, emptyCount: empty[span], usedCount: used[span] };
  }

  function localDraftAt(tableId) {
    return Object.keys(S.drafts).map(function (k) { return S.drafts[k]; }).filter(function (d) {
      return !d.created && d.type === "dine_in" && d.table_id === tableId;
    })[0];
  }

  function tableTile(tb, box) {
    var order = tb.order_id ? S.orders.get(tb.order_id) : null;
    var draft = localDraftAt(tb.id) || (tb.order_id && S.drafts[tb.order_id]);
    var status = tb.status;
    var pending = draft && draft.lines.length;
    if (status === "free" && pending) status = "seated";
    var notice = tb.order_id && findNotice(tb.order_id);
    var meta = [];
    if (order) meta.push("#" + order.number);
    var guests = order ? order.guests : draft ? draft.guests : null;
    if (status === "free") guests = tb.seats; // free: how many it seats
    if (guests) meta.push(el("span", { class: "hh-guests" }, el("span", { class: "hh-person", "aria-hidden": "true" }), guests));
    var tile = el("button", {
      type: "button", class: "hh-table hh-st-" + status + " hh-shape-" + tb.shape + (pending ? " hh-has-draft" : "") +
        (isOpenHere(tb, draft) ? " hh-table-current" : ""),
      "aria-current": isOpenHere(tb, draft) ? "true" : null,
      "data-testid": "table-" + tb.label, dataset: { status: tb.status, tableId: tb.id },
      "aria-label": t("table_n", { label: tb.label }) + " — " + t("status_" + tb.status),
      onclick: function () { tapTable(tb); },
    },
    el("span", { class: "hh-table-label" }, tb.label),
    el("span", { class: "hh-table-meta" }, meta),
    pending ? el("span", { class: "hh-table-flag", "data-testid": "table-draft" }, draft.queued ? t("queued") : t("not_sent")) : null,
    notice ? el("span", { class: "hh-badge-ready", "data-testid": "table-ready-badge", "aria-label": t("status_ready") }, "!") : null);
    // Set through the CSSOM: a style attribute is inline style, which the CSP refuses.
    Object.assign(tile.style, { left: box.left + "px", top: box.top + "px", width: box.width + "px", height: box.height + "px" });
    return tile;
  }

  // The table whose order is on the screen beside the map (a tablet marks it).
  function isOpenHere(tb, draft) {
    var id = S.view.orderId;
    return !!id && (tb.order_id === id || (!!draft && draft.id === id));
  }

  function tapTable(tb) {
    var draft = localDraftAt(tb.id);
    if (tb.order_id && (!draft || draft.created)) return openOrder(tb.order_id);
    if (draft) return openOrder(draft.id);
    if (tb.status === "dirty") return clearSheet(tb);
    if (tb.status === "free") return guestsSheet(tb);
    return null;
  }

  function chooseFloor(id) {
    S.floorId = id;
    S.tables = new Map();
    var cached = cacheGet()["tables:" + id];
    if (cached) cached.forEach(function (tb) { if (tb.active !== false) S.tables.set(tb.id, tb); });
    saveLocal();
    render();
    loadTables(id);
  }

  // -- the order screen -----------------------------------------------------------------------

  function current() {
    var id = S.view.orderId;
    return { id: id, order: S.orders.get(id) || null, draft: S.drafts[id] || null };
  }

  function renderOrder() {
    var c = current();
    var o = c.order, d = c.draft;
    $("hh-order").dataset.empty = c.id ? "false" : "true";
    if (!c.id) return renderNoOrder(c);
    if (!o && !d) {
      $("hh-order-title").textContent = t("loading");
      return;
    }
    var type = (o || d).type;
    var label = o ? o.table_label : d.table_label;
    var customer = o ? o.customer_name : d.customer_name;
    $("hh-order-title").textContent = type === "dine_in" ? t("table_n", { label: label })
      : t(type) + (customer ? " · " + customer : "");
    var sub = [];
    if (o) sub.push("#" + o.number);
    var guests = o ? o.guests : d.guests;
    if (guests) sub.push(t("guests_n", { n: guests }));
    sub.push(o ? t("order_" + o.status) : t("new_order"));
    $("hh-order-sub").textContent = sub.join(" · ");
    var rush = o ? o.rush : d.rush;
    $("hh-rush").setAttribute("aria-pressed", rush ? "true" : "false");
    $("hh-bill-btn").hidden = !o;
    renderAlert(c);
    renderMenu(c);
    renderCart(c);
  }

  // A tablet shows the menu and the check before a table is chosen: say what to do first.
  function renderNoOrder(c) {
    $("hh-order-title").textContent = t("choose_table");
    $("hh-order-sub").textContent = t("choose_table_hint");
    $("hh-rush").setAttribute("aria-pressed", "false");
    $("hh-bill-btn").hidden = true;
    $("hh-order-alert").hidden = true;
    renderMenu(c);
    renderCart(c);
  }

  function renderAlert(c) {
    var box = clear($("hh-order-alert")), d = c.draft;
    box.hidden = true;
    if (d && d.queued) {
      box.hidden = false;
      box.dataset.kind = "warn";
      box.appendChild(el("span", { "data-testid": "queued-state" }, navigator.onLine && S.linkUp ? t("sending") : t("saved_offline")));
      return;
    }
    if (!d || !d.error || !d.lines.length) return;
    box.hidden = false;
    box.dataset.kind = "error";
    var code = d.error.code;
    var message = code === "table_taken" ? t("table_taken") : code === "order_closed" ? t("order_closed")
      : t("send_failed", { message: errorText(d.error) });
    box.appendChild(el("span", null, message));
    var actions = el("div", { class: "hh-alert-actions" });
    if (code === "table_taken") {
      actions.appendChild(el("button", { type: "button", class: "hh-btn", onclick: function () { joinTableOrder(d); } }, t("add_to_table_order")));
    }
    if (code === "order_closed") {
      actions.appendChild(el("button", { type: "button", class: "hh-btn", onclick: function () { restartDraft(d); } }, t("start_new_with_items")));
    }
    box.appendChild(actions);
  }

  function joinTableOrder(d) {
    api("GET", "/orders?table_id=" + d.table_id).then(function (res) {
      var target = res.ok && res.data.items[0];
      if (!target) return flash(t("failed"), "error");
      applyOrder(target);
      var into = draftFor(target.id, true);
      into.lines = into.lines.concat(d.lines);
      delete S.drafts[d.id];
      saveLocal();
      openOrder(target.id);
      queueSend(into);
    }).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function restartDraft(d) {
    var fresh = newDraft({
      type: d.type, table_id: d.table_id, table_label: d.table_label, guests: d.guests,
      customer_name: d.customer_name, customer_phone: d.customer_phone,
      customer_address: d.customer_address, lines: d.lines,
    });
    if (fresh.type === "dine_in" && !fresh.table_id) fresh.type = "takeaway";
    delete S.drafts[d.id];
    saveLocal();
    openOrder(fresh.id);
  }

  function renderMenu(c) {
    var menu = S.menu;
    if (!menu) return;
    var cats = menu.categories.filter(function (cat) { return cat.items.length; });
    if (!cats.some(function (cat) { return cat.id === S.catId; })) S.catId = cats.length ? cats[0].id : null;
    var inCart = {};
    (c.draft ? c.draft.lines : []).forEach(function (l) { inCart[l.item_id] = (inCart[l.item_id] || 0) + l.quantity; });
    if (!changed("menu", [S.menuRev, S.catId, inCart, S.currency, S.exponent])) return;
    var tabs = clear($("hh-cats"));
    cats.forEach(function (cat) {
      tabs.appendChild(el("button", {
        type: "button", role: "tab", class: "hh-tab", "aria-selected": cat.id === S.catId ? "true" : "false",
        "data-testid": "cat-" + cat.id, onclick: function () {
          S.catId = cat.id;
          render();
        },
      }, name(cat)));
    });
    var grid = clear($("hh-items"));
    var cat = cats.filter(function (x) { return x.id === S.catId; })[0];
    if (!cat) return;
    cat.items.forEach(function (item) {
      grid.appendChild(el("button", {
        type: "button", class: "hh-item", "data-testid": "item-" + item.id, dataset: { name: item.name.en },
        onclick: function () { tapItem(item); },
      },
      el("span", { class: "hh-item-name" }, name(item)),
      el("span", { class: "hh-item-foot" }, moneyEl(item.price_minor, "hh-item-price"),
        item.modifier_group_ids.length ? el("span", { class: "hh-item-opts" }, t("options")) : null),
      inCart[item.id] ? el("span", { class: "hh-item-count" }, inCart[item.id]) : null));
    });
  }

  function courseOfLine(line) {
    return typeof line.course === "number" ? line.course : 1;
  }

  function renderCart(c) {
    var o = c.order, d = c.draft;
    $("hh-cart").dataset.open = S.cartOpen ? "true" : "false";
    if (!changed("cart", [c.id, o, d, S.menuRev, S.currency, S.exponent, S.linkUp])) return;
    var box = clear($("hh-cart-lines"));
    var serverLines = o ? o.lines : [];
    var onServer = o ? lineIds(o) : {};
    var localLines = (d ? d.lines : []).filter(function (l) { return !onServer[l.id]; });
    var courses = {};
    serverLines.forEach(function (l) { (courses[l.course] = courses[l.course] || { server: [], local: [] }).server.push(l); });
    localLines.forEach(function (l) { var k = courseOfLine(l); (courses[k] = courses[k] || { server: [], local: [] }).local.push(l); });
    var keys = Object.keys(courses).map(Number).sort(function (a, b) { return a - b; });
    var count = 0, total = o ? o.total_minor : 0;
    serverLines.forEach(function (l) { count += l.quantity; });
    localLines.forEach(function (l) { count += l.quantity; total += lineUnit(l) * l.quantity; });
    if (!keys.length) box.appendChild(el("p", { class: "hh-empty" }, c.id ? t("empty_order") : t("choose_table_hint")));
    keys.forEach(function (course) {
      var group = courses[course];
      var held = o && o.released_course >= 0 && course > o.released_course &&
        group.server.some(function (l) { return l.sent_quantity > 0 && l.quantity > 0; });
      var head = el("div", { class: "hh-course-head", "data-testid": "course-" + course },
        el("span", { class: "hh-course-name" }, courseLabel(course)),
        held ? el("span", { class: "hh-tag hh-tag-held" }, t("held")) : null,
        held ? el("button", { type: "button", class: "hh-btn hh-btn-fire", "data-testid": "fire-course-" + course,
          onclick: function () { fireCourse(o, course); } }, t("fire_course_n", { n: course })) : null);
      var list = el("ul", { class: "hh-lines" });
      group.server.forEach(function (l) { list.appendChild(serverLine(o, l, held)); });
      group.local.forEach(function (l) { list.appendChild(localLine(d, l)); });
      box.appendChild(el("section", { class: "hh-course" }, head, list));
    });
    $("hh-cart-count").textContent = t("items_n", { n: count });
    clear($("hh-cart-total")).appendChild(el("span", { class: "hh-cart-total-label" }, t("total")));
    $("hh-cart-total").appendChild(moneyEl(total, "hh-cart-total-money"));
    var send = $("hh-send");
    var canSend = (d && d.lines.length && !d.queued) || (o && o.pending_changes && !(d && d.queued));
    send.disabled = !canSend;
    send.textContent = d && d.queued ? t("queued") : t("send");
  }

  function lineDetails(mods, line) {
    var bits = [];
    if (mods.length) bits.push(el("span", { class: "hh-line-mods" }, mods.join(", ")));
    if (line.seat) bits.push(el("span", { class: "hh-line-seat" }, t("seat_n", { n: line.seat })));
    if (line.note) bits.push(el("span", { class: "hh-line-note" }, line.note));
    if (line.allergy) bits.push(el("span", { class: "hh-line-allergy" }, t("allergy_n", { text: line.allergy })));
    return bits.length ? el("div", { class: "hh-line-details" }, bits) : null;
  }

  function serverLine(o, l, held) {
    var mods = (l.modifiers || []).map(function (m) { return LANG === "ar" ? m.name_ar || m.name : m.name; });
    var voided = l.quantity === 0;
    var unsent = l.quantity !== l.sent_quantity;
    var state = voided ? "voided" : unsent ? "unsent" : held ? "held" : "sent";
    var tag = voided ? t("voided") : unsent ? t("not_sent") : held ? t("held") : t("sent");
    return el("li", { class: "hh-line hh-line-" + state, "data-testid": "cart-line", dataset: { state: state, lineId: l.id } },
      el("div", { class: "hh-line-main" },
        el("span", { class: "hh-line-qty" }, voided ? "—" : l.quantity + "×"),
        el("span", { class: "hh-line-name" }, name(l)),
        moneyEl(l.total_minor, "hh-line-price")),
      lineDetails(mods, l),
      voided && l.void_reason ? el("div", { class: "hh-line-details" }, el("span", { class: "hh-line-note" }, l.void_reason)) : null,
      el("div", { class: "hh-line-foot" },
        el("span", { class: "hh-tag hh-tag-" + state }, tag),
        !voided ? el("button", { type: "button", class: "hh-btn hh-btn-small hh-btn-danger", "data-testid": "void-line",
          onclick: function () { voidSheet(o, l); } }, t("void_item")) : null));
  }

  function localLine(d, l) {
    var item = S.items.get(l.item_id);
    var mods = l.modifier_ids.map(function (id) { var m = modifierById(id); return m ? name(m) : ""; }).filter(Boolean);
    var state = d.queued ? "queued" : "local";
    return el("li", { class: "hh-line hh-line-" + state, "data-testid": "cart-line", dataset: { state: state, lineId: l.id } },
      el("button", { type: "button", class: "hh-line-edit", disabled: d.queued, onclick: function () {
        if (item) itemSheet(item, l);
      } },
      el("div", { class: "hh-line-main" },
        el("span", { class: "hh-line-qty" }, l.quantity + "×"),
        el("span", { class: "hh-line-name" }, item ? name(item) : l._name ? l._name[LANG] || l._name.en : "?"),
        moneyEl(lineUnit(l) * l.quantity, "hh-line-price")),
      lineDetails(mods, l),
      el("div", { class: "hh-line-foot" },
        el("span", { class: "hh-tag hh-tag-" + state }, d.queued ? t("queued") : t("not_sent")))));
  }

  function tapItem(item) {
    var c = current();
    if (!c.id) return flash(t("choose_table_first"), "warn");
    if (!c.order && !c.draft) return;
    // A draft waiting to send may grow (the new lines go with it); its queued lines stay as
    // they are, since the server may already have them.
    if (item.modifier_group_ids.length) return itemSheet(item, null);
    var d = draftFor(c.id, true);
    var same = d.queued ? null : d.lines.filter(function (l) {
      return l.item_id === item.id && !l.modifier_ids.length && !l.note && !l.allergy && !l.seat &&
        l.course === item.course && l.quantity < 99;
    })[0];
    if (same) same.quantity += 1;
    else d.lines.push(makeLine(item, { quantity: 1, modifier_ids: [], seat: null, course: item.course, note: "", allergy: "" }));
    d.error = null;
    saveLocal();
    render();
    bumpCart();
  }

  function makeLine(item, fields) {
    return Object.assign({ id: uuid(), item_id: item.id, _name: item.name, _price: item.price_minor }, fields);
  }

  function bumpCart() {
    var head = document.querySelector(".hh-cart-head");
    head.classList.remove("hh-bump");
    void head.offsetWidth;
    head.classList.add("hh-bump");
  }

  function fireCourse(o, course) {
    if (!navigator.onLine) return flash(t("offline_try_later"), "error");
    var attempt = function (version, again) {
      return command("fire_order", { order_id: o.id, version: version, course: course }, "POST",
        "/orders/" + o.id + "/fire", { version: version, course: course }).then(function (res) {
        if (res.ok) {
          applyOrder(res.data.order || res.data);
          return flash(t("sent_ok"));
        }
        if (again && isStale(res)) {
          applyOrder(res.error.current);
          return attempt(res.error.current.version, false);
        }
        flash(errorText(res.error), "error");
      });
    };
    attempt(S.orders.get(o.id).version, true).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function send() {
    var c = current();
    var d = c.draft;
    if (!d && c.order && c.order.pending_changes) d = draftFor(c.id, true);
    if (!d) return;
    if (!d.lines.length && !(c.order && c.order.pending_changes)) return;
    queueSend(d);
    S.cartOpen = false;
    goFloor();
  }

  function toggleRush() {
    var c = current();
    if (!c.order && c.draft) {
      c.draft.rush = !c.draft.rush;
      saveLocal();
      return render();
    }
    if (!c.order) return;
    if (!navigator.onLine) return flash(t("offline_try_later"), "error");
    var wanted = !c.order.rush;
    var attempt = function (version, again) {
      return once("PATCH", "/orders/" + c.id, { version: version, rush: wanted }).then(function (res) {
        if (res.ok) return applyOrder(res.data);
        if (again && isStale(res)) {
          applyOrder(res.error.current);
          return attempt(res.error.current.version, false);
        }
        flash(errorText(res.error), "error");
      });
    };
    attempt(c.order.version, true).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  // -- routing: #floor or #order=<uuid>; a reload comes back to the same screen ----------------

  function openOrder(id) {
    location.hash = "order=" + id;
  }

  function goFloor() {
    location.hash = "floor";
  }

  function route() {
    var m = /^#order=([0-9a-fA-F-]{36})$/.exec(location.hash);
    closeSheet();
    var left = S.view.orderId && S.drafts[S.view.orderId];
    if (left && !left.lines.length && !left.queued) {
      delete S.drafts[left.id]; // opened a table, added nothing, went back: nothing to keep
      saveLocal();
    }
    if (m) {
      var id = m[1].toLowerCase();
      if (S.view.orderId !== id) S.cartOpen = false;
      S.view = { name: "order", orderId: id };
      if (!S.orders.get(id) && !S.drafts[id]) {
        api("GET", "/orders/" + id).then(function (res) {
          if (res.ok) applyOrder(res.data);
          else {
            flash(t("not_found"), "error");
            goFloor();
          }
        }).catch(function () { flash(t("offline_try_later"), "error"); goFloor(); });
      }
    } else {
      S.view = { name: "floor", orderId: null };
    }
    window.scrollTo(0, 0);
    render();
  }

  // -- sheets ---------------------------------------------------------------------------------

  var sheetOnClose = null;

  function openSheet(title, testid, build) {
    var root = $("hh-sheet");
    root.querySelector(".hh-sheet-panel").dataset.testid = testid;
    root.querySelector(".hh-sheet-panel").setAttribute("data-testid", testid);
    $("hh-sheet-title").textContent = title;
    var body = clear($("hh-sheet-body")), foot = clear($("hh-sheet-foot"));
    root.hidden = false;
    document.body.classList.add("hh-sheet-open");
    sheetOnClose = null;
    build(body, foot);
  }

  function closeSheet() {
    var root = $("hh-sheet");
    if (root.hidden) return;
    root.hidden = true;
    clear($("hh-sheet-body"));
    clear($("hh-sheet-foot"));
    document.body.classList.remove("hh-sheet-open");
    if (sheetOnClose) sheetOnClose();
    sheetOnClose = null;
  }

  function field(label, input, hint, limit) {
    var tag = /^(INPUT|TEXTAREA|SELECT)$/.test(input.tagName) ? "label" : "div";
    return el(tag, { class: "hh-field" }, el("span", { class: "hh-field-label" }, label, hint ? el("span", { class: "hh-field-hint" }, hint) : null), input,
      limit ? limit.counter : null);
  }

  // The server's limits of the free-text fields (pos_app/orders/schemas.py).
  var LIMITS = { note: 300, allergy: 200, reason: 300, address: 300, name: 120 };

  function limited(input, max, onchange) {
    var limit = limitText(input, max, { count: t("chars_n"), over: t("chars_over") });
    if (onchange) input.addEventListener("input", onchange);
    return limit;
  }

  function stepper(value, min, max, onchange, testid) {
    var out = el("output", { class: "hh-stepper-value", "data-testid": testid + "-value" }, value);
    var set = function (v) {
      value = Math.max(min, Math.min(max, v));
      out.textContent = value;
      minus.disabled = value <= min;
      plus.disabled = value >= max;
      onchange(value);
    };
    var minus = el("button", { type: "button", class: "hh-step", "aria-label": "−", "data-testid": testid + "-minus", onclick: function () { set(value - 1); } }, "−");
    var plus = el("button", { type: "button", class: "hh-step", "aria-label": "+", "data-testid": testid + "-plus", onclick: function () { set(value + 1); } }, "+");
    minus.disabled = value <= min;
    plus.disabled = value >= max;
    return el("div", { class: "hh-stepper", dir: "ltr" }, minus, out, plus);
  }

  function chips(options, selected, onpick, testid) {
    var box = el("div", { class: "hh-chips", role: "radiogroup" });
    options.forEach(function (opt) {
      box.appendChild(el("button", {
        type: "button", class: "hh-chip", role: "radio", "aria-checked": opt.value === selected ? "true" : "false",
        "data-testid": testid + "-" + (opt.value === null ? "none" : opt.value),
        onclick: function () {
          selected = opt.value;
          box.querySelectorAll(".hh-chip").forEach(function (b) { b.setAttribute("aria-checked", "false"); });
          this.setAttribute("aria-checked", "true");
          onpick(opt.value);
        },
      }, opt.label));
    });
    return box;
  }

  var MAX_GUESTS = 99; // the server's limit (pos_app/orders/schemas.py)

  // One tap for the usual party (buttons up to 12, or a little past the table's seats), and a
  // number field for a big one: tables get pushed together, a banquet seats 20 or 30.
  function guestsSheet(tb) {
    openSheet(t("table_n", { label: tb.label }) + " · " + t("how_many_guests"), "guests-sheet", function (body) {
      var grid = el("div", { class: "hh-guest-grid" });
      var most = Math.max(12, Math.min(24, tb.seats + 4));
      for (var n = 1; n <= most; n++) {
        (function (count) {
          grid.appendChild(el("button", {
            type: "button", class: "hh-guest" + (count === tb.seats ? " hh-guest-seats" : ""),
            "data-testid": "guests-" + count, onclick: function () { openTable(tb, count); },
          }, count));
        })(n);
      }
      body.appendChild(grid);
      var input = el("input", { type: "number", inputmode: "numeric", min: "1", max: String(MAX_GUESTS),
        step: "1", dir: "ltr", class: "hh-guest-input", "data-testid": "guests-other" });
      var go = el("button", { type: "button", class: "hh-btn hh-btn-primary", disabled: true,
        "data-testid": "guests-other-go" }, t("start_order"));
      var count = function () {
        var n = Number(input.value);
        return /^[0-9]+$/.test(input.value) && n >= 1 && n <= MAX_GUESTS ? n : 0;
      };
      var check = function () {
        go.disabled = !count();
        input.setAttribute("aria-invalid", input.value && !count() ? "true" : "false");
      };
      input.addEventListener("input", check);
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && count()) openTable(tb, count());
      });
      go.addEventListener("click", function () { if (count()) openTable(tb, count()); });
      body.appendChild(el("div", { class: "hh-guest-other" },
        field(t("other_number"), input, t("up_to_n", { n: MAX_GUESTS })), go));
    });
  }

  function openTable(tb, guests) {
    var draft = newDraft({ type: "dine_in", table_id: tb.id, table_label: tb.label, guests: guests });
    closeSheet();
    openOrder(draft.id);
  }

  function clearSheet(tb) {
    openSheet(t("table_n", { label: tb.label }), "clear-sheet", function (body, foot) {
      body.appendChild(el("p", { class: "hh-sheet-text" }, t("needs_clearing", { label: tb.label })));
      foot.appendChild(el("button", { type: "button", class: "hh-btn hh-btn-primary", "data-testid": "mark-clean",
        onclick: function () { markTable(tb.id, "free"); } }, t("mark_clean")));
    });
  }

  function markTable(tableId, status) {
    if (!navigator.onLine) return flash(t("offline_try_later"), "error");
    once("POST", "/tables/" + tableId + "/status", { status: status }).then(function (res) {
      if (res.ok) {
        applyTable(res.data);
        closeSheet();
        flash(t("table_n", { label: res.data.label }) + " · " + t("status_" + status));
      } else flash(errorText(res.error), "error");
    }).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function customerSheet(type) {
    var title = type === "delivery" ? t("delivery") : t("takeaway");
    openSheet(title, type + "-sheet", function (body, foot) {
      var need = type === "delivery";
      var nameIn = el("input", { type: "text", autocomplete: "off", "data-testid": "customer-name" });
      var phoneIn = el("input", { type: "tel", maxlength: "40", dir: "ltr", inputmode: "tel", autocomplete: "off", "data-testid": "customer-phone" });
      var addrIn = el("textarea", { rows: "2", "data-testid": "customer-address" });
      var nameLimit = limited(nameIn, LIMITS.name), addrLimit = limited(addrIn, LIMITS.address);
      body.appendChild(field(t("customer_name"), nameIn, need ? t("required") : t("optional"), nameLimit));
      if (need) {
        body.appendChild(field(t("phone"), phoneIn, t("required")));
        body.appendChild(field(t("address"), addrIn, t("required"), addrLimit));
      }
      var start = el("button", { type: "button", class: "hh-btn hh-btn-primary", "data-testid": "start-order", disabled: need,
        onclick: function () {
          if (!nameLimit.ok() || !addrLimit.ok()) return;
          var draft = newDraft({
            type: type, customer_name: nameIn.value.trim(),
            customer_phone: need ? phoneIn.value.trim() : "", customer_address: need ? addrIn.value.trim() : "",
          });
          closeSheet();
          openOrder(draft.id);
        } }, t("start_order"));
      var check = function () {
        var fits = nameLimit.ok() && addrLimit.ok();
        if (!need) return (start.disabled = !fits);
        start.disabled = !(fits && nameIn.value.trim() && /^[0-9+ ()-]{3,40}$/.test(phoneIn.value.trim()) && addrIn.value.trim());
      };
      [nameIn, phoneIn, addrIn].forEach(function (i) { i.addEventListener("input", check); });
      foot.appendChild(start);
      // Focus the first field once the sheet is up, unless the user (or a test) is already
      // typing in another one: stealing focus mid-typing sent text to the wrong field.
      setTimeout(function () { if (!body.contains(document.activeElement)) nameIn.focus(); }, 50);
    });
  }

  function listOrders() {
    var rows = [];
    Object.keys(S.drafts).forEach(function (k) {
      var d = S.drafts[k];
      if (!d.created && d.lines.length) rows.push({ id: d.id, draft: d });
    });
    S.orders.forEach(function (o) { rows.push({ id: o.id, order: o, draft: S.drafts[o.id] }); });
    return rows;
  }

  function ordersSheet() {
    openSheet(t("orders"), "orders-sheet", function (body) {
      var rows = listOrders();
      if (!rows.length) body.appendChild(el("p", { class: "hh-empty" }, t("no_open_orders")));
      var list = el("ul", { class: "hh-order-list" });
      rows.sort(function (a, b) {
        return (b.order ? b.order.number : 1e9) - (a.order ? a.order.number : 1e9);
      }).forEach(function (row) {
        var o = row.order, d = row.draft;
        var kind = (o || d).type;
        var where = kind === "dine_in" ? t("table_n", { label: o ? o.table_label : d.table_label })
          : t(kind) + ((o || d).customer_name ? " · " + (o || d).customer_name : "");
        var state = o ? t("order_" + o.status) : d.queued ? t("queued") : t("not_sent");
        list.appendChild(el("li", null, el("button", { type: "button", class: "hh-order-row", "data-testid": "order-row",
          dataset: { status: o ? o.status : "draft" },
          onclick: function () { closeSheet(); openOrder(row.id); } },
        el("span", { class: "hh-order-num" }, o ? "#" + o.number : "•"),
        el("span", { class: "hh-order-where" }, where, el("small", null, state)),
        o ? moneyEl(o.total_minor) : null)));
      });
      body.appendChild(list);
    });
  }

  function itemSheet(item, editing) {
    var c = current();
    var guests = (c.order ? c.order.guests : c.draft && c.draft.guests) || 0;
    var st = editing ? {
      quantity: editing.quantity, mods: editing.modifier_ids.slice(), seat: editing.seat,
      course: editing.course, note: editing.note, allergy: editing.allergy,
    } : { quantity: 1, mods: [], seat: null, course: item.course, note: "", allergy: "" };
    var groups = item.modifier_group_ids.map(function (id) { return S.groups.get(id); }).filter(Boolean);
    openSheet(name(item), "item-sheet", function (body, foot) {
      var allergens = (item.allergens || []).map(function (a) { return ALLERGENS.indexOf(a) >= 0 ? t("allergen_" + a) : a; });
      body.appendChild(el("div", { class: "hh-sheet-sub" }, moneyEl(item.price_minor),
        allergens.length ? el("span", { class: "hh-contains" }, t("contains", { list: allergens.join(LANG === "ar" ? "، " : ", ") })) : null));
      var groupBox = el("div", { class: "hh-groups" });
      body.appendChild(groupBox);
      var renderGroups = function () {
        clear(groupBox);
        groups.forEach(function (g) {
          var picked = g.modifiers.filter(function (m) { return st.mods.indexOf(m.id) >= 0; }).length;
          var ok = picked >= g.min_choices && picked <= g.max_choices;
          var rule = g.min_choices === g.max_choices ? t("choose_exactly", { n: g.min_choices })
            : g.min_choices === 0 ? t("choose_up_to", { n: g.max_choices })
              : t("choose_between", { low: g.min_choices, high: g.max_choices });
          var chipsBox = el("div", { class: "hh-chips" });
          g.modifiers.forEach(function (m) {
            var on = st.mods.indexOf(m.id) >= 0;
            var full = !on && g.max_choices > 1 && picked >= g.max_choices;
            chipsBox.appendChild(el("button", {
              type: "button", class: "hh-chip hh-mod", role: g.max_choices === 1 ? "radio" : "checkbox",
              "aria-checked": on ? "true" : "false", disabled: full, "data-testid": "mod-" + m.id,
              onclick: function () { toggleMod(g, m); },
            }, name(m), m.price_delta_minor ? el("small", null, " +", moneyEl(m.price_delta_minor)) : null));
          });
          groupBox.appendChild(el("fieldset", { class: "hh-group" + (ok ? " hh-group-ok" : " hh-group-need"), "data-testid": "group-" + g.id },
            el("legend", null, el("span", { class: "hh-group-name" }, name(g)),
              el("span", { class: "hh-group-rule" }, rule),
              g.min_choices > 0 ? el("span", { class: "hh-tag " + (ok ? "hh-tag-ok" : "hh-tag-need") }, ok ? "✓" : t("required")) : null),
            chipsBox));
        });
        refreshFoot();
      };
      var toggleMod = function (g, m) {
        var i = st.mods.indexOf(m.id);
        if (i >= 0) st.mods.splice(i, 1);
        else {
          if (g.max_choices === 1) {
            st.mods = st.mods.filter(function (id) { return !g.modifiers.some(function (x) { return x.id === id; }); });
          }
          st.mods.push(m.id);
        }
        renderGroups();
      };
      var valid = function () {
        if (noteLimit && (!noteLimit.ok() || !allergyLimit.ok())) return false;
        return groups.every(function (g) {
          var n = g.modifiers.filter(function (m) { return st.mods.indexOf(m.id) >= 0; }).length;
          return n >= g.min_choices && n <= g.max_choices;
        });
      };
      var noteLimit = null, allergyLimit = null; // set below, once the fields exist
      var row = el("div", { class: "hh-row2" });
      row.appendChild(field(t("quantity"), stepper(st.quantity, 1, 99, function (v) { st.quantity = v; refreshFoot(); }, "qty")));
      body.appendChild(row);
      if (guests) {
        var seats = [{ value: null, label: t("shared") }];
        for (var s = 1; s <= Math.min(guests, 60); s++) seats.push({ value: s, label: String(s) });
        body.appendChild(field(t("seat"), chips(seats, st.seat, function (v) { st.seat = v; }, "seat")));
      }
      var courseValues = [0, 1, 2, 3];
      if (courseValues.indexOf(item.course) < 0) courseValues.push(item.course);
      body.appendChild(field(t("course"), chips(courseValues.sort().map(function (v) {
        return { value: v, label: courseLabel(v) };
      }), st.course, function (v) { st.course = v; }, "course-chip")));
      var note = el("textarea", { rows: "2", value: st.note, "data-testid": "line-note", oninput: function () { st.note = this.value; } });
      var allergy = el("input", { type: "text", value: st.allergy, class: "hh-allergy-input", "data-testid": "line-allergy", oninput: function () { st.allergy = this.value; } });
      noteLimit = limited(note, LIMITS.note, function () { refreshFoot(); });
      allergyLimit = limited(allergy, LIMITS.allergy, function () { refreshFoot(); });
      body.appendChild(field(t("note"), note, null, noteLimit));
      body.appendChild(field(t("allergy"), allergy, null, allergyLimit));

      var price = el("span", { class: "hh-add-price" });
      var add = el("button", { type: "button", class: "hh-btn hh-btn-primary hh-add", "data-testid": "sheet-add",
        onclick: function () {
          if (!valid()) return;
          var d = draftFor(c.id, true);
          var fields = {
            quantity: st.quantity, modifier_ids: st.mods.slice(), seat: st.seat, course: st.course,
            note: st.note.trim(), allergy: st.allergy.trim(),
          };
          if (editing) {
            var target = d.lines.filter(function (l) { return l.id === editing.id; })[0];
            if (target) Object.assign(target, fields);
          } else d.lines.push(makeLine(item, fields));
          d.error = null;
          saveLocal();
          closeSheet();
          render();
          bumpCart();
        } }, el("span", null, editing ? t("update") : t("add")), price);
      var refreshFoot = function () {
        var unit = item.price_minor + st.mods.reduce(function (sum, id) { var m = modifierById(id); return sum + (m ? m.price_delta_minor : 0); }, 0);
        clear(price).appendChild(moneyEl(unit * st.quantity));
        add.disabled = !valid();
      };
      if (editing) {
        foot.appendChild(el("button", { type: "button", class: "hh-btn hh-btn-danger", "data-testid": "line-remove",
          onclick: function () {
            var d = S.drafts[c.id];
            if (d) d.lines = d.lines.filter(function (l) { return l.id !== editing.id; });
            dropDraftIfEmpty(d);
            closeSheet();
            render();
          } }, t("remove")));
      }
      foot.appendChild(add);
      renderGroups();
    });
  }

  function voidSheet(o, line) {
    var st = { quantity: line.quantity, reason: "" };
    openSheet(t("void_item") + " · " + name(line), "void-sheet", function (body, foot) {
      var confirm = el("button", { type: "button", class: "hh-btn hh-btn-danger", disabled: true, "data-testid": "void-confirm",
        onclick: function () { doVoid(o.id, line, st); } }, t("void_item"));
      var check = function () { confirm.disabled = st.reason.trim().length < 3 || !limit.ok(); };
      body.appendChild(field(t("quantity"), stepper(st.quantity, 1, line.quantity, function (v) { st.quantity = v; }, "void-qty")));
      var reason = el("input", { type: "text", required: true, "data-testid": "void-reason",
        oninput: function () { st.reason = this.value; check(); } });
      var limit = limited(reason, LIMITS.reason);
      body.appendChild(field(t("reason"), reason, t("required"), limit));
      body.appendChild(chips(["reason_changed_mind", "reason_wrong_item", "reason_too_long"].map(function (k) {
        return { value: k, label: t(k) };
      }), null, function (k) { reason.value = t(k); st.reason = reason.value; limit.update(); check(); }, "void-reason"));
      foot.appendChild(confirm);
    });
  }

  function doVoid(orderId, line, st) {
    if (!navigator.onLine) return flash(t("offline_try_later"), "error");
    var attempt = function (version, again) {
      return once("POST", "/orders/" + orderId + "/lines/" + line.id + "/void", {
        version: version, quantity: st.quantity, reason: st.reason.trim(),
      }).then(function (res) {
        if (res.ok) {
          applyOrder(res.data);
          closeSheet();
          return flash(t("voided"));
        }
        if (again && isStale(res)) {
          var now = res.error.current.lines.filter(function (l) { return l.id === line.id; })[0];
          applyOrder(res.error.current);
          if (now && now.quantity >= st.quantity) return attempt(res.error.current.version, false);
        }
        flash(errorText(res.error), "error");
      });
    };
    attempt(S.orders.get(orderId).version, true).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function orderActions() {
    var c = current(), o = c.order, d = c.draft;
    openSheet(t("table_actions"), "actions-sheet", function (body) {
      var list = el("div", { class: "hh-action-list" });
      var action = function (label, testid, fn, danger) {
        list.appendChild(el("button", { type: "button", class: "hh-btn hh-action" + (danger ? " hh-btn-danger" : ""),
          "data-testid": testid, onclick: fn }, label));
      };
      if (o && o.status === "ready") action(t(HAND_OVER[o.type]), "action-hand-over", function () { closeSheet(); handOver(o.id); });
      if (o && o.type === "dine_in") {
        action(t("move_table"), "action-move", function () { tablePicker("move", o); });
        action(t("merge_table"), "action-merge", function () { tablePicker("merge", o); });
        action(t("bill_asked"), "action-bill", function () { markTable(o.table_id, "bill_asked"); });
      }
      if (d && d.lines.length) {
        action(t("discard"), "action-discard", function () {
          if (!window.confirm(t("discard_confirm"))) return;
          d.lines = [];
          d.queued = false;
          d.discard = true;
          dropDraftIfEmpty(d);
          closeSheet();
          if (!o) goFloor();
          else render();
        }, true);
      }
      if (o) action(t("cancel_order"), "action-cancel", function () { cancelSheet(o); }, true);
      body.appendChild(list);
    });
  }

  function tablePicker(mode, o) {
    if (!navigator.onLine) return flash(t("offline_try_later"), "error");
    loadAllTables().then(function () {
      var floors = S.floors.slice();
      openSheet(mode === "move" ? t("choose_free_table") : t("choose_merge_table"), mode + "-sheet", function (body) {
        var any = false;
        floors.forEach(function (f) {
          var tables = Array.from(S.allTables.values()).filter(function (tb) {
            if (tb.floor_id !== f.id || tb.id === o.table_id || tb.active === false) return false;
            return mode === "move" ? tb.status === "free" && !tb.order_id : !!tb.order_id && tb.order_id !== o.id;
          }).sort(function (a, b) { return a.sort - b.sort || a.id - b.id; });
          if (!tables.length) return;
          any = true;
          var grid = el("div", { class: "hh-pick-grid" });
          tables.forEach(function (tb) {
            grid.appendChild(el("button", { type: "button", class: "hh-pick hh-st-" + tb.status, "data-testid": "pick-" + tb.label,
              onclick: function () { mode === "move" ? moveTo(o, tb) : mergeFrom(o, tb); } }, tb.label));
          });
          body.appendChild(el("h3", { class: "hh-pick-floor" }, floorName(f)));
          body.appendChild(grid);
        });
        if (!any) body.appendChild(el("p", { class: "hh-empty" }, mode === "move" ? t("no_free_tables") : t("no_merge_tables")));
      });
    }).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function moveTo(o, tb) {
    var attempt = function (version, again) {
      return once("POST", "/orders/" + o.id + "/move", { version: version, table_id: tb.id }).then(function (res) {
        if (res.ok) {
          applyOrder(res.data);
          closeSheet();
          loadTables(S.floorId);
          return flash(t("table_n", { label: tb.label }));
        }
        if (again && isStale(res)) {
          applyOrder(res.error.current);
          return attempt(res.error.current.version, false);
        }
        flash(errorText(res.error), "error");
      });
    };
    attempt(S.orders.get(o.id).version, true).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function mergeFrom(o, tb) {
    var attempt = function (again) {
      return api("GET", "/orders/" + tb.order_id).then(function (from) {
        if (!from.ok) return flash(errorText(from.error), "error");
        var target = S.orders.get(o.id);
        return once("POST", "/orders/" + o.id + "/merge", {
          version: target.version, from_order_id: from.data.id, from_version: from.data.version,
        }).then(function (res) {
          if (res.ok) {
            applyOrder(res.data);
            S.orders.delete(from.data.id);
            closeSheet();
            loadTables(S.floorId);
            return flash(t("order_n", { number: res.data.number }));
          }
          if (again && isStale(res)) {
            if (res.error.current.id === o.id) applyOrder(res.error.current);
            return attempt(false);
          }
          flash(errorText(res.error), "error");
        });
      });
    };
    attempt(true).catch(function () { flash(t("offline_try_later"), "error"); });
  }

  function cancelSheet(o) {
    var st = { reason: "" };
    openSheet(t("cancel_order") + " · " + t("order_n", { number: o.number }), "cancel-sheet", function (body, foot) {
      var confirm = el("button", { type: "button", class: "hh-btn hh-btn-danger", disabled: true, "data-testid": "cancel-confirm",
        onclick: function () {
          once("POST", "/orders/" + o.id + "/cancel", { version: S.orders.get(o.id).version, reason: st.reason.trim() }).then(function (res) {
            if (!res.ok) return flash(errorText(res.error), "error");
            applyOrder(res.data);
            delete S.drafts[o.id];
            saveLocal();
            closeSheet();
            goFloor();
          }).catch(function () { flash(t("offline_try_later"), "error"); });
        } }, t("cancel_order"));
      var reason = el("input", { type: "text", "data-testid": "cancel-reason",
        oninput: function () { st.reason = this.value; confirm.disabled = st.reason.trim().length < 3 || !limit.ok(); } });
      var limit = limited(reason, LIMITS.reason);
      body.appendChild(field(t("reason"), reason, t("required"), limit));
      foot.appendChild(confirm);
    });
  }

  // -- the bill: billpay.js shows it, splits by seat or equally, takes cash and card ---------

  var billPanel = null;

  function openBill() {
    var o = current().order;
    if (!o || !window.BillPay) return;
    if (!billPanel) {
      billPanel = window.BillPay.create({
        root: $("hh-bill-body"), api: api, token: TOKEN, mode: "handheld", toast: flash,
        onChange: function (bill) { if (S.orders.has(bill.order_id)) refreshOrders(); },
      });
    }
    $("hh-bill").hidden = false;
    document.body.classList.add("hh-sheet-open");
    billPanel.show(o.id);
  }

  function closeBill() {
    $("hh-bill").hidden = true;
    document.body.classList.remove("hh-sheet-open");
    if (billPanel) billPanel.hide();
  }

  // -- clicks ---------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) return;
    var action = target.dataset.action;
    if (action === "close-sheet") closeSheet();
    else if (action === "to-floor") goFloor();
    else if (action === "new-takeaway") customerSheet("takeaway");
    else if (action === "new-delivery") customerSheet("delivery");
    else if (action === "show-orders") ordersSheet();
    else if (action === "toggle-cart") {
      S.cartOpen = !S.cartOpen;
      render();
    } else if (action === "send") send();
    else if (action === "toggle-rush") toggleRush();
    else if (action === "order-actions") orderActions();
    else if (action === "open-bill") openBill();
    else if (action === "close-bill") closeBill();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeSheet();
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("resize", function () { if (S.view.name === "floor" || TABLET.matches) render(); });

  // -- start ----------------------------------------------------------------------------------

  function refreshMenu() {
    return api("GET", "/menu").then(function (res) {
      if (!res.ok) return;
      setMenu(res.data);
      cachePut("menu", res.data);
      render();
    });
  }

  function setMenu(menu) {
    S.menu = menu;
    S.menuRev = (S.menuRev || 0) + 1;
    S.items = new Map();
    S.groups = new Map();
    menu.categories.forEach(function (cat) { cat.items.forEach(function (i) { S.items.set(i.id, i); }); });
    menu.modifier_groups.forEach(function (g) { S.groups.set(g.id, g); });
    if (!S.currencyFromBranch) {
      S.currency = menu.currency;
      S.exponent = menu.currency_exponent;
    }
  }

  function setFloors(floors) {
    S.floors = floors.filter(function (f) { return f.active !== false; })
      .sort(function (a, b) { return a.sort - b.sort || a.id - b.id; });
    if (!S.floors.some(function (f) { return f.id === S.floorId; })) S.floorId = S.floors.length ? S.floors[0].id : null;
  }

  function start() {
    loadLocal();
    var cache = cacheGet();
    if (cache.branch) {
      S.currency = cache.branch.currency;
      S.exponent = cache.branch.currency_exponent;
    }
    if (cache.menu) setMenu(cache.menu);
    if (cache.floors) setFloors(cache.floors);
    if (cache.orders) cache.orders.forEach(function (o) { S.orders.set(o.id, o); });
    if (S.floorId && cache["tables:" + S.floorId]) {
      cache["tables:" + S.floorId].forEach(function (tb) { S.tables.set(tb.id, tb); S.allTables.set(tb.id, tb); });
    }
    route();
    connect();
    var branch = api("GET", "/branch").then(function (res) {
      if (!res.ok) return;
      S.currencyFromBranch = true;
      S.currency = res.data.currency;
      S.exponent = res.data.currency_exponent;
      cachePut("branch", { currency: res.data.currency, currency_exponent: res.data.currency_exponent });
    });
    var menu = refreshMenu();
    var floors = api("GET", "/floors?active=true").then(function (res) {
      if (!res.ok) return;
      setFloors(res.data.items);
      cachePut("floors", res.data.items);
      saveLocal();
      return loadTables(S.floorId);
    });
    Promise.all([branch, menu, floors, refreshOrders()].map(function (p) {
      return p.catch(function () { /* offline start: the cache carries the page */ });
    })).then(function () {
      render();
      sync();
    });
  }

  start();
})();
