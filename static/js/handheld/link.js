// The handheld's connection (/floor): commands over the socket when it is up (the fast
// path), else the same over HTTP; the link state the page shows. The entry (handheld.js) says
// what the pushes do.
import { NetError } from "../lib/api.js";
import { watchSecurityAlerts } from "../lib/security_alert.js";
import { ask, openSocket, refusalCode, showOnline, SIGNED_OUT } from "../lib/socket.js";
import { api, goToLogin, S, TOKEN } from "./context.js";
import { render } from "./screen.js";

/** The page's socket, once openLink() made it (null without the socket.io client). */
export let socket = null;

/** Whether commands can go over the socket now. */
export function socketUp() {
  return !!(socket && socket.connected);
}

// The ack says what HTTP would: {ok, status, data} or {ok, status, error}.
function answerOf(ack) {
  return { ok: !!ack.ok, status: ack.status, data: ack.ok ? ack.data : ack, error: ack.error };
}

/** A command over the socket when it is up, else (or when it gets no ack) over HTTP. */
export function command(event, payload, method, path, body) {
  const http = () => api(method, path, body === undefined ? payload : body); // same UUIDs: idempotent
  if (socketUp() && navigator.onLine) {
    return ask(socket, event, payload, 8000).then(answerOf).catch(http);
  }
  return http();
}

/** Ask the socket (join_floor): the ack, or a NetError. */
export function askSocket(event, payload) {
  if (!socketUp()) return Promise.reject(new NetError("not connected"));
  return ask(socket, event, payload, 8000);
}

export function setLink() {
  S.linkUp = !!(socket && socket.connected && navigator.onLine);
  showOnline(S.linkUp || (!S.everConnected && navigator.onLine));
  render();
}

/** Connect; `on` has the handlers of connect and the pushes (table, order, ready, menu). */
export function openLink(on) {
  socket = openSocket("/floor", TOKEN);
  if (!socket) return;
  socket.on("connect", on.connect);
  socket.on("disconnect", setLink);
  socket.on("connect_error", (err) => {
    const code = refusalCode(err);
    if (code && SIGNED_OUT.test(code)) goToLogin();
    setLink();
  });
  socket.on("table_updated", on.table);
  socket.on("order_updated", on.order);
  socket.on("order_ready", on.ready);
  socket.on("menu_changed", on.menu); // a price, a name, a dish sold out: the menu again
  // Logout, deactivation, a new PIN or an expired login: the server says so, then hangs up.
  socket.on("session_revoked", goToLogin);
  watchSecurityAlerts(socket); // pushed to owners and managers only
}

/** The device says the network is gone: stop pretending; back: reconnect. */
export function followNetwork(back) {
  window.addEventListener("offline", () => {
    if (socket) socket.disconnect();
    setLink();
  });
  window.addEventListener("online", () => {
    if (socket && !socket.connected) socket.connect();
    setLink();
    back(); // over HTTP while the socket is still reconnecting
  });
}
