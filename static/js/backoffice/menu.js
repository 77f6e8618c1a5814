// The back office's menu: every dish editable in place (both names, station, course, the
// minutes it takes to make, price),
// sold out (86) and back with one tap, taken off the menu and brought back, new dishes added,
// search. Each save is one PATCH of what changed; a refusal shows next to its field in the
// page's language; handhelds hear of every change from the server at once (menu_changed).
import { readJson } from "../lib/dom.js";
import { parseMoney, plainAmount } from "../lib/money.js";
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("menu-page");
const EXP = Number(page.dataset.exponent);
const MAX_MINOR = 100000000; // pos_app.schemas.MAX_MINOR
const saved = new Map(); // item id -> the item as the server has it
readJson("bo-menu").categories.forEach((c) => c.items.forEach((i) => saved.set(i.id, i)));

function idOf(row) {
  return Number(row.dataset.item);
}

function field(scope, name) {
  return scope.querySelector('[name="' + name + '"]');
}

function optionalNumber(value) {
  return value === "" ? null : Number(value);
}

/** Read a form's names and price: {values, errors}. */
function read(scope) {
  const values = {
    name: field(scope, "name").value.trim(),
    name_ar: field(scope, "name_ar").value.trim(),
  };
  const errors = {};
  if (!values.name) errors.name = t("fe_required");
  const priceText = field(scope, "price_minor").value;
  const price = parseMoney(priceText, EXP);
  if (price === null) errors.price_minor = t("price_bad");
  else if (price > MAX_MINOR) errors.price_minor = t("price_too_high");
  else values.price_minor = price;
  if (field(scope, "station_id")) values.station_id = optionalNumber(field(scope, "station_id").value);
  if (field(scope, "course")) values.course = optionalNumber(field(scope, "course").value);
  if (field(scope, "prep_minutes")) {
    const minutes = field(scope, "prep_minutes").value.trim().replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));
    if (!/^\d{1,3}$/.test(minutes) || Number(minutes) > 240) errors.prep_minutes = t("minutes_bad");
    else values.prep_minutes = Number(minutes);
  }
  return { values, errors };
}

/** What the row changed against the saved item: {body, errors}. */
function changes(row) {
  const item = saved.get(idOf(row));
  const { values, errors } = read(row);
  const body = {};
  Object.keys(values).forEach((key) => {
    if (values[key] !== item[key]) body[key] = values[key];
  });
  return { body, errors };
}

function markDirty(row) {
  const { body, errors } = changes(row); // something typed that is not saved, even if wrong
  row.querySelector("[data-action=save]").hidden = !Object.keys(body).length && !Object.keys(errors).length;
}

function keep(row, item) {
  saved.set(item.id, item);
  row.dataset.name = item.name;
  row.dataset.priceMinor = String(item.price_minor);
  field(row, "price_minor").value = plainAmount(item.price_minor, EXP);
  row.toggleAttribute("data-inactive", !item.active);
  const available = row.querySelector("[data-action=available]");
  available.setAttribute("aria-pressed", item.available ? "true" : "false");
  available.textContent = item.available ? t("on_sale") : t("sold_out");
  row.querySelector("[data-action=active]").textContent = item.active ? t("remove") : t("restore");
  markDirty(row);
  filter();
}

function send(row, method, body) {
  const path = "/items/" + idOf(row);
  return api(method, path, body).then((res) => {
    if (!res.ok) {
      showRefusal(row, res);
      say("", false);
      return null;
    }
    clearErrors(row);
    keep(row, res.data);
    return res.data;
  }).catch((err) => {
    noAnswer(err);
    return null;
  });
}

function save(row) {
  const { body, errors } = changes(row);
  if (Object.keys(errors).length) return showErrors(row, errors);
  if (!Object.keys(body).length) return;
  send(row, "PATCH", body).then((item) => { if (item) say(t("saved")); });
}

function toggleAvailable(row) {
  const item = saved.get(idOf(row));
  send(row, "PATCH", { available: !item.available }).then((done) => {
    if (done) say(t(done.available ? "back_on_sale" : "now_sold_out", { name: done.name }));
  });
}

function toggleActive(row) {
  const item = saved.get(idOf(row));
  const call = item.active ? send(row, "DELETE") : send(row, "PATCH", { active: true });
  call.then((done) => {
    if (done) say(t(done.active ? "restored" : "removed", { name: done.name }));
  });
}

function add(form) {
  const { values, errors } = read(form);
  if (Object.keys(errors).length) return showErrors(form, errors);
  const body = Object.assign({ category_id: Number(form.dataset.addTo) }, values);
  api("POST", "/items", body).then((res) => {
    if (!res.ok) return showRefusal(form, res);
    clearErrors(form);
    form.reset();
    const row = document.getElementById("item-row-template").content.querySelector("tr").cloneNode(true);
    row.dataset.item = res.data.id;
    field(row, "name").value = res.data.name;
    field(row, "name_ar").value = res.data.name_ar;
    form.previousElementSibling.querySelector("tbody").appendChild(row);
    keep(row, res.data);
    say(t("added", { name: res.data.name }));
  }).catch(noAnswer);
}

function filter() {
  const words = page.querySelector("[data-testid=menu-search]").value.trim().toLowerCase();
  const showRemoved = page.querySelector("[data-testid=show-removed]").checked;
  let any = false;
  page.querySelectorAll(".bo-cat").forEach((section) => {
    let shown = 0;
    section.querySelectorAll("tr[data-item]").forEach((row) => {
      const item = saved.get(idOf(row));
      const text = item ? (item.name + " " + item.name_ar).toLowerCase() : "";
      const visible = (showRemoved || !row.hasAttribute("data-inactive")) && (!words || text.includes(words));
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    const sectionOff = section.hasAttribute("data-inactive") && !showRemoved;
    section.hidden = sectionOff || (!!words && !shown);
    any = any || shown > 0;
  });
  page.querySelector("[data-testid=nothing-found]").hidden = !words || any;
}

// Another part of the page (prices by a percentage) saved a dish: take the server's row.
page.addEventListener("bo:saved", (event) => {
  const row = event.target.closest("tr[data-item]");
  if (row) keep(row, event.detail);
});
page.addEventListener("input", (event) => {
  const row = event.target.closest("tr[data-item]");
  if (row) markDirty(row);
  if (event.target.matches("[data-testid=menu-search]")) filter();
});
page.addEventListener("change", (event) => {
  const row = event.target.closest("tr[data-item]");
  if (row) markDirty(row);
  if (event.target.matches("[data-testid=show-removed]")) filter();
});
page.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  const row = button && button.closest("tr[data-item]");
  if (!row) return;
  if (button.dataset.action === "save") save(row);
  else if (button.dataset.action === "available") toggleAvailable(row);
  else if (button.dataset.action === "active") toggleActive(row);
});
page.addEventListener("keydown", (event) => {
  const row = event.target.closest("tr[data-item]");
  if (row && event.key === "Enter" && event.target.matches("input")) {
    event.preventDefault();
    save(row);
  }
});
page.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-add-to]");
  if (!form) return;
  event.preventDefault();
  add(form);
});
filter();
