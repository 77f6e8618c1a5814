// Taking a payment: the tender tabs, the amount and tip, cash handed over with quick notes
// and the change, card details; then the payment, sent with its own UUID. The UUID is kept
// (in localStorage too) until the server answers, so a retry after a network drop sends the
// same payment and the server takes it once. Methods of the bill panel (billpay.js).
import { el, clear } from "../lib/dom.js";
import { parseMoney, plainAmount } from "../lib/money.js";
import { browserStorage, jsonStore } from "../lib/store.js";
import { uuid } from "../lib/uuid.js";
import { chips, field, moneyInput } from "./sheet.js";
import { errorText, label, t } from "./words.js";

const CARD_METHODS = ["mada", "visa", "mastercard", "amex"];
const PENDING_KEY = "pos.billpay.v1.pending.";

/** The payment form as it is before anything is typed. */
export function freshForm() {
  return { tender: "cash", tendered: "", amount: "", method: "mada", last4: "", reference: "",
    voucher: "", tip: "" };
}

// -- a payment not yet answered survives a reload --------------------------------------

function pendingStore(orderId) {
  return jsonStore(browserStorage(), PENDING_KEY + orderId);
}

/** The payment of this order that was sent and not answered, if any. */
export function loadPending(orderId) {
  return pendingStore(orderId).load(null);
}

function savePending(orderId, pending) {
  if (pending) pendingStore(orderId).save(pending);
  else pendingStore(orderId).remove();
}

/** The bill panel's payment methods. */
export const P = {};

/** The branch's tip buttons ("No tip", "10 %", ...; back office, Branch): a tap puts that
 * share of the amount being paid in the tip field, which stays editable. */
P.tipSuggestions = function (refs, due) {
  var self = this, f = this.form, shares = this.bill.tip_suggestions_bp || [];
  if (!shares.length) return null;
  var box = el("div", { class: "bp-chips bp-tip-chips", role: "group", "aria-label": t("tip"),
    "data-testid": "tip-suggestions" });
  function pick(bp) {
    var amount = f.amount ? parseMoney(f.amount, self.exp()) : due;
    if (amount === null) return;
    f.tip = bp ? plainAmount(Math.round((Math.min(amount, due) * bp) / 10000), self.exp()) : "";
    refs.tip.value = f.tip;
    Array.prototype.forEach.call(box.children, function (c) {
      c.setAttribute("aria-pressed", String(c.dataset.bp === String(bp)));
    });
    self.updatePay(refs);
  }
  [0].concat(shares).forEach(function (bp) {
    box.appendChild(el("button", { type: "button", class: "bp-chip", "data-bp": String(bp),
      "aria-pressed": "false", "data-testid": "tip-" + bp, onclick: function () { pick(bp); } },
      bp ? el("bdi", { dir: "ltr" }, (bp / 100) + " %") : t("no_tip")));
  });
  return box;
};

P.tenders = function () {
  return this.mode === "handheld" ? ["cash", "card"] : ["cash", "card", "wallet", "voucher"];
};

