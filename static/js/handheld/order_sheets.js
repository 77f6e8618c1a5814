// The order's sheets: a takeaway or delivery customer, the list of open orders, voiding a
// line, the table's actions (hand over, move, merge, bill asked, discard, cancel), cancelling.
import { el } from "../lib/dom.js";
import { isStale } from "../lib/api.js";
import { current, errorText, HAND_OVER, moneyEl, name, once, S, saveLocal, t } from "./context.js";
import { dropDraftIfEmpty, newDraft } from "./drafts.js";
import { listOrders } from "./floor.js";
import { handOver } from "./notices.js";
import { applyOrder } from "./orders.js";
import { flash, goFloor, openOrder, render } from "./screen.js";
import { chips, closeSheet, field, limited, LIMITS, openSheet, stepper } from "./sheet.js";
import { markTable, tablePicker } from "./table_sheets.js";

export function customerSheet(type) {
  var title = type === "delivery" ? t("delivery") : t("takeaway");
  openSheet(title, type + "-sheet", function (body, foot) {
    var need = type === "delivery";
    var nameIn = el("input", { type: "text", autocomplete: "off", "data-testid": "customer-name" });
    var phoneIn = el("input", { type: "tel", maxlength: "40", dir: "ltr", inputmode: "tel", autocomplete: "off", "data-testid": "customer-phone" });
    var addrIn = el("textarea", { rows: "2", "data-testid": "customer-address" });
    var nameLimit = limited(nameIn, LIMITS.name), addrLimit = limited(addrIn, LIMITS.address);
    body.appendChild(field(t("customer_name"), nameIn, need ? t("required") : t("optional"), nameLimit));
    if (need) {
      body.appendChild(field(t("phone"), phoneIn, t("required")));
      body.appendChild(field(t("address"), addrIn, t("required"), addrLimit));
    }
    var start = el("button", { type: "button", class: "hh-btn hh-btn-primary", "data-testid": "start-order", disabled: need,
      onclick: function () {
        if (!nameLimit.ok() || !addrLimit.ok()) return;
        var draft = newDraft({
          type: type, customer_name: nameIn.value.trim(),
          customer_phone: need ? phoneIn.value.trim() : "", customer_address: need ? addrIn.value.trim() : "",
        });
        closeSheet();
        openOrder(draft.id);
      } }, t("start_order"));
    var check = function () {
      var fits = nameLimit.ok() && addrLimit.ok();
      if (!need) return (start.disabled = !fits);
      start.disabled = !(fits && nameIn.value.trim() && /^[0-9+ ()-]{3,40}$/.test(phoneIn.value.trim()) && addrIn.value.trim());
    };
    [nameIn, phoneIn, addrIn].forEach(function (i) { i.addEventListener("input", check); });
    foot.appendChild(start);
    // Focus the first field once the sheet is up, unless the user (or a test) is already
    // typing in another one: stealing focus mid-typing sent text to the wrong field.
    setTimeout(function () { if (!body.contains(document.activeElement)) nameIn.focus(); }, 50);
  });
}

export function ordersSheet() {
  openSheet(t("orders"), "orders-sheet", function (body) {
    var rows = listOrders();
    if (!rows.length) body.appendChild(el("p", { class: "hh-empty" }, t("no_open_orders")));
    var list = el("ul", { class: "hh-order-list" });
    rows.sort(function (a, b) {
      return (b.order ? b.order.number : 1e9) - (a.order ? a.order.number : 1e9);
    }).forEach(function (row) {
      var o = row.order, d = row.draft;
      var kind = (o || d).type;
      var where = kind === "dine_in" ? t("table_n", { label: o ? o.table_label : d.table_label })
        : t(kind) + ((o || d).customer_name ? " · " + (o || d).customer_name : "");
      var state = o ? t("order_" + o.status) : d.queued ? t("queued") : t("not_sent");
      list.appendChild(el("li", null, el("button", { type: "button", class: "hh-order-row", "data-testid": "order-row",
        dataset: { status: o ? o.status : "draft" },
        onclick: function () { closeSheet(); openOrder(row.id); } },
      el("span", { class: "hh-order-num" }, o ? "#" + o.number : "•"),
      el("span", { class: "hh-order-where" }, where, el("small", null, state)),
      o ? moneyEl(o.total_minor) : null)));
    });
    body.appendChild(list);
  });
}

