// A text field with a limit the server enforces: no maxlength (a paste past it would be cut
// silently), a counter "n / max" under it instead, which turns red with a line saying how
// much too long the text is.
import { el } from "./dom.js";
import { fill } from "./i18n.js";

/**
 * Watch `input`: `words.count` and `words.over` are texts with {n}, {max} and {over}. Returns
 * {counter (the element to show), ok() (the caller asks it before the form goes), update()}.
 */
export function limitText(input, max, words) {
  const counter = el("span", { class: "text-count", "aria-live": "polite",
    "data-testid": (input.getAttribute("data-testid") || "text") + "-count" });
  const length = () => Array.from(input.value).length; // as the server counts
  const update = () => {
    const n = length();
    const over = n > max;
    counter.textContent = fill(over ? words.over : words.count, { n: n, max: max, over: n - max });
    counter.dataset.over = over ? "true" : "false";
    input.setAttribute("aria-invalid", over ? "true" : "false");
  };
  input.addEventListener("input", update);
  update();
  return { counter: counter, ok: () => length() <= max, update: update };
}
