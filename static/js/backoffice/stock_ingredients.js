// The stock page's ingredients and suppliers: pick one (or "new"), change it, save it with one
// POST or PATCH (ingredients need a password sign-in: a 403 says so); deactivate and bring
// back. Par and reorder are typed in the ingredient's unit and sent in thousandths of it; the
// cost is typed per kg, litre or piece and sent with the amount it buys.
import { api, clearErrors, noAnswer, say, showErrors, t } from "./forms.js";
import { parseMoney, plainAmount } from "../lib/money.js";
import { EXP, changed, fillSelect, nameOf, number, refuse, store, thousandths } from "./stock_common.js";

const ingForm = document.querySelector("[data-testid=ingredient-form]");
const supForm = document.querySelector("[data-testid=supplier-form]");
const PER = { g: 1000000, ml: 1000000, piece: 1000 }; // cost_per_milli of a kg, a litre, a piece

function picked(form, list) {
  return list.find((row) => row.id === Number(form.elements.pick.value));
}

/** The cost per kg, litre or piece of an ingredient, in minor units. */
function costPerUnit(ing) {
  const per = PER[ing.unit];
  return ing.cost_per_milli ? Math.round(ing.cost_minor * per / ing.cost_per_milli) : 0;
}

function showUnit() {
  const unit = ingForm.elements.unit.value;
  ingForm.querySelectorAll("[data-unit]").forEach((n) => { n.textContent = t("u_" + unit); });
  ingForm.querySelector("[data-cost-label]").textContent = t("cost_" + unit);
}

/** Fill the ingredient form from the one picked (empty for a new one). */
function showIngredient() {
  const ing = picked(ingForm, store.ingredients);
  const f = ingForm.elements;
  clearErrors(ingForm);
  f.code.value = ing ? ing.code : "";
  f.code.readOnly = !!ing; // a code never changes (stock movements name it)
  f.name.value = ing ? ing.name : "";
  f.name_ar.value = ing ? ing.name_ar : "";
  f.unit.value = ing ? ing.unit : "g";
  f.cost.value = ing ? plainAmount(costPerUnit(ing), EXP) : "";
  f.cost.dataset.was = f.cost.value;
  f.par.value = ing ? String(ing.par_milli / 1000) : "";
  f.reorder.value = ing ? String(ing.reorder_milli / 1000) : "";
  f.barcode.value = ing && ing.barcode ? ing.barcode : "";
  f.supplier_id.value = ing && ing.supplier_id ? String(ing.supplier_id) : "";
  const toggle = ingForm.querySelector("[data-action=active]");
  toggle.hidden = !ing;
  toggle.textContent = t(ing && !ing.active ? "reactivate" : "deactivate");
  showUnit();
}

/** The ingredient form as the API takes it: {body, errors}. */
function readIngredient(isNew) {
  const f = ingForm.elements;
  const body = {
    name: f.name.value.trim(), name_ar: f.name_ar.value.trim(), unit: f.unit.value,
    barcode: f.barcode.value.trim() || null,
    supplier_id: f.supplier_id.value ? Number(f.supplier_id.value) : null,
  };
  const errors = {};
  if (isNew) body.code = f.code.value.trim();
  if (isNew && !body.code) errors.code = t("fe_required");
  if (!body.name) errors.name = t("fe_required");
  if (isNew || f.cost.value !== f.cost.dataset.was) {
    const cost = f.cost.value.trim() ? parseMoney(f.cost.value, EXP) : 0;
    if (cost === null) errors.cost_minor = t("price_bad");
    else Object.assign(body, { cost_minor: cost, cost_per_milli: PER[body.unit] });
  }
  [["par", "par_milli"], ["reorder", "reorder_milli"]].forEach(([input, key]) => {
    const milli = f[input].value.trim() ? thousandths(f[input].value) : 0;
    if (milli === null) errors[key] = t("quantity_bad");
    else body[key] = milli;
  });
  return { body, errors };
}

