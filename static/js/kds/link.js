// The kitchen screen's connection (/kds): online and offline as the screen shows them, the
// sign-out when the login is gone, and commands with their toasts. The entry (kds.js) says
// what the pushes do.
import { leaveOnce } from "../lib/session.js";
import { openSocket, showOnline } from "../lib/socket.js";
import { $, COMMAND_TIMEOUT_MS, now, root, state, t, toast, TOKEN } from "./context.js";
import { clockText } from "./tickets.js";

// The refusal's error code is in the message (python-socketio sends str(envelope)) or in
// data, depending on how the server raises it.
const SIGNED_OUT = /token_|staff_inactive|forbidden_role/;

/** The screen's socket, once openLink() made it. */
export let socket = null;

// The login expired or was revoked: nothing to retry, sign in again (and come back here).
export const signOut = leaveOnce(() => {
  toast(t("signed_out"), "error");
  const next = location.pathname + location.search;
  setTimeout(() => {
    location.href = root.dataset.loginUrl + "?next=" + encodeURIComponent(next);
  }, 2500);
});

/** Whether an ack's error code means the login is gone (a wrong role is only refused). */
export function signedOutBy(code) {
  return SIGNED_OUT.test(code || "") && code !== "forbidden_role";
}

export function setConnected(online) {
  state.connected = online;
  if (!online && state.offlineSince === null) state.offlineSince = now();
  if (online) state.offlineSince = null;
  root.classList.toggle("is-offline", !online);
  root.dataset.live = online ? "1" : "0";
  $("[data-testid=reconnecting]").hidden = online;
  showOnline(online);
  tickOffline();
}

export function tickOffline() {
  $("[data-testid=offline-for]").textContent = state.offlineSince === null ? ""
    : t("offline_for", { time: clockText(Math.max(0, now() - state.offlineSince) / 1000) });
}

/**
 * Connect; `on` has the handlers of connect, ticket pushes (push(name, payload)),
 * printer_status, menu_changed and stock_alert. The first connection gets a moment before the board says it is offline.
 */
export function openLink(on) {
  socket = openSocket("/kds", TOKEN, {
    // A connection attempt that hangs (a half-dead switch, a server starting up) is given
    // up after 5 s and retried, instead of socket.io's 20 s.
    timeout: 5000,
  });
  let initialGrace = true;
  socket.on("connect", () => {
    setConnected(true);
    on.connect();
  });
  socket.on("disconnect", (reason) => {
    setConnected(false);
    // The server hung up on purpose (e.g. restart): socket.io does not retry by itself then.
    // Unless it signed this screen out: then the login page, not a retry.
    if (reason === "io server disconnect" && navigator.onLine && !signOut.leaving()) socket.connect();
  });
  // Logout, deactivation, a new PIN or an expired login: the server says so, then hangs up.
  socket.on("session_revoked", () => signOut());
  socket.on("connect_error", (err) => {
    const text = String((err && err.message) || "") + " " + JSON.stringify((err && err.data) || "");
    if (SIGNED_OUT.test(text)) {
      signOut();
      return;
    }
    if (state.offlineSince === null && !initialGrace) setConnected(false);
  });
  socket.on("ticket_created", (p) => on.push("ticket_created", p));
  socket.on("ticket_updated", (p) => on.push("ticket_updated", p));
  // Not numbered: a printer's state, not a ticket event. It never enters the sequence (and so
  // never touches seq); the latest state of each printer simply wins.
  socket.on("printer_status", (p) => on.printerStatus(p));
  // Not numbered either, and to every screen: a dish 86'd or back, an ingredient low or out.
  socket.on("menu_changed", () => on.menuChanged());
  socket.on("stock_alert", (p) => on.stockAlert(p));
  setTimeout(() => {
    initialGrace = false;
    if (!socket.connected) setConnected(false);
  }, 2500);

  // The device says the network is gone: do not trust the socket, go offline now, and come
  // back (join_station with after_seq) when the network returns.
  window.addEventListener("offline", () => {
    socket.disconnect();
    setConnected(false);
  });
  window.addEventListener("online", () => {
    if (!socket.connected) socket.connect();
    // connection.js hides the banner on "online"; it stays until the socket is back.
    showOnline(socket.connected);
  });
}

/** Send a command; `done(ack)` with the ack, or done(null) after a toast saying why not. */
export function emit(name, data, done) {
  const finish = (ack) => { if (done) done(ack); };
  if (!socket.connected) {
    toast(t("offline"), "error");
    finish(null);
    return;
  }
  socket.timeout(COMMAND_TIMEOUT_MS).emit(name, data, (err, ack) => {
    if (err) {
      toast(t("no_answer"), "error");
      finish(null);
      return;
    }
    if (!ack || !ack.ok) {
      const error = (ack && ack.error) || {};
      if (signedOutBy(error.code)) {
        signOut();
        finish(null);
        return;
      }
      if (name === "recall_ticket" && error.code === "not_found") toast(t("nothing_to_recall"), "info");
      else toast(t("failed", { message: error.message || error.code || "?" }), "error");
      finish(null);
      return;
    }
    finish(ack);
  });
}

// Belt and braces: if the socket gave up (refused, or "online" never came), try again.
let lastRetry = 0;
export function retryConnect() {
  if (!socket || socket.connected || socket.active || !navigator.onLine || signOut.leaving()) return;
  if (Date.now() - lastRetry < 3000) return;
  lastRetry = Date.now();
  socket.connect();
}
