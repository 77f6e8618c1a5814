// Refunds on the cashier's screen: against an invoice, all of it, some units of its lines or
// an amount, with a reason and a manager's approval; one idempotency key for the tap and its
// approval, so a lost answer never refunds twice. A method of the bill panel (billpay.js).
import { clear, el } from "../lib/dom.js";
import { parseMoney } from "../lib/money.js";
import { uuid } from "../lib/uuid.js";
import {
  chips, closeSheet, errorLine, field, moneyInput, openSheet, sheetHas, showError, stepper,
  withApproval,
} from "./sheet.js";
import { errorText, itemName, t } from "./words.js";

/** The bill panel's refund method. */
export const P = {};

P.refundSheet = function () {
  var self = this, exp = this.exp();
  this.api("GET", "/invoices?order_id=" + encodeURIComponent(this.orderId)).then(function (res) {
    if (!res.ok) return self.toast(errorText(res.error), "error");
    var invoices = res.data.items.filter(function (i) { return i.kind === "invoice"; });
    openSheet(t("refund"), "refund-sheet", function (body, foot) {
      if (!invoices.length) {
        body.appendChild(el("p", { class: "bp-empty" }, t("no_invoices")));
        return;
      }
      var st = { invoice: invoices[0], how: "all", amount: "", lines: {}, reason: "", tender: null };
      var error = errorLine();
      var area = el("div", { class: "bp-split-area" });
      var submit = el("button", { type: "button", class: "bp-btn bp-btn-danger", "data-testid": "refund-submit",
        onclick: send }, t("refund"));
      var check = function () {
        var ok = st.reason.trim().length >= 3;
        if (st.how === "amount") ok = ok && !!parseMoney(st.amount, exp);
        if (st.how === "lines") ok = ok && Object.keys(st.lines).some(function (k) { return st.lines[k] > 0; });
        submit.disabled = !ok;
      };
      body.appendChild(chips(invoices.map(function (i) {
        return { value: i.number, label: i.number + " · " + self.fmt(i.total_minor) };
      }), st.invoice.number, function (n) {
        st.invoice = invoices.filter(function (i) { return i.number === n; })[0];
        st.lines = {};
        draw();
      }, "refund-invoice"));
      body.appendChild(chips([
        { value: "all", label: t("refund_all") }, { value: "lines", label: t("refund_lines") },
        { value: "amount", label: t("refund_amount") },
      ], st.how, function (h) { st.how = h; draw(); }, "refund-how"));
      body.appendChild(area);
      var reason = el("input", { type: "text", maxlength: "300", "data-testid": "refund-reason",
        oninput: function () { st.reason = this.value; check(); } });
      body.appendChild(field(t("reason"), reason, t("required")));
      body.appendChild(field(t("refund_to"), chips(["cash", "card", "wallet", "voucher"].map(function (k) {
        return { value: k, label: t(k) };
      }), null, function (k) { st.tender = k; }, "refund-tender")));
      body.appendChild(error);
      foot.appendChild(el("button", { type: "button", class: "bp-btn", onclick: closeSheet }, t("cancel")));
      foot.appendChild(submit);
      draw();

      function draw() {
        clear(area);
        var inv = st.invoice, left = inv.total_minor - inv.refunded_minor;
        area.appendChild(el("p", { class: "bp-text", "data-testid": "refundable" }, t("refundable", { amount: self.fmt(left) })));
        if (st.how === "amount") {
          area.appendChild(field(t("refund_amount"), moneyInput("refund-amount", st.amount, function () {
            st.amount = this.value;
            check();
          })));
        } else if (st.how === "lines") {
          (inv.document.lines || []).filter(function (l) { return l.line_id; }).forEach(function (l) {
            area.appendChild(el("div", { class: "bp-refund-line", "data-testid": "refund-line" },
              el("span", null, itemName(l)),
              stepper(st.lines[l.line_id] || 0, 0, l.quantity, function (v) { st.lines[l.line_id] = v; check(); }, "refund-qty")));
          });
        }
        check();
      }

      function send() {
        var payload = { reason: st.reason.trim() };
        if (st.tender) payload.tender = st.tender;
        if (st.how === "amount") payload.amount_minor = parseMoney(st.amount, exp);
        if (st.how === "lines") {
          payload.lines = Object.keys(st.lines).filter(function (k) { return st.lines[k] > 0; })
            .map(function (k) { return { line_id: k, quantity: st.lines[k] }; });
        }
        var number = st.invoice.number, key = uuid();
        submit.disabled = true;
        withApproval(function (pin) {
          var withPin = pin ? Object.assign({ approver_pin: pin }, payload) : payload;
          // One key for the tap and its approval: a lost answer never refunds twice.
          return self.api("POST", "/invoices/" + encodeURIComponent(number) + "/refunds", withPin, pin ? key + "-a" : key);
        }, function (res) {
          submit.disabled = false;
          if (!res.ok) {
            if (sheetHas("refund-sheet")) return showError(error, res.error);
            closeSheet();
            return self.toast(errorText(res.error), "error");
          }
          closeSheet();
          self.toast(t("refund_done", { number: res.data.number }));
          self.reload();
        }).catch(function () {
          submit.disabled = false;
          showError(error, t("offline_try_later"));
        });
      }
    });
  }).catch(function () { self.toast(t("offline_try_later"), "error"); });
};
