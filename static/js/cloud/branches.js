// The cloud's page of branches: last contact, whether each has caught up, orders and sales as
// they arrived; refreshed every 5 s without a reload, the last figures kept (with a note) when
// the cloud does not answer.
import { NetError, request } from "../lib/api.js";
import { readJson } from "../lib/dom.js";
import { translator, pageLanguage } from "../lib/i18n.js";
import { plainAmount } from "../lib/money.js";

const EVERY_MS = 5000;
const t = translator(readJson("cloud-i18n"));
const LANG = pageLanguage(document);
const TOKEN = document.querySelector('meta[name="pos-token"]').content;
const clock = new Intl.DateTimeFormat(LANG === "ar" ? "ar-u-nu-latn" : "en", { timeStyle: "medium" });

function ago(seconds) {
  if (seconds === null || seconds === undefined) return t("never");
  if (seconds < 120) return t("seconds_ago", { n: seconds });
  if (seconds < 7200) return t("minutes_ago", { n: Math.round(seconds / 60) });
  return t("hours_ago", { n: Math.round(seconds / 3600) });
}

// "3 printing", or each printer that cannot print, with what waits for it.
function printersText(b) {
  const printers = b.printers || [];
  if (!printers.length) return t("printers_none");
  const down = printers.filter((p) => p.online === false || p.paper_out);
  if (!down.length) return t("printers_ok", { n: printers.length });
  return down.map((p) => {
    const what = p.paper_out ? t("printer_paper", { name: p.name }) : t("printer_offline", { name: p.name });
    const extra = [p.backup_in_use ? t("printer_backup") : "", p.queue_depth ? t("printer_queue", { n: p.queue_depth }) : ""];
    return [what, ...extra.filter(Boolean)].join(" · ");
  }).join("; ");
}

function show(branches) {
  branches.forEach((b) => {
    const row = document.querySelector('[data-testid=cloud-branch][data-code="' + b.code + '"]');
    if (!row) return;
    const set = (field, text) => { row.querySelector('[data-field="' + field + '"]').textContent = text; };
    set("contact", ago(b.seconds_since_contact));
    set("sync", !b.active ? t("off") : b.lag ? t("behind", { n: b.lag }) : t("caught_up"));
    set("printers", printersText(b));
    row.querySelector('[data-field="printers"]').dataset.state = b.printers_down ? "down" : "ok";
    set("orders", String(b.orders));
    set("paid_orders", String(b.paid_orders));
    set("sales", plainAmount(b.sales_minor, 2));
    row.dataset.state = !b.active ? "off" : b.lag ? "behind" : "ok";
  });
}

function note(text) {
  document.querySelector("[data-testid=updated]").textContent = text;
}

function refresh() {
  return request("GET", "/cloud/branches", undefined, { token: TOKEN }).then((res) => {
    if (res.status === 401) return window.location.assign("/backoffice/login?next=/cloud");
    if (!res.ok) throw new NetError(String(res.status));
    show(res.data.items);
    note(t("updated", { time: clock.format(new Date()) }));
  }).catch(() => note(t("no_answer")));
}

show(readJson("cloud-branches-data"));
setInterval(refresh, EVERY_MS);
document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
