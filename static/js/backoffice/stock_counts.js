// The stock page's counts waiting for approval: each submitted count with what was counted
// against what was expected, the variance per line and in money; Accept (each variance
// becomes a count movement) or Reject (nothing moves).
import { clear, el } from "../lib/dom.js";
import { api, noAnswer, say, t } from "./forms.js";
import { LANG, changed, money, nameOf, quantity, refuse, signed, table } from "./stock_common.js";

const box = document.querySelector("[data-testid=counts]");
const when = new Intl.DateTimeFormat(LANG === "ar" ? "ar-u-nu-latn" : "en", { dateStyle: "medium", timeStyle: "short" });

const COLUMNS = [
  { title: t("ingredient"), value: (l) => el("bdi", null, nameOf(l.name)) },
  { title: t("counted"), value: (l) => quantity(l.counted, l.unit), num: true },
  { title: t("expected"), value: (l) => quantity(l.expected, l.unit), num: true },
  { title: t("variance"), value: (l) => signed(l.variance, l.unit), num: true },
  { title: t("variance_value"), value: (l) => money(l.variance_cost_minor), num: true },
];

function countCard(count) {
  return el("article", { class: "st-count", "data-testid": "count", "data-count": count.id },
    el("h3", null, t("count_by", { name: count.counted_by, time: when.format(new Date(count.submitted_at)) })),
    count.note ? el("p", { class: "small", dir: "auto" }, count.note) : null,
    table(COLUMNS, count.lines, "count-lines", (tr, l) => { tr.dataset.sign = String(Math.sign(l.variance)); }),
    el("p", { "data-testid": "count-value" }, t("variance_total") + ": ", el("b", { dir: "ltr" }, money(count.variance_cost_minor))),
    el("span", { class: "bo-error", "data-error-for": "_row" }),
    el("div", { class: "bo-row" },
      el("button", { type: "button", class: "button button-primary", "data-decide": "accept", "data-testid": "accept-count" }, t("accept")),
      el("button", { type: "button", class: "button button-quiet", "data-decide": "reject", "data-testid": "reject-count" }, t("reject"))));
}

/** Read the counts again; show the submitted ones. */
export function drawCounts() {
  return api("GET", "/stock/counts").then((res) => {
    if (!res.ok) return;
    const waiting = res.data.items.filter((c) => c.status === "submitted");
    clear(box).append(...(waiting.length ? waiting.map(countCard) : [el("p", { class: "small" }, t("no_counts"))]));
  }).catch(noAnswer);
}

function decide(card, verdict) {
  api("POST", "/stock/counts/" + card.dataset.count + "/" + verdict).then((res) => {
    if (!res.ok) return say(refuse(card, res), true);
    say(t(verdict === "accept" ? "count_accepted" : "count_rejected", { name: res.data.counted_by }));
    changed();
  }).catch(noAnswer);
}

box.addEventListener("click", (event) => {
  const button = event.target.closest("[data-decide]");
  if (button) decide(button.closest("[data-count]"), button.dataset.decide);
});
