// The bill on the handheld: billpay.js shows it, splits by seat or equally, takes cash and
// card.
import { createBillPanel } from "../billpay.js";
import { $, api, current, S, TOKEN } from "./context.js";
import { refreshOrders } from "./orders.js";
import { flash } from "./screen.js";

let billPanel = null;

export function openBill() {
  var o = current().order;
  if (!o) return;
  if (!billPanel) {
    billPanel = createBillPanel({
      root: $("hh-bill-body"), api: api, token: TOKEN, mode: "handheld", toast: flash,
      onChange: function (bill) { if (S.orders.has(bill.order_id)) refreshOrders(); },
    });
  }
  $("hh-bill").hidden = false;
  document.body.classList.add("hh-sheet-open");
  billPanel.show(o.id);
}

export function closeBill() {
  $("hh-bill").hidden = true;
  document.body.classList.remove("hh-sheet-open");
  if (billPanel) billPanel.hide();
}
