// What the stock-count screen draws: an ingredient's row (name, count box, unit picker, its
// error) and the variance the server sent back. Built with el(), never from HTML strings.
import { el } from "../lib/dom.js";
import { formatMoney } from "../lib/money.js";
import { showQuantity, unitChoices } from "./count_model.js";

/** The ingredient's name in the page's language, and the other language's and its code. */
export function names(ing, lang) {
  const name = ing.name || {};
  const other = lang === "ar" ? name.en : name.ar;
  const main = (lang === "ar" ? name.ar : name.en) || name.en || ing.code;
  return { main: main, sub: [other && other !== main ? other : null, ing.code].filter(Boolean) };
}

/** Words of either language in a line that keeps the page's direction (each one isolated). */
function line(cls, parts) {
  const out = [];
  parts.forEach((part, i) => out.push(i ? " · " : null, el("bdi", null, part)));
  return el("span", { class: cls }, out);
}

/**
 * One ingredient's row. `typed` is what was counted so far ({text, unit}) or undefined;
 * `on.input(ing, input)`, `on.unit(ing, unit)` and `on.enter(ing)` are called as the cook types.
 */
export function buildRow(ing, typed, t, lang, on) {
  const shown = names(ing, lang);
  const unit = (typed && typed.unit) || ing.unit;
  const input = el("input", {
    class: "sc-qty",
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    enterkeyhint: "next",
    "aria-label": t("count_of") + " " + shown.main,
    dataset: { testid: "qty-" + ing.code },
    value: typed ? typed.text : "",
    oninput: () => on.input(ing, input),
    onkeydown: (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        on.enter(ing);
      }
    },
  });
  const units = unitChoices(ing.unit).map((code) => el("button", {
    type: "button",
    class: "sc-unit",
    "aria-pressed": code === unit ? "true" : "false",
    dataset: { unit: code, testid: "unit-" + ing.code + "-" + code },
    onclick: () => on.unit(ing, code),
  }, t("unit_" + code)));
  return el("li", {
    class: "sc-row",
    dataset: { id: ing.id, testid: "ingredient-" + ing.code, counted: typed && typed.text ? "true" : "false" },
  },
  el("div", { class: "sc-name" }, line("sc-name-main", [shown.main]), line("sc-name-sub", shown.sub)),
  el("div", { class: "sc-entry" }, input, el("div", { class: "sc-units", role: "group" }, units)),
  el("p", { class: "sc-error", role: "alert", hidden: true, dataset: { testid: "error-" + ing.code } }));
}

/** Mark the row's picked unit. */
export function pickUnit(row, unit) {
  row.querySelectorAll(".sc-unit").forEach((button) => {
    button.setAttribute("aria-pressed", button.dataset.unit === unit ? "true" : "false");
  });
}

/** Show (or clear, with "") the row's error. */
export function rowError(row, text) {
  const box = row.querySelector(".sc-error");
  box.textContent = text || "";
  box.hidden = !text;
  row.dataset.invalid = text ? "true" : "false";
}

/** A number with its sign kept before it on an Arabic page too, then its unit or currency. */
function figureText(cls, number, after) {
  return el("span", { class: cls }, el("bdi", { dir: "ltr" }, number), "\u00a0", el("bdi", null, after));
}

function amount(value, unit, t, signed) {
  return figureText("sc-amount", showQuantity(value, signed), t("unit_" + unit));
}

function moneyText(minor, money) {
  const [number, currency] = money(Math.abs(minor)).split("\u00a0");
  return figureText("sc-money", (minor < 0 ? "-" : "") + number, currency || "");
}

function figure(label, value) {
  return el("div", { class: "sc-figure" }, el("span", { class: "sc-figure-label" }, label), value);
}

function sign(value) {
  return value < 0 ? "loss" : value > 0 ? "gain" : "even";
}

/** One line of the variance: counted, expected, variance and what it is worth. */
function resultLine(item, t, lang, money) {
  return el("li", {
    class: "sc-result-line",
    dataset: { testid: "variance-" + item.ingredient_id, sign: sign(item.variance) },
  },
  line("sc-name-main", [names({ name: item.name, code: "" }, lang).main]),
  el("div", { class: "sc-figures" },
    figure(t("col_counted"), amount(item.counted, item.unit, t)),
    figure(t("col_expected"), amount(item.expected, item.unit, t)),
    figure(t("col_variance"), amount(item.variance, item.unit, t, true)),
    figure(t("col_value"), moneyText(item.variance_cost_minor, money))));
}

/** The variance of a count as the server has it, the manager's step, and a new count. */
export function buildResult(result, duplicate, t, lang, currency) {
  const money = (minor) => formatMoney(minor, currency.code, currency.exponent, lang);
  return [
    el("h2", { class: "sc-result-title" }, t("sent_title")),
    duplicate ? el("p", { class: "sc-note", dataset: { testid: "duplicate" } }, t("already_sent")) : null,
    el("p", { class: "sc-status-chip", dataset: { status: result.status, testid: "count-state" } },
      t("status_" + result.status)),
    el("p", { class: "sc-manager", dataset: { testid: "manager-note" } }, t("manager_must_accept")),
    el("ul", { class: "sc-result-lines", dataset: { testid: "variance" } },
      result.lines.map((item) => resultLine(item, t, lang, money))),
    el("p", { class: "sc-total", dataset: { testid: "total-variance", sign: sign(result.variance_cost_minor) } },
      el("span", null, t("total_variance")), " ",
      moneyText(result.variance_cost_minor, money)),
  ];
}
