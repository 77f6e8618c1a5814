// The waiter's handheld: floor map, order taking, ready notices. One page, never reloaded.
// The entry of the page's modules (static/js/handheld/): it loads what the device kept,
// routes, connects, and wires the buttons.
//
// What the waiter types lives in localStorage first (a "draft" per order, its UUIDs made once),
// then goes to the server (handheld/sync.js): over the /floor socket when it is up, else over
// HTTP. Sends are retried with the same UUIDs until the server has them (it is idempotent), a
// stale version (409) is answered by adding the waiter's lines again to the order as it is
// now, and nothing the waiter typed is thrown away unless they say so.
import { closeBill, openBill } from "./handheld/bill.js";
import { send } from "./handheld/cart.js";
import {
  $, api, cacheGet, cachePut, loadLocal, S, saveLocal, t, TABLET,
} from "./handheld/context.js";
import { hasQueued, sync } from "./handheld/drafts.js";
import { followNetwork, openLink, setLink } from "./handheld/link.js";
import { customerSheet, orderActions, ordersSheet } from "./handheld/order_sheets.js";
import { toggleRush } from "./handheld/order_view.js";
import {
  applyOrder, applyTable, loadTables, onOrderReady, refreshOrders,
} from "./handheld/orders.js";
import { renderNow } from "./handheld/paint.js";
import { flash, goFloor, render, setPainter } from "./handheld/screen.js";
import { closeSheet } from "./handheld/sheet.js";
import { unlockOnTap } from "./handheld/sound.js";

// -- routing: #floor or #order=<uuid>; a reload comes back to the same screen ----------------

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

// -- the menu and the floors ----------------------------------------------------------------

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

// -- buttons, keys, the network -------------------------------------------------------------

function onAction(event) {
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
}

function listen() {
  unlockOnTap();
  followNetwork(sync);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && navigator.onLine) {
      refreshOrders();
      refreshMenu();
      sync();
    }
  });
  setInterval(function () {
    if (navigator.onLine && hasQueued()) sync();
  }, 10000);
  document.addEventListener("click", onAction);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeSheet();
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("resize", function () { if (S.view.name === "floor" || TABLET.matches) render(); });
}

function connect() {
  openLink({
    connect: function () {
      if (S.everConnected) refreshMenu();
      S.everConnected = true;
      setLink();
      if (S.floorId) loadTables(S.floorId);
      refreshOrders().then(sync);
    },
    table: applyTable,
    order: applyOrder,
    ready: onOrderReady,
    menu: refreshMenu,
  });
}

// -- start ----------------------------------------------------------------------------------

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

setPainter(renderNow);
listen();
start();
