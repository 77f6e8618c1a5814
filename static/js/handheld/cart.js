// The check: the order's lines by course (sent, held, voided) and the draft's lines not sent
// yet, the total, Send, and firing a held course.
import { clear, el } from "../lib/dom.js";
import { isStale } from "../lib/api.js";
import { $, courseLabel, current, errorText, LANG, moneyEl, name, S, t } from "./context.js";
import { draftFor, lineUnit, modifierById, queueSend } from "./drafts.js";
import { itemSheet } from "./item_sheet.js";
import { command } from "./link.js";
import { voidSheet } from "./order_sheets.js";
import { applyOrder } from "./orders.js";
import { changed, flash, goFloor } from "./screen.js";
import { lineIds } from "./sync.js";

function courseOfLine(line) {
  return typeof line.course === "number" ? line.course : 1;
}

export function renderCart(c) {
  var o = c.order, d = c.draft;
  $("hh-cart").dataset.open = S.cartOpen ? "true" : "false";
  if (!changed("cart", [c.id, o, d, S.menuRev, S.currency, S.exponent, S.linkUp])) return;
  var box = clear($("hh-cart-lines"));
  var serverLines = o ? o.lines : [];
  var onServer = o ? lineIds(o) : {};
  var localLines = (d ? d.lines : []).filter(function (l) { return !onServer[l.id]; });
  var courses = {};
  serverLines.forEach(function (l) { (courses[l.course] = courses[l.course] || { server: [], local: [] }).server.push(l); });
  localLines.forEach(function (l) { var k = courseOfLine(l); (courses[k] = courses[k] || { server: [], local: [] }).local.push(l); });
  var keys = Object.keys(courses).map(Number).sort(function (a, b) { return a - b; });
  var count = 0, total = o ? o.total_minor : 0;
  serverLines.forEach(function (l) { count += l.quantity; });
  localLines.forEach(function (l) { count += l.quantity; total += lineUnit(l) * l.quantity; });
  if (!keys.length) box.appendChild(el("p", { class: "hh-empty" }, c.id ? t("empty_order") : t("choose_table_hint")));
  keys.forEach(function (course) {
    var group = courses[course];
    var held = o && o.released_course >= 0 && course > o.released_course &&
      group.server.some(function (l) { return l.sent_quantity > 0 && l.quantity > 0; });
    var head = el("div", { class: "hh-course-head", "data-testid": "course-" + course },
      el("span", { class: "hh-course-name" }, courseLabel(course)),
      held ? el("span", { class: "hh-tag hh-tag-held" }, t("held")) : null,
      held ? el("button", { type: "button", class: "hh-btn hh-btn-fire", "data-testid": "fire-course-" + course,
        onclick: function () { fireCourse(o, course); } }, t("fire_course_n", { n: course })) : null);
    var list = el("ul", { class: "hh-lines" });
    group.server.forEach(function (l) { list.appendChild(serverLine(o, l, held)); });
    group.local.forEach(function (l) { list.appendChild(localLine(d, l)); });
    box.appendChild(el("section", { class: "hh-course" }, head, list));
  });
  $("hh-cart-count").textContent = t("items_n", { n: count });
  clear($("hh-cart-total")).appendChild(el("span", { class: "hh-cart-total-label" }, t("total")));
  $("hh-cart-total").appendChild(moneyEl(total, "hh-cart-total-money"));
  var send = $("hh-send");
  var canSend = (d && d.lines.length && !d.queued) || (o && o.pending_changes && !(d && d.queued));
  send.disabled = !canSend;
  send.textContent = d && d.queued ? t("queued") : t("send");
}

function lineDetails(mods, line) {
  var bits = [];
  if (mods.length) bits.push(el("span", { class: "hh-line-mods" }, mods.join(", ")));
  if (line.seat) bits.push(el("span", { class: "hh-line-seat" }, t("seat_n", { n: line.seat })));
  if (line.note) bits.push(el("span", { class: "hh-line-note" }, line.note));
  if (line.allergy) bits.push(el("span", { class: "hh-line-allergy" }, t("allergy_n", { text: line.allergy })));
  return bits.length ? el("div", { class: "hh-line-details" }, bits) : null;
}

