// The floor editor: each floor's tables on a grid of squares (the units of the handheld's floor
// map), dragged with a finger or the mouse, or moved with the arrow keys once picked; picked,
// a table's number, seats, shape, size and floor are edited below the plan. Every change is one
// PATCH; the server refuses a table put onto another (409 table_overlap), and the table goes
// back to its place with the reason shown. Handhelds redraw the table at once (table_updated).
// The plan keeps the room's own left and right on an Arabic page too: it is a map.
import { el, clear } from "../lib/dom.js";
import { fieldMessages } from "../lib/field_errors.js";
import { errorText } from "../lib/i18n.js";
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("floors-page");
const plan = page.querySelector("[data-testid=plan]");
const form = page.querySelector("[data-testid=table-form]");
const LANG = document.documentElement.lang === "ar" ? "ar" : "en";
const MAX = 200; // TableSchema: x and y from 0 to 200
const S = { floors: [], tables: new Map(), floorId: null, picked: null, cell: 40 };

function floorName(floor) {
  return LANG === "ar" && floor.name_ar ? floor.name_ar : floor.name;
}

function onFloor() {
  return [...S.tables.values()].filter((tb) => tb.floor_id === S.floorId && tb.active !== false);
}

function drawTabs() {
  const tabs = clear(page.querySelector("[data-testid=floor-tabs]"));
  S.floors.forEach((floor) => {
    tabs.appendChild(el("button", {
      type: "button", role: "tab", class: "button bo-tab", "data-testid": "floor-" + floor.id,
      "aria-selected": floor.id === S.floorId ? "true" : "false",
      onclick: () => { S.floorId = floor.id; S.picked = null; draw(); },
    }, floorName(floor)));
  });
  const select = clear(form.elements.floor_id);
  S.floors.forEach((floor) => select.appendChild(el("option", { value: String(floor.id) }, floorName(floor))));
}

function draw() {
  drawTabs();
  const tables = onFloor();
  const cols = Math.max(12, ...tables.map((tb) => tb.x + tb.width + 2));
  const rows = Math.max(8, ...tables.map((tb) => tb.y + tb.height + 2));
  // A table 44 px at least (a cell of 48 less its margins): a target for a thumb; a wide room
  // scrolls sideways in its frame instead.
  S.cell = Math.max(48, Math.min(72, Math.floor(plan.parentNode.clientWidth / cols)));
  clear(plan);
  plan.style.width = cols * S.cell + "px";
  plan.style.height = rows * S.cell + "px";
  plan.style.backgroundSize = S.cell + "px " + S.cell + "px";
  tables.forEach((tb) => plan.appendChild(tableNode(tb)));
  if (!tables.length) plan.appendChild(el("p", { class: "small bo-plan-empty" }, t("no_tables")));
  showForm();
}

function tableNode(tb) {
  const node = el("button", {
    type: "button", class: "bo-table bo-table-" + tb.shape, "data-table": String(tb.id),
    "data-testid": "plan-table", "data-label": tb.label,
    "aria-pressed": S.picked === tb.id ? "true" : "false",
    "aria-label": tb.label + " · " + t("seats", { n: tb.seats }),
  }, el("b", null, tb.label), el("span", { class: "small" }, String(tb.seats)));
  place(node, tb.x, tb.y, tb);
  return node;
}

function place(node, x, y, tb) {
  node.style.left = x * S.cell + "px";
  node.style.top = y * S.cell + "px";
  node.style.width = tb.width * S.cell - 4 + "px";
  node.style.height = tb.height * S.cell - 4 + "px";
  node.style.transform = "";
}

function showForm() {
  const tb = S.tables.get(S.picked);
  form.hidden = !tb;
  clearErrors(form);
  if (!tb) return;
  page.querySelector("[data-testid=table-form-title]").textContent = tb.label;
  form.elements.label.value = tb.label;
  form.elements.seats.value = tb.seats;
  form.elements.shape.value = tb.shape;
  form.elements.width.value = tb.width;
  form.elements.height.value = tb.height;
  form.elements.floor_id.value = String(tb.floor_id);
}

/** PATCH one table; true when saved. A refusal: the table is drawn where it was, and why. */
function patch(tb, body, message) {
  return api("PATCH", "/tables/" + tb.id, body).then((res) => {
    if (!res.ok) {
      draw();
      const fields = fieldMessages(t, res.error && res.error.fields);
      say(fields.x || Object.values(fields)[0] || errorText(t, res.error), true);
      showRefusal(form, res);
      return false;
    }
    S.tables.set(tb.id, res.data);
    draw();
    say(t(message, { label: res.data.label }));
    return true;
  }).catch((err) => {
    draw();
    noAnswer(err);
    return false;
  });
}

function move(tb, x, y) {
  const nx = Math.max(0, Math.min(MAX, x));
  const ny = Math.max(0, Math.min(MAX, y));
  if (nx === tb.x && ny === tb.y) return draw();
  return patch(tb, { x: nx, y: ny }, "moved");
}

// -- dragging ---------------------------------------------------------------------------------
let drag = null;

