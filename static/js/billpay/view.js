// The bill as the panel shows it: actions, lines by seat, totals, discounts, parts with their
// invoices (and QR codes), a payment not yet confirmed, and the last payment's change.
// These are methods of the bill panel (billpay.js mixes them in).
import { clear, el } from "../lib/dom.js";
import { itemName, label, t } from "./words.js";

/** The bill panel's rendering methods. */
export const P = {};

P.render = function () {
  var root = clear(this.root), b = this.bill;
  if (!this.orderId) return;
  if (!b) {
    root.appendChild(el("p", { class: "bp-empty" }, t("loading")));
    return;
  }
  var where = b.table ? t("table_n", { label: b.table }) : t(b.type === "delivery" ? "delivery" : "takeaway");
  root.appendChild(el("div", { class: "bp", "data-testid": "bill", dataset: { status: b.order_status } },
    el("header", { class: "bp-head" },
      el("h2", { class: "bp-title", "data-testid": "bill-title" }, t("order_n", { number: b.order_number }),
        el("span", { class: "bp-where" }, " · " + where)),
      b.order_status === "paid" || b.order_status === "closed"
        ? el("span", { class: "bp-tag bp-tag-paid", "data-testid": "bill-settled" }, t("status_paid")) : null),
    this.renderActions(),
    el("div", { class: "bp-cols" },
      el("div", { class: "bp-col" }, this.renderLines(), this.renderTotals()),
      el("div", { class: "bp-col" }, this.renderParts(), this.renderPending(), this.renderResult(),
        this.renderPay()))));
};

P.renderActions = function () {
  var self = this, closed = this.isClosed(), paidSome = this.bill.paid_minor > 0;
  var bar = el("div", { class: "bp-actions" });
  var action = function (text, testid, fn, disabled) {
    bar.appendChild(el("button", { type: "button", class: "bp-btn", "data-testid": testid,
      disabled: !!disabled, onclick: fn }, text));
  };
  action(t("print_prebill"), "print-prebill", function () { self.printPreBill(); }, closed);
  if (this.mode === "cashier") {
    action(t("discount"), "discount-open", function () { self.discountSheet(null); }, closed || paidSome);
  }
  action(t("split"), "split-open", function () { self.splitSheet(); }, closed || paidSome);
  // Refunds are against a tax invoice: none until a part is paid in full.
  var invoiced = (this.bill.parts || []).some(function (p) { return !!p.invoice_number; });
  if (this.mode === "cashier" && this.handlesCash && invoiced) {
    action(t("refund"), "refund-open", function () { self.refundSheet(); });
  }
  return bar;
};

P.renderLines = function () {
  var self = this, b = this.bill;
  if (!b.lines.length) return el("p", { class: "bp-empty" }, t("empty_bill"));
  var list = el("ul", { class: "bp-lines", "data-testid": "bill-lines" });
  var tappable = this.mode === "cashier" && !this.isClosed() && !b.paid_minor;
  b.lines.forEach(function (line) {
    var main = el("div", { class: "bp-line-main" },
      el("span", { class: "bp-line-qty" }, line.quantity + "×"),
      el("span", { class: "bp-line-name" }, itemName(line)),
      line.seat ? el("span", { class: "bp-seat", "data-testid": "line-seat" }, t("seat_n", { n: line.seat })) : null,
      el("bdi", { class: "bp-amount" }, self.fmt(line.gross_minor)));
    var adjustments = line.adjustments.map(function (a) {
      return el("div", { class: "bp-adj" }, el("span", null, label(a)), el("bdi", { class: "bp-amount" }, self.fmt(a.amount_minor)));
    });
    var inner = tappable
      ? el("button", { type: "button", class: "bp-line-btn", onclick: function () { self.discountSheet(line); } }, main, adjustments)
      : el("div", null, main, adjustments);
    list.appendChild(el("li", { class: "bp-line", "data-testid": "bill-line", dataset: { lineId: line.line_id } }, inner));
  });
  return list;
};

