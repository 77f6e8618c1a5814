// The stock page's purchasing: an order to a supplier (pre-filled by the suggested order:
// up to par plus recent use), the orders so far, receiving a delivery against an open one
// (more than ordered only once "take more than ordered" is ticked) and cancelling one.
import { clear, el } from "../lib/dom.js";
import { parseMoney } from "../lib/money.js";
import { api, clearErrors, noAnswer, say, showErrors, t } from "./forms.js";
import { LANG, EXP, changed, fillSelect, ingredientOptions, ingredientById, money, nameOf, number, quantity, refuse, store } from "./stock_common.js";

const form = document.querySelector("[data-testid=purchase-form]");
const linesBox = form.querySelector("[data-testid=po-lines]");
const list = document.querySelector("[data-testid=purchases]");
const UNITS = ["g", "kg", "ml", "l", "piece"];
const when = new Intl.DateTimeFormat(LANG === "ar" ? "ar-u-nu-latn" : "en", { dateStyle: "medium", timeStyle: "short" });

function errorSpan(field) {
  return el("span", { class: "bo-error", "data-error-for": field, "data-field": field });
}

/** A line of the new order: an ingredient, a quantity, a unit. */
function lineRow(line) {
  const ingredient = el("select", { "data-field": "ingredient_id", "aria-label": t("ingredient") });
  fillSelect(ingredient, ingredientOptions(), t("choose"));
  const unit = el("select", { "data-field": "unit", "aria-label": t("unit") }, UNITS.map((u) => el("option", { value: u }, t("u_" + u))));
  const qty = el("input", { "data-field": "quantity", inputmode: "decimal", dir: "ltr", "aria-label": t("quantity"), class: "st-qty" });
  if (line) {
    ingredient.value = String(line.ingredient_id);
    const big = (line.unit === "g" || line.unit === "ml") && line.quantity >= 1000;
    qty.value = String(big ? Number((line.quantity / 1000).toFixed(6)) : line.quantity);
    unit.value = big ? (line.unit === "g" ? "kg" : "l") : line.unit;
  }
  ingredient.addEventListener("change", () => {
    const ing = ingredientById(ingredient.value);
    if (ing) unit.value = ing.unit;
  });
  const remove = el("button", { type: "button", class: "button button-quiet", "aria-label": t("remove") }, "✕");
  const row = el("div", { class: "st-line", "data-testid": "po-line" }, ingredient, qty, unit, remove,
    errorSpan("ingredient_id"), errorSpan("quantity"), errorSpan("unit"));
  remove.addEventListener("click", () => row.remove());
  return row;
}

/** The new order's lines, each field and its error place named by its index. */
function readLines() {
  const lines = [];
  const errors = {};
  Array.from(linesBox.children).forEach((row, n) => {
    row.querySelectorAll("[data-field]").forEach((node) => {
      const name = "lines." + n + "." + node.dataset.field;
      if (node.tagName === "SPAN") node.dataset.errorFor = name;
      else node.name = name;
    });
    const f = (field) => row.querySelector("[name='lines." + n + "." + field + "']");
    const qty = number(f("quantity").value);
    if (!f("ingredient_id").value) errors["lines." + n + ".ingredient_id"] = t("fe_required");
    if (qty === null || qty <= 0) errors["lines." + n + ".quantity"] = t("quantity_bad");
    lines.push({ ingredient_id: Number(f("ingredient_id").value), quantity: qty, unit: f("unit").value });
  });
  return { lines, errors };
}

function suggest() {
  const supplier = form.elements.supplier_id.value;
  if (!supplier) return showErrors(form, { supplier_id: t("fe_required") });
  api("GET", "/stock/purchases/suggested?supplier_id=" + supplier).then((res) => {
    if (!res.ok) return say(refuse(form, res), true);
    clearErrors(form);
    linesBox.replaceChildren(...res.data.lines.map(lineRow));
    say(res.data.lines.length ? t("suggested", { count: res.data.lines.length }) : t("nothing_to_order"));
  }).catch(noAnswer);
}

function createOrder() {
  const supplier = form.elements.supplier_id.value;
  const { lines, errors } = readLines();
  if (!supplier) errors.supplier_id = t("fe_required");
  if (!lines.length) errors._row = t("no_lines");
  if (Object.keys(errors).length) return showErrors(form, errors);
  const body = { supplier_id: Number(supplier), lines: lines, note: form.elements.note.value.trim() };
  api("POST", "/stock/purchases", body).then((res) => {
    if (!res.ok) return say(refuse(form, res), true);
    clearErrors(form);
    linesBox.replaceChildren();
    form.elements.note.value = "";
    say(t("po_created", { id: res.data.id, supplier: nameOf(res.data.supplier) }));
    changed();
  }).catch(noAnswer);
}

function orderTable(po) {
  const open = po.status === "open";
  const head = [t("ingredient"), t("ordered"), t("received")].concat(open ? [t("receive_now"), t("invoice_cost")] : []);
  const rows = po.lines.map((line, n) => {
    const cells = [el("bdi", null, nameOf(line.name)), quantity(line.ordered, line.unit), quantity(line.received, line.unit)];
    if (open) {
      const left = Math.max(line.ordered - line.received, 0);
      cells.push([el("span", { class: "st-with-unit" }, el("input", { name: "lines." + n + ".quantity", "data-ingredient": line.ingredient_id, value: left ? String(left) : "", inputmode: "decimal", dir: "ltr", class: "st-qty", "aria-label": t("receive_now") + " " + nameOf(line.name), "data-testid": "receive-qty" }), " " + t("u_" + line.unit)), errorSpan("lines." + n + ".quantity")]);
      cells.push([el("input", { name: "lines." + n + ".cost_minor", inputmode: "decimal", dir: "ltr", class: "st-qty", "aria-label": t("invoice_cost") + " " + nameOf(line.name) }), errorSpan("lines." + n + ".cost_minor")]);
    }
    return el("tr", null, cells.map((c, i) => el("td", { "data-label": head[i], class: i && i < 3 ? "num" : null }, c)));
  });
  return el("table", { class: "grid st-table" }, el("thead", null, el("tr", null, head.map((h, i) => el("th", { scope: "col", class: i && i < 3 ? "num" : null }, h)))), el("tbody", null, rows));
}

