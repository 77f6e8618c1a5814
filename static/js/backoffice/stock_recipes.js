// The stock page's recipes: choose a dish or an option, see what one portion takes (an
// ingredient, or a portion of another dish), add a line (quantity in any unit that converts,
// yield and waste in percent) and remove one. Refusals (a recipe that consumes itself, units
// that do not convert) show next to their fields.
import { el, clear } from "../lib/dom.js";
import { api, clearErrors, noAnswer, say, showErrors, t } from "./forms.js";
import { fillSelect, ingredientById, ingredientOptions, nameOf, number, quantity, refuse, store, table } from "./stock_common.js";

const form = document.querySelector("[data-testid=recipe-form]");
const linesBox = document.querySelector("[data-testid=recipe-lines]");

/** The chosen dish or option: {key: "item_id" | "modifier_id", id}, or null. */
function owner() {
  const [kind, id] = form.elements.owner.value.split(":");
  return id ? { key: kind === "item" ? "item_id" : "modifier_id", id: Number(id) } : null;
}

function ownerOptions() {
  const dishes = store.items.map((i) => ({ value: "item:" + i.id, label: nameOf(i) }));
  const groups = store.groups.filter((g) => g.active).map((g) => ({
    group: t("option_group", { name: nameOf(g) }),
    options: store.modifiers.filter((m) => m.group_id === g.id).map((m) => ({ value: "modifier:" + m.id, label: nameOf(m) })),
  })).filter((g) => g.options.length);
  return [{ group: t("dishes"), options: dishes }, ...groups];
}

function takesOptions() {
  const ingredients = ingredientOptions().map((o) => ({ value: "ing:" + o.value, label: o.label }));
  const dishes = store.items.map((i) => ({ value: "dish:" + i.id, label: nameOf(i) }));
  return [{ group: t("ingredients"), options: ingredients }, { group: t("portions_of"), options: dishes }];
}

function what(line) {
  if (line.ingredient_id) {
    const ing = ingredientById(line.ingredient_id);
    return el("bdi", null, ing ? nameOf(ing) : "#" + line.ingredient_id);
  }
  const dish = store.items.find((i) => i.id === line.uses_item_id);
  return el("bdi", null, t("portion_of", { name: dish ? nameOf(dish) : "#" + line.uses_item_id }));
}

function amount(line) {
  const ing = line.ingredient_id ? ingredientById(line.ingredient_id) : null;
  return quantity(line.quantity_milli / 1000, ing ? ing.unit : "piece");
}

const COLUMNS = [
  { title: t("takes"), value: what },
  { title: t("quantity"), value: amount, num: true },
  { title: t("yield"), value: (l) => l.yield_pct + "\u00a0%", num: true },
  { title: t("waste"), value: (l) => l.waste_pct + "\u00a0%", num: true },
  { title: "", value: (l) => el("button", { type: "button", class: "button button-quiet", "data-remove": l.id, "data-testid": "remove-line" }, t("remove")) },
];

/** Read and show the chosen recipe's lines. */
function showLines() {
  const chosen = owner();
  clear(linesBox);
  if (!chosen) return Promise.resolve();
  return api("GET", "/recipe-lines?active=true&" + chosen.key + "=" + chosen.id).then((res) => {
    if (!res.ok) return refuse(form, res);
    clear(linesBox);
    const rows = res.data.items;
    linesBox.append(rows.length ? table(COLUMNS, rows, "recipe-table", (tr) => tr.setAttribute("data-testid", "recipe-line"))
      : el("p", { class: "small" }, t("no_recipe")));
  }).catch(noAnswer);
}

/** The new line as the API takes it: {body, errors}. */
function readLine(chosen) {
  const f = form.elements;
  const errors = {};
  const body = { [chosen.key]: chosen.id, unit: f.unit.value };
  const [kind, id] = f.takes.value.split(":");
  if (!id) errors.ingredient_id = t("fe_required");
  else body[kind === "ing" ? "ingredient_id" : "uses_item_id"] = Number(id);
  const qty = number(f.quantity.value, chosen.key === "modifier_id");
  if (qty === null) errors.quantity = t("quantity_bad");
  else body.quantity = qty;
  [["yield_pct", 100], ["waste_pct", 0]].forEach(([key, empty]) => {
    const value = f[key].value.trim() ? number(f[key].value) : empty;
    if (value === null || value !== Math.floor(value)) errors[key] = t("fe_number");
    else body[key] = value;
  });
  return { body, errors };
}

function addLine() {
  const chosen = owner();
  if (!chosen) return showErrors(form, { item_id: t("choose_dish") });
  const { body, errors } = readLine(chosen);
  if (Object.keys(errors).length) return showErrors(form, errors);
  api("POST", "/recipe-lines", body).then((res) => {
    if (!res.ok) return say(refuse(form, res), true);
    clearErrors(form);
    form.elements.quantity.value = "";
    say(t("line_added"));
    return showLines();
  }).catch(noAnswer);
}

function removeLine(id) {
  api("DELETE", "/recipe-lines/" + id).then((res) => {
    if (!res.ok) return say(refuse(form, res), true);
    say(t("line_removed"));
    return showLines();
  }).catch(noAnswer);
}

/** The unit of what the line takes, once it is chosen. */
function defaultUnit() {
  const [kind, id] = form.elements.takes.value.split(":");
  const ing = kind === "ing" ? ingredientById(id) : null;
  form.elements.unit.value = ing ? ing.unit : "piece";
}

/** Redraw the choices from the store (keeping what is chosen) and the lines. */
export function drawRecipes() {
  fillSelect(form.elements.owner, ownerOptions(), t("choose_dish"));
  fillSelect(form.elements.takes, takesOptions(), t("choose"));
  showLines();
}

form.elements.owner.addEventListener("change", () => { clearErrors(form); showLines(); });
form.elements.takes.addEventListener("change", defaultUnit);
form.addEventListener("submit", (event) => { event.preventDefault(); addLine(); });
linesBox.addEventListener("click", (event) => {
  const button = event.target.closest("[data-remove]");
  if (button) removeLine(button.dataset.remove);
});
