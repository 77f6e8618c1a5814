// Kitchen display: one station's (or expo's) tickets, live over Socket.IO (/kds). The entry
// of the page's modules (static/js/kds/): it wires the connection to the board.
//
// Nothing may be lost or doubled: every push carries the station's sequence number `seq`;
// a push is applied only when it is the next one, a gap (or a reconnect, or a periodic
// check) asks the server with join_station {after_seq} for exactly what was missed, and a
// snapshot in the answer replaces everything (kds/feed.js).
import { root } from "./kds/context.js";
import { canResync, join, onPush } from "./kds/feed.js";
import { listen } from "./kds/input.js";
import { openLink } from "./kds/link.js";
import { openPicker } from "./kds/overlays.js";
import { loadPrinters, onPrinterStatus } from "./kds/printers.js";
import { initBoard, tick } from "./kds/render.js";
import { updateSoundHint } from "./kds/sound.js";
import { chooseStation, wantedStation } from "./kds/station.js";
import { initStock, loadStock, onMenuChanged, onStockAlert } from "./kds/stock.js";

const RESYNC_MS = 15000; // ask "anything after my seq?" even when no push hints at a gap

function start() {
  initBoard();
  listen();
  initStock();
  openLink({
    connect() {
      join();
      loadPrinters(); // pushes missed while disconnected: ask for the printers' state
      loadStock(); // and what is 86'd or running low
    },
    push: onPush,
    printerStatus: onPrinterStatus,
    menuChanged: onMenuChanged,
    stockAlert: onStockAlert,
  });
  // Every so often, and whenever the tab comes back, ask what came after our seq.
  setInterval(() => { if (canResync()) join(); }, RESYNC_MS);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && canResync()) join();
  });
  setInterval(tick, 1000);
  const wanted = wantedStation();
  if (wanted) chooseStation(wanted);
  else openPicker();
  updateSoundHint();
  tick();
}

if (root && typeof globalThis.io === "function") start();