function serverLine(o, l, held) {
  var mods = (l.modifiers || []).map(function (m) { return LANG === "ar" ? m.name_ar || m.name : m.name; });
  var voided = l.quantity === 0;
  var unsent = l.quantity !== l.sent_quantity;
  var state = voided ? "voided" : unsent ? "unsent" : held ? "held" : "sent";
  var tag = voided ? t("voided") : unsent ? t("not_sent") : held ? t("held") : t("sent");
  return el("li", { class: "hh-line hh-line-" + state, "data-testid": "cart-line", dataset: { state: state, lineId: l.id } },
    el("div", { class: "hh-line-main" },
      el("span", { class: "hh-line-qty" }, voided ? "—" : l.quantity + "×"),
      el("span", { class: "hh-line-name" }, name(l)),
      moneyEl(l.total_minor, "hh-line-price")),
    lineDetails(mods, l),
    voided && l.void_reason ? el("div", { class: "hh-line-details" }, el("span", { class: "hh-line-note" }, l.void_reason)) : null,
    el("div", { class: "hh-line-foot" },
      el("span", { class: "hh-tag hh-tag-" + state }, tag),
      !voided ? el("button", { type: "button", class: "hh-btn hh-btn-small hh-btn-danger", "data-testid": "void-line",
        onclick: function () { voidSheet(o, l); } }, t("void_item")) : null));
}

function localLine(d, l) {
  var item = S.items.get(l.item_id);
  var mods = l.modifier_ids.map(function (id) { var m = modifierById(id); return m ? name(m) : ""; }).filter(Boolean);
  // The server refused this line (its dish 86'd since it was typed): say so on it.
  var refused = !d.queued && d.error && (d.error.line_ids || []).indexOf(l.id) >= 0;
  var state = d.queued ? "queued" : refused ? "refused" : "local";
  var tag = d.queued ? t("queued") : refused ? (item && item.sold_out === "stock" ? t("why_stock") : t("why_86"))
    : t("not_sent");
  return el("li", { class: "hh-line hh-line-" + state, "data-testid": "cart-line", dataset: { state: state, lineId: l.id } },
    el("button", { type: "button", class: "hh-line-edit", disabled: d.queued, onclick: function () {
      if (item) itemSheet(item, l);
    } },
    el("div", { class: "hh-line-main" },
      el("span", { class: "hh-line-qty" }, l.quantity + "×"),
      el("span", { class: "hh-line-name" }, item ? name(item) : l._name ? l._name[LANG] || l._name.en : "?"),
      moneyEl(lineUnit(l) * l.quantity, "hh-line-price")),
    lineDetails(mods, l),
    el("div", { class: "hh-line-foot" },
      el("span", { class: "hh-tag hh-tag-" + state }, tag))));
}

function fireCourse(o, course) {
  if (!navigator.onLine) return flash(t("offline_try_later"), "error");
  var attempt = function (version, again) {
    return command("fire_order", { order_id: o.id, version: version, course: course }, "POST",
      "/orders/" + o.id + "/fire", { version: version, course: course }).then(function (res) {
      if (res.ok) {
        applyOrder(res.data);
        return flash(t("sent_ok"));
      }
      if (again && isStale(res)) {
        applyOrder(res.error.current);
        return attempt(res.error.current.version, false);
      }
      flash(errorText(res.error), "error");
    });
  };
  attempt(S.orders.get(o.id).version, true).catch(function () { flash(t("offline_try_later"), "error"); });
}

export function send() {
  var c = current();
  var d = c.draft;
  if (!d && c.order && c.order.pending_changes) d = draftFor(c.id, true);
  if (!d) return;
  if (!d.lines.length && !(c.order && c.order.pending_changes)) return;
  queueSend(d);
  S.cartOpen = false;
  goFloor();
}
