// A screen's Socket.IO connection: the options every screen uses, commands as promises of
// their ack, the codes that mean "signed out", and the offline banner (connection.js).
// The socket.io client is the vendor script loaded before the page's modules (global `io`).
import { NetError } from "./api.js";

/** Refusals that mean the login is gone (expired, revoked, deactivated): sign in again. */
export const SIGNED_OUT = /^token_|staff_inactive/;

/**
 * A connection to `namespace` with the page's token, websocket only, retried from 0.5 s up to
 * 4 s; `options` override (timeout, forceNew). Null when the client script is missing.
 */
export function openSocket(namespace, token, options) {
  if (typeof globalThis.io !== "function") return null;
  return globalThis.io(namespace, Object.assign({
    auth: { token: token },
    transports: ["websocket"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    timeout: 8000,
  }, options || {}));
}

/** The error code of a refused connection (connect_error), or "". */
export function refusalCode(err) {
  return (err && err.data && err.data.error && err.data.error.code) || "";
}

/** Send a command; resolves its ack, rejects with a NetError when none came in `timeoutMs`. */
export function ask(socket, event, payload, timeoutMs) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs || 8000).emit(event, payload, (err, ack) => {
      if (err || !ack) reject(new NetError("no answer"));
      else resolve(ack);
    });
  });
}

/** Tell the offline banner (connection.js) whether the page's live connection is up. */
export function showOnline(online) {
  if (globalThis.posConnection) globalThis.posConnection.setOnline(online);
}