function saveIngredient() {
  const ing = picked(ingForm, store.ingredients);
  const { body, errors } = readIngredient(!ing);
  if (Object.keys(errors).length) return showErrors(ingForm, errors);
  const call = ing ? api("PATCH", "/ingredients/" + ing.id, body) : api("POST", "/ingredients", body);
  call.then((res) => {
    if (!res.ok) return say(refuse(ingForm, res), true);
    clearErrors(ingForm);
    say(t("ingredient_saved", { name: nameOf(res.data) }));
    ingForm.elements.pick.dataset.next = String(res.data.id);
    changed();
  }).catch(noAnswer);
}

/** Deactivate (DELETE keeps it for history) or bring back the picked row. */
function toggleActive(form, path, list) {
  const row = picked(form, list);
  if (!row) return;
  const call = row.active ? api("DELETE", path + row.id) : api("PATCH", path + row.id, { active: true });
  call.then((res) => {
    if (!res.ok) return say(refuse(form, res), true);
    say(t(res.data.active ? "brought_back" : "deactivated", { name: nameOf(res.data) }));
    changed();
  }).catch(noAnswer);
}

function showSupplier() {
  const sup = picked(supForm, store.suppliers);
  const f = supForm.elements;
  clearErrors(supForm);
  ["name", "name_ar", "phone", "email"].forEach((k) => { f[k].value = sup ? sup[k] : ""; });
  f.lead_days.value = sup ? String(sup.lead_days) : "1";
  const toggle = supForm.querySelector("[data-action=active]");
  toggle.hidden = !sup;
  toggle.textContent = t(sup && !sup.active ? "reactivate" : "deactivate");
}

function saveSupplier() {
  const sup = picked(supForm, store.suppliers);
  const f = supForm.elements;
  const body = { name: f.name.value.trim(), name_ar: f.name_ar.value.trim(), phone: f.phone.value.trim(), email: f.email.value.trim() };
  const lead = number(f.lead_days.value);
  if (!body.name) return showErrors(supForm, { name: t("fe_required") });
  if (lead === null || lead !== Math.floor(lead)) return showErrors(supForm, { lead_days: t("fe_number") });
  body.lead_days = lead;
  const call = sup ? api("PATCH", "/suppliers/" + sup.id, body) : api("POST", "/suppliers", body);
  call.then((res) => {
    if (!res.ok) return say(refuse(supForm, res), true);
    clearErrors(supForm);
    say(t("supplier_saved", { name: nameOf(res.data) }));
    supForm.elements.pick.dataset.next = String(res.data.id);
    changed();
  }).catch(noAnswer);
}

function label(row) {
  return nameOf(row) + (row.active ? "" : " (" + t("inactive") + ")");
}

/** Redraw the pickers from the store, keeping (or moving to a just-saved) choice. */
export function drawIngredients() {
  [[ingForm, store.ingredients, "new_ingredient", showIngredient], [supForm, store.suppliers, "new_supplier", showSupplier]].forEach(([form, list, first, show]) => {
    const pick = form.elements.pick;
    fillSelect(pick, list.map((row) => ({ value: row.id, label: label(row) })), t(first));
    if (pick.dataset.next) { pick.value = pick.dataset.next; delete pick.dataset.next; }
    show();
  });
  const suppliers = store.suppliers.filter((s) => s.active).map((s) => ({ value: s.id, label: nameOf(s) }));
  fillSelect(ingForm.elements.supplier_id, suppliers, t("no_supplier"));
  const ing = picked(ingForm, store.ingredients);
  if (ing) ingForm.elements.supplier_id.value = ing.supplier_id ? String(ing.supplier_id) : "";
}

/** Open an ingredient in the form (the levels table's Edit). */
export function editIngredient(id) {
  ingForm.elements.pick.value = String(id);
  showIngredient();
  ingForm.closest("details").open = true;
  ingForm.scrollIntoView({ block: "start" });
  ingForm.elements.name.focus({ preventScroll: true });
}

ingForm.elements.pick.addEventListener("change", showIngredient);
ingForm.elements.unit.addEventListener("change", showUnit);
supForm.elements.pick.addEventListener("change", showSupplier);
[[ingForm, saveIngredient, "/ingredients/", "ingredients"], [supForm, saveSupplier, "/suppliers/", "suppliers"]].forEach(([form, save, path, key]) => {
  form.addEventListener("submit", (event) => { event.preventDefault(); save(); });
  form.querySelector("[data-action=active]").addEventListener("click", () => toggleActive(form, path, store[key]));
});
