// The order screen: its title, the alert of a draft that waits or failed, the menu and the
// check (menu.js, cart.js); rush on and off.
import { clear, el } from "../lib/dom.js";
import { isStale } from "../lib/api.js";
import { $, api, current, errorText, LANG, name, once, S, saveLocal, t } from "./context.js";
import { draftFor, modifierById, newDraft, queueSend } from "./drafts.js";
import { renderCart } from "./cart.js";
import { renderMenu } from "./menu.js";
import { applyOrder } from "./orders.js";
import { flash, openOrder, render } from "./screen.js";

export function renderOrder() {
  var c = current();
  var o = c.order, d = c.draft;
  $("hh-order").dataset.empty = c.id ? "false" : "true";
  if (!c.id) return renderNoOrder(c);
  if (!o && !d) {
    $("hh-order-title").textContent = t("loading");
    return;
  }
  var type = (o || d).type;
  var label = o ? o.table_label : d.table_label;
  var customer = o ? o.customer_name : d.customer_name;
  $("hh-order-title").textContent = type === "dine_in" ? t("table_n", { label: label })
    : t(type) + (customer ? " · " + customer : "");
  var sub = [];
  if (o) sub.push("#" + o.number);
  var guests = o ? o.guests : d.guests;
  if (guests) sub.push(t("guests_n", { n: guests }));
  sub.push(o ? t("order_" + o.status) : t("new_order"));
  $("hh-order-sub").textContent = sub.join(" · ");
  var rush = o ? o.rush : d.rush;
  $("hh-rush").setAttribute("aria-pressed", rush ? "true" : "false");
  $("hh-bill-btn").hidden = !o;
  renderAlert(c);
  renderMenu(c);
  renderCart(c);
}

// A tablet shows the menu and the check before a table is chosen: say what to do first.
function renderNoOrder(c) {
  $("hh-order-title").textContent = t("choose_table");
  $("hh-order-sub").textContent = t("choose_table_hint");
  $("hh-rush").setAttribute("aria-pressed", "false");
  $("hh-bill-btn").hidden = true;
  $("hh-order-alert").hidden = true;
  renderMenu(c);
  renderCart(c);
}

function renderAlert(c) {
  var box = clear($("hh-order-alert")), d = c.draft;
  box.hidden = true;
  if (d && d.queued) {
    box.hidden = false;
    box.dataset.kind = "warn";
    box.appendChild(el("span", { "data-testid": "queued-state" }, navigator.onLine && S.linkUp ? t("sending") : t("saved_offline")));
    return;
  }
  if (!d || !d.error || !d.lines.length) return;
  box.hidden = false;
  box.dataset.kind = "error";
  var code = d.error.code;
  var refused = refusedLines(d);
  var message = code === "table_taken" ? t("table_taken") : code === "order_closed" ? t("order_closed")
    : refused.length ? t("sold_out_lines", { names: refused.map(refusedName).join(LANG === "ar" ? "، " : ", ") })
      : t("send_failed", { message: errorText(d.error) });
  box.appendChild(el("span", { "data-testid": "order-alert-text", dataset: { code: code } }, message));
  var actions = el("div", { class: "hh-alert-actions" });
  if (refused.length) {
    actions.appendChild(el("button", { type: "button", class: "hh-btn", "data-testid": "remove-sold-out",
      onclick: function () { dropRefused(d); } }, t("remove_sold_out")));
  }
  if (code === "table_taken") {
    actions.appendChild(el("button", { type: "button", class: "hh-btn", onclick: function () { joinTableOrder(d); } }, t("add_to_table_order")));
  }
  if (code === "order_closed") {
    actions.appendChild(el("button", { type: "button", class: "hh-btn", onclick: function () { restartDraft(d); } }, t("start_new_with_items")));
  }
  box.appendChild(actions);
}

/** The draft's lines a refusal named (a dish 86'd or out of stock since it was typed). */
export function refusedLines(d) {
  var ids = (d && d.error && d.error.line_ids) || [];
  return d ? d.lines.filter(function (l) { return ids.indexOf(l.id) >= 0; }) : [];
}

// "Hummus (86'd)": the dish in the page's language, and why, as the menu says now (an option
// out of stock when the dish itself is still on).
function refusedName(line) {
  var item = S.items.get(line.item_id);
  var label = item ? name(item) : line._name ? line._name[LANG] || line._name.en : "?";
  var option = item && item.available !== false && line.modifier_ids.map(modifierById)
    .filter(function (m) { return m && m.available === false; })[0];
  var why = option ? name(option) + ": " + t("why_stock")
    : item && item.sold_out === "stock" ? t("why_stock") : t("why_86");
  return label + " (" + why + ")";
}

// Take out the refused lines; the rest stays, ready to send again.
function dropRefused(d) {
  var ids = d.error.line_ids || [];
  d.lines = d.lines.filter(function (l) { return ids.indexOf(l.id) < 0; });
  d.error = null;
  saveLocal();
  render();
}

function joinTableOrder(d) {
  api("GET", "/orders?table_id=" + d.table_id).then(function (res) {
    var target = res.ok && res.data.items[0];
    if (!target) return flash(t("failed"), "error");
    applyOrder(target);
    var into = draftFor(target.id, true);
    into.lines = into.lines.concat(d.lines);
    delete S.drafts[d.id];
    saveLocal();
    openOrder(target.id);
    queueSend(into);
  }).catch(function () { flash(t("offline_try_later"), "error"); });
}

function restartDraft(d) {
  var fresh = newDraft({
    type: d.type, table_id: d.table_id, table_label: d.table_label, guests: d.guests,
    customer_name: d.customer_name, customer_phone: d.customer_phone,
    customer_address: d.customer_address, lines: d.lines,
  });
  if (fresh.type === "dine_in" && !fresh.table_id) fresh.type = "takeaway";
  delete S.drafts[d.id];
  saveLocal();
  openOrder(fresh.id);
}

export function toggleRush() {
  var c = current();
  if (!c.order && c.draft) {
    c.draft.rush = !c.draft.rush;
    saveLocal();
    return render();
  }
  if (!c.order) return;
  if (!navigator.onLine) return flash(t("offline_try_later"), "error");
  var wanted = !c.order.rush;
  var attempt = function (version, again) {
    return once("PATCH", "/orders/" + c.id, { version: version, rush: wanted }).then(function (res) {
      if (res.ok) return applyOrder(res.data);
      if (again && isStale(res)) {
        applyOrder(res.error.current);
        return attempt(res.error.current.version, false);
      }
      flash(errorText(res.error), "error");
    });
  };
  attempt(c.order.version, true).catch(function () { flash(t("offline_try_later"), "error"); });
}
