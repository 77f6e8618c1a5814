// The home's stock alerts (issue 21): the ingredients low or out with their level and reorder
// point (the state in a word, not colour alone) and the dishes off the menu, from
// GET /stock/levels. Read again on every `stock_alert` and `menu_changed` push on /floor (a
// back-office socket is in the reports room), on a reconnect and on the figures' tick; an
// ingredient that runs out raises a banner naming the dishes it takes off the menu.
import { NetError, request } from "../lib/api.js";
import { clear, el } from "../lib/dom.js";
import { openSocket } from "../lib/socket.js";

const part = (id) => document.querySelector("[data-testid=" + id + "]");
const BANNERS_KEPT = 5;

/** Dish names in the page's language, by their English name (the server's `items`). */
const dishes = new Map();

/**
 * Start the card: `t` the page's words, `lang` "en" or "ar", `token` the session's.
 * Returns refresh() for the page's tick: a push comes only when an ingredient crosses its
 * reorder point, so the levels of one already low are read again on the tick.
 */
export function startStockAlerts(t, lang, token) {
  if (!part("stock-card")) return () => Promise.resolve();
  const named = (name) => (name && ((lang === "ar" && name.ar) || name.en)) || "";
  const list = (english) => english.map((n) => dishes.get(n) || n).join(lang === "ar" ? "، " : ", ");
  let asked = 0;

  function get(path) {
    return request("GET", path, undefined, { token: token }).then((res) => {
      if (res.status === 401) {
        window.location.assign("/backoffice/login?next=/admin");
        throw new NetError("signed out");
      }
      if (!res.ok) throw new NetError(String(res.status));
      return res.data;
    });
  }

  function refresh() {
    const id = ++asked;
    return get("/stock/levels").then((data) => {
      if (id !== asked) return; // a newer answer is on its way
      (data.eighty_six || []).forEach((d) => dishes.set(d.name.en, named(d.name)));
      draw(data, t, named, list);
      note("");
    }).catch(() => { if (id === asked) note(t("stock_no_answer")); });
  }

  // Arabic dish names for the dishes that are not off the menu yet (an ingredient low).
  function readDishNames() {
    if (lang !== "ar") return Promise.resolve();
    return get("/items?active=true").then((data) => {
      (data.items || []).forEach((i) => dishes.set(i.name, i.name_ar || i.name));
    }).catch(() => {});
  }

  // data-live says whether pushes arrive.
  function setLive(up) {
    part("stock-card").dataset.live = up ? "live" : "down";
  }

  function onAlert(alert) {
    if (alert && alert.ingredient) banner(alert, t, named, list);
    refresh();
  }

  const socket = openSocket("/floor", token);
  if (socket) {
    socket.on("connect", () => { setLive(true); refresh(); });
    socket.on("disconnect", () => setLive(false));
    socket.on("stock_alert", onAlert);
    socket.on("menu_changed", () => readDishNames().then(refresh));
  }
  readDishNames().then(refresh);
  return refresh;
}

function note(text) {
  const node = part("stock-note");
  node.textContent = text;
  node.hidden = !text;
}

function draw(data, t, named, list) {
  const card = part("stock-card");
  card.removeAttribute("aria-busy");
  card.dataset.alerts = String(data.alerts.length);
  const alerts = clear(part("stock-alerts"));
  data.alerts.forEach((ing) => alerts.append(alertRow(ing, t, named, list)));
  part("stock-none").hidden = data.alerts.length > 0;
  const off = clear(part("eighty-six"));
  data.eighty_six.forEach((d) => off.append(el("li", {
    "data-testid": "eighty-sixed", "data-why": d.why, "data-name": d.name.en,
  }, el("bdi", null, named(d.name)), el("span", { class: "small" }, t(d.why === "stock" ? "why_stock" : "why_86")))));
  part("eighty-six-none").hidden = data.eighty_six.length > 0;
}

function alertRow(ing, t, named, list) {
  const level = t("level_reorder", { level: quantity(ing.level, ing.unit, t), reorder: quantity(ing.reorder, ing.unit, t) });
  return el("li", { class: "hs-alert", "data-testid": "stock-alert", "data-code": ing.code, "data-state": ing.state },
    el("span", { class: "st-state", "data-state": ing.state, "data-testid": "state" }, t("state_" + ing.state)),
    el("b", null, el("bdi", null, named(ing.name))),
    el("span", { class: "hs-level", "data-testid": "level" }, level),
    ing.items && ing.items.length ? el("span", { class: "small" }, t("used_in", { dishes: list(ing.items) })) : null);
}

/** A quantity of an ingredient's unit as people say it: "1.25 kg", "300 g", "2 pcs". */
export function quantity(value, unit, t) {
  if ((unit === "g" || unit === "ml") && Math.abs(value) >= 1000) {
    return String(Number((value / 1000).toFixed(2))) + "\u00a0" + t(unit === "g" ? "u_kg" : "u_l");
  }
  return String(Number(Number(value).toFixed(3))) + "\u00a0" + t("u_" + unit);
}

// An ingredient that ran out: a banner (the newest first) until dismissed or back in stock.
function banner(alert, t, named, list) {
  const box = part("stock-banners");
  box.querySelectorAll("[data-ingredient]").forEach((n) => {
    if (n.dataset.ingredient === alert.ingredient) n.remove();
  });
  if (alert.state !== "out") return;
  const name = named(alert.name);
  const text = alert.items && alert.items.length
    ? t("alert_out", { name: name, dishes: list(alert.items) }) : t("alert_out_plain", { name: name });
  const close = el("button", { type: "button", class: "button" }, t("dismiss"));
  const node = el("div", {
    class: "st-banner", role: "alert", "data-testid": "stock-banner", "data-state": "out", "data-ingredient": alert.ingredient,
  }, el("strong", null, t("state_out")), el("span", null, text), close);
  close.addEventListener("click", () => node.remove());
  box.prepend(node);
  while (box.children.length > BANNERS_KEPT) box.lastChild.remove();
}
