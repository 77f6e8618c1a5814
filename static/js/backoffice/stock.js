// The back office's stock page: every ingredient's level against its par and reorder point
// (alerts first, the dishes 86'd), read again without a reload when the server pushes
// `stock_alert` or `menu_changed` on /floor, with a banner for an ingredient that just went
// low or out. The page's other parts (ingredients, recipes, purchasing, counts, waste) live
// in stock_*.js; after any change they make, everything is read again.
import { clear, el } from "../lib/dom.js";
import { openSocket } from "../lib/socket.js";
import { noAnswer, say, t, api } from "./forms.js";
import { changed, load, nameOf, names, quantity, table } from "./stock_common.js";
import { drawIngredients, editIngredient } from "./stock_ingredients.js";
import { drawRecipes } from "./stock_recipes.js";
import { drawPurchases } from "./stock_purchases.js";
import { drawCounts } from "./stock_counts.js";
import { drawMoves, drawMovements } from "./stock_moves.js";

const TOKEN = document.querySelector('meta[name="pos-token"]').content;
const part = (id) => document.querySelector("[data-testid=" + id + "]");
const clock = new Intl.DateTimeFormat(document.documentElement.lang === "ar" ? "ar-u-nu-latn" : "en", { timeStyle: "short" });
let filter = "";

function stateBadge(state) {
  return el("span", { class: "st-state", "data-state": state, "data-testid": "state" }, t("state_" + state));
}

const COLUMNS = [
  { title: t("ingredient"), value: (i) => el("bdi", null, nameOf(i.name)) },
  { title: t("level"), value: (i) => quantity(i.level, i.unit), num: true },
  { title: t("par"), value: (i) => quantity(i.par, i.unit), num: true },
  { title: t("reorder"), value: (i) => quantity(i.reorder, i.unit), num: true },
  { title: t("state"), value: (i) => stateBadge(i.state) },
  { title: t("used_in"), value: (i) => names(i.items) || "—" },
  { title: "", value: (i) => el("button", { type: "button", class: "button button-quiet", "data-edit": i.id }, t("edit")) },
];

function mark(tr, row) {
  tr.dataset.state = row.state;
  tr.dataset.code = row.code;
  tr.setAttribute("data-testid", "level-row");
}

function drawLevels(data) {
  const alerts = clear(part("alerts"));
  if (data.alerts.length) alerts.append(table(COLUMNS.slice(0, 5), data.alerts, "alerts-table", mark));
  else alerts.append(el("p", { class: "small" }, t("no_alerts")));
  const out = clear(part("eighty-six"));
  if (data.eighty_six.length) {
    out.append(el("ul", { class: "st-86" }, data.eighty_six.map((d) => el("li", { "data-testid": "eighty-sixed" },
      el("bdi", null, nameOf(d.name)), " — ", el("span", { class: "small" }, t(d.why === "stock" ? "why_stock" : "why_86"))))));
  } else out.append(el("p", { class: "small" }, t("none_86")));
  drawAll(data.ingredients);
}

let lastLevels = [];

function drawAll(rows) {
  lastLevels = rows;
  const shown = rows.filter((i) => !filter || (i.name.en + " " + i.name.ar + " " + i.code).toLowerCase().includes(filter));
  const box = clear(part("levels"));
  box.append(shown.length ? table(COLUMNS, shown, "levels-table", mark) : el("p", { class: "small" }, t("nothing")));
}

/** Read the levels again (after a push, a change, a reconnect). */
function refreshLevels() {
  return api("GET", "/stock/levels").then((res) => {
    if (res.ok) drawLevels(res.data);
    part("updated").textContent = t("updated", { time: clock.format(new Date()) });
  }).catch(noAnswer);
}

/** A banner for an ingredient that just went low or out (or came back), the newest first. */
function banner(alert) {
  const box = part("stock-alerts");
  box.querySelectorAll("[data-ingredient]").forEach((n) => { if (n.dataset.ingredient === alert.ingredient) n.remove(); });
  const dishes = names(alert.items);
  const text = t("alert_" + alert.state, { name: nameOf(alert.name), level: quantity(alert.level, alert.unit), reorder: quantity(alert.reorder, alert.unit) });
  const note = alert.state === "out" && dishes ? t("alert_dishes", { dishes: dishes }) : "";
  const close = el("button", { type: "button", class: "button", "aria-label": t("dismiss") }, t("dismiss"));
  const node = el("div", { class: "st-banner", "data-state": alert.state, "data-ingredient": alert.ingredient, "data-testid": "stock-alert", role: "alert" },
    el("strong", null, t("state_" + alert.state)), el("span", null, text, note ? " " + note : ""), close);
  close.addEventListener("click", () => node.remove());
  box.prepend(node);
  while (box.children.length > 5) box.lastChild.remove();
}

function live(up) {
  const node = part("live");
  node.dataset.state = up ? "live" : "down";
  node.textContent = t(up ? "live" : "offline");
}

function connect() {
  const socket = openSocket("/floor", TOKEN);
  if (!socket) return live(false);
  socket.on("connect", () => { live(true); refreshLevels(); });
  socket.on("disconnect", () => live(false));
  socket.on("stock_alert", (alert) => { banner(alert); refreshLevels(); drawMovements(); });
  socket.on("menu_changed", () => refreshLevels());
}

/** Everything again: the lists, then each part. */
function refreshAll() {
  return load().then(() => {
    drawIngredients();
    drawRecipes();
    drawPurchases();
    drawCounts();
    drawMoves();
    return refreshLevels();
  }).catch(noAnswer);
}

part("levels-filter").addEventListener("input", (event) => {
  filter = event.target.value.trim().toLowerCase();
  drawAll(lastLevels);
});
document.getElementById("stock-page").addEventListener("click", (event) => {
  const button = event.target.closest("[data-edit]");
  if (button) editIngredient(Number(button.dataset.edit));
});
document.addEventListener("stock:changed", () => refreshAll());
part("refresh").addEventListener("click", () => { say(""); changed(); });
live(false);
connect();
refreshAll();
