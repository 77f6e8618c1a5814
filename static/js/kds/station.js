// Which station this screen shows: from ?station=, else the one this device showed last,
// else the picker. Choosing one starts its board from nothing (or from the kept board when
// the page is a copy loaded while the server was down).
import { browserStorage } from "../lib/store.js";
import { named, root, $, state, stationByCode } from "./context.js";
import { join, showKeptBoard } from "./feed.js";
import { openPicker } from "./overlays.js";
import { forgetPrinters, loadPrinters } from "./printers.js";
import { render } from "./render.js";

const STORE_KEY = "pos.kds.station";

export function chooseStation(code) {
  const st = stationByCode(code);
  if (!st) {
    openPicker();
    return;
  }
  const storage = browserStorage();
  try { if (storage) storage.setItem(STORE_KEY, code); } catch (e) { /* private mode */ }
  const url = new URL(location.href);
  url.searchParams.set("station", code);
  history.replaceState(null, "", url.pathname + url.search);
  // The language links come back here, to this station.
  document.querySelectorAll('a[data-testid^="lang-"]').forEach((a) => {
    const u = new URL(a.href, location.href);
    u.searchParams.set("next", url.pathname + url.search);
    a.href = u.pathname + u.search;
  });
  if (state.stationId === st.id) return;
  state.stationId = st.id;
  state.station = null;
  state.seq = null;
  state.tickets = new Map();
  state.pushSeq = {};
  state.recent = [];
  state.queue = [];
  state.selected = null;
  $("[data-testid=station-name]").textContent = named(st);
  root.classList.toggle("is-expo", !!st.is_expo);
  root.querySelectorAll("[data-station]").forEach((tile) => {
    tile.classList.toggle("is-current", tile.dataset.station === code);
  });
  showKeptBoard(st.id);
  forgetPrinters();
  render();
  join();
  loadPrinters();
}

/** The station to show at start, or null (then the picker opens). */
export function wantedStation() {
  let wanted = new URLSearchParams(location.search).get("station");
  if (!stationByCode(wanted)) {
    const storage = browserStorage();
    try { wanted = storage ? storage.getItem(STORE_KEY) : null; } catch (e) { wanted = null; }
  }
  return stationByCode(wanted) ? wanted : null;
}
