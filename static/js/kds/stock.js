// The kitchen's 86: the strip that always shows what the handhelds cannot sell (86'd by hand
// or out of stock) and the ingredients running low or out, and the panel where a cook takes a
// dish off the menu or brings it back (POST /items/{id}/availability, with the screen's own
// kitchen login). The strip is GET /stock/levels, asked again on every `menu_changed` and
// `stock_alert` push; a low or out alert chimes and flashes it.
import { clear, el } from "../lib/dom.js";
import { $, AR, root, t, toast, TOKEN } from "./context.js";
import { api } from "./commands.js";
import { signOut } from "./link.js";
import { openOverlay } from "./overlays.js";
import { alarm } from "./sound.js";

const stock = {
  eightySix: [], // [{id, name: {en, ar}, why: "stock" | "86"}]
  alerts: [], // ingredients low or out: [{code, name, unit, level_label, state, items}]
  menu: null, // GET /menu while the panel is open
  pending: {}, // item id -> true while its 86 or un-86 is on its way
};
let levelsLoad = 0;
let menuLoad = 0;

/** A {en, ar} name in the page's language. */
function named(name) {
  return (name && ((AR && name.ar) || name.en)) || "";
}

/** Ask the levels again (the latest answer wins); the strip and the open panel follow. */
export function loadStock() {
  if (!TOKEN) return;
  const id = ++levelsLoad;
  api("GET", "/stock/levels").then((answer) => {
    if (id !== levelsLoad) return; // a newer one is on its way
    if (answer.status === 401) return signOut();
    if (!answer.ok || !answer.body) return;
    stock.eightySix = answer.body.eighty_six || [];
    stock.alerts = answer.body.alerts || [];
    renderStrip();
    renderPanel();
  });
}

/** A menu_changed push: a dish went off or came back somewhere (here, a handheld, the stock). */
export function onMenuChanged() {
  loadStock();
  if (panelOpen()) loadMenu();
}

/** A stock_alert push: low or out chimes and flashes the strip; back in stock just says so. */
export function onStockAlert(p) {
  if (!p || !p.name) return;
  const name = named(p.name);
  if (p.state === "low" || p.state === "out") {
    root.dataset.stockAlerts = String(Number(root.dataset.stockAlerts || 0) + 1);
    alarm();
    flashStrip();
    const dishes = (p.items || []).join(", ");
    toast(p.state === "low" ? t("alert_low", { name: name, level: p.level_label })
      : dishes ? t("alert_out", { name: name, dishes: dishes }) : t("alert_out_plain", { name: name }),
    p.state === "out" ? "error" : null);
  } else {
    toast(t("alert_back", { name: name }), "info");
  }
  loadStock();
}

function flashStrip() {
  const strip = $("[data-testid=stock-strip]");
  strip.classList.remove("is-flash");
  void strip.offsetWidth; // restart the animation
  strip.classList.add("is-flash");
}

function renderStrip() {
  const list = clear($("[data-testid=eighty-six-list]"));
  if (!stock.eightySix.length) {
    list.appendChild(el("li", { class: "kds-86-none" }, t("eighty_six_none")));
  }
  stock.eightySix.forEach((dish) => {
    list.appendChild(el("li", {
      class: "kds-86-dish is-" + (dish.why === "stock" ? "stock" : "86"),
      dataset: { testid: "eighty-six-item", name: dish.name.en, why: dish.why },
    }, el("b", null, named(dish.name)),
    el("small", null, dish.why === "stock" ? t("why_stock") : t("why_86"))));
  });
  const alerts = clear($("[data-testid=stock-alerts]"));
  stock.alerts.forEach((ing) => {
    alerts.appendChild(el("li", {
      class: "kds-stock-alert is-" + ing.state,
      dataset: { testid: "stock-alert", code: ing.code, state: ing.state },
    }, el("small", null, ing.state === "out" ? t("stock_out") : t("stock_low")),
    el("b", null, named(ing.name)),
    el("bdi", { class: "kds-stock-level", dir: "ltr" }, ing.level_label)));
  });
  root.classList.toggle("has-86", stock.eightySix.length > 0);
}

