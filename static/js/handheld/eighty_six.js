// 86 from the handheld, for managers and owners only (a waiter's role may not: no button is
// shown, and the server answers 403): a long press on a dish, a tap on a greyed one, or the
// "86" button of the item sheet opens a small sheet that takes the dish off every handheld or
// brings it back. A dish out of stock stays off until stock arrives, whatever is tapped.
import { el } from "../lib/dom.js";
import { errorText, name, once, S, STAFF, t } from "./context.js";
import { flash, render } from "./screen.js";
import { closeSheet, openSheet } from "./sheet.js";

const LONG_PRESS_MS = 550;
const MAY = ["manager", "owner"]; // pos_app/stock/views.py: kitchen, manager and owner

/** Whether this handheld's login may 86 a dish. */
export function canEightySix() {
  return MAY.indexOf(STAFF.role) >= 0;
}

/** Why a dish is greyed, in the page's words: "86'd" (by hand) or "Out of stock". */
export function soldOutText(item) {
  return item.sold_out === "stock" ? t("why_stock") : t("why_86");
}

/**
 * A long press on `button` opens the 86 sheet of `item` (for those who may); the click that
 * ends the press does nothing else. Returns whether the press fired, for the click handler.
 */
export function longPress(button, item) {
  var timer = null, fired = false, start = null;
  var cancel = function () {
    clearTimeout(timer);
    timer = null;
  };
  button.addEventListener("pointerdown", function (e) {
    fired = false;
    start = { x: e.clientX, y: e.clientY };
    cancel();
    timer = setTimeout(function () {
      timer = null;
      fired = true;
      if (navigator.vibrate) navigator.vibrate(30);
      availabilitySheet(item);
    }, LONG_PRESS_MS);
  });
  button.addEventListener("pointermove", function (e) {
    if (start && Math.abs(e.clientX - start.x) + Math.abs(e.clientY - start.y) > 12) cancel();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (type) { button.addEventListener(type, cancel); });
  // A long touch also asks for the context menu: the sheet is what the manager wanted.
  button.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  return function () {
    var was = fired;
    fired = false;
    return was;
  };
}

/** The sheet that 86es `item`, or brings it back. */
export function availabilitySheet(item) {
  if (!canEightySix()) return;
  openSheet(name(item), "eighty-six-sheet", function (body, foot) {
    var why = item.sold_out;
    body.appendChild(el("p", { class: "hh-86-state", "data-testid": "eighty-six-state", dataset: { state: why || "on" } },
      why === "stock" ? t("stock_out_hint") : why === "86" ? t("is_86") : t("is_on")));
    if (why === "stock") return; // nothing to tap: the stock brings it back
    foot.appendChild(el("button", {
      type: "button", class: "hh-btn " + (why ? "hh-btn-primary" : "hh-btn-danger") + " hh-86-button",
      "data-testid": why ? "un-86" : "do-86",
      onclick: function () { setAvailable(item, !!why, this); },
    }, why ? t("bring_back") : t("take_off")));
  });
}

/** 86 (`available` false) or bring back; every handheld hears menu_changed and greys it. */
export function setAvailable(item, available, button) {
  if (!navigator.onLine) return flash(t("offline_try_later"), "error");
  if (button) button.disabled = true;
  once("POST", "/items/" + item.id + "/availability", {
    available: available, reason: available ? "back, from a handheld" : "86, from a handheld",
  }).then(function (res) {
    if (button) button.disabled = false;
    if (!res.ok) return flash(errorText(res.error), "error");
    var known = S.items.get(item.id) || item;
    known.available = res.data.available && !res.data.stock_out;
    known.sold_out = !res.data.available ? "86" : res.data.stock_out ? "stock" : null;
    S.menuRev = (S.menuRev || 0) + 1; // redraw the menu now; menu_changed follows
    closeSheet();
    render();
    flash(!available ? t("now_86", { name: name(item) })
      : res.data.stock_out ? t("stock_out_hint") : t("now_back", { name: name(item) }),
    !available || res.data.stock_out ? "warn" : "ok");
  }).catch(function () {
    if (button) button.disabled = false;
    flash(t("offline_try_later"), "error");
  });
}
