// What every part of the kitchen screen shares: its element, its words, the stations, the
// server's clock and the board's state. Read once, when the page's modules load.
import { el, readJson } from "../lib/dom.js";
import { translator } from "../lib/i18n.js";

export const root = document.getElementById("kds");

/** The first element under the screen matching `sel`. */
export function $(sel, from) {
  return (from || root).querySelector(sel);
}

export const t = translator(root ? readJson("kds-i18n") : {});
export const STATIONS = root ? JSON.parse(root.dataset.stations || "[]") : [];
// Loaded while the server was down (offline.js): no token in the page, a stale server time.
export const SHELL = !!(window.PosOffline && window.PosOffline.shell);
const tokenMeta = document.querySelector('meta[name="pos-token"]');
export const TOKEN = window.PosOffline ? window.PosOffline.token(tokenMeta ? tokenMeta.content : "")
  : tokenMeta ? tokenMeta.content : "";
export const AR = (document.documentElement.lang || "").indexOf("ar") === 0;
export const RTL = document.documentElement.dir === "rtl";
export const COMMAND_TIMEOUT_MS = 8000;

export const state = {
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
  lastAlarm: 0,
  confirming: null, // the expo ticket whose "Ready anyway" is being confirmed
  // The device's clock may drift; timers use the server's time (given when the page loaded).
  skew: 0,
};
const serverNow = Date.parse((root && root.dataset.serverNow) || "");
state.skew = isNaN(serverNow) || SHELL ? 0 : serverNow - Date.now();

/** Now, by the server's clock. */
export function now() {
  return Date.now() + state.skew;
}

/** A station's, item's or modifier's name in the page's language. */
export function named(obj) {
  return (AR && obj.name_ar) || obj.name || "";
}

export function stationByCode(code) {
  return STATIONS.filter((s) => s.code === code)[0] || null;
}

export function stationById(id) {
  return STATIONS.filter((s) => s.id === id)[0] || null;
}

/** A message over the board for five seconds. */
export function toast(message, kind) {
  const note = el("div", { class: "kds-toast" + (kind ? " is-" + kind : ""), role: "alert",
    dataset: { testid: "toast" } }, message);
  $(".kds-toasts").appendChild(note);
  setTimeout(() => note.classList.add("is-leaving"), 4500);
  setTimeout(() => note.remove(), 5000);
}