export function voidSheet(o, line) {
  var st = { quantity: line.quantity, reason: "" };
  openSheet(t("void_item") + " · " + name(line), "void-sheet", function (body, foot) {
    var confirm = el("button", { type: "button", class: "hh-btn hh-btn-danger", disabled: true, "data-testid": "void-confirm",
      onclick: function () { doVoid(o.id, line, st); } }, t("void_item"));
    var check = function () { confirm.disabled = st.reason.trim().length < 3 || !limit.ok(); };
    body.appendChild(field(t("quantity"), stepper(st.quantity, 1, line.quantity, function (v) { st.quantity = v; }, "void-qty")));
    var reason = el("input", { type: "text", required: true, "data-testid": "void-reason",
      oninput: function () { st.reason = this.value; check(); } });
    var limit = limited(reason, LIMITS.reason);
    body.appendChild(field(t("reason"), reason, t("required"), limit));
    body.appendChild(chips(["reason_changed_mind", "reason_wrong_item", "reason_too_long"].map(function (k) {
      return { value: k, label: t(k) };
    }), null, function (k) { reason.value = t(k); st.reason = reason.value; limit.update(); check(); }, "void-reason"));
    foot.appendChild(confirm);
  });
}

function doVoid(orderId, line, st) {
  if (!navigator.onLine) return flash(t("offline_try_later"), "error");
  var attempt = function (version, again) {
    return once("POST", "/orders/" + orderId + "/lines/" + line.id + "/void", {
      version: version, quantity: st.quantity, reason: st.reason.trim(),
    }).then(function (res) {
      if (res.ok) {
        applyOrder(res.data);
        closeSheet();
        return flash(t("voided"));
      }
      if (again && isStale(res)) {
        var now = res.error.current.lines.filter(function (l) { return l.id === line.id; })[0];
        applyOrder(res.error.current);
        if (now && now.quantity >= st.quantity) return attempt(res.error.current.version, false);
      }
      flash(errorText(res.error), "error");
    });
  };
  attempt(S.orders.get(orderId).version, true).catch(function () { flash(t("offline_try_later"), "error"); });
}

export function orderActions() {
  var c = current(), o = c.order, d = c.draft;
  openSheet(t("table_actions"), "actions-sheet", function (body) {
    var list = el("div", { class: "hh-action-list" });
    var action = function (label, testid, fn, danger) {
      list.appendChild(el("button", { type: "button", class: "hh-btn hh-action" + (danger ? " hh-btn-danger" : ""),
        "data-testid": testid, onclick: fn }, label));
    };
    if (o && o.status === "ready") action(t(HAND_OVER[o.type]), "action-hand-over", function () { closeSheet(); handOver(o.id); });
    if (o && o.type === "dine_in") {
      action(t("move_table"), "action-move", function () { tablePicker("move", o); });
      action(t("merge_table"), "action-merge", function () { tablePicker("merge", o); });
      action(t("bill_asked"), "action-bill", function () { markTable(o.table_id, "bill_asked"); });
    }
    if (d && d.lines.length) {
      action(t("discard"), "action-discard", function () {
        if (!window.confirm(t("discard_confirm"))) return;
        d.lines = [];
        d.queued = false;
        d.discard = true;
        dropDraftIfEmpty(d);
        closeSheet();
        if (!o) goFloor();
        else render();
      }, true);
    }
    if (o) action(t("cancel_order"), "action-cancel", function () { cancelSheet(o); }, true);
    body.appendChild(list);
  });
}

function cancelSheet(o) {
  var st = { reason: "" };
  openSheet(t("cancel_order") + " · " + t("order_n", { number: o.number }), "cancel-sheet", function (body, foot) {
    var confirm = el("button", { type: "button", class: "hh-btn hh-btn-danger", disabled: true, "data-testid": "cancel-confirm",
      onclick: function () {
        once("POST", "/orders/" + o.id + "/cancel", { version: S.orders.get(o.id).version, reason: st.reason.trim() }).then(function (res) {
          if (!res.ok) return flash(errorText(res.error), "error");
          applyOrder(res.data);
          delete S.drafts[o.id];
          saveLocal();
          closeSheet();
          goFloor();
        }).catch(function () { flash(t("offline_try_later"), "error"); });
      } }, t("cancel_order"));
    var reason = el("input", { type: "text", "data-testid": "cancel-reason",
      oninput: function () { st.reason = this.value; confirm.disabled = st.reason.trim().length < 3 || !limit.ok(); } });
    var limit = limited(reason, LIMITS.reason);
    body.appendChild(field(t("reason"), reason, t("required"), limit));
    foot.appendChild(confirm);
  });
}