P.renderPay = function () {
  var self = this, b = this.bill, f = this.form;
  if (this.isClosed() || this.pending) return null;
  var due = this.due();
  if (due <= 0) return null;
  var part = this.currentPart();
  var panel = el("div", { class: "bp-pay", "data-testid": "pay-panel" });
  panel.appendChild(el("div", { class: "bp-pay-head" },
    el("span", null, part && b.parts.length > 1 ? t("pay_part", { label: label(part) || t("part_n", { n: part.number }) }) : t("pay")),
    el("bdi", { class: "bp-pay-due", "data-testid": "pay-due" }, this.fmt(due))));
  var tabs = el("div", { class: "bp-tenders", role: "tablist" });
  this.tenders().forEach(function (tender) {
    tabs.appendChild(el("button", { type: "button", class: "bp-tender", role: "tab",
      "aria-selected": String(f.tender === tender), "data-testid": "tender-" + tender,
      onclick: function () { f.tender = tender; self.render(); } }, t(tender)));
  });
  panel.appendChild(tabs);

  var refs = {};
  var amountInput = moneyInput("pay-amount", f.amount || plainAmount(due, this.exp()), function () {
    f.amount = this.value;
    self.updatePay(refs);
  });
  var tipInput = moneyInput("tip", f.tip, function () {
    f.tip = this.value;
    if (refs.tipChips) Array.prototype.forEach.call(refs.tipChips.children, function (c) { c.setAttribute("aria-pressed", "false"); });
    self.updatePay(refs);
  });
  var amountRow = el("div", null, el("div", { class: "bp-row2" },
    field(t("amount_to_pay"), amountInput), field(t("tip"), tipInput)));
  refs.tip = tipInput;
  refs.tipChips = this.tipSuggestions(refs, due);
  if (refs.tipChips) amountRow.appendChild(refs.tipChips);
  if (f.tender === "cash") {
    // The bill and the tip first: the quick notes and the change follow from them.
    panel.appendChild(amountRow);
    refs.quick = el("div", { class: "bp-quick", "data-testid": "quick-tender" });
    panel.appendChild(refs.quick);
    refs.tendered = moneyInput("tendered", f.tendered, function () {
      f.tendered = this.value;
      self.dismissResult();
      self.updatePay(refs);
    });
    refs.tendered.classList.add("bp-tendered");
    panel.appendChild(field(t("tendered"), refs.tendered));
    refs.change = el("bdi", { class: "bp-change-amount", "data-testid": "change-due" });
    refs.changeLabel = el("span", { class: "bp-change-label" }, t("change_due"));
    refs.keep = el("button", { type: "button", class: "bp-btn bp-btn-small bp-keep", "data-testid": "keep-change",
      onclick: function () {
        var body = self.paymentBody(true);
        if (!body || body.tendered_minor <= body.amount_minor) return;
        f.tip = plainAmount(body.tendered_minor - body.amount_minor, self.exp());
        refs.tip.value = f.tip;
        self.updatePay(refs);
      } }, t("keep_change"));
    refs.changeBox = el("div", { class: "bp-change", "data-testid": "change-box", hidden: true },
      el("div", { class: "bp-change-main" }, refs.changeLabel, refs.change), refs.keep);
    panel.appendChild(refs.changeBox);
  } else if (f.tender === "card") {
    panel.appendChild(field(t("card_method"), chips(CARD_METHODS.map(function (m) {
      return { value: m, label: m === "mada" ? "mada" : m.charAt(0).toUpperCase() + m.slice(1) };
    }), f.method, function (m) { f.method = m; }, "card")));
    var row = el("div", { class: "bp-row2" });
    refs.last4 = el("input", { type: "text", inputmode: "numeric", maxlength: "4", dir: "ltr", autocomplete: "off",
      "data-testid": "last4", value: f.last4, oninput: function () {
        this.value = this.value.replace(/[^0-9]/g, "");
        f.last4 = this.value;
        self.updatePay(refs);
      } });
    row.appendChild(field(t("last4"), refs.last4));
    row.appendChild(field(t("reference"), el("input", { type: "text", maxlength: "64", dir: "ltr", autocomplete: "off",
      "data-testid": "card-reference", value: f.reference, oninput: function () { f.reference = this.value; } })));
    panel.appendChild(row);
  } else if (f.tender === "wallet") {
    panel.appendChild(field(t("reference"), el("input", { type: "text", maxlength: "64", dir: "ltr", autocomplete: "off",
      "data-testid": "wallet-reference", value: f.reference, oninput: function () { f.reference = this.value; } })));
  } else {
    refs.voucher = el("input", { type: "text", maxlength: "40", dir: "ltr", autocomplete: "off",
      "data-testid": "voucher-code", value: f.voucher, oninput: function () { f.voucher = this.value; self.updatePay(refs); } });
    panel.appendChild(field(t("voucher_code"), refs.voucher));
  }
  if (f.tender !== "cash") panel.appendChild(amountRow);
  refs.submit = el("button", { type: "button", class: "bp-btn bp-btn-primary bp-pay-submit", "data-testid": "pay-submit",
    onclick: function () { self.submitPayment(); } });
  panel.appendChild(refs.submit);
  this.updatePay(refs);
  return panel;
};

// Exact (the amount and the tip), then the next round sums in the notes a guest is likely to
// hand over: one row of four.
P.quickAmounts = function (due) {
  var unit = Math.pow(10, this.exp()), out = [due];
  [5, 10, 50, 100, 200, 500].forEach(function (note) {
    var v = Math.ceil(due / (note * unit)) * note * unit;
    if (v > due && out.indexOf(v) < 0 && out.length < 4) out.push(v);
  });
  return out;
};