function orderCard(po) {
  const card = el("article", { class: "st-po", "data-testid": "purchase", "data-po": po.id, "data-status": po.status },
    el("h3", null, "#" + po.id + " · ", el("bdi", null, nameOf(po.supplier)), " · ", el("span", { class: "st-status", "data-testid": "po-status" }, t("status_" + po.status))),
    el("p", { class: "small" }, when.format(new Date(po.created_at)) + " · " + po.created_by + (po.note ? " · " + po.note : "")),
    orderTable(po));
  if (po.status === "open") {
    card.append(
      el("label", { class: "bo-check", hidden: true, "data-over": "" }, el("input", { type: "checkbox", name: "over_ok", "data-testid": "over-ok" }), t("over_ok")),
      el("span", { class: "bo-error", "data-error-for": "_row" }),
      el("div", { class: "bo-row" },
        el("button", { type: "button", class: "button button-primary", "data-action": "receive", "data-testid": "receive" }, t("receive")),
        el("button", { type: "button", class: "button button-quiet", "data-action": "cancel", "data-testid": "cancel-po" }, t("cancel_po"))));
  }
  return card;
}

/** What arrived, as the API takes it; `index` maps a sent line to its row. */
function readDelivery(card) {
  const lines = [];
  const index = [];
  const errors = {};
  card.querySelectorAll("input[data-ingredient]").forEach((input, n) => {
    if (!input.value.trim()) return;
    const qty = number(input.value);
    const costText = card.querySelector("[name='lines." + n + ".cost_minor']").value;
    const cost = costText.trim() ? parseMoney(costText, EXP) : undefined;
    if (qty === null || qty <= 0) errors["lines." + n + ".quantity"] = t("quantity_bad");
    if (cost === null) errors["lines." + n + ".cost_minor"] = t("price_bad");
    const line = { ingredient_id: Number(input.dataset.ingredient), quantity: qty };
    if (cost !== undefined) line.cost_minor = cost;
    lines.push(line);
    index.push(n);
  });
  if (!lines.length) errors._row = t("nothing_received");
  return { lines, index, errors };
}

/** The server's `lines.K.x` (K: the K-th line sent) as the row's own `lines.N.x`. */
function rowFields(res, index) {
  const fields = (res.error && res.error.fields) || {};
  const out = {};
  Object.keys(fields).forEach((key) => {
    const m = /^lines\.(\d+)\.(.+)$/.exec(key);
    out[m ? "lines." + index[Number(m[1])] + "." + m[2] : key] = fields[key];
  });
  return Object.assign({}, res, { error: Object.assign({}, res.error, { fields: out }) });
}

function receive(card) {
  const { lines, index, errors } = readDelivery(card);
  if (Object.keys(errors).length) return showErrors(card, errors);
  const over = card.querySelector("[name=over_ok]");
  api("POST", "/stock/purchases/" + card.dataset.po + "/receive", { lines: lines, over_ok: over.checked }).then((res) => {
    if (!res.ok) {
      const code = res.error && res.error.code;
      if (code === "over_received" || code === "not_ordered") over.closest("label").hidden = false;
      return say(refuse(card, rowFields(res, index)), true);
    }
    say(t(res.data.status === "received" ? "po_received" : "po_part_received", { id: res.data.id }));
    changed();
  }).catch(noAnswer);
}

function cancel(card) {
  if (!window.confirm(t("cancel_confirm", { id: card.dataset.po }))) return;
  api("POST", "/stock/purchases/" + card.dataset.po + "/cancel").then((res) => {
    if (!res.ok) return say(refuse(card, res), true);
    say(t("po_cancelled", { id: res.data.id }));
    changed();
  }).catch(noAnswer);
}

/** Redraw the supplier choice and the orders (open ones first, then the ten latest). */
export function drawPurchases() {
  fillSelect(form.elements.supplier_id, store.suppliers.filter((s) => s.active).map((s) => ({ value: s.id, label: nameOf(s) })), t("choose"));
  linesBox.querySelectorAll("select[data-field=ingredient_id]").forEach((s) => fillSelect(s, ingredientOptions(), t("choose")));
  return api("GET", "/stock/purchases").then((res) => {
    if (!res.ok) return;
    const open = res.data.items.filter((po) => po.status === "open");
    const done = res.data.items.filter((po) => po.status !== "open").slice(0, 10);
    clear(list);
    list.append(...(open.length ? open.map(orderCard) : [el("p", { class: "small" }, t("no_open_orders"))]));
    if (done.length) list.append(el("details", { class: "st-earlier" }, el("summary", null, t("earlier_orders")), done.map(orderCard)));
  }).catch(noAnswer);
}

form.addEventListener("submit", (event) => { event.preventDefault(); createOrder(); });
form.querySelector("[data-action=suggest]").addEventListener("click", suggest);
form.querySelector("[data-action=add-line]").addEventListener("click", () => linesBox.append(lineRow()));
list.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button) return;
  const card = button.closest("[data-po]");
  if (button.dataset.action === "receive") receive(card);
  else if (button.dataset.action === "cancel") cancel(card);
});
