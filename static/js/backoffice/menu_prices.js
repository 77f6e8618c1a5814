// Prices changed by a percentage: the whole menu or one section, rounded to a step (0.50 by
// default), shown first (now -> new) and applied dish by dish, each one PATCH (audited like a
// price typed by hand). The rows on the page follow.
import { clear, el, readJson } from "../lib/dom.js";
import { plainAmount } from "../lib/money.js";
import { api, noAnswer, say, showErrors, clearErrors, t } from "./forms.js";

const page = document.getElementById("menu-page");
const EXP = Number(page.dataset.exponent);
const MAX_MINOR = 100000000;
const form = page.querySelector("[data-testid=bulk-form]");
const table = page.querySelector("[data-testid=bulk-preview]");
const applyButton = page.querySelector("[data-testid=bulk-apply]");
const categories = readJson("bo-menu").categories;
let planned = [];

/** The new price of `minor` changed by `percent` and rounded to `step` minor units. */
export function changed(minor, percent, step) {
  const raw = minor * (1 + percent / 100);
  return Math.min(MAX_MINOR, Math.max(0, Math.round(raw / step) * step));
}

function current(id) {
  const row = page.querySelector('tr[data-item="' + id + '"]');
  return row ? row : null;
}

function plan() {
  const f = form.elements;
  const text = f.percent.value.trim().replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace("\u066b", ".");
  const percent = /^[+-]?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : NaN;
  if (Number.isNaN(percent) || percent < -90 || percent > 200) {
    showErrors(form, { percent: t("bulk_percent_bad") });
    return null;
  }
  clearErrors(form);
  const step = Number(f.round.value);
  const scope = f.category.value ? [Number(f.category.value)] : categories.map((c) => c.id);
  const out = [];
  categories.filter((c) => scope.includes(c.id)).forEach((c) => c.items.forEach((item) => {
    const row = current(item.id);
    if (!item.active || !row || row.hasAttribute("data-inactive")) return;
    const now = parseInt(row.dataset.priceMinor || String(item.price_minor), 10);
    const next = changed(now, percent, step);
    if (next !== now) out.push({ id: item.id, name: row.dataset.name, now: now, next: next });
  }));
  return out;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const result = plan();
  if (!result) return;
  planned = result;
  const body = clear(table.querySelector("tbody"));
  planned.forEach((p) => body.appendChild(el("tr", { "data-testid": "bulk-row" },
    el("td", null, el("bdi", null, p.name)),
    el("td", { class: "num", dir: "ltr" }, plainAmount(p.now, EXP)),
    el("td", { class: "num", dir: "ltr" }, plainAmount(p.next, EXP)))));
  table.hidden = !planned.length;
  applyButton.hidden = !planned.length;
  applyButton.textContent = t("bulk_apply", { n: planned.length });
  if (!planned.length) say(t("bulk_nothing"));
});

applyButton.addEventListener("click", () => {
  const todo = planned.slice();
  planned = [];
  applyButton.hidden = true;
  let done = 0;
  const next = () => {
    if (!todo.length) {
      table.hidden = true;
      return say(t("bulk_done", { n: done }));
    }
    const p = todo.shift();
    say(t("bulk_progress", { done: done, n: done + todo.length + 1 }));
    return api("PATCH", "/items/" + p.id, { price_minor: p.next }).then((res) => {
      if (!res.ok) throw new Error((res.error && res.error.message) || String(res.status));
      const row = current(p.id);
      if (row) {
        row.dataset.priceMinor = String(res.data.price_minor);
        row.querySelector('[name="price_minor"]').value = plainAmount(res.data.price_minor, EXP);
        row.dispatchEvent(new CustomEvent("bo:saved", { bubbles: true, detail: res.data }));
      }
      done += 1;
      return next();
    });
  };
  next().catch(noAnswer);
});
