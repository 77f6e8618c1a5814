// The bill and payment widget, shared by the cashier's screen and the waiter's handheld:
// it shows an order's bill (lines by seat, discounts, service charge, VAT, parts), prints the
// pre-bill, splits, takes payments and, on the cashier's screen, discounts and refunds.
//
// It only talks to the billing API through the api() function the page hands it
// (lib/api.js makeApi). The panel's methods live in billpay/: view.js (what it shows), pay.js
// (payments), split.js, discount.js and refund.js.
import { clear } from "./lib/dom.js";
import { P as discount } from "./billpay/discount.js";
import { freshForm, loadPending, P as pay } from "./billpay/pay.js";
import { P as refund } from "./billpay/refund.js";
import { P as split } from "./billpay/split.js";
import { P as view } from "./billpay/view.js";
import { errorText, money, t } from "./billpay/words.js";

function BillPanel(opts) {
  this.root = opts.root;
  this.api = opts.api;
  this.token = opts.token;
  this.mode = opts.mode || "cashier"; // "handheld": pre-bill, seat/equal split, cash and card
  this.handlesCash = opts.handlesCash !== false;
  this.toast = opts.toast || function () {};
  this.onChange = opts.onChange || function () {};
  this.orderId = null;
  this.bill = null;
  this.part = null; // the part number being paid
  this.form = freshForm();
  this.pending = null; // {order_id, body} of a payment not yet answered
  this.busy = false;
  this.result = null; // what the last payment did (change due), shown big
  this.qr = {}; // invoice number -> object URL, or false when there is none
  this.loadSeq = 0;
}

const P = BillPanel.prototype;
Object.assign(P, view, pay, split, discount, refund);

P.fmt = function (minor) {
  var b = this.bill || {};
  return money(minor, b.currency, b.exponent === undefined ? 2 : b.exponent);
};

P.exp = function () {
  return this.bill ? this.bill.exponent : 2;
};

P.show = function (orderId) {
  if (orderId !== this.orderId) {
    this.orderId = orderId;
    this.bill = null;
    this.part = null;
    this.result = null;
    this.form = freshForm();
    this.pending = loadPending(orderId);
  }
  this.render();
  return this.reload();
};

P.hide = function () {
  this.orderId = null;
  this.bill = null;
  clear(this.root);
};

P.reload = function () {
  var self = this, id = this.orderId, seq = ++this.loadSeq;
  if (!id) return Promise.resolve();
  return this.api("GET", "/orders/" + id + "/bill").then(function (res) {
    if (seq !== self.loadSeq || id !== self.orderId) return;
    if (!res.ok) return self.toast(errorText(res.error), "error");
    self.setBill(res.data);
  }).catch(function () { /* offline: keep what is shown */ });
};

P.setBill = function (bill) {
  var same = this.bill && JSON.stringify(this.bill) === JSON.stringify(bill);
  this.bill = bill;
  var parts = bill.parts || [];
  var current = parts.filter(function (p) { return p.number === this.part; }, this)[0];
  if (!current || current.status === "paid") {
    var open = parts.filter(function (p) { return p.status !== "paid"; })[0];
    var next = open ? open.number : null;
    if (next !== this.part) {
      this.part = next;
      this.form.amount = "";
      this.form.tendered = "";
    }
  }
  if (!same) this.render();
  this.onChange(bill);
};

P.due = function () {
  var b = this.bill;
  if (!b) return 0;
  var part = this.currentPart();
  return part ? part.remaining_minor : b.remaining_minor;
};

P.currentPart = function () {
  var self = this;
  return (this.bill && this.bill.parts || []).filter(function (p) { return p.number === self.part; })[0] || null;
};

P.isClosed = function () {
  var b = this.bill;
  return !b || ["paid", "closed", "cancelled"].indexOf(b.order_status) >= 0;
};

P.simple = function (method, path, body, done) {
  var self = this;
  return this.api(method, path, body).then(function (res) {
    if (!res.ok) return self.toast(errorText(res.error), "error");
    if (done) done(res.data);
  }).catch(function () { self.toast(t("offline_try_later"), "error"); });
};

P.printPreBill = function () {
  var self = this;
  this.simple("POST", "/orders/" + this.orderId + "/bill/print", {}, function (bill) {
    self.setBill(bill);
    self.toast(t("prebill_printed"));
  });
};

P.reprint = function (number) {
  var self = this;
  this.simple("POST", "/invoices/" + encodeURIComponent(number) + "/reprint", {}, function () {
    self.toast(t("reprinted"));
  });
};

/**
 * A bill panel in opts.root: opts.api (the page's api), token (for the invoice QR images),
 * mode ("cashier", or "handheld": pre-bill, seat/equal split, cash and card), handlesCash,
 * toast(message, kind), onChange(bill).
 */
export function createBillPanel(opts) {
  return new BillPanel(opts);
}
