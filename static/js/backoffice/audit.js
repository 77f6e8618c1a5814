// The audit log: newest first, filtered by who, what and when (dates in the branch's time
// zone), a page at a time; each entry shows what changed, before and after side by side.
import { clear, el } from "../lib/dom.js";
import { errorText } from "../lib/i18n.js";
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("audit-page");
const list = page.querySelector("[data-testid=audit-list]");
const filters = page.querySelector("[data-testid=audit-filters]");
const more = page.querySelector("[data-testid=more]");
const ZONE = page.dataset.timeZone || "UTC";
const LANG = document.documentElement.lang === "ar" ? "ar-u-nu-latn" : "en";
const when = new Intl.DateTimeFormat(LANG, { dateStyle: "medium", timeStyle: "medium", timeZone: ZONE });
let next = null;

/** Midnight of a yyyy-mm-dd day in the branch's time zone, as a UTC instant. */
function zoneMidnight(day) {
  const guess = new Date(day + "T00:00:00Z");
  const parts = new Intl.DateTimeFormat("en", {
    timeZone: ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(guess).reduce((acc, p) => Object.assign(acc, { [p.type]: p.value }), {});
  const shown = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
  return new Date(guess.getTime() - (shown - guess.getTime()));
}

function query(beforeId) {
  const f = filters.elements;
  const q = new URLSearchParams();
  if (f.actor_id.value) q.set("actor_id", f.actor_id.value);
  if (f.action.value) q.set("action", f.action.value);
  if (f.since.value) q.set("since", zoneMidnight(f.since.value).toISOString());
  if (f.until.value) { // the whole of the last day
    const end = zoneMidnight(f.until.value);
    q.set("until", new Date(end.getTime() + 24 * 3600 * 1000).toISOString());
  }
  if (beforeId) q.set("before_id", String(beforeId));
  return q.toString();
}

function show(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function changes(entry) {
  const before = entry.before || {};
  const after = entry.after || {};
  const keys = Array.from(new Set([...Object.keys(before), ...Object.keys(after)]));
  if (!keys.length) return null;
  return el("table", { class: "grid bo-diff", "data-testid": "diff" },
    el("thead", null, el("tr", null, el("th"), el("th", null, t("before")), el("th", null, t("after")))),
    el("tbody", null, keys.map((key) => el("tr", null,
      el("th", { dir: "ltr" }, key),
      el("td", { dir: "auto", class: "bo-old" }, key in before ? show(before[key]) : "—"),
      el("td", { dir: "auto", class: "bo-new" }, key in after ? show(after[key]) : "—")))));
}

function entryNode(entry) {
  return el("li", { class: "bo-entry", "data-testid": "audit-entry", "data-action": entry.action },
    el("div", { class: "bo-entry-head" },
      el("b", { dir: "ltr" }, entry.action),
      el("span", { class: "small" }, when.format(new Date(entry.at))),
      el("bdi", null, entry.actor_name || t("system")),
      el("span", { class: "small", dir: "ltr" }, entry.target_type + (entry.target_id ? " #" + entry.target_id : ""))),
    entry.reason ? el("p", { class: "small" }, t("reason", { text: entry.reason })) : null,
    changes(entry));
}

function load(append) {
  const f = filters.elements;
  clearErrors(filters);
  if (f.since.value && f.until.value && f.until.value < f.since.value) {
    return showErrors(filters, { until: t("range_bad") });
  }
  api("GET", "/audit?" + query(append ? next : null)).then((res) => {
    if (!res.ok) return showRefusal(filters, res) || say(errorText(t, res.error), true);
    if (!append) clear(list);
    res.data.items.forEach((entry) => list.appendChild(entryNode(entry)));
    next = res.data.next_before_id;
    more.hidden = !next;
    say(list.children.length ? "" : t("nothing"));
  }).catch(noAnswer);
}

filters.addEventListener("change", () => load(false));
more.addEventListener("click", () => load(true));
load(false);
