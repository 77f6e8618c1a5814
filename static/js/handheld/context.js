// What the parts of the handheld share: the boot data and words, the state, the device's
// kept data, the API with the page's token, and names and money as the page shows them.
import { makeApi, NetError } from "../lib/api.js";
import { byId, el, readJson } from "../lib/dom.js";
import { errorText as envelopeText, pageLanguage, translator } from "../lib/i18n.js";
import { formatMoney } from "../lib/money.js";
import { leaveOnce } from "../lib/session.js";
import { browserStorage } from "../lib/store.js";
import { uuid } from "../lib/uuid.js";
import { createLocal } from "./local.js";

const BOOT = readJson("hh-boot");
export const t = translator(BOOT.strings);
export const STAFF = BOOT.staff;
// A copy loaded while the server was down has no token in it: offline.js keeps this tab's.
export const TOKEN = window.PosOffline ? window.PosOffline.token(BOOT.token) : BOOT.token;
export const LANG = pageLanguage(document);
export const STATUSES = ["free", "seated", "ordered", "ready", "served", "bill_asked", "dirty"];
export const HAND_OVER = { dine_in: "served_action", takeaway: "picked_up_action", delivery: "out_action" };
// A tablet (handheld.css's same query) shows the floor, the menu and the check side by side;
// a phone shows one of them at a time.
export const TABLET = window.matchMedia("(min-width: 768px) and (min-height: 600px)");

export const S = {
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

export const $ = byId;

// -- storage: drafts survive a Wi-Fi drop and a reload -------------------------------------

const local = createLocal(browserStorage(), STAFF.id);

export function loadLocal() {
  local.load(S);
}

export function saveLocal() {
  local.save(S);
}

export function cacheGet() {
  return local.cacheGet();
}

export function cachePut(key, value) {
  local.cachePut(key, value);
}

// -- names, money, words -------------------------------------------------------------------

export function name(obj) {
  if (!obj) return "";
  if (obj.name && typeof obj.name === "object") return obj.name[LANG] || obj.name.en || "";
  if (LANG === "ar") return obj.name_ar || obj.name || "";
  return obj.name || "";
}

export function floorName(floor) {
  return (LANG === "ar" && floor.name_ar) || floor.name;
}

/** Minor units with the branch's exponent and currency, Western digits, as receipts print. */
export function money(minor) {
  return formatMoney(minor, S.currency, S.exponent, LANG);
}

export function moneyEl(minor, cls) {
  return el("bdi", { class: "hh-money " + (cls || "") }, money(minor));
}

/** A refusal of the API in the page's language. */
export function errorText(error) {
  return envelopeText(t, error);
}

export function courseLabel(course) {
  return course === 0 ? t("drinks") : t("course_n", { n: course });
}

// -- talking to the server -----------------------------------------------------------------

// Once: session_revoked, connect_error and a 401 may all ask, and a second navigation would
// abort the first.
export const goToLogin = leaveOnce(() => {
  window.location.assign("/login?next=" + encodeURIComponent("/handheld" + location.hash));
});

export const api = makeApi(TOKEN, goToLogin);

/**
 * A one-off command (void, hand over, move, ...): one Idempotency-Key per tap, so a retry
 * after a lost answer does nothing twice; a dropped request is tried twice more.
 */
export function once(method, path, body) {
  const key = uuid();
  const attempt = (left) => api(method, path, body, key).catch((err) => {
    if (!(err instanceof NetError) || left <= 0 || !navigator.onLine) throw err;
    return new Promise((resolve) => setTimeout(resolve, 1500)).then(() => attempt(left - 1));
  });
  return attempt(2);
}

/** The order on the screen: its id, the server's order and this handheld's draft of it. */
export function current() {
  const id = S.view.orderId;
  return { id: id, order: S.orders.get(id) || null, draft: S.drafts[id] || null };
}
