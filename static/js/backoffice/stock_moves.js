// The stock page's waste entry (an ingredient thrown away, with a reason) and the latest
// movements, filtered by ingredient and kind (sales, purchases, waste, counts, transfers).
import { clear, el } from "../lib/dom.js";
import { api, clearErrors, noAnswer, say, showErrors, t } from "./forms.js";
import { LANG, changed, fillSelect, ingredientById, ingredientOptions, nameOf, number, quantity, refuse, signed, store, table } from "./stock_common.js";

const wasteForm = document.querySelector("[data-testid=waste-form]");
const filters = document.querySelector("[data-testid=movement-filters]");
const box = document.querySelector("[data-testid=movements]");
const SHOWN = 100; // the server sends up to 500; a phone reads the latest
const when = new Intl.DateTimeFormat(LANG === "ar" ? "ar-u-nu-latn" : "en", { dateStyle: "short", timeStyle: "short" });

function readWaste() {
  const f = wasteForm.elements;
  const errors = {};
  const qty = number(f.quantity.value);
  const body = { ingredient_id: Number(f.ingredient_id.value), quantity: qty, unit: f.unit.value, reason: f.reason.value.trim() };
  if (!f.ingredient_id.value) errors.ingredient_id = t("fe_required");
  if (qty === null || qty <= 0) errors.quantity = t("quantity_bad");
  if (body.reason.length < 3) errors.reason = t("reason_short");
  return { body, errors };
}

function recordWaste() {
  const { body, errors } = readWaste();
  if (Object.keys(errors).length) return showErrors(wasteForm, errors);
  api("POST", "/stock/waste", body).then((res) => {
    if (!res.ok) return say(refuse(wasteForm, res), true);
    clearErrors(wasteForm);
    wasteForm.elements.quantity.value = "";
    wasteForm.elements.reason.value = "";
    const move = res.data.moves[0];
    say(move ? t("wasted", { quantity: quantity(-move.quantity, move.unit), name: nameOf(ingredientByCode(move.ingredient)) }) : t("saved"));
    changed();
  }).catch(noAnswer);
}

function ingredientByCode(code) {
  return store.ingredients.find((i) => i.code === code) || { name: code, name_ar: "" };
}

const COLUMNS = [
  { title: t("when"), value: (m) => el("span", { dir: "ltr" }, when.format(new Date(m.at))) },
  { title: t("kind"), value: (m) => t("kind_" + m.kind) },
  { title: t("ingredient"), value: (m) => el("bdi", null, nameOf(m.name)) },
  { title: t("quantity"), value: (m) => signed(m.quantity, m.unit), num: true },
  { title: t("level_after"), value: (m) => quantity(m.level, m.unit), num: true },
  { title: t("note"), value: (m) => el("bdi", null, [m.item, m.order_number ? "#" + m.order_number : "", m.reason, m.ref].filter(Boolean).join(" · ") || "—") },
  { title: t("who"), value: (m) => el("bdi", null, m.actor || "—") },
];

/** Read the latest movements as the filters say. */
export function drawMovements() {
  const q = new URLSearchParams();
  if (filters.elements.ingredient_id.value) q.set("ingredient_id", filters.elements.ingredient_id.value);
  if (filters.elements.kind.value) q.set("kind", filters.elements.kind.value);
  return api("GET", "/stock/movements?" + q.toString()).then((res) => {
    if (!res.ok) return;
    const rows = res.data.items.slice(0, SHOWN);
    clear(box).append(rows.length ? table(COLUMNS, rows, "movements-table", (tr, m) => { tr.dataset.kind = m.kind; })
      : el("p", { class: "small" }, t("no_movements")));
  }).catch(noAnswer);
}

/** Redraw the ingredient choices (keeping what is chosen) and the movements. */
export function drawMoves() {
  fillSelect(wasteForm.elements.ingredient_id, ingredientOptions(), t("choose"));
  fillSelect(filters.elements.ingredient_id, ingredientOptions(), t("all_ingredients"));
  return drawMovements();
}

wasteForm.elements.ingredient_id.addEventListener("change", () => {
  const ing = ingredientById(wasteForm.elements.ingredient_id.value);
  if (ing) wasteForm.elements.unit.value = ing.unit;
});
wasteForm.addEventListener("submit", (event) => { event.preventDefault(); recordWaste(); });
filters.addEventListener("change", drawMovements);
filters.addEventListener("submit", (event) => event.preventDefault());
