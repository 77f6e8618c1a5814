// The menu beside the check: category tabs and item buttons (the dish's thumbnail when it
// has a photo, how many are in the draft); a tap adds one, or opens the item's options.
import { clear, el } from "../lib/dom.js";
import { $, current, moneyEl, name, S, saveLocal, t } from "./context.js";
import { draftFor, makeLine } from "./drafts.js";
import { availabilitySheet, canEightySix, longPress, soldOutText } from "./eighty_six.js";
import { itemSheet } from "./item_sheet.js";
import { bumpCart, changed, flash, render } from "./screen.js";

export function renderMenu(c) {
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
  var manager = canEightySix();
  cat.items.forEach(function (item) {
    // 86'd or out of stock: greyed, saying why, and it cannot be added. A manager may still
    // tap it (or long-press any dish) to 86 it or bring it back.
    var soldOut = item.available === false;
    var pressed = null;
    var button = el("button", {
      type: "button", class: soldOut ? "hh-item is-sold-out" : "hh-item", "data-testid": "item-" + item.id,
      dataset: soldOut ? { name: item.name.en, soldOut: item.sold_out || "86" } : { name: item.name.en },
      disabled: soldOut && !manager, "aria-disabled": soldOut ? "true" : null,
      onclick: function () {
        if (pressed && pressed()) return; // the long press opened the 86 sheet
        tapItem(item);
      },
    },
    item.thumb_url ? el("span", { class: "hh-item-top" },
      // A fixed size, so that a button never grows when its photo arrives; lazy: a long
      // section loads only the photos in view.
      el("img", { class: "hh-item-photo", src: item.thumb_url, alt: "", width: 44, height: 44,
        loading: "lazy", decoding: "async", "data-testid": "item-photo" }),
      el("span", { class: "hh-item-name" }, name(item)))
      : el("span", { class: "hh-item-name" }, name(item)),
    el("span", { class: "hh-item-foot" }, moneyEl(item.price_minor, "hh-item-price"),
      soldOut ? el("span", { class: "hh-item-out", "data-testid": "sold-out" }, soldOutText(item)) : null,
      !soldOut && item.modifier_group_ids.length ? el("span", { class: "hh-item-opts" }, t("options")) : null),
    inCart[item.id] ? el("span", { class: "hh-item-count" }, inCart[item.id]) : null);
    if (manager) pressed = longPress(button, item);
    grid.appendChild(button);
  });
}

function tapItem(item) {
  if (item.available === false) {
    if (canEightySix()) return availabilitySheet(item);
    return flash(soldOutText(item), "warn");
  }
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
