// The open orders on the start side, and the chosen order's bill (billpay.js) on the other.
// The list follows the /floor socket's pushes (one connection per floor, since a connection
// follows one floor) and a slow poll catches takeaway orders.
import { clear, el, byId } from "../lib/dom.js";
import { isOpenStatus } from "../lib/orders.js";
import { watchSecurityAlerts } from "../lib/security_alert.js";
import { openSocket, refusalCode, SIGNED_OUT, showOnline } from "../lib/socket.js";
import { createBillPanel } from "../billpay.js";
import { api, BOOT, fmt, goToLogin, S, t, toast } from "./context.js";

const panel = createBillPanel({
  root: byId("cs-bill"),
  api: api,
  token: BOOT.token,
  mode: "cashier",
  handlesCash: BOOT.handles_cash,
  toast: toast,
  onChange(bill) {
    S.currency = bill.currency;
    S.exponent = bill.exponent;
    const known = S.orders.get(bill.order_id);
    if (known && !isOpenStatus(bill.order_status)) {
      S.orders.delete(bill.order_id); // paid: off the list, its bill stays shown
      renderOrders();
    }
  },
});

/** Show this order's bill. */
export function select(orderId) {
  S.selected = orderId;
  renderOrders();
  panel.show(orderId);
}

function applyOrder(order) {
  if (!order || !order.id) return;
  const known = S.orders.get(order.id);
  if (known && known.version > order.version) return;
  if (isOpenStatus(order.status)) S.orders.set(order.id, order);
  else S.orders.delete(order.id);
  renderOrders();
  if (order.id === S.selected) panel.reload();
}

export function refreshOrders() {
  return api("GET", "/orders").then((res) => {
    if (!res.ok) return;
    S.orders = new Map();
    res.data.items.forEach((o) => S.orders.set(o.id, o));
    renderOrders();
  }).catch(() => { /* offline: keep the list */ });
}

function orderWhere(o) {
  if (o.table_label) return t("table_n", { label: o.table_label });
  const kind = t(o.type === "delivery" ? "delivery" : "takeaway");
  return o.customer_name ? kind + " · " + o.customer_name : kind;
}

export function renderOrders() {
  const list = clear(byId("cs-order-list"));
  const orders = Array.from(S.orders.values()).sort((a, b) => a.number - b.number);
  if (!orders.length) {
    list.appendChild(el("li", { class: "cs-empty" }, t("no_open_orders")));
    return;
  }
  orders.forEach((o) => {
    list.appendChild(el("li", null, el("button", {
      type: "button", class: "cs-order", "aria-current": String(o.id === S.selected),
      "data-testid": "order-row", dataset: { id: o.id, number: o.number, status: o.status },
      onclick: () => select(o.id),
    },
    el("span", { class: "cs-order-num" }, "#" + o.number),
    el("span", { class: "cs-order-where" }, orderWhere(o),
      el("small", null, o.waiter_name || "")),
    el("bdi", { class: "cs-order-total" }, fmt(o.total_minor),
      o.paid_at ? el("small", { class: "cs-paid-tag", "data-testid": "order-paid" },
        t("paid_ok")) : null))));
  });
}

/** One connection per floor (a connection follows one floor); none without the client. */
export function connect(floors) {
  if (typeof globalThis.io !== "function") return;
  const ids = floors.length ? floors.map((f) => f.id) : [null];
  ids.forEach((floorId, i) => {
    const socket = openSocket("/floor", BOOT.token, { forceNew: i > 0 });
    socket.on("connect", () => {
      if (floorId !== null) socket.emit("join_floor", { floor_id: floorId }, () => {});
      S.everConnected = true;
      setLink();
      if (i === 0) {
        refreshOrders();
        if (S.selected) panel.reload();
      }
    });
    socket.on("disconnect", setLink);
    socket.on("connect_error", (err) => {
      const code = refusalCode(err);
      if (code && SIGNED_OUT.test(code)) goToLogin();
      setLink();
    });
    socket.on("order_updated", applyOrder);
    // Logout, deactivation, a new PIN or an expired login: the server says so, then hangs up.
    socket.on("session_revoked", goToLogin);
    if (i === 0) watchSecurityAlerts(socket); // pushed to owners and managers only
    S.sockets.push(socket);
  });
}

function linkUp() {
  return navigator.onLine && S.sockets.length > 0 && S.sockets.every((s) => s.connected);
}

export function setLink() {
  const up = linkUp();
  showOnline(up || (!S.everConnected && navigator.onLine));
  const link = byId("cs-link");
  const state = up ? "live" : !navigator.onLine ? "offline" : S.everConnected ? "reconnecting" : "connecting";
  link.dataset.state = state;
  link.textContent = state === "live" ? t("live") : state === "offline" ? t("offline") : t("reconnecting");
  document.body.classList.toggle("cs-is-offline", state === "offline" || state === "reconnecting");
}

/** Follow the network and the tab: reconnect, and read the list again when back. */
export function watchNetwork() {
  window.addEventListener("offline", () => {
    S.sockets.forEach((s) => s.disconnect());
    setLink();
  });
  window.addEventListener("online", () => {
    S.sockets.forEach((s) => { if (!s.connected) s.connect(); });
    setLink();
    refreshOrders();
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && navigator.onLine) refreshOrders();
  });
  // Takeaway orders are pushed to their waiter only: a slow poll keeps them on the list.
  setInterval(() => { if (navigator.onLine) refreshOrders(); }, 15000);
}
