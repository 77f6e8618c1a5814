// The back office's home: today's figures, refreshed every 15 s without a reload (and at
// once when the tab comes back), in the page's language; the last figures stay on screen
// with a note when the server does not answer. The stock alerts card is home_stock.js's,
// live over the /floor socket.
import "./nav.js";
import { NetError, request } from "../lib/api.js";
import { readJson } from "../lib/dom.js";
import { translator, pageLanguage } from "../lib/i18n.js";
import { formatMoney } from "../lib/money.js";
import { startStockAlerts } from "./home_stock.js";

const EVERY_MS = 15000;
const t = translator(readJson("bo-i18n"));
const LANG = pageLanguage(document);
const TOKEN = document.querySelector('meta[name="pos-token"]').content;
const clock = new Intl.DateTimeFormat(LANG === "ar" ? "ar-u-nu-latn" : "en", { timeStyle: "medium" });

function show(today) {
  document.querySelectorAll("[data-figure]").forEach((node) => {
    const key = node.dataset.figure;
    if (key === "printers") node.textContent = printersText(today.printers);
    else if (key === "sync") node.textContent = syncText(today.sync);
    else if ("money" in node.dataset) {
      node.textContent = formatMoney(today[key], today.currency, today.currency_exponent, LANG);
    } else node.textContent = String(today[key]);
  });
  const late = document.querySelector("[data-testid=late-figure]");
  if (late) late.dataset.state = today.late_tickets ? "bad" : "good";
  const printers = document.querySelector("[data-testid=printers-figure]");
  if (printers && today.printers) printers.dataset.state = today.printers.down ? "bad" : "good";
  const sync = document.querySelector("[data-testid=sync-figure]");
  if (sync) sync.dataset.state = today.sync.last_error ? "bad" : today.sync.waiting ? "wait" : "good";
  const detail = document.querySelector("[data-testid=sync-detail]");
  if (detail) detail.textContent = !today.sync.cloud ? t("sync_alone") : today.sync.last_error || (today.sync.last_push_at ? t("sync_last", { time: new Date(today.sync.last_push_at).toLocaleTimeString() }) : "");
  const menu = document.querySelector("[data-testid=menu-sync]");
  if (menu) {
    const s = today.sync;
    menu.textContent = s.menu_error ? t("menu_refused", { why: s.menu_error }) : s.menu_version ? t("menu_cloud", { n: s.menu_version }) : "";
    menu.dataset.state = s.menu_error ? "bad" : "good";
    if (s.menu_error && sync) sync.dataset.state = "bad";
  }
}

function printersText(p) {
  if (!p || !p.total) return t("printers_none");
  if (!p.down) return t("printers_ok", { n: p.total });
  return t("printers_down", { n: p.down, names: p.down_names.join(", ") });
}

function syncText(s) {
  if (!s.cloud) return s.waiting ? t("sync_waiting", { n: s.waiting }) : t("sync_ok");
  if (s.last_error) return t("sync_failing", { n: s.waiting });
  return s.waiting ? t("sync_waiting", { n: s.waiting }) : t("sync_ok");
}

function note(text) {
  document.querySelector("[data-testid=updated]").textContent = text;
}

function refresh() {
  return request("GET", "/backoffice/today", undefined, { token: TOKEN }).then((res) => {
    if (res.status === 401) return window.location.assign("/backoffice/login?next=/admin");
    if (!res.ok) throw new NetError(String(res.status));
    show(res.data);
    note(t("updated", { time: clock.format(new Date()) }));
  }).catch(() => note(t("no_answer")));
}

show(readJson("bo-today"));
const stockTick = startStockAlerts(t, LANG, TOKEN);
setInterval(() => { if (!document.hidden) { refresh(); stockTick(); } }, EVERY_MS);
document.addEventListener("visibilitychange", () => { if (!document.hidden) { refresh(); stockTick(); } });
