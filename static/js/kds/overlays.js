// The kitchen screen's overlays (the station picker, the bumped list, the ready-anyway
// question): one open at a time, Escape or a tap outside closes it.
import { $, root, state } from "./context.js";

export function openOverlay(testid) {
  closeOverlays();
  const box = $("[data-testid=" + testid + "]");
  box.hidden = false;
  const first = box.querySelector("button");
  if (first) first.focus();
}

export function openPicker() {
  openOverlay("station-picker");
}

export function closeOverlays() {
  state.confirming = null;
  root.querySelectorAll(".kds-overlay").forEach((o) => { o.hidden = true; });
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
}

export function overlayOpen() {
  return Array.from(root.querySelectorAll(".kds-overlay")).some((o) => !o.hidden);
}
