// The station's printers: the banner says so when one is offline or out of paper (its chits
// then go to the backup printer, or wait). State comes from GET /printers/health when the
// station is chosen or the socket (re)connects, then from printer_status pushes.
import { $, root, state, t, TOKEN } from "./context.js";
import { api } from "./commands.js";

let printers = {}; // printer id -> its last known health, this station's printers only
let pushedWhileLoading = null; // printer ids pushed while a health request is on its way
let printersLoad = 0;

/** A printer_status push (the latest state of each printer wins). */
export function onPrinterStatus(p) {
  if (!p || p.station_id == null || p.station_id !== state.stationId) return;
  printers[p.id] = p;
  if (pushedWhileLoading) pushedWhileLoading[p.id] = true;
  renderPrinterBanner();
}

/** Forget the last station's printers (another station was chosen). */
export function forgetPrinters() {
  printers = {};
  renderPrinterBanner();
}

/** Ask for the printers' state; a push that came meanwhile is newer than the answer. */
export function loadPrinters() {
  const stationId = state.stationId;
  if (!stationId || !TOKEN) return;
  const id = ++printersLoad;
  pushedWhileLoading = {};
  api("GET", "/printers/health").then((answer) => {
    if (id !== printersLoad || stationId !== state.stationId) return; // a newer one is coming
    const pushed = pushedWhileLoading || {};
    pushedWhileLoading = null;
    if (!answer.ok || !answer.body) return;
    const fresh = {};
    answer.body.items.forEach((p) => {
      if (p.station_id === stationId) fresh[p.id] = pushed[p.id] ? printers[p.id] || p : p;
    });
    printers = fresh;
    renderPrinterBanner();
  });
}

function renderPrinterBanner() {
  const banner = $("[data-testid=printer-banner]");
  const bad = Object.keys(printers).map((k) => printers[k])
    .filter((p) => p.online === false || p.paper_out);
  banner.hidden = bad.length === 0;
  root.classList.toggle("has-printer-problem", bad.length > 0);
  if (!bad.length) return;
  const paper = bad.some((p) => p.paper_out);
  const backup = bad.every((p) => p.backup_in_use); // a backup that is up
  const key = (paper ? "paper_out" : "printer_offline") + (backup ? "_backup" : "_wait");
  banner.dataset.state = paper ? "paper_out" : "offline";
  $("[data-testid=printer-banner-text]").textContent = t(key);
  $("[data-testid=printer-banner-name]").textContent = bad.map((p) => p.name).join(" · ");
}