P.renderTotals = function () {
  var self = this, b = this.bill;
  var rows = el("dl", { class: "bp-totals" });
  var row = function (text, minor, testid, cls) {
    rows.appendChild(el("div", { class: "bp-total-row " + (cls || ""), "data-testid": testid },
      el("dt", null, text), el("dd", null, el("bdi", null, self.fmt(minor)))));
  };
  row(t("subtotal"), b.subtotal_minor, "bill-subtotal");
  b.adjustments.forEach(function (a) { row(label(a), a.amount_minor, "bill-adjustment", "bp-row-adj"); });
  if (b.service_charge_minor) row(t("service_charge"), b.service_charge_minor, "bill-service");
  var rate = String(b.vat_rate_bp / 100);
  row(t(b.prices_include_vat ? "vat_included" : "vat_added", { rate: rate }), b.vat_minor, "bill-vat", "bp-row-muted");
  row(t("total"), b.total_minor, "bill-total", "bp-row-total");
  if (b.paid_minor) row(t("amount_paid"), b.paid_minor, "bill-paid");
  row(t("remaining"), b.remaining_minor, "bill-remaining", "bp-row-remaining");
  var box = el("div", { class: "bp-totals-box" }, rows);
  if (b.discounts.length) box.appendChild(this.renderDiscounts());
  return box;
};

P.renderDiscounts = function () {
  var self = this, b = this.bill;
  var list = el("ul", { class: "bp-discounts", "data-testid": "discounts" });
  b.discounts.forEach(function (d) {
    var line = d.line_id ? b.lines.filter(function (l) { return l.line_id === d.line_id; })[0] : null;
    var what = d.kind === "percent" ? (d.percent_bp / 100) + "%" : d.kind === "comp" ? t("comp") : self.fmt(d.amount_minor);
    var target = line ? itemName(line) : t("whole_order");
    list.appendChild(el("li", { class: "bp-discount", "data-testid": "discount" },
      el("div", { class: "bp-discount-text" },
        el("strong", null, t("discount") + " " + what + " · " + target),
        el("small", null, d.reason + (d.approved_by ? " · " + t("approved_by", { name: d.approved_by }) : ""))),
      self.mode === "cashier" && !b.paid_minor && !self.isClosed()
        ? el("button", { type: "button", class: "bp-btn bp-btn-small", "data-testid": "discount-remove",
          onclick: function () { self.removeDiscount(d.id); } }, t("remove")) : null));
  });
  return list;
};

P.renderParts = function () {
  var self = this, b = this.bill, parts = b.parts || [];
  if (!parts.length) return null;
  var grid = el("div", { class: "bp-parts", "data-testid": "bill-parts" });
  parts.forEach(function (p) {
    var paid = p.status === "paid";
    var card = el("div", {
      class: "bp-part" + (p.number === self.part ? " bp-part-selected" : "") + (paid ? " bp-part-paid" : ""),
      "data-testid": "bill-part", dataset: { number: p.number, status: p.status },
    },
    el("button", { type: "button", class: "bp-part-pick", disabled: paid, "data-testid": "part-pick",
      onclick: function () { self.pickPart(p.number); } },
    el("span", { class: "bp-part-label" }, label(p) || t("part_n", { n: p.number })),
    el("bdi", { class: "bp-part-total" }, self.fmt(p.total_minor)),
    el("span", { class: "bp-tag " + (paid ? "bp-tag-paid" : "bp-tag-open") },
      paid ? t("status_paid") : p.paid_minor ? t("remaining") + " " + self.fmt(p.remaining_minor) : t("status_open"))));
    // Only the part being paid lists its dishes: the others stay one line high, so the pay
    // panel under them stays in sight.
    if (p.lines && p.lines.length && !paid && p.number === self.part) {
      card.appendChild(el("ul", { class: "bp-part-lines" }, p.lines.map(function (pl) {
        var name = itemName(pl);
        // A shared dish is split in money, not in units: its share has no quantity.
        return el("li", null, pl.quantity ? pl.quantity + "× " + name
          : name + " · " + t("shared") + " " + self.fmt(pl.amount_minor));
      })));
    }
    if (p.invoice_number) card.appendChild(self.renderInvoice(p.invoice_number));
    grid.appendChild(card);
  });
  return grid;
};

