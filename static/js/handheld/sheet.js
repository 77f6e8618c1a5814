// The handheld's bottom sheet (one at a time) and the fields it is made of: labelled inputs
// with the server's length limits, steppers and chips.
import { clear, el } from "../lib/dom.js";
import { limitText } from "../lib/text_limit.js";
import { $, t } from "./context.js";

/** The server's limits of the free-text fields (pos_app/orders/schemas.py). */
export const LIMITS = { note: 300, allergy: 200, reason: 300, address: 300, name: 120 };

export function openSheet(title, testid, build) {
  var root = $("hh-sheet");
  root.querySelector(".hh-sheet-panel").dataset.testid = testid;
  root.querySelector(".hh-sheet-panel").setAttribute("data-testid", testid);
  $("hh-sheet-title").textContent = title;
  var body = clear($("hh-sheet-body")), foot = clear($("hh-sheet-foot"));
  root.hidden = false;
  document.body.classList.add("hh-sheet-open");
  build(body, foot);
}

export function closeSheet() {
  var root = $("hh-sheet");
  if (root.hidden) return;
  root.hidden = true;
  clear($("hh-sheet-body"));
  clear($("hh-sheet-foot"));
  document.body.classList.remove("hh-sheet-open");
}

export function field(label, input, hint, limit) {
  var tag = /^(INPUT|TEXTAREA|SELECT)$/.test(input.tagName) ? "label" : "div";
  return el(tag, { class: "hh-field" }, el("span", { class: "hh-field-label" }, label, hint ? el("span", { class: "hh-field-hint" }, hint) : null), input,
    limit ? limit.counter : null);
}

export function limited(input, max, onchange) {
  var limit = limitText(input, max, { count: t("chars_n"), over: t("chars_over") });
  if (onchange) input.addEventListener("input", onchange);
  return limit;
}

export function stepper(value, min, max, onchange, testid) {
  var out = el("output", { class: "hh-stepper-value", "data-testid": testid + "-value" }, value);
  var set = function (v) {
    value = Math.max(min, Math.min(max, v));
    out.textContent = value;
    minus.disabled = value <= min;
    plus.disabled = value >= max;
    onchange(value);
  };
  var minus = el("button", { type: "button", class: "hh-step", "aria-label": "−", "data-testid": testid + "-minus", onclick: function () { set(value - 1); } }, "−");
  var plus = el("button", { type: "button", class: "hh-step", "aria-label": "+", "data-testid": testid + "-plus", onclick: function () { set(value + 1); } }, "+");
  minus.disabled = value <= min;
  plus.disabled = value >= max;
  return el("div", { class: "hh-stepper", dir: "ltr" }, minus, out, plus);
}

export function chips(options, selected, onpick, testid) {
  var box = el("div", { class: "hh-chips", role: "radiogroup" });
  options.forEach(function (opt) {
    box.appendChild(el("button", {
      type: "button", class: "hh-chip", role: "radio", "aria-checked": opt.value === selected ? "true" : "false",
      "data-testid": testid + "-" + (opt.value === null ? "none" : opt.value),
      onclick: function () {
        selected = opt.value;
        box.querySelectorAll(".hh-chip").forEach(function (b) { b.setAttribute("aria-checked", "false"); });
        this.setAttribute("aria-checked", "true");
        onpick(opt.value);
      },
    }, opt.label));
  });
  return box;
}
