// The floor: its tabs, the outbox bar (what waits to be sent), and the plan with a tile per
// table (its status, its order, a draft on it, a ready badge).
import { clear, el } from "../lib/dom.js";
import { $, cacheGet, floorName, S, saveLocal, STATUSES, t, TABLET } from "./context.js";
import { localDraftAt } from "./drafts.js";
import { findNotice, loadTables } from "./orders.js";
import { fitPane, GUTTER, phonePlan } from "./plan.js";
import { changed, openOrder, render } from "./screen.js";
import { clearSheet, guestsSheet } from "./table_sheets.js";

// The floor plan: x/y/width/height in grid units. Empty grid lines shrink to a gutter, and
// a wide plan on a narrow portrait phone is drawn turned (rows become columns), so tables
// stay big enough for a thumb.
export function renderFloor() {
  if (changed("floors", [S.floors, S.floorId])) renderFloorTabs();
  renderOutbox();
  renderMap();
  var legend = $("hh-legend");
  if (!legend.childElementCount) {
    STATUSES.forEach(function (s) {
      legend.appendChild(el("li", { class: "hh-legend-item" },
        el("span", { class: "hh-swatch hh-st-" + s, "aria-hidden": "true" }), t("status_" + s)));
    });
  }
  var count = $("hh-orders-count");
  var n = listOrders().length;
  count.hidden = !n;
  count.textContent = n;
}

function renderFloorTabs() {
  var tabs = clear($("hh-floor-tabs"));
  S.floors.forEach(function (f) {
    tabs.appendChild(el("button", {
      type: "button", role: "tab", class: "hh-tab", "aria-selected": f.id === S.floorId ? "true" : "false",
      "data-testid": "floor-tab-" + f.id, onclick: function () { chooseFloor(f.id); },
    }, floorName(f)));
  });
}

function renderOutbox() {
  var drafts = Object.keys(S.drafts).map(function (k) { return S.drafts[k]; });
  var waiting = drafts.filter(function (d) { return d.queued; });
  var broken = drafts.filter(function (d) { return d.error && d.lines.length; });
  var bar = $("hh-outbox");
  bar.hidden = !waiting.length && !broken.length;
  bar.dataset.kind = broken.length ? "error" : "warn";
  bar.textContent = broken.length ? t("outbox_error", { n: broken.length })
    : t("outbox", { n: waiting.length });
  bar.onclick = function () {
    var first = broken[0] || waiting[0];
    if (first) openOrder(first.id);
  };
}

function renderMap() {
  var wrap = $("hh-map-wrap"), map = $("hh-map");
  var tables = Array.from(S.tables.values());
  var key = [wrap.clientWidth, wrap.clientHeight, TABLET.matches, S.view.orderId,
    window.innerHeight > window.innerWidth, tables.map(function (tb) {
    var o = tb.order_id && S.orders.get(tb.order_id);
    var d = localDraftAt(tb.id) || (tb.order_id && S.drafts[tb.order_id]);
    return [tb, o ? [o.number, o.guests] : 0, d ? [d.lines.length, d.queued, d.guests] : 0,
      !!(tb.order_id && findNotice(tb.order_id))];
  })];
  if (!changed("map", key)) return;
  clear(map);
  if (!tables.length) return;
  var spanX = Math.max.apply(null, tables.map(function (tb) { return tb.x + tb.width; }));
  var spanY = Math.max.apply(null, tables.map(function (tb) { return tb.y + tb.height; }));
  var style = getComputedStyle(wrap);
  var width = wrap.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  var height = wrap.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  var plan = TABLET.matches ? fitPane(tables, width, height)
    : phonePlan(tables, width, spanX > spanY && width < 600 && window.innerHeight > window.innerWidth);
  var turn = plan.turn, boxes = plan.boxes, cols = plan.cols, rows = plan.rows;
  var unitX = plan.unitX, unitY = plan.unitY;
  var px = function (a, i, unit) { return a.used[i] * unit + a.empty_at[i] * GUTTER; };
  map.style.width = px(cols, cols.span, unitX) + "px";
  map.style.height = px(rows, rows.span, unitY) + "px";
  map.dataset.turned = turn ? "true" : "false";
  boxes.forEach(function (b) {
    var left = px(cols, b.x, unitX), top = px(rows, b.y, unitY);
    map.appendChild(tableTile(b.tb, {
      left: left, top: top,
      width: px(cols, b.x + b.w, unitX) - left, height: px(rows, b.y + b.h, unitY) - top,
    }));
  });
}

function tableTile(tb, box) {
  var order = tb.order_id ? S.orders.get(tb.order_id) : null;
  var draft = localDraftAt(tb.id) || (tb.order_id && S.drafts[tb.order_id]);
  var status = tb.status;
  var pending = draft && draft.lines.length;
  if (status === "free" && pending) status = "seated";
  var notice = tb.order_id && findNotice(tb.order_id);
  var meta = [];
  if (order) meta.push("#" + order.number);
  var guests = order ? order.guests : draft ? draft.guests : null;
  if (status === "free") guests = tb.seats; // free: how many it seats
  if (guests) meta.push(el("span", { class: "hh-guests" }, el("span", { class: "hh-person", "aria-hidden": "true" }), guests));
  var tile = el("button", {
    type: "button", class: "hh-table hh-st-" + status + " hh-shape-" + tb.shape + (pending ? " hh-has-draft" : "") +
      (isOpenHere(tb, draft) ? " hh-table-current" : ""),
    "aria-current": isOpenHere(tb, draft) ? "true" : null,
    "data-testid": "table-" + tb.label, dataset: { status: tb.status, tableId: tb.id },
    "aria-label": t("table_n", { label: tb.label }) + " — " + t("status_" + tb.status),
    onclick: function () { tapTable(tb); },
  },
  el("span", { class: "hh-table-label" }, tb.label),
  el("span", { class: "hh-table-meta" }, meta),
  pending ? el("span", { class: "hh-table-flag", "data-testid": "table-draft" }, draft.queued ? t("queued") : t("not_sent")) : null,
  notice ? el("span", { class: "hh-badge-ready", "data-testid": "table-ready-badge", "aria-label": t("status_ready") }, "!") : null);
  // Set through the CSSOM: a style attribute is inline style, which the CSP refuses.
  Object.assign(tile.style, { left: box.left + "px", top: box.top + "px", width: box.width + "px", height: box.height + "px" });
  return tile;
}

// The table whose order is on the screen beside the map (a tablet marks it).
function isOpenHere(tb, draft) {
  var id = S.view.orderId;
  return !!id && (tb.order_id === id || (!!draft && draft.id === id));
}

function tapTable(tb) {
  var draft = localDraftAt(tb.id);
  if (tb.order_id && (!draft || draft.created)) return openOrder(tb.order_id);
  if (draft) return openOrder(draft.id);
  if (tb.status === "dirty") return clearSheet(tb);
  if (tb.status === "free") return guestsSheet(tb);
  return null;
}

export function chooseFloor(id) {
  S.floorId = id;
  S.tables = new Map();
  var cached = cacheGet()["tables:" + id];
  if (cached) cached.forEach(function (tb) { if (tb.active !== false) S.tables.set(tb.id, tb); });
  saveLocal();
  render();
  loadTables(id);
}

export function listOrders() {
  var rows = [];
  Object.keys(S.drafts).forEach(function (k) {
    var d = S.drafts[k];
    if (!d.created && d.lines.length) rows.push({ id: d.id, draft: d });
  });
  S.orders.forEach(function (o) { rows.push({ id: o.id, order: o, draft: S.drafts[o.id] }); });
  return rows;
}
