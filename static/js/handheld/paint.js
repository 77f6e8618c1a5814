// The whole screen at once: the phone shows the floor or the order, a tablet both side by
// side; the link state, the notices, then the parts that show.
import { $, S, t, TABLET } from "./context.js";
import { renderFloor } from "./floor.js";
import { renderNotices } from "./notices.js";
import { renderOrder } from "./order_view.js";

export function renderNow() {
  var onOrder = S.view.name === "order", both = TABLET.matches;
  $("hh").dataset.view = S.view.name;
  $("hh").dataset.layout = both ? "tablet" : "phone";
  $("hh-floor").hidden = onOrder && !both;
  $("hh-order").hidden = !onOrder && !both;
  renderLink();
  renderNotices();
  if (onOrder || both) renderOrder();
  if (!onOrder || both) renderFloor();
}

function renderLink() {
  var link = $("hh-link");
  var state = S.linkUp ? "live" : navigator.onLine && !S.everConnected ? "connecting"
    : navigator.onLine ? "reconnecting" : "offline";
  link.dataset.state = state;
  link.textContent = state === "live" ? t("live") : state === "offline" ? t("offline")
    : t("reconnecting");
}
