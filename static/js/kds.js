// Kitchen display: one station's (or expo's) tickets, live over Socket.IO (/kds).
//
// Nothing may be lost or doubled: every push carries the station's sequence number `seq`;
// a push is applied only when it is the next one, a gap (or a reconnect, or a periodic
// check) asks the server with join_station {after_seq} for exactly what was missed, and a
// snapshot in the answer replaces everything.
(function () {
  "use strict";
  var root = document.getElementById("kds");
  if (!root || typeof io !== "function") return;

  var T = JSON.parse(document.getElementById("kds-i18n").textContent);
  var STATIONS = JSON.parse(root.dataset.stations || "[]");
  var tokenMeta = document.querySelector('meta[name="pos-token"]');
  var TOKEN = tokenMeta ? tokenMeta.content : "";
  // Loaded while the server was down (offline.js): no token in the page, a stale server time.
  var SHELL = !!(window.PosOffline && PosOffline.shell);
  if (window.PosOffline) TOKEN = PosOffline.token(TOKEN);
  var AR = (document.documentElement.lang || "").indexOf("ar") === 0;
  var RTL = document.documentElement.dir === "rtl";
  var STORE_KEY = "pos.kds.station";
  var RESYNC_MS = 15000; // ask "anything after my seq?" even when no push hints at a gap
  var COMMAND_TIMEOUT_MS = 8000;

  // The device's clock may drift; timers use the server's time (given when the page loaded).
  var serverNow = Date.parse(root.dataset.serverNow || "");
  var skew = isNaN(serverNow) || SHELL ? 0 : serverNow - Date.now();
  function now() { return Date.now() + skew; }

  var $ = function (sel, el) { return (el || root).querySelector(sel); };
  var board = $(".kds-board");
  var allDayList = $(".kds-all-day-list");
  var recentList = $(".kds-recent-list");

  var state = {
    stationId: null,
    station: null, // the snapshot's station: thresholds, expo flag
    seq: null, // last applied sequence number; null until the first snapshot
    tickets: new Map(), // id -> ticket on the board
    pushSeq: {}, // ticket id -> seq of the last push that touched it
    recent: [], // bumped tickets, newest first (for recall)
    selected: null, // ticket id (keyboard / bump bar)
    joining: false,
    joinId: 0,
    queue: [], // pushes that arrived while joining, or after a gap
    pending: {}, // ticket or line id -> true while a command is in flight
    connected: false,
    offlineSince: null,
    audio: null,
    lastChime: 0,
  };

  var PERSON_ICON = '<svg class="kds-icon" viewBox="0 0 16 16" aria-hidden="true">' +
    '<circle cx="8" cy="4.5" r="3.2"/><path d="M1.5 15c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6z"/></svg>';

  function t(key, vars) {
    var text = T[key] || key;
    Object.keys(vars || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(vars[k]));
    });
    return text;
  }

  function esc(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function named(obj) { return (AR && obj.name_ar) || obj.name || ""; }

  function stationByCode(code) {
    return STATIONS.filter(function (s) { return s.code === code; })[0] || null;
  }
  function stationById(id) {
    return STATIONS.filter(function (s) { return s.id === id; })[0] || null;
  }

  // ---------------------------------------------------------------- toasts
  function toast(message, kind) {
    var box = $(".kds-toasts");
    var el = document.createElement("div");
    el.className = "kds-toast" + (kind ? " is-" + kind : "");
    el.setAttribute("role", "alert");
    el.dataset.testid = "toast";
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.classList.add("is-leaving"); }, 4500);
    setTimeout(function () { el.remove(); }, 5000);
  }

  // ---------------------------------------------------------------- sound
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      if (!state.audio) state.audio = new Ctx();
      var p = state.audio.resume();
      if (p && p.then) p.then(updateSoundHint, function () {});
    } catch (e) { /* no audio on this device */ }
    updateSoundHint();
  }
  function updateSoundHint() {
    var ready = state.audio && state.audio.state === "running";
    $("[data-testid=sound-hint]").hidden = !!ready;
    root.classList.toggle("has-sound", !!ready);
  }
  function chime() {
    var ctx = state.audio;
    if (!ctx || ctx.state !== "running" || now() - state.lastChime < 800) return;
    state.lastChime = now();
    root.dataset.chimes = String(Number(root.dataset.chimes || 0) + 1);
    var start = ctx.currentTime + 0.01;
    [[880, 0], [1318.5, 0.16]].forEach(function (note) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = note[0];
      var at = start + note[1];
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.45);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.5);
    });
  }
  document.addEventListener("pointerdown", unlockAudio, true);
  document.addEventListener("keydown", unlockAudio, true);

  // ---------------------------------------------------------------- connection
  var socket = io("/kds", {
    auth: { token: TOKEN },
    transports: ["websocket"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    // A connection attempt that hangs (a half-dead switch, a server starting up) is given
    // up after 5 s and retried, instead of socket.io's 20 s.
    timeout: 5000,
  });

  function setConnected(online) {
    state.connected = online;
    if (!online && state.offlineSince === null) state.offlineSince = now();
    if (online) state.offlineSince = null;
    root.classList.toggle("is-offline", !online);
    root.dataset.live = online ? "1" : "0";
    $("[data-testid=reconnecting]").hidden = online;
    if (window.posConnection) window.posConnection.setOnline(online);
    tickOffline();
  }

  function tickOffline() {
    var el = $("[data-testid=offline-for]");
    el.textContent = state.offlineSince === null ? ""
      : t("offline_for", { time: clockText(Math.max(0, now() - state.offlineSince) / 1000) });
  }

  socket.on("connect", function () {
    setConnected(true);
    join();
    loadPrinters(); // pushes missed while disconnected: ask for the printers' state
  });
  socket.on("disconnect", function (reason) {
    setConnected(false);
    // The server hung up on purpose (e.g. restart): socket.io does not retry by itself then.
    // Unless it signed this screen out: then the login page, not a retry.
    if (reason === "io server disconnect" && navigator.onLine && !signingOut) socket.connect();
  });
  // Logout, deactivation, a new PIN or an expired login: the server says so, then hangs up.
  socket.on("session_revoked", function () { signOut(); });
  var SIGNED_OUT = /token_|staff_inactive|forbidden_role/;
  // The login expired or was revoked: nothing to retry, sign in again (and come back here).
  function signOut() {
    if (signingOut) return;
    signingOut = true;
    toast(t("signed_out"), "error");
    var next = location.pathname + location.search;
    setTimeout(function () {
      location.href = root.dataset.loginUrl + "?next=" + encodeURIComponent(next);
    }, 2500);
  }

  socket.on("connect_error", function (err) {
    // The refusal's error code is in the message (python-socketio sends str(envelope)) or
    // in data, depending on how the server raises it.
    var text = String((err && err.message) || "") + " " + JSON.stringify((err && err.data) || "");
    if (SIGNED_OUT.test(text)) {
      signOut();
      return;
    }
    if (state.offlineSince === null && !initialGrace) setConnected(false);
  });
  var signingOut = false;
  // A sign-out from this screen is already leaving: its session_revoked must not toast and
  // navigate a second time.
  var logoutForm = document.querySelector('form[action="/logout"]');
  if (logoutForm) logoutForm.addEventListener("submit", function () { signingOut = true; });
  socket.on("ticket_created", function (p) { onPush("ticket_created", p); });
  socket.on("ticket_updated", function (p) { onPush("ticket_updated", p); });
  // Not numbered: a printer's state, not a ticket event. It never enters onPush/applyPush
  // (and so never touches seq); the latest state of each printer simply wins.
  socket.on("printer_status", function (p) { onPrinterStatus(p); });

  // The first connection gets a moment before the board says it is offline.
  var initialGrace = true;
  setTimeout(function () {
    initialGrace = false;
    if (!socket.connected) setConnected(false);
  }, 2500);

  // The device says the network is gone: do not trust the socket, go offline now, and come
  // back (join_station with after_seq) when the network returns.
  window.addEventListener("offline", function () {
    socket.disconnect();
    setConnected(false);
  });
  window.addEventListener("online", function () {
    if (!socket.connected) socket.connect();
    // connection.js hides the banner on "online"; it stays until the socket is back.
    if (window.posConnection) window.posConnection.setOnline(socket.connected);
  });

  function emit(name, data, done) {
    if (!socket.connected) {
      toast(t("offline"), "error");
      if (done) done(null);
      return;
    }
    socket.timeout(COMMAND_TIMEOUT_MS).emit(name, data, function (err, ack) {
      if (err) {
        toast(t("no_answer"), "error");
        if (done) done(null);
        return;
      }
      if (!ack || !ack.ok) {
        var error = (ack && ack.error) || {};
        if (SIGNED_OUT.test(error.code || "") && error.code !== "forbidden_role") {
          signOut();
          if (done) done(null);
          return;
        }
        if (name === "recall_ticket" && error.code === "not_found") toast(t("nothing_to_recall"), "info");
        else toast(t("failed", { message: error.message || error.code || "?" }), "error");
        if (done) done(null);
        return;
      }
      if (done) done(ack);
    });
  }

  // ---------------------------------------------------------------- sequence and replay
  function join() {
    if (!state.stationId || !socket.connected) return;
    var body = { station_id: state.stationId };
    if (state.seq !== null) body.after_seq = state.seq;
    var id = ++state.joinId;
    state.joining = true;
    socket.timeout(10000).emit("join_station", body, function (err, ack) {
      if (id !== state.joinId) return; // a newer join (another station, a reconnect) won
      state.joining = false;
      if (err || !ack) {
        setTimeout(join, 2000);
        return;
      }
      if (!ack.ok) {
        var code = (ack.error && ack.error.code) || "";
        if (SIGNED_OUT.test(code) && code !== "forbidden_role") { signOut(); return; }
        toast(t("failed", { message: (ack.error && ack.error.message) || "?" }), "error");
        if (ack.error && ack.error.code === "not_found") openPicker();
        return;
      }
      if (ack.data.snapshot) applySnapshot(ack.data.snapshot);
      (ack.data.events || []).forEach(function (ev) { applyPush(ev.name, ev.payload); });
      drainQueue();
      keepBoard();
      render();
    });
  }

  function applySnapshot(snap) {
    var known = state.tickets;
    var firstLoad = state.seq === null;
    state.station = snap.station;
    state.seq = snap.seq;
    state.tickets = new Map();
    state.pushSeq = {};
    snap.tickets.forEach(function (tk) {
      state.tickets.set(tk.id, tk);
      if (!firstLoad && !known.has(tk.id)) announce(tk.id);
    });
    state.recent = (snap.recent || []).slice(0, 10);
    if (state.selected !== null && !state.tickets.has(state.selected)) state.selected = null;
    $("[data-testid=station-name]").textContent = named(snap.station);
    root.classList.toggle("is-expo", !!snap.station.is_expo);
  }

  function onPush(name, payload) {
    if (!payload || payload.station_id !== state.stationId) return; // an old station's push
    if (state.joining || state.seq === null) {
      state.queue.push({ name: name, payload: payload });
      return;
    }
    applyPush(name, payload);
    drainQueue();
    keepBoard();
    render();
  }

  // The last board, for a reload while the server is down: the copy of the page shows it and
  // asks for what came after its seq once the server is back (offline.js forgets it at logout).
  function keepBoard() {
    if (!window.PosOffline || state.seq === null) return;
    PosOffline.keep("kds." + state.stationId, {
      station: state.station, seq: state.seq, skew: skew, recent: state.recent,
      tickets: Array.from(state.tickets.values()),
    });
  }

  function showKeptBoard(stationId) {
    var kept = SHELL && PosOffline.kept("kds." + stationId);
    if (!kept || !kept.station) return;
    state.station = kept.station;
    state.seq = kept.seq;
    skew = kept.skew || 0;
    state.recent = kept.recent || [];
    (kept.tickets || []).forEach(function (tk) { state.tickets.set(tk.id, tk); });
  }

  // Apply one numbered push; false when a gap was found (a join_station is then under way).
  function applyPush(name, p) {
    if (p.station_id !== undefined && p.station_id !== state.stationId) return true;
    if (p.seq <= state.seq) return true; // already have it (replay overlapping a live push)
    if (p.seq !== state.seq + 1) {
      state.queue.push({ name: name, payload: p });
      if (!state.joining) join();
      return false;
    }
    state.seq = p.seq;
    state.pushSeq[p.id] = p.seq;
    upsert(p, name === "ticket_created");
    return true;
  }

  function drainQueue() {
    if (state.joining || state.seq === null) return;
    var queue = state.queue.sort(function (a, b) { return a.payload.seq - b.payload.seq; });
    state.queue = [];
    for (var i = 0; i < queue.length; i++) {
      if (!applyPush(queue[i].name, queue[i].payload)) {
        state.queue = state.queue.concat(queue.slice(i + 1));
        return;
      }
    }
  }

  function upsert(tk, created) {
    var before = state.tickets.get(tk.id);
    if (tk.is_expo && !tk.parts) {
      var known = before || findRecent(tk.id);
      if (known) { tk.parts = known.parts; tk.complete = known.complete; }
    }
    if (tk.status === "done") {
      state.tickets.delete(tk.id);
      state.recent = [tk].concat(state.recent.filter(function (r) { return r.id !== tk.id; })).slice(0, 10);
      if (state.selected === tk.id) state.selected = neighbour(tk.id);
      return;
    }
    state.recent = state.recent.filter(function (r) { return r.id !== tk.id; });
    state.tickets.set(tk.id, tk);
    var grew = before && (tk.lines || []).length > (before.lines || []).length;
    if ((created && !before) || (before && before.held && !tk.held) || grew) announce(tk.id);
  }

  function findRecent(id) {
    return state.recent.filter(function (r) { return r.id === id; })[0] || null;
  }

  var flashes = {};
  function announce(id) {
    flashes[id] = true;
    chime();
  }

  // Apply a command's answer, unless a push about the ticket came after the command left
  // (the push is at least as new).
  function applyAck(ticket, seqWhenSent) {
    if (!ticket) return;
    var pushed = state.pushSeq[ticket.id];
    if (pushed !== undefined && pushed > seqWhenSent) return;
    if (ticket.station_id !== state.stationId) return;
    upsert(ticket, false);
    render();
  }

  // Every so often, and whenever the tab comes back, ask what came after our seq.
  setInterval(function () {
    if (socket.connected && !state.joining && state.seq !== null) join();
  }, RESYNC_MS);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && socket.connected && !state.joining && state.seq !== null) join();
  });

  // ---------------------------------------------------------------- commands
  function command(name, data, key, ticketId) {
    if (state.pending[key]) return; // a second tap while the first is on its way
    state.pending[key] = true;
    var seqWhenSent = state.seq;
    markBusy(ticketId, true);
    emit(name, data, function (ack) {
      delete state.pending[key];
      markBusy(ticketId, false);
      var ticket = ack && ack.data; // the ticket, as the HTTP endpoint answers it
      if (ticket) applyAck(ticket, seqWhenSent);
      if (ticket && name === "recall_ticket") {
        flashes[ticket.id] = true;
        state.selected = ticket.id;
        render();
      }
    });
  }

  function markBusy(ticketId, busy) {
    if (ticketId == null) return;
    var card = board.querySelector('[data-ticket="' + ticketId + '"]');
    if (card) card.classList.toggle("is-busy", busy);
  }

  function startTicket(id) {
    var tk = state.tickets.get(id);
    if (!tk || tk.status !== "new") return;
    command("start_ticket", { ticket_id: id }, "t" + id, id);
  }
  function bumpTicket(id) {
    var tk = state.tickets.get(id);
    if (!tk) return;
    if (tk.is_expo && !(tk.complete && !tk.held)) {
      if (!tk.held) askReadyAnyway(id); // Enter on the bump bar: the same question as a tap
      return;
    }
    command("bump_ticket", { ticket_id: id }, "t" + id, id);
  }

  // "Ready anyway": expo calls the order ready before every station bumped. The cook sees
  // which stations are still going and confirms; "Wait" has the focus, so a second Enter
  // from the bump bar changes nothing.
  var confirming = null;
  function askReadyAnyway(id) {
    var tk = state.tickets.get(id);
    if (!tk || !tk.is_expo) return;
    var waiting = stationParts(tk).filter(function (p) { return p.status !== "done"; })
      .map(function (p) { return p.name + " (" + t(p.status === "started" ? "cooking" : "not_started") + ")"; });
    $("[data-testid=confirm-order]").textContent = "#" + ((tk.header || {}).number || "");
    $("[data-testid=confirm-waiting]").textContent = t("ready_anyway_waiting", { stations: waiting.join(", ") });
    openOverlay("confirm-ready");
    confirming = id;
    $("[data-testid=confirm-wait]").focus();
  }
  function confirmReadyAnyway() {
    var id = confirming;
    closeOverlays();
    if (id === null || !state.tickets.has(id)) return;
    command("ready_anyway", { ticket_id: id }, "t" + id, id);
  }
  function bumpLine(ticketId, lineId) {
    command("bump_line", { line_id: lineId }, "l" + lineId, ticketId);
  }
  function recall(ticketId) {
    var data = { station_id: state.stationId };
    if (ticketId) data.ticket_id = ticketId;
    command("recall_ticket", data, "recall", null);
  }

  function reprint(id) {
    var tk = state.tickets.get(id);
    var key = "p" + id;
    if (!tk || state.pending[key]) return;
    state.pending[key] = true;
    api("POST", "/print-jobs/reprint", {
      order_id: tk.order_id,
      station_id: state.stationId,
      course: tk.course,
      reason: "reprint asked from the kitchen screen",
    }).then(function (answer) {
      if (answer.ok) toast(t("reprint_sent"), "info");
      else if (answer.status === 404) toast(t("nothing_to_reprint"), "error");
      else if (answer.status === 401) signOut();
      else toast(t("failed", { message: answer.message }), "error");
    }).then(function () { delete state.pending[key]; });
  }

  // An HTTP call of the API with the screen's token: resolves {ok, status, body, message}.
  function api(method, path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, COMMAND_TIMEOUT_MS);
    var headers = { Authorization: "Bearer " + TOKEN };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch("/api/v1" + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        var error = (data && data.error) || {};
        return { ok: res.ok, status: res.status, body: data, message: error.message || error.code || String(res.status) };
      });
    }, function () {
      return { ok: false, status: 0, body: null, message: t("no_answer") };
    }).then(function (answer) {
      if (timer) clearTimeout(timer);
      return answer;
    });
  }

  // ---------------------------------------------------------------- the station's printers
  // The banner says so when a printer of this station is offline or out of paper; its chits
  // then go to the backup printer. State comes from GET /printers/health when the station is
  // chosen or the socket (re)connects, then from printer_status pushes.
  var printers = {}; // printer id -> its last known health, this station's printers only
  var pushedWhileLoading = null; // printer ids pushed while a health request is on its way
  var printersLoad = 0;

  function onPrinterStatus(p) {
    if (!p || p.station_id == null || p.station_id !== state.stationId) return;
    printers[p.id] = p;
    if (pushedWhileLoading) pushedWhileLoading[p.id] = true;
    renderPrinterBanner();
  }

  function loadPrinters() {
    var stationId = state.stationId;
    if (!stationId || !TOKEN) return;
    var id = ++printersLoad;
    pushedWhileLoading = {};
    api("GET", "/printers/health").then(function (answer) {
      if (id !== printersLoad || stationId !== state.stationId) return; // a newer one is coming
      var pushed = pushedWhileLoading || {};
      pushedWhileLoading = null;
      if (!answer.ok || !answer.body) return;
      var fresh = {};
      answer.body.items.forEach(function (p) {
        if (p.station_id === stationId) fresh[p.id] = pushed[p.id] ? printers[p.id] || p : p;
      });
      printers = fresh;
      renderPrinterBanner();
    });
  }

  function renderPrinterBanner() {
    var banner = $("[data-testid=printer-banner]");
    var bad = Object.keys(printers).map(function (k) { return printers[k]; })
      .filter(function (p) { return p.online === false || p.paper_out; });
    banner.hidden = bad.length === 0;
    root.classList.toggle("has-printer-problem", bad.length > 0);
    if (!bad.length) return;
    var paper = bad.some(function (p) { return p.paper_out; });
    var backup = bad.every(function (p) { return p.backup_in_use; }); // a backup that is up
    var key = (paper ? "paper_out" : "printer_offline") + (backup ? "_backup" : "_wait");
    banner.dataset.state = paper ? "paper_out" : "offline";
    $("[data-testid=printer-banner-text]").textContent = t(key);
    $("[data-testid=printer-banner-name]").textContent = bad.map(function (p) { return p.name; }).join(" · ");
  }

  // ---------------------------------------------------------------- rendering
  // When a ticket may be cooked: its fire, or its staggered start if later.
  function fireTime(tk) {
    var fired = Date.parse(tk.fired_at || tk.created_at) || 0;
    var start = tk.start_at ? Date.parse(tk.start_at) || 0 : 0;
    return Math.max(fired, start);
  }
  function isRush(tk) { return !!(tk.rush || (tk.header && tk.header.rush)); }

  // The board's order: live tickets first (rush ones ahead, then the oldest fire first), then
  // the held ones in their own lane (earliest course first). Never by ticket id: a held
  // course-2 ticket is old but nothing to cook yet.
  function ordered() {
    return Array.from(state.tickets.values()).sort(function (a, b) {
      if (!!a.held !== !!b.held) return a.held ? 1 : -1;
      if (a.held) return a.course - b.course || a.id - b.id;
      return (isRush(b) - isRush(a)) || fireTime(a) - fireTime(b) || a.id - b.id;
    });
  }

  function neighbour(id) {
    var list = ordered();
    var i = list.findIndex(function (x) { return x.id === id; });
    var next = list[i + 1] || list[i - 1];
    return next && next.id !== id ? next.id : null;
  }

  function clockText(seconds) {
    seconds = Math.floor(seconds);
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function timeOfDay(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return "";
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function place(h) {
    if (h.type === "dine_in") return h.table ? t("table", { label: h.table }) : "";
    return h.type === "delivery" ? t("delivery") : t("takeaway");
  }

  function modsText(mods) {
    return (mods || []).map(named).join(", ");
  }

  function lineHtml(tk, li) {
    var voidedAll = li.kind === "void" || li.voided_quantity >= li.quantity;
    var left = li.kind === "void" ? li.quantity : li.quantity - li.voided_quantity;
    var classes = ["kds-line"];
    if (li.done) classes.push("is-done");
    if (voidedAll) classes.push("is-void");
    if (li.kind === "change") classes.push("is-change");
    if (li.allergy) classes.push("has-allergy");
    var tappable = !li.done && !voidedAll && !tk.held && tk.header && !tk.header.cancelled;
    var html = '<li class="' + classes.join(" ") + '" data-line="' + li.id + '" data-testid="line"' +
      (tappable ? ' role="button" tabindex="-1"' : "") + ">";
    html += '<div class="kds-line-main">';
    html += '<span class="kds-qty" dir="ltr">' + esc(voidedAll ? li.quantity : left) + "</span>";
    html += '<span class="kds-item" data-testid="item-name">' + esc(named(li)) + "</span>";
    if (li.kind === "void") html += '<span class="kds-badge kds-badge-void">' + esc(t("void")) + "</span>";
    if (li.kind === "change") html += '<span class="kds-badge kds-badge-change">' + esc(t("change")) + "</span>";
    if (li.seat) html += '<span class="kds-seat">' + esc(t("seat", { n: li.seat })) + "</span>";
    if (tk.is_expo && li.station) {
      var st = STATIONS.filter(function (s) { return s.code === li.station; })[0];
      html += '<span class="kds-line-station">' + esc(st ? named(st) : li.station) + "</span>";
    }
    html += '<span class="kds-check" aria-hidden="true">' + (li.done ? "✓" : "") + "</span>";
    html += "</div>";
    if (li.kind === "change") {
      var oldQty = li.old_quantity && li.old_quantity !== li.quantity
        ? '<span dir="ltr">' + esc(li.old_quantity) + "×</span> " : "";
      var newQty = oldQty ? '<span dir="ltr">' + esc(li.quantity) + "×</span> " : "";
      html += '<div class="kds-change" data-testid="change">' +
        '<s class="kds-old">' + oldQty + esc(modsText(li.old_modifiers) || "—") + "</s>" +
        '<span class="kds-arrow" aria-hidden="true">' + (RTL ? "←" : "→") + "</span>" +
        '<b class="kds-new">' + newQty + esc(modsText(li.modifiers) || "—") + "</b></div>";
    } else if ((li.modifiers || []).length) {
      html += '<ul class="kds-mods">' + li.modifiers.map(function (m) {
        return "<li>" + esc(named(m)) + "</li>";
      }).join("") + "</ul>";
    }
    if (li.note) html += '<div class="kds-note"><span aria-hidden="true">✎</span> ' + esc(li.note) + "</div>";
    if (li.allergy) {
      html += '<div class="kds-allergy" data-testid="allergy"><span aria-hidden="true">⚠</span> ' +
        esc(t("allergy")) + ": " + esc(li.allergy) + "</div>";
    }
    if (li.voided_quantity > 0 || li.kind === "void") {
      var gone = li.kind === "void" ? li.quantity : li.voided_quantity;
      html += '<div class="kds-void-reason" data-testid="void-reason"><span dir="ltr">−' + esc(gone) +
        "</span> " + esc(t("void")) + (li.void_reason ? ": " + esc(li.void_reason) : "") + "</div>";
    }
    return html + "</li>";
  }

  // Every allergy of the lines still to make, once, at the top of the card: it is seen even
  // when the card's lines must scroll.
  function allergies(tk) {
    var seen = [];
    (tk.lines || []).forEach(function (li) {
      var gone = li.kind === "void" || li.voided_quantity >= li.quantity;
      if (li.allergy && !gone && seen.indexOf(li.allergy) < 0) seen.push(li.allergy);
    });
    return seen;
  }

  function cardHtml(tk) {
    var h = tk.header || {};
    var rush = tk.rush || h.rush;
    var html = "";
    if (h.cancelled) html += '<div class="kds-banner kds-banner-cancelled" data-testid="cancelled">' + esc(t("cancelled")) + "</div>";
    if (rush) html += '<div class="kds-banner kds-banner-rush" data-testid="rush"><span aria-hidden="true">⚡</span> ' + esc(t("rush")) + "</div>";
    var allergic = allergies(tk);
    if (allergic.length) {
      html += '<div class="kds-banner kds-banner-allergy" data-testid="allergy-banner"><span aria-hidden="true">⚠</span> ' +
        esc(t("allergy")) + ": " + esc(allergic.join(" · ")) + "</div>";
    }
    html += '<header class="kds-card-head" data-action="start">';
    html += '<span class="kds-key" dir="ltr" aria-hidden="true"></span>';
    html += '<span class="kds-number" dir="ltr" data-testid="order-number">#' + esc(h.number) + "</span>";
    html += '<span class="kds-timer" data-testid="timer" dir="ltr"></span>';
    html += '<div class="kds-where">';
    html += '<span class="kds-place" data-testid="place">' + esc(place(h)) + "</span>";
    if (h.customer) html += '<span class="kds-customer">' + esc(h.customer) + "</span>";
    html += "</div>";
    html += '<div class="kds-meta">';
    if (h.waiter) html += '<span class="kds-waiter">' + PERSON_ICON + " " + esc(h.waiter) + "</span>";
    if (h.guests) html += '<span class="kds-guests">' + esc(t("guests", { n: h.guests })) + "</span>";
    html += '<span class="kds-course">' + esc(tk.course === 0 ? t("drinks") : t("course", { n: tk.course })) + "</span>";
    if (tk.is_change) html += '<span class="kds-badge kds-badge-change" data-testid="change-badge">' + esc(t("change")) + "</span>";
    if (tk.held) html += '<span class="kds-badge kds-badge-hold" data-testid="hold">' + esc(t("hold")) + "</span>";
    else if (tk.status === "started") html += '<span class="kds-badge kds-badge-started">' + esc(t("started")) + "</span>";
    // Small and out of the thumb's way (the bump and start buttons are at the bottom).
    if (!tk.is_expo && !h.cancelled) {
      html += '<button type="button" class="kds-reprint" data-action="reprint" data-testid="reprint" aria-label="' +
        esc(t("reprint")) + '"><span aria-hidden="true">⎙</span> <span class="kds-reprint-label">' + esc(t("reprint")) +
        "</span></button>";
    }
    html += "</div></header>";
    if (h.notes) html += '<div class="kds-order-note"><span aria-hidden="true">✎</span> ' + esc(h.notes) + "</div>";
    if (tk.held) html += '<div class="kds-hold-hint">' + esc(t("hold_hint")) + "</div>";
    if (tk.is_expo) html += partsHtml(tk);
    html += '<ol class="kds-lines">' + (tk.lines || []).map(function (li) { return lineHtml(tk, li); }).join("") + "</ol>";
    html += '<footer class="kds-card-foot">';
    if (tk.status === "new" && !tk.held && !h.cancelled && !tk.is_expo) {
      html += '<button type="button" class="kds-btn kds-btn-start" data-action="start" data-testid="start">▶ ' + esc(t("start")) + "</button>";
    }
    if (tk.is_expo) return html + expoButtons(tk) + "</footer>";
    html += '<button type="button" class="kds-btn kds-btn-bump" data-action="bump" data-testid="bump">✓ ' + esc(t("bump")) + "</button>";
    return html + "</footer>";
  }

  // Expo's Ready is live only once every station bumped its part; before that, "Ready
  // anyway…" asks the cook to confirm (the server audits it).
  function expoButtons(tk) {
    var ready = !!tk.complete && !tk.held;
    var html = '<button type="button" class="kds-btn kds-btn-bump" data-action="bump" data-testid="bump"' +
      (ready ? "" : ' disabled aria-disabled="true"') + ">✓ " + esc(t("bump_expo")) + "</button>";
    if (!ready && !tk.held) {
      html += '<button type="button" class="kds-btn kds-btn-anyway" data-action="ready-anyway" data-testid="ready-anyway">' +
        esc(t("ready_anyway")) + "</button>";
    }
    return html;
  }

  // One chip per station: done when all its tickets on this card are, cooking when one is.
  function stationParts(tk) {
    var order = [];
    var byStation = {};
    (tk.parts || []).forEach(function (p) {
      var part = byStation[p.station_id];
      if (!part) { part = byStation[p.station_id] = { station_id: p.station_id, statuses: [] }; order.push(part); }
      part.statuses.push(p.status);
    });
    return order.map(function (part) {
      var all = part.statuses;
      var status = all.every(function (x) { return x === "done"; }) ? "done"
        : all.some(function (x) { return x !== "new"; }) ? "started" : "new";
      var st = stationById(part.station_id);
      return { station_id: part.station_id, status: status, name: st ? named(st) : "#" + part.station_id };
    });
  }

  function partsHtml(tk) {
    var html = '<div class="kds-parts" data-testid="parts">';
    stationParts(tk).forEach(function (p) {
      html += '<span class="kds-part is-' + esc(p.status) + '" data-testid="part" data-status="' + esc(p.status) + '">' +
        '<span aria-hidden="true">' + (p.status === "done" ? "✓" : p.status === "started" ? "◐" : "○") + "</span> " +
        esc(p.name) + "</span>";
    });
    html += "</div>";
    if (tk.complete) html += '<div class="kds-complete" data-testid="complete">✓ ' + esc(t("complete")) + "</div>";
    return html;
  }

  var renderQueued = false;
  function render() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(function () { renderQueued = false; renderNow(); }, 0);
  }

  var cards = new Map(); // ticket id -> {el, tk}: a card is rebuilt only when its ticket changed
  var layoutQueued = false;
  function renderNow() {
    var began = window.performance ? performance.now() : 0;
    var list = ordered();
    var seen = {};
    list.forEach(function (tk, index) {
      seen[tk.id] = true;
      var entry = cards.get(tk.id);
      if (!entry) {
        var el = document.createElement("article");
        el.className = "kds-card";
        el.dataset.ticket = tk.id;
        el.dataset.testid = "ticket";
        entry = { el: el, tk: null };
        cards.set(tk.id, entry);
        if (cardSizes) cardSizes.observe(el);
      }
      var el2 = entry.el;
      if (entry.tk !== tk) {
        el2.innerHTML = cardHtml(tk);
        entry.tk = tk;
        pages.forget(tk.id); // its height is measured again
        var h = tk.header || {};
        el2.dataset.order = h.number;
        el2.dataset.status = tk.status;
        el2.dataset.course = tk.course;
        el2.classList.toggle("is-started", tk.status === "started");
        el2.classList.toggle("is-held", !!tk.held);
        el2.classList.toggle("is-rush", isRush(tk));
        el2.classList.toggle("is-change", !!tk.is_change);
        el2.classList.toggle("is-cancelled", !!h.cancelled);
        el2.classList.toggle("is-expo", !!tk.is_expo);
        el2.classList.toggle("is-complete", !!(tk.is_expo && tk.complete));
      }
      var chosen = state.selected === tk.id ? "true" : "false";
      if (el2.getAttribute("aria-selected") !== chosen) {
        el2.classList.toggle("is-selected", chosen === "true");
        el2.setAttribute("aria-selected", chosen);
      }
      // The board's children in the board's order (the lane heading stays first).
      var at = board.children[index + 1];
      if (at !== el2) board.insertBefore(el2, at || null);
    });
    cards.forEach(function (entry, id) {
      if (!seen[id]) {
        if (cardSizes) cardSizes.unobserve(entry.el);
        entry.el.remove();
        cards.delete(id);
      }
    });
    var empty = board.querySelector(".kds-empty");
    if (!list.length && !empty && state.seq !== null) {
      empty = document.createElement("p");
      empty.className = "kds-empty";
      empty.dataset.testid = "empty";
      empty.textContent = t("no_tickets");
      board.appendChild(empty);
    } else if (list.length && empty) {
      empty.remove();
    }
    tick(); // timers and levels before measuring: a card's size must not change after
    layoutNow(list);
    Object.keys(flashes).forEach(function (id) {
      var entry = cards.get(Number(id));
      delete flashes[id];
      if (!entry) return;
      entry.el.classList.remove("is-new");
      void entry.el.offsetWidth; // restart the animation
      entry.el.classList.add("is-new");
      pages.flash(Number(id));
    });
    renderAllDay();
    renderRecent();
    root.dataset.seq = state.seq === null ? "" : String(state.seq);
    // What the last render cost (bench/kds_board.py reads it): a push must stay cheap.
    if (began) root.dataset.renderMs = (performance.now() - began).toFixed(1);
  }

  function layoutNow(list) {
    layoutQueued = false;
    pages.layout((list || ordered()).map(function (tk) {
      return { id: tk.id, el: cards.get(tk.id).el, held: !!tk.held };
    }));
  }
  // A card or the board changed size (a font arrived, the window turned, a banner came):
  // place the cards again, once per frame at most.
  function layoutSoon() {
    if (layoutQueued) return;
    layoutQueued = true;
    requestAnimationFrame(function () { if (layoutQueued) layoutNow(); });
  }
  var cardSizes = window.ResizeObserver ? new ResizeObserver(function (entries) {
    var moved = entries.filter(function (e) {
      var size = e.borderBoxSize && e.borderBoxSize[0];
      return pages.resized(e.target, size ? size.blockSize : e.target.offsetHeight);
    });
    if (moved.length) layoutSoon();
  }) : null;
  function boardResized() { pages.forgetAll(); layoutSoon(); }
  if (window.ResizeObserver) new ResizeObserver(boardResized).observe(board.parentNode);
  else window.addEventListener("resize", boardResized);

  var pages = window.KdsBoard(board, $("[data-testid=pager]"), {
    rtl: RTL,
    text: t,
    flags: function (id) {
      var entry = cards.get(id);
      var tk = state.tickets.get(id);
      return {
        late: !!entry && entry.el.dataset.level === "late",
        rush: !!tk && isRush(tk) && !tk.held,
      };
    },
  });

  function renderAllDay() {
    var counts = {};
    state.tickets.forEach(function (tk) {
      if (tk.held || tk.status === "done") return;
      (tk.lines || []).forEach(function (li) {
        if (li.kind === "void" || li.done) return;
        var left = li.quantity - li.voided_quantity;
        if (left <= 0) return;
        var entry = counts[li.name] || (counts[li.name] = { name: li.name, name_ar: li.name_ar, count: 0 });
        entry.count += left;
      });
    });
    var rows = Object.keys(counts).map(function (k) { return counts[k]; })
      .sort(function (a, b) { return b.count - a.count || named(a).localeCompare(named(b)); });
    allDayList.innerHTML = rows.length ? rows.map(function (r) {
      return '<li data-testid="all-day-row"><span class="kds-all-day-count" dir="ltr">' + esc(r.count) +
        '</span><span class="kds-all-day-name">' + esc(named(r)) + "</span></li>";
    }).join("") : '<li class="kds-muted">' + esc(t("nothing_all_day")) + "</li>";
  }

  function renderRecent() {
    recentList.innerHTML = state.recent.length ? state.recent.map(function (tk) {
      var h = tk.header || {};
      var names = (tk.lines || []).map(function (li) { return li.quantity + "× " + named(li); }).join(", ");
      return '<li class="kds-recent-row" data-testid="recent-row">' +
        '<span class="kds-recent-number" dir="ltr">#' + esc(h.number) + "</span>" +
        '<span class="kds-recent-what"><b>' + esc(place(h)) + (h.customer ? " · " + esc(h.customer) : "") +
        "</b><span>" + esc(names) + '</span><span class="kds-muted">' +
        esc(t("bumped_at", { time: timeOfDay(tk.bumped_at) })) + "</span></span>" +
        '<button type="button" class="kds-btn kds-btn-recall" data-recall="' + tk.id + '" data-testid="recall">↶ ' +
        esc(t("recall")) + "</button></li>";
    }).join("") : '<li class="kds-muted">' + esc(t("nothing_recent")) + "</li>";
  }

  // Timers: every second, no re-render.
  function tick() {
    var st = state.station || { warn_after_s: 480, late_after_s: 900 };
    var late = 0;
    state.tickets.forEach(function (tk, id) {
      var entry = cards.get(id);
      if (!entry) return;
      var el = entry.el.querySelector(".kds-timer");
      if (!el) return;
      var level = "";
      var text;
      var startAt = tk.start_at ? Date.parse(tk.start_at) : NaN;
      if (tk.held) {
        text = t("hold");
        level = "held";
      } else if (!isNaN(startAt) && startAt > now() && tk.status === "new") {
        text = t("start_in", { n: Math.ceil((startAt - now()) / 60000) });
        level = "wait";
      } else {
        // A staggered ticket's clock starts when it may start, not when it was sent.
        var from = Math.max(Date.parse(tk.fired_at || tk.created_at) || 0, startAt || 0) || NaN;
        var secs = isNaN(from) ? 0 : Math.max(0, (now() - from) / 1000);
        text = clockText(secs);
        level = secs >= st.late_after_s ? "late" : secs >= st.warn_after_s ? "warn" : "ok";
        if (level === "late") late++;
      }
      if (el.textContent !== text) el.textContent = text;
      if (el.dataset.level !== level) {
        el.dataset.level = level;
        el.className = "kds-timer is-" + level;
      }
      if (entry.el.dataset.level !== level) entry.el.dataset.level = level;
    });
    if (pages) pages.status(); // the pager's late counts
    $("[data-testid=count-open]").textContent = state.tickets.size;
    $("[data-testid=count-late]").textContent = late;
    $("[data-testid=late-stat]").hidden = late === 0;
    var d = new Date();
    $("[data-testid=clock]").textContent =
      String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
    tickOffline();
    retryConnect();
  }
  setInterval(tick, 1000);

  // Belt and braces: if the socket gave up (refused, or "online" never came), try again.
  var lastRetry = 0;
  function retryConnect() {
    if (socket.connected || socket.active || !navigator.onLine || signingOut) return;
    if (Date.now() - lastRetry < 3000) return;
    lastRetry = Date.now();
    socket.connect();
  }

  // ---------------------------------------------------------------- input: touch
  board.addEventListener("click", function (event) {
    var card = event.target.closest(".kds-card");
    if (!card) return;
    var id = Number(card.dataset.ticket);
    var action = event.target.closest("[data-action]");
    var line = event.target.closest(".kds-line[role=button]");
    state.selected = id;
    if (action && action.dataset.action === "bump") bumpTicket(id);
    else if (action && action.dataset.action === "ready-anyway") askReadyAnyway(id);
    else if (action && action.dataset.action === "start") startTicket(id);
    else if (action && action.dataset.action === "reprint") reprint(id);
    else if (line) bumpLine(id, Number(line.dataset.line));
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    render();
  });

  $("[data-testid=recall-last]").addEventListener("click", function () { recall(null); });
  $("[data-testid=sound-hint]").addEventListener("click", function () { unlockAudio(); chime(); });
  $("[data-testid=recent-open]").addEventListener("click", function () { openOverlay("recent-drawer"); });
  $("[data-testid=all-day-toggle]").addEventListener("click", function (event) {
    var hidden = root.classList.toggle("hide-all-day");
    event.currentTarget.setAttribute("aria-pressed", hidden ? "false" : "true");
  });
  $("[data-testid=station-button]").addEventListener("click", openPicker);
  $("[data-testid=confirm-yes]").addEventListener("click", confirmReadyAnyway);
  recentList.addEventListener("click", function (event) {
    var button = event.target.closest("[data-recall]");
    if (!button) return;
    recall(Number(button.dataset.recall));
    closeOverlays();
  });
  root.querySelectorAll(".kds-overlay").forEach(function (overlay) {
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay || event.target.closest("[data-close]")) closeOverlays();
    });
  });
  $("[data-testid=station-picker]").addEventListener("click", function (event) {
    var tile = event.target.closest("[data-station]");
    if (tile) { closeOverlays(); chooseStation(tile.dataset.station); }
  });

  function openOverlay(testid) {
    closeOverlays();
    var el = $("[data-testid=" + testid + "]");
    el.hidden = false;
    var first = el.querySelector("button");
    if (first) first.focus();
  }
  function openPicker() { openOverlay("station-picker"); }
  function closeOverlays() {
    confirming = null;
    root.querySelectorAll(".kds-overlay").forEach(function (o) { o.hidden = true; });
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  }
  function overlayOpen() {
    return Array.from(root.querySelectorAll(".kds-overlay")).some(function (o) { return !o.hidden; });
  }

  // ---------------------------------------------------------------- input: keyboard, bump bar
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    if (event.key === "Escape") { closeOverlays(); return; }
    if (overlayOpen()) return;
    var list = ordered();
    var index = list.findIndex(function (x) { return x.id === state.selected; });
    var shown = pages.shown();
    var handled = true;
    if (/^[1-9]$/.test(event.key)) {
      var pick = shown[Number(event.key) - 1]; // the number on the card, on this page
      if (pick !== undefined) state.selected = pick;
    } else if (event.key === "Enter" || event.key === " ") {
      if (state.selected !== null && state.tickets.has(state.selected)) bumpTicket(state.selected);
      else if (shown.length) state.selected = shown[0];
    } else if (event.key === "PageDown" || event.key === "PageUp") {
      pages.show(pages.page + (event.key === "PageDown" ? 1 : -1));
    } else if (event.key === "s" || event.key === "S") {
      if (state.selected !== null) startTicket(state.selected);
    } else if (event.key === "r" || event.key === "R") {
      recall(null);
    } else if (["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"].indexOf(event.key) >= 0) {
      var forward = event.key === "ArrowDown" || event.key === (RTL ? "ArrowLeft" : "ArrowRight");
      if (list.length) {
        var next = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + (forward ? 1 : -1)));
        state.selected = list[next].id;
        pages.reveal(state.selected); // the page it is on
      }
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
      render();
    }
  });

  // ---------------------------------------------------------------- station choice
  function chooseStation(code) {
    var st = stationByCode(code);
    if (!st) { openPicker(); return; }
    try { localStorage.setItem(STORE_KEY, code); } catch (e) { /* private mode */ }
    var url = new URL(location.href);
    url.searchParams.set("station", code);
    history.replaceState(null, "", url.pathname + url.search);
    // The language links come back here, to this station.
    document.querySelectorAll('a[data-testid^="lang-"]').forEach(function (a) {
      var u = new URL(a.href, location.href);
      u.searchParams.set("next", url.pathname + url.search);
      a.href = u.pathname + u.search;
    });
    if (state.stationId === st.id) return;
    state.stationId = st.id;
    state.station = null;
    state.seq = null;
    state.tickets = new Map();
    state.pushSeq = {};
    state.recent = [];
    state.queue = [];
    state.selected = null;
    $("[data-testid=station-name]").textContent = named(st);
    root.classList.toggle("is-expo", !!st.is_expo);
    root.querySelectorAll("[data-station]").forEach(function (tile) {
      tile.classList.toggle("is-current", tile.dataset.station === code);
    });
    showKeptBoard(st.id);
    printers = {};
    renderPrinterBanner();
    render();
    join();
    loadPrinters();
  }

  var wanted = new URLSearchParams(location.search).get("station");
  if (!stationByCode(wanted)) {
    try { wanted = localStorage.getItem(STORE_KEY); } catch (e) { wanted = null; }
  }
  if (stationByCode(wanted)) chooseStation(wanted);
  else openPicker();
  updateSoundHint();
  tick();
})();
