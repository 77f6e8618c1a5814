// The orders and tables the handheld knows, as the server pushes and answers them, and the
// ready notices owed to the waiter (kept on the device until the order is handed over).
import { isOpenStatus } from "../lib/orders.js";
import { api, cachePut, S, saveLocal, STAFF, t } from "./context.js";
import { askSocket, socketUp } from "./link.js";
import { flash, goFloor, render } from "./screen.js";
import { chime } from "./sound.js";

/** An order from the server (a push, an answer): newer versions win. */
export function applyOrder(order) {
  if (!order || !order.id) return;
  const known = S.orders.get(order.id);
  if (known && known.version > order.version) return;
  if (isOpenStatus(order.status)) S.orders.set(order.id, order);
  else {
    S.orders.delete(order.id);
    if (S.view.orderId === order.id && !S.drafts[order.id]) {
      flash(t("not_found"), "warn");
      goFloor();
    }
  }
  if (order.status !== "ready") dropNotice(order.id);
  render();
}

export function applyTable(table) {
  if (!table || !table.id) return;
  if (table.active === false) { // taken off the floor in the back office (or moved away)
    S.allTables.delete(table.id);
    S.tables.delete(table.id);
  } else {
    S.allTables.set(table.id, table);
    if (table.floor_id === S.floorId) S.tables.set(table.id, table);
    else S.tables.delete(table.id);
  }
  render();
}

export function refreshOrders() {
  return api("GET", "/orders").then((res) => {
    if (!res.ok) return;
    S.orders = new Map();
    res.data.items.forEach((o) => S.orders.set(o.id, o));
    S.ordersLoaded = true;
    cachePut("orders", res.data.items);
    // A notice missed while offline is still owed: my ready orders get one (no buzz).
    S.notices = S.notices.filter((n) => {
      const o = S.orders.get(n.order_id);
      return o && o.status === "ready";
    });
    S.orders.forEach((o) => {
      if (o.status === "ready" && o.waiter_id === STAFF.id && !findNotice(o.id)) {
        S.notices.push(noticeOf(o));
      }
    });
    saveLocal();
    render();
  }).catch(() => { /* offline: keep what we have */ });
}

/** The floor's tables: joining its room over the socket answers them, else over HTTP. */
export function loadTables(floorId) {
  if (socketUp()) {
    return askSocket("join_floor", { floor_id: floorId }).then((ack) => {
      if (ack.ok) setFloorTables(floorId, ack.data.tables);
    }, () => {});
  }
  return api("GET", "/tables?active=true&floor_id=" + floorId).then((res) => {
    if (res.ok) setFloorTables(floorId, res.data.items);
  }).catch(() => { /* offline: the cached plan stays */ });
}

function setFloorTables(floorId, tables) {
  if (floorId !== S.floorId) return;
  S.tables = new Map();
  tables.forEach((tb) => {
    if (tb.active === false) return;
    S.tables.set(tb.id, tb);
    S.allTables.set(tb.id, tb);
  });
  cachePut("tables:" + floorId, tables);
  render();
}

export function loadAllTables() {
  return api("GET", "/tables?active=true").then((res) => {
    if (!res.ok) return;
    res.data.items.forEach((tb) => S.allTables.set(tb.id, tb));
  });
}

// -- ready notices -----------------------------------------------------------------------

function noticeOf(o) {
  return {
    order_id: o.id || o.order_id, number: o.number, table: o.table_label || o.table || "",
    type: o.type, customer: o.customer_name || o.customer || "", version: o.version,
    dismissed: false,
  };
}

export function findNotice(orderId) {
  return S.notices.filter((n) => n.order_id === orderId)[0];
}

export function dropNotice(orderId) {
  const before = S.notices.length;
  S.notices = S.notices.filter((n) => n.order_id !== orderId);
  if (S.notices.length !== before) saveLocal();
}

/** order_ready: a notice on top of the screen; the order's waiter's handheld buzzes. */
export function onOrderReady(payload) {
  const known = findNotice(payload.order_id);
  if (known && known.version >= payload.version && !known.dismissed) return; // floor + staff room
  dropNotice(payload.order_id);
  S.notices.push(noticeOf(payload));
  saveLocal();
  const order = S.orders.get(payload.order_id);
  if (!order || order.waiter_id === STAFF.id) { // a colleague's order: shown, but no buzz
    if (navigator.vibrate) navigator.vibrate([300, 120, 300, 120, 500]);
    chime();
  }
  render();
}
