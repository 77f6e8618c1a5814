// The cashier's screen: open orders on the start side, the chosen order's bill (billpay.js)
// on the other, and the cash drawer (shift, cash in and out, no sale, X and Z reports).
// One page, never reloaded. The entry of the page's modules (static/js/cashier/).
import { byId, clear, el } from "./lib/dom.js";
import { api, S, t } from "./cashier/context.js";
import { watchDrawerButton } from "./cashier/drawer.js";
import { connect, refreshOrders, renderOrders, select, setLink, watchNetwork } from "./cashier/orders.js";
import { refreshShift, renderShift } from "./cashier/shift.js";

// Such a copy takes no payment; once the server answers, the live page comes back whole.
if (window.PosOffline) window.PosOffline.reloadWhenBack();

function start() {
  watchNetwork();
  watchDrawerButton();
  renderShift();
  renderOrders();
  setLink();
  api("GET", "/branch").then((res) => {
    if (!res.ok) return;
    S.currency = res.data.currency;
    S.exponent = res.data.currency_exponent;
    renderOrders();
  }).catch(() => {});
  refreshShift();
  refreshOrders();
  api("GET", "/floors?active=true").then((res) => {
    connect(res.ok ? res.data.items : []);
  }).catch(() => connect([]));
  const hash = location.hash.replace(/^#order=/, "");
  if (/^[0-9a-f-]{36}$/.test(hash)) select(hash);
  else clear(byId("cs-bill")).appendChild(el("p", { class: "bp-empty", "data-testid": "choose-order" }, t("choose_order")));
}

start();
