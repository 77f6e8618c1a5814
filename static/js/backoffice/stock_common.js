// What the stock page's parts share: the lists they choose from (ingredients, suppliers,
// dishes, options), names in the page's language, quantities and money as people read them,
// tables that turn into cards on a phone, and the stock API's refusals told next to their
// fields. A part that changed stock says so with changed(); stock.js then reads it all again.
import { el } from "../lib/dom.js";
import { fieldMessages } from "../lib/field_errors.js";
import { errorText, pageLanguage } from "../lib/i18n.js";
import { formatMoney } from "../lib/money.js";
import { api, showErrors, t } from "./forms.js";

const page = document.getElementById("stock-page");
export const LANG = pageLanguage(document);
export const EXP = Number(page.dataset.exponent);
const CURRENCY = page.dataset.currency;

/** The lists the forms choose from, read again by load() after every change. */
export const store = { ingredients: [], suppliers: [], items: [], modifiers: [], groups: [] };

const LISTS = {
  ingredients: "/ingredients", suppliers: "/suppliers", items: "/items?active=true",
  modifiers: "/modifiers?active=true", groups: "/modifier-groups",
};

/** Read every list (a failed one keeps what it had). */
export function load() {
  return Promise.all(Object.keys(LISTS).map((key) => api("GET", LISTS[key]).then((res) => {
    if (res.ok) store[key] = res.data.items;
  })));
}

/** Tell the page stock or its lists changed (stock.js reads them again and redraws). */
export function changed() {
  document.dispatchEvent(new CustomEvent("stock:changed"));
}

/** A name in the page's language: {en, ar}, or a row with name and name_ar. */
export function nameOf(thing) {
  if (!thing) return "";
  if (thing.en !== undefined) return (LANG === "ar" && thing.ar) || thing.en;
  return (LANG === "ar" && thing.name_ar) || thing.name;
}

/** A dish's name in the page's language from its English name (the server's `items`). */
export function dishName(english) {
  const item = store.items.find((i) => i.name === english);
  return item ? nameOf(item) : english;
}

/** Dishes by their English names, in the page's language, as one list ("A, B"). */
export function names(english) {
  return english.map(dishName).join(LANG === "ar" ? "، " : ", ");
}

export function money(minor) {
  return formatMoney(minor, CURRENCY, EXP, LANG);
}

function plain(value) {
  return String(Number(Number(value).toFixed(3)));
}

/** A quantity of an ingredient's unit as people say it: "1.25 kg", "300 g", "2 pcs". */
export function quantity(value, unit) {
  if ((unit === "g" || unit === "ml") && Math.abs(value) >= 1000) {
    return String(Number((value / 1000).toFixed(2))) + "\u00a0" + t(unit === "g" ? "u_kg" : "u_l");
  }
  return plain(value) + "\u00a0" + t("u_" + unit);
}

/** A signed quantity: "+5 kg", "−200 g". */
export function signed(value, unit) {
  return (value > 0 ? "+" : value < 0 ? "−" : "") + quantity(Math.abs(value), unit);
}

/** What someone typed as a number ("2.5", "٢٫٥", "1,200"), or null. */
export function number(text, allowNegative) {
  const s = String(text || "").trim()
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, ".").replace(/[\s,\u066c]/g, "").replace(/^\u2212/, "-");
  const pattern = allowNegative ? /^-?\d+(\.\d+)?$/ : /^\d+(\.\d+)?$/;
  return pattern.test(s) ? Number(s) : null;
}

/** Thousandths of what was typed (6 → 6000, 2.5 → 2500), or null past 3 decimals. */
export function thousandths(text) {
  const value = number(text);
  if (value === null) return null;
  const milli = Math.round(value * 1000);
  return Math.abs(milli - value * 1000) < 1e-6 ? milli : null;
}

/** Replace a select's options, keeping its choice when it is still there. */
export function fillSelect(select, options, first) {
  const keep = select.value;
  select.replaceChildren();
  if (first) select.append(el("option", { value: "" }, first));
  options.forEach((o) => {
    if (o.group) select.append(el("optgroup", { label: o.group }, o.options.map(option)));
    else select.append(option(o));
  });
  if (Array.from(select.options).some((o) => o.value === keep)) select.value = keep;
}

function option(o) {
  return el("option", { value: String(o.value) }, o.label);
}

/** The active ingredients as select options, "Lamb (g)". */
export function ingredientOptions() {
  return store.ingredients.filter((i) => i.active)
    .map((i) => ({ value: i.id, label: nameOf(i) + " (" + t("u_" + i.unit) + ")" }));
}

export function ingredientById(id) {
  return store.ingredients.find((i) => i.id === Number(id));
}

/**
 * A table of `rows`: columns [{title, value(row) -> text or node, num}], each cell labelled
 * with its column (a card per row on a phone); `decorate(tr, row)` marks a row.
 */
export function table(columns, rows, testid, decorate) {
  const head = el("tr", null, columns.map((c) => el("th", { scope: "col", class: c.num ? "num" : null }, c.title)));
  const body = rows.map((row) => {
    const tr = el("tr", null, columns.map((c) => el("td", { class: c.num ? "num" : null, "data-label": c.title || null },
      c.num ? el("span", { dir: "ltr" }, c.value(row)) : c.value(row))));
    if (decorate) decorate(tr, row);
    return tr;
  });
  return el("table", { class: "grid st-table", "data-testid": testid }, el("thead", null, head), el("tbody", null, body));
}

// The stock API's own field messages, in the page's language (the rest: field_errors.js).
const STOCK_FIELDS = [
  [/^consumes itself$/, "fe_cycle"],
  [/^too deep$/, "fe_too_deep"],
  [/ does not convert/, "fe_convert"],
  [/^stock and recipes use (\w+)$/, "fe_unit_fixed"],
  [/^above 0$/, "fe_above_zero"],
  [/^a number$/, "fe_a_number"],
  [/^at most ([\d.]+) (\w+)$/, "fe_at_most_left"],
  [/^at most par/, "fe_reorder_par"],
  [/^not on the order$/, "fe_not_ordered"],
  [/^listed twice$/, "fe_twice"],
  [/^give (item_id|modifier_id)/, "fe_owner"],
  [/^give (ingredient_id|uses_item_id)/, "fe_takes"],
  [/^at most \d decimals/, "fe_decimals"],
  [/^fixed$/, "fe_fixed"],
  [/^whole portions$/, "fe_whole"],
  [/^lower-case letters, digits/, "fe_code"],
];

function stockMessage(message) {
  const text = String(message);
  for (const [pattern, key] of STOCK_FIELDS) {
    const match = pattern.exec(text);
    if (match) return t(key, { quantity: match[1], unit: match[2] ? t("u_" + match[2]) : "" });
  }
  return null;
}

/** A refusal next to its fields in `scope` (the stock API's words translated), the general
 *  reason in its `_row` place too; returns the general reason. */
export function refuse(scope, res) {
  const fields = {};
  const raw = (res.error && res.error.fields) || {};
  Object.keys(raw).forEach((name) => {
    const list = [].concat(raw[name]).map(String);
    const mine = list.map(stockMessage);
    fields[name] = mine.every((m) => m) ? mine.join(" ") : fieldMessages(t, { [name]: raw[name] })[name];
  });
  let general = errorText(t, res.error);
  if (res.error && res.error.code === "recipe_cycle") {
    general += " " + String(res.error.message).split(": ").slice(1).join(": "); // the dishes
  }
  showErrors(scope, fields);
  const row = scope.querySelector('[data-error-for="_row"]');
  if (row && !row.textContent) row.textContent = general;
  return general;
}