P.renderInvoice = function (number) {
  var self = this;
  var box = el("div", { class: "bp-invoice", "data-testid": "part-invoice", dataset: { number: number } },
    el("strong", { class: "bp-invoice-number" }, el("bdi", null, t("invoice_n", { number: number }))));
  var img = el("img", { class: "bp-qr", alt: t("invoice_n", { number: number }), hidden: true, "data-testid": "invoice-qr" });
  box.appendChild(img);
  this.loadQr(number, img);
  box.appendChild(el("button", { type: "button", class: "bp-btn bp-btn-small", "data-testid": "reprint",
    onclick: function () { self.reprint(number); } }, t("reprint")));
  return box;
};

// The invoice QR as an SVG from the server (GET /invoices/<number>/qr.svg); without that
// endpoint the invoice number alone is shown.
P.loadQr = function (number, img) {
  var self = this, known = this.qr[number];
  if (known === false) return;
  if (known) {
    img.src = known;
    img.hidden = false;
    return;
  }
  fetch("/api/v1/invoices/" + encodeURIComponent(number) + "/qr.svg", {
    headers: { Authorization: "Bearer " + this.token }, cache: "no-store",
  }).then(function (res) {
    var type = res.headers.get("Content-Type") || "";
    if (!res.ok || type.indexOf("svg") < 0) {
      self.qr[number] = false;
      return;
    }
    return res.blob().then(function (blob) {
      self.qr[number] = URL.createObjectURL(blob);
      img.src = self.qr[number];
      img.hidden = false;
    });
  }).catch(function () { /* offline: try again on the next render */ });
};

P.renderPending = function () {
  var self = this, p = this.pending;
  if (!p) return null;
  return el("div", { class: "bp-alert bp-alert-warn", role: "alert", "data-testid": "pay-pending" },
    el("span", null, t("not_confirmed")),
    el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "pay-retry",
      disabled: this.busy, onclick: function () { self.sendPayment(); } },
    this.busy ? t("paying") : t("retry") + " · " + self.fmt(p.body.amount_minor)));
};

// What the last payment did, until the next one is typed: the change to hand back, big,
// and how it adds up (handed over = bill + tip + change). The only "change due" on screen.
P.renderResult = function () {
  var self = this, r = this.result;
  if (!r) return null;
  var detail = [t("applied_n", { amount: this.fmt(r.applied) })];
  if (r.tip) detail.push(t("tip_n", { amount: this.fmt(r.tip) }));
  if (r.tender === "cash") detail.push(t("handed_over_n", { amount: this.fmt(r.tendered) }));
  return el("div", { class: "bp-result", role: "status", "data-testid": "pay-result",
    dataset: { change: String(r.change > 0) } },
  el("div", { class: "bp-result-main" },
    el("span", { class: "bp-result-label" }, r.change ? t("change_due") : t("paid_ok")),
    r.change ? el("bdi", { class: "bp-result-amount", "data-testid": "change-result" }, this.fmt(r.change)) : null),
  el("small", { class: "bp-result-detail", "data-testid": "pay-result-detail" },
    (r.label ? r.label + " · " : "") + detail.join(" · ")),
  el("button", { type: "button", class: "bp-btn bp-result-done", "data-testid": "pay-result-done",
    onclick: function () { self.result = null; self.render(); } }, t("done")));
};

// Typing the next payment puts the last one's change away (one change box at a time).
P.dismissResult = function () {
  if (!this.result) return;
  this.result = null;
  var box = this.root.querySelector('[data-testid="pay-result"]');
  if (box) box.parentNode.removeChild(box);
};

P.pickPart = function (number) {
  this.part = number;
  this.form.amount = "";
  this.form.tendered = "";
  this.result = null;
  this.render();
};
