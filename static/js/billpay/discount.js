// Discounts and comps on the cashier's screen: on a line or the whole order, a percentage or
// an amount, with a reason; above the branch's limit a manager approves with a PIN.
// A method of the bill panel (billpay.js).
import { clear, el } from "../lib/dom.js";
import { parseMoney } from "../lib/money.js";
import { uuid } from "../lib/uuid.js";
import {
  chips, closeSheet, errorLine, field, openSheet, sheetHas, showError, withApproval,
} from "./sheet.js";
import { errorText, itemName, t } from "./words.js";

/** The bill panel's discount methods. */
export const P = {};

P.removeDiscount = function (id) {
  var self = this;
  this.simple("DELETE", "/orders/" + this.orderId + "/discounts/" + id, undefined, function (bill) {
    self.setBill(bill);
  });
};

P.discountSheet = function (line) {
  var self = this, b = this.bill, exp = this.exp();
  var st = { kind: "percent", value: "", reason: "", id: uuid() };
  var target = line ? itemName(line) : t("whole_order");
  openSheet(t("discount_on", { what: target }), "discount-sheet", function (body, foot) {
    var error = errorLine();
    var kinds = [{ value: "percent", label: t("percent") }, { value: "amount", label: t("amount") }];
    if (line) kinds.push({ value: "comp", label: t("comp") });
    var valueBox = el("div", { class: "bp-field-group" });
    var apply = el("button", { type: "button", class: "bp-btn bp-btn-primary", disabled: true,
      "data-testid": "discount-apply", onclick: send }, t("apply"));
    var check = function () {
      var okValue = st.kind === "comp" || valueOf() !== null;
      apply.disabled = !(okValue && st.reason.trim().length >= 3);
    };
    var valueOf = function () {
      if (st.kind === "percent") {
        var pct = parseFloat(String(st.value).replace(",", "."));
        return pct > 0 && pct <= 100 ? Math.round(pct * 100) : null;
      }
      var minor = parseMoney(st.value, exp);
      return minor && minor > 0 ? minor : null;
    };
    var drawValue = function () {
      clear(valueBox);
      if (st.kind === "comp") return;
      var input = el("input", { type: "text", inputmode: "decimal", dir: "ltr", autocomplete: "off",
        "data-testid": "discount-value", value: st.value,
        oninput: function () { st.value = this.value; check(); } });
      valueBox.appendChild(field(st.kind === "percent" ? t("percent") + " (%)" : t("amount"), input));
      if (st.kind === "percent") {
        valueBox.appendChild(chips([5, 10, 15, 20, 50, 100].map(function (p) {
          return { value: p, label: p + "%" };
        }), Number(st.value), function (p) { st.value = String(p); input.value = st.value; check(); }, "pct"));
      }
    };
    body.appendChild(chips(kinds, st.kind, function (k) { st.kind = k; st.value = ""; drawValue(); check(); }, "discount-kind"));
    body.appendChild(valueBox);
    var reason = el("input", { type: "text", maxlength: "300", "data-testid": "discount-reason",
      oninput: function () { st.reason = this.value; check(); } });
    body.appendChild(field(t("reason"), reason, t("required")));
    body.appendChild(chips(["reason_regular", "reason_complaint", "reason_staff", "reason_manager"].map(function (k) {
      return { value: k, label: t(k) };
    }), null, function (k) { reason.value = t(k); st.reason = reason.value; check(); }, "discount-reason"));
    body.appendChild(error);
    drawValue();
    foot.appendChild(el("button", { type: "button", class: "bp-btn", onclick: closeSheet }, t("cancel")));
    foot.appendChild(apply);

    function send() {
      var payload = { id: st.id, kind: st.kind, reason: st.reason.trim() };
      if (line) payload.line_id = line.line_id;
      if (st.kind === "percent") payload.percent_bp = valueOf();
      if (st.kind === "amount") payload.amount_minor = valueOf();
      apply.disabled = true;
      withApproval(function (pin) {
        var withPin = pin ? Object.assign({ approver_pin: pin }, payload) : payload;
        return self.api("POST", "/orders/" + b.order_id + "/discounts", withPin);
      }, function (res) {
        if (!res.ok) {
          if (sheetHas("discount-sheet")) {
            apply.disabled = false;
            return showError(error, res.error);
          }
          closeSheet();
          return self.toast(errorText(res.error), "error");
        }
        closeSheet();
        self.setBill(res.data);
      }).catch(function () {
        apply.disabled = false;
        showError(error, t("offline_try_later"));
      });
    }
  });
};