// -- the panel -------------------------------------------------------------------------------

function panelOpen() {
  return !$("[data-testid=eighty-six-panel]").hidden;
}

function openPanel() {
  openOverlay("eighty-six-panel");
  if (!stock.menu) clear($("[data-testid=eighty-six-menu]"));
  loadMenu();
  loadStock();
}

function loadMenu() {
  const id = ++menuLoad;
  api("GET", "/menu").then((answer) => {
    if (id !== menuLoad) return;
    if (answer.status === 401) return signOut();
    if (!answer.ok || !answer.body) {
      toast(t("menu_failed"), "error");
      return;
    }
    stock.menu = answer.body;
    renderPanel();
  });
}

// Why a dish out of stock is out: the ingredients the levels say are out (else low) that it
// needs. The server keeps such a dish off until a delivery or a count brings the stock back.
function shortOf(dish) {
  const users = stock.alerts.filter((a) => (a.items || []).indexOf(dish.name.en) >= 0);
  const out = users.filter((a) => a.state === "out");
  return (out.length ? out : users).map((a) => named(a.name));
}

function renderPanel() {
  if (!stock.menu || !panelOpen()) return;
  const box = clear($("[data-testid=eighty-six-menu]"));
  stock.menu.categories.forEach((cat) => {
    if (!cat.items.length) return;
    const grid = el("div", { class: "kds-86-grid" });
    cat.items.forEach((dish) => grid.appendChild(dishTile(dish)));
    box.appendChild(el("section", { class: "kds-86-cat" }, el("h3", null, named(cat.name)), grid));
  });
}

function dishTile(dish) {
  const why = dish.sold_out; // null, "86" (by hand) or "stock"
  const short = why === "stock" ? shortOf(dish) : [];
  const status = why === "stock"
    ? (short.length ? t("out_of_stock_of", { names: short.join(AR ? "، " : ", ") }) : t("why_stock"))
    : why === "86" ? t("why_86") : t("dish_on");
  return el("button", {
    type: "button",
    class: "kds-86-tile is-" + (why || "on") + (stock.pending[dish.id] ? " is-busy" : ""),
    role: "switch",
    "aria-checked": why ? "false" : "true",
    "aria-disabled": why === "stock" ? "true" : null,
    dataset: { testid: "dish-" + dish.id, name: dish.name.en, state: why || "on" },
    onclick: () => toggle(dish),
  }, el("span", { class: "kds-86-name" }, named(dish.name)),
  el("span", { class: "kds-86-state" }, status),
  why === "stock" ? el("span", { class: "kds-86-hint" }, t("back_when_stock")) : null);
}

function toggle(dish) {
  if (stock.pending[dish.id]) return; // a second tap while the first is on its way
  if (dish.sold_out === "stock") {
    toast(t("still_out", { name: named(dish.name) }), "info");
    return;
  }
  const wanted = dish.sold_out === "86"; // 86'd by hand: bring it back; else 86 it
  stock.pending[dish.id] = true;
  renderPanel();
  api("POST", "/items/" + dish.id + "/availability", {
    available: wanted,
    reason: wanted ? "back, from the kitchen screen" : "86, from the kitchen screen",
  }).then((answer) => {
    delete stock.pending[dish.id];
    if (answer.status === 401) return signOut();
    if (!answer.ok) {
      toast(t("failed", { message: answer.message }), "error");
      renderPanel();
      return;
    }
    const now = answer.body;
    dish.available = now.available && !now.stock_out;
    dish.sold_out = !now.available ? "86" : now.stock_out ? "stock" : null;
    if (!wanted) toast(t("eighty_sixed", { name: named(now.name) }), "info");
    else if (now.stock_out) toast(t("still_out", { name: named(now.name) }), "error");
    else toast(t("brought_back", { name: named(now.name) }), "info");
    renderPanel();
    loadStock();
  });
}

/** Wire the strip's 86 button; the panel closes as every overlay does (input.js). */
export function initStock() {
  $("[data-testid=eighty-six-open]").addEventListener("click", openPanel);
  renderStrip();
}
