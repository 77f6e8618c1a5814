// The handheld's screen: what shows is drawn once per frame (render()), a part is rebuilt
// only when what it shows changed, one toast at a time, and where the waiter is lives in the
// address (#floor or #order=<uuid>), so a reload comes back to the same screen.
import { $ } from "./context.js";

let painter = null;
let renderQueued = false;
const memo = {};
let toastTimer = null;

/** The function that draws the whole screen (the entry's). */
export function setPainter(paint) {
  painter = paint;
}

/** Draw the screen at the next frame (once, however many changes come before it). */
export function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    if (painter) painter();
  });
}

/**
 * Whether a part of the screen must be rebuilt: what it shows (`key`) changed. A rebuilt
 * table would restart its "ready" glow and a rebuilt notice would drop in again.
 */
export function changed(part, key) {
  const text = JSON.stringify(key);
  if (memo[part] === text) return false;
  memo[part] = text;
  return true;
}

/** The toast: a few seconds, longer for an error. */
export function flash(message, kind) {
  const box = $("hh-toast");
  box.textContent = message;
  box.dataset.kind = kind || "ok";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 6000 : 2600);
}

export function openOrder(id) {
  location.hash = "order=" + id;
}

export function goFloor() {
  location.hash = "floor";
}

/** The check's head bumps when a line goes in. */
export function bumpCart() {
  const head = document.querySelector(".hh-cart-head");
  head.classList.remove("hh-bump");
  void head.offsetWidth;
  head.classList.add("hh-bump");
}
