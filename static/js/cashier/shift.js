// The cash drawer's shift as the toolbar shows it (open or not), read from the server.
import { byId } from "../lib/dom.js";
import { api, BOOT, S, t } from "./context.js";

export function refreshShift() {
  if (!BOOT.handles_cash) return Promise.resolve();
  return api("GET", "/shifts/current").then((res) => {
    if (!res.ok) return;
    S.shift = res.data.shift;
    S.shiftKnown = true;
    renderShift();
  }).catch(() => { /* offline */ });
}

export function renderShift() {
  const button = byId("cs-shift");
  if (!BOOT.handles_cash) {
    button.hidden = true;
    return;
  }
  const open = shiftIsOpen();
  button.dataset.state = open ? "open" : "closed";
  button.textContent = (open ? t("shift_open") : t("shift_closed")) + " · " + t("drawer");
}

export function shiftIsOpen() {
  return !!(S.shift && S.shift.status === "open");
}
