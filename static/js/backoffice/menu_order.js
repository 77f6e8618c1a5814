// The order of dishes in a section and of the sections themselves, as the handhelds show it:
// a dish is dragged by its handle (mouse, finger or pen: pointer events, so it works on a
// phone) or moved a step with ▲ ▼; a section moves with its ▲ ▼. Each move sends the whole
// level's new order at once; when the server refuses it (the menu changed on another device)
// the page redraws from the server.
import { api, noAnswer, say, t } from "./forms.js";

const page = document.getElementById("menu-page");
const KEPT = "pos-menu-message";

function rowsOf(tbody) {
  return Array.from(tbody.querySelectorAll("tr[data-item]"));
}

function ids(nodes, attr) {
  return nodes.map((node) => Number(node.getAttribute(attr)));
}

function redraw() {
  sessionStorage.setItem(KEPT, t("order_stale"));
  window.location.reload();
}

/** Send a level's order; `undo` puts the page back when it is refused for another reason. */
function send(path, order, undo) {
  api("PUT", path, { ids: order }).then((res) => {
    if (res.ok) return say(t("order_saved"));
    if (res.status === 409) return redraw();
    undo();
    say((res.data && res.data.error && res.data.error.message) || t("fe_required"));
  }).catch((err) => { undo(); noAnswer(err); });
}

function saveDishes(tbody, before) {
  const order = ids(rowsOf(tbody), "data-item");
  if (order.join() === before.join()) return;
  const section = tbody.closest("[data-category]");
  send("/categories/" + section.dataset.category + "/items/order", order, () => {
    const byId = new Map(rowsOf(tbody).map((row) => [Number(row.dataset.item), row]));
    before.forEach((id) => tbody.appendChild(byId.get(id)));
  });
}

function sections() {
  return Array.from(page.querySelectorAll("section[data-category]"));
}

function saveSections(before) {
  const order = ids(sections(), "data-category");
  if (order.join() === before.join()) return;
  send("/categories/order", order, () => window.location.reload());
}

// Drag by the handle: the row follows the pointer between the others of its section.
page.addEventListener("pointerdown", (event) => {
  const handle = event.target.closest("[data-drag]");
  if (!handle || event.button > 0) return;
  const row = handle.closest("tr[data-item]");
  const tbody = row.parentElement;
  const before = ids(rowsOf(tbody), "data-item");
  event.preventDefault();
  row.classList.add("bo-dragging");
  // Followed on the whole document (a finger leaves the small handle at once).
  function move(ev) {
    const others = rowsOf(tbody).filter((r) => r !== row && r.offsetParent !== null);
    const next = others.find((r) => {
      const box = r.getBoundingClientRect();
      return ev.clientY < box.top + box.height / 2;
    });
    if (next !== row.nextElementSibling) tbody.insertBefore(row, next || null);
  }
  function end() {
    document.removeEventListener("pointermove", move);
    document.removeEventListener("pointerup", end);
    document.removeEventListener("pointercancel", end);
    row.classList.remove("bo-dragging");
    saveDishes(tbody, before);
  }
  document.addEventListener("pointermove", move);
  document.addEventListener("pointerup", end);
  document.addEventListener("pointercancel", end);
});

page.addEventListener("click", (event) => {
  const step = event.target.closest("[data-order]");
  if (step) {
    const row = step.closest("tr[data-item]");
    const tbody = row.parentElement;
    const before = ids(rowsOf(tbody), "data-item");
    const up = step.dataset.order === "up";
    let other = up ? row.previousElementSibling : row.nextElementSibling;
    while (other && other.offsetParent === null) other = up ? other.previousElementSibling : other.nextElementSibling;
    if (!other) return;  // (rows taken off and hidden are stepped over)
    tbody.insertBefore(row, up ? other : other.nextElementSibling);
    step.focus();
    saveDishes(tbody, before);
    return;
  }
  const sectionStep = event.target.closest("[data-order-section]");
  if (sectionStep) {
    const section = sectionStep.closest("section[data-category]");
    const before = ids(sections(), "data-category");
    const up = sectionStep.dataset.orderSection === "up";
    const all = sections();
    const other = all[all.indexOf(section) + (up ? -1 : 1)];
    if (!other) return;
    other.parentElement.insertBefore(section, up ? other : other.nextElementSibling);
    sectionStep.focus();
    section.scrollIntoView({ block: "nearest" });
    saveSections(before);
  }
});

const kept = sessionStorage.getItem(KEPT);
if (kept) {
  sessionStorage.removeItem(KEPT);
  say(kept);
}
