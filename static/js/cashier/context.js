// What the parts of the cashier's screen share: the boot data, the words, the state, the
// API with the page's token, the toast and the way to the login page.
import { makeApi } from "../lib/api.js";
import { byId, readJson } from "../lib/dom.js";
import { translator } from "../lib/i18n.js";
import { leaveOnce } from "../lib/session.js";
import { money, t as billT } from "../billpay/words.js";

export const BOOT = readJson("cs-boot");
// A copy loaded while the server was down has no token in it: offline.js keeps this tab's.
if (window.PosOffline) BOOT.token = window.PosOffline.token(BOOT.token);

/** The cashier's own words, else the bill widget's. */
export const t = translator(BOOT.strings, billT);

export const S = {
  currency: "SAR",
  exponent: 2,
  orders: new Map(),
  selected: null,
  shift: null,
  shiftKnown: false,
  sockets: [],
  everConnected: false,
};

/** Minor units in the branch's currency. */
export function fmt(minor) {
  return money(minor, S.currency, S.exponent);
}

// Once: every floor's socket hears session_revoked, and a second navigation would abort the
// first.
export const goToLogin = leaveOnce(() => {
  window.location.assign("/login?next=" + encodeURIComponent("/cashier"));
});

export const api = makeApi(BOOT.token, goToLogin);

// In the orders column, under the list: never over the bill, its Pay or tender buttons.
let toastTimer = null;

export function toast(message, kind) {
  const box = byId("cs-toast");
  box.textContent = message;
  box.dataset.kind = kind || "ok";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 6000 : 3000);
}