plan.addEventListener("pointerdown", (event) => {
  const node = event.target.closest("[data-table]");
  if (!node) return;
  event.preventDefault();
  node.setPointerCapture(event.pointerId);
  drag = { node, tb: S.tables.get(Number(node.dataset.table)), x0: event.clientX, y0: event.clientY, moved: false };
  node.classList.add("is-dragging");
});
plan.addEventListener("pointermove", (event) => {
  if (!drag) return;
  const dx = event.clientX - drag.x0;
  const dy = event.clientY - drag.y0;
  if (Math.abs(dx) + Math.abs(dy) > 6) drag.moved = true;
  if (drag.moved) drag.node.style.transform = "translate(" + dx + "px, " + dy + "px)";
});
plan.addEventListener("pointerup", (event) => {
  if (!drag) return;
  const { tb, moved, x0, y0 } = drag;
  drag = null;
  if (!moved) { // a tap: pick the table
    S.picked = tb.id;
    draw();
    const picked = plan.querySelector('[data-table="' + tb.id + '"]');
    if (picked) picked.focus();
    return;
  }
  move(tb, tb.x + Math.round((event.clientX - x0) / S.cell), tb.y + Math.round((event.clientY - y0) / S.cell));
});
plan.addEventListener("pointercancel", () => { drag = null; draw(); });

const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
plan.addEventListener("keydown", (event) => {
  const node = event.target.closest("[data-table]");
  const step = ARROWS[event.key];
  if (!node || !step) return;
  event.preventDefault();
  const tb = S.tables.get(Number(node.dataset.table));
  S.picked = tb.id;
  move(tb, tb.x + step[0], tb.y + step[1]).then(() => {
    const again = plan.querySelector('[data-table="' + tb.id + '"]');
    if (again) again.focus();
  });
});

// -- the picked table's form, new tables and floors --------------------------------------------
function whole(value) {
  return /^\d+$/.test(String(value).trim()) ? Number(value) : NaN;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const tb = S.tables.get(S.picked);
  if (!tb) return;
  const f = form.elements;
  const body = {
    label: f.label.value.trim(), seats: whole(f.seats.value), shape: f.shape.value,
    width: whole(f.width.value), height: whole(f.height.value), floor_id: Number(f.floor_id.value),
  };
  const errors = {};
  if (!body.label) errors.label = t("fe_required");
  ["seats", "width", "height"].forEach((name) => { if (Number.isNaN(body[name])) errors[name] = t("fe_number"); });
  if (Object.keys(errors).length) return showErrors(form, errors);
  patch(tb, body, "saved_table").then((saved) => { if (saved && body.floor_id !== S.floorId) S.floorId = body.floor_id; draw(); });
});

form.querySelector("[data-action=remove-table]").addEventListener("click", () => {
  const tb = S.tables.get(S.picked);
  if (!tb) return;
  api("DELETE", "/tables/" + tb.id).then((res) => {
    if (!res.ok) return showRefusal(form, res);
    S.tables.delete(tb.id);
    S.picked = null;
    draw();
    say(t("removed_table", { label: tb.label }));
  }).catch(noAnswer);
});

function nextLabel() {
  const numbers = [...S.tables.values()].map((tb) => parseInt(tb.label, 10)).filter((n) => !Number.isNaN(n));
  return String(numbers.length ? Math.max(...numbers) + 1 : 1);
}

page.querySelector("[data-action=add-table]").addEventListener("click", () => {
  if (S.floorId === null) return;
  // No x and y: the server puts it on the first free square.
  const body = { floor_id: S.floorId, label: nextLabel(), seats: 4, shape: "square", width: 1, height: 1 };
  api("POST", "/tables", body).then((res) => {
    if (!res.ok) return say(errorText(t, res.error), true);
    S.tables.set(res.data.id, res.data);
    S.picked = res.data.id;
    draw();
    say(t("added_table", { label: res.data.label }));
  }).catch(noAnswer);
});

page.querySelector("[data-testid=floor-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const floorForm = event.target;
  const body = { name: floorForm.elements.name.value.trim(), name_ar: floorForm.elements.name_ar.value.trim() };
  if (!body.name) return showErrors(floorForm, { name: t("fe_required") });
  api("POST", "/floors", body).then((res) => {
    if (!res.ok) return showRefusal(floorForm, res);
    clearErrors(floorForm);
    floorForm.reset();
    S.floors.push(res.data);
    S.floorId = res.data.id;
    S.picked = null;
    draw();
    say(t("added_floor", { name: floorName(res.data) }));
  }).catch(noAnswer);
});

function load() {
  say(t("loading"));
  return Promise.all([api("GET", "/floors?active=true"), api("GET", "/tables?active=true")]).then(([floors, tables]) => {
    if (!floors.ok || !tables.ok) return say(errorText(t, (floors.error || tables.error)), true);
    S.floors = floors.data.items;
    tables.data.items.forEach((tb) => S.tables.set(tb.id, tb));
    if (S.floorId === null && S.floors.length) S.floorId = S.floors[0].id;
    say("");
    draw();
  }).catch(noAnswer);
}

window.addEventListener("resize", () => { if (!drag) draw(); });
load();