// The payment the form describes now, or null. `loose`: cash not yet covering it is kept
// (to show how much is missing).
P.paymentBody = function (loose) {
  var f = this.form, exp = this.exp(), due = this.due();
  var amount = f.amount ? parseMoney(f.amount, exp) : due;
  var tip = f.tip ? parseMoney(f.tip, exp) : 0;
  if (amount === null || amount <= 0 || tip === null) return null;
  var body = { tender: f.tender, amount_minor: Math.min(amount, due), tip_minor: tip };
  var part = this.currentPart();
  if (part) body.part = part.number;
  if (f.tender === "cash") {
    // Handed over = applied + tip + change (pos_app/billing/tender.py).
    var tendered = f.tendered ? parseMoney(f.tendered, exp) : body.amount_minor + tip;
    if (tendered === null) return null;
    if (tendered < body.amount_minor + tip && !loose) return null;
    body.tendered_minor = tendered;
  } else {
    if (amount > due) return null;
    if (f.tender === "card") {
      if (!/^[0-9]{4}$/.test(f.last4)) return null;
      body.card_method = f.method;
      body.last4 = f.last4;
    }
    if (f.tender === "voucher") {
      if (!f.voucher.trim()) return null;
      body.voucher_code = f.voucher.trim();
    }
    if (f.reference.trim()) body.reference = f.reference.trim();
  }
  return body;
};

P.updatePay = function (refs) {
  var self = this, body = this.paymentBody();
  if (refs.quick) {
    var loose = this.paymentBody(true), owed = loose ? loose.amount_minor + loose.tip_minor : this.due();
    var key = String(owed);
    if (refs.quick.dataset.owed !== key) {
      refs.quick.dataset.owed = key;
      clear(refs.quick);
      this.quickAmounts(owed).forEach(function (minor, i) {
        refs.quick.appendChild(el("button", { type: "button", class: "bp-btn bp-quick-btn",
          "data-testid": i === 0 ? "quick-exact" : "quick-" + minor,
          onclick: function () {
            self.form.tendered = plainAmount(minor, self.exp());
            refs.tendered.value = self.form.tendered;
            self.dismissResult();
            self.updatePay(refs);
          } }, i === 0 ? t("exact") : self.fmt(minor)));
      });
    }
  }
  if (refs.change) {
    // Shown once something is handed over: the change, or how much is still missing.
    var typed = this.paymentBody(true);
    var shown = !!(this.form.tendered && typed);
    var change = shown ? typed.tendered_minor - typed.amount_minor - typed.tip_minor : 0;
    refs.changeBox.hidden = !shown;
    refs.changeLabel.textContent = change < 0 ? t("cash_short") : t("change_due");
    refs.change.textContent = this.fmt(Math.abs(change));
    refs.changeBox.dataset.positive = String(change > 0);
    refs.changeBox.dataset.short = String(change < 0);
    refs.keep.hidden = !(change > 0);
  }
  refs.submit.disabled = !body || this.busy;
  refs.submit.textContent = body ? t("pay_amount", { amount: this.fmt(body.amount_minor + body.tip_minor) }) : t("pay");
};

P.submitPayment = function () {
  if (this.busy || this.pending) return;
  var body = this.paymentBody();
  if (!body) return;
  body.id = uuid();
  this.pending = { order_id: this.orderId, body: body };
  savePending(this.orderId, this.pending);
  this.sendPayment();
};

P.sendPayment = function () {
  var self = this, p = this.pending;
  if (!p || this.busy) return;
  this.busy = true;
  this.result = null;
  this.render();
  this.api("POST", "/orders/" + p.order_id + "/payments", p.body).then(function (res) {
    self.busy = false;
    self.pending = null;
    savePending(p.order_id, null);
    if (!res.ok) {
      self.render();
      return self.toast(errorText(res.error), "error");
    }
    var payment = (res.data.payments || []).filter(function (x) { return x.id === p.body.id; })[0] || {};
    var paidPart = (res.data.parts || []).filter(function (x) { return x.number === p.body.part; })[0];
    self.result = {
      change: payment.change_minor || 0, tip: payment.tip_minor || 0,
      applied: payment.amount_minor || p.body.amount_minor, tendered: payment.tendered_minor || 0,
      tender: payment.tender || p.body.tender,
      label: paidPart && res.data.parts.length > 1 ? label(paidPart) || t("part_n", { n: paidPart.number }) : "",
    };
    self.form = Object.assign(freshForm(), { tender: self.form.tender, method: self.form.method });
    self.toast(t("paid_ok"), "ok");
    if (p.order_id === self.orderId) {
      self.bill = null; // rebuild whatever the split looks like now
      self.setBill(res.data);
    }
  }, function () {
    // No answer: the payment may be on the server. Keep its id; a retry sends it again.
    self.busy = false;
    self.render();
    self.toast(t("not_confirmed"), "warn");
  });
};
