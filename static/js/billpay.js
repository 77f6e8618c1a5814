// The bill and payment widget, shared by the cashier's screen and the waiter's handheld:
// it shows an order's bill (lines by seat, discounts, service charge, VAT, parts), prints the
// pre-bill, splits, takes payments and, on the cashier's screen, discounts and refunds.
//
// It only talks to the billing API through the api() function the page hands it. A payment
// keeps its UUID (in localStorage too) until the server answers, so a retry after a network
// drop sends the same payment and the server takes it once.
(function () {
  "use strict";
  var el = PosPage.el, append = PosPage.append, clear = PosPage.clear, uuid = PosPage.uuid;
  var NetError = PosPage.NetError, makeApi = PosPage.makeApi;

  var T = JSON.parse(document.getElementById("billpay-strings").textContent);
  var LANG = document.documentElement.lang === "ar" ? "ar" : "en";
  // How Arabic screens name a currency after the amount (as pos_app.money does on pages).
  var AR_CURRENCY = {
    SAR: "ر.س", AED: "د.إ", KWD: "د.ك", BHD: "د.ب", QAR: "ر.ق", OMR: "ر.ع", EGP: "ج.م", JOD: "د.أ",
  };
  var CARD_METHODS = ["mada", "visa", "mastercard", "amex"];
  var PENDING_KEY = "pos.billpay.v1.pending.";

  // -- small helpers (also used by cashier.js through BillPay.util) ------------------------

  function t(key, vars) {
    var text = T[key] || key;
    if (vars) {
      Object.keys(vars).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(vars[name]));
      });
    }
    return text;
  }

  // Minor units with the branch's exponent and currency, Western digits, as receipts print.
  function money(minor, currency, exponent) {
    var exp = exponent === undefined ? 2 : exponent, div = Math.pow(10, exp), abs = Math.abs(minor);
    var text = String(Math.floor(abs / div)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    if (exp) text += "." + String(abs % div).padStart(exp, "0");
    var code = currency || "SAR";
    var symbol = LANG === "ar" ? AR_CURRENCY[code] || code : code;
    return (minor < 0 ? "-" : "") + text + "\u00a0" + symbol;
  }

  // What a cashier types ("48", "48.5", "٤٨٫٥") in minor units, or null.
  function parseMoney(text, exponent) {
    var s = String(text || "").trim()
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
      .replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/\u066b/g, ".").replace(/[\s,\u066c]/g, "");
    if (!/^\d+(\.\d*)?$/.test(s)) return null;
    var parts = s.split("."), exp = exponent === undefined ? 2 : exponent;
    var frac = (parts[1] || "").slice(0, exp).padEnd(exp, "0");
    return parseInt(parts[0], 10) * Math.pow(10, exp) + (exp ? parseInt(frac || "0", 10) : 0);
  }

  function plainAmount(minor, exponent) {
    var exp = exponent === undefined ? 2 : exponent;
    return exp ? (minor / Math.pow(10, exp)).toFixed(exp) : String(minor);
  }

  // The server speaks English to the API; known refusals are told in the page's language.
  function errorText(error) {
    if (!error) return t("failed");
    var key = "err_" + error.code;
    return T[key] ? T[key] : error.message || t("failed");
  }

  function label(obj) {
    if (!obj) return "";
    return (LANG === "ar" && (obj.label_ar || obj.name_ar)) || obj.label || obj.name || "";
  }

  // -- the modal sheet: one per page, above everything (the handheld's bill panel too) ------

  var sheet = null;

  function openSheet(title, testid, build) {
    closeSheet();
    var body = el("div", { class: "bp-modal-body" });
    var foot = el("footer", { class: "bp-modal-foot" });
    var panel = el("div", { class: "bp-modal-panel", role: "dialog", "aria-modal": "true",
      "aria-label": title, "data-testid": testid },
    el("header", { class: "bp-modal-head" },
      el("h2", { class: "bp-modal-title" }, title),
      el("button", { type: "button", class: "bp-icon-btn", "aria-label": t("close"),
        "data-testid": "modal-close", onclick: closeSheet }, "✕")),
    body, foot);
    sheet = el("div", { class: "bp-modal" },
      el("div", { class: "bp-modal-backdrop", onclick: closeSheet }), panel);
    document.body.appendChild(sheet);
    build(body, foot);
    var first = body.querySelector("input");
    if (first) first.focus();
    return panel;
  }

  function closeSheet() {
    if (sheet && sheet.parentNode) sheet.parentNode.removeChild(sheet);
    sheet = null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && sheet) closeSheet();
  });

  function field(labelText, input, hint) {
    return el("label", { class: "bp-field" },
      el("span", { class: "bp-field-label" }, labelText,
        hint ? el("span", { class: "bp-field-hint" }, hint) : null),
      input);
  }

  function chips(options, value, onPick, testid) {
    var box = el("div", { class: "bp-chips", role: "radiogroup" });
    options.forEach(function (opt) {
      box.appendChild(el("button", {
        type: "button", class: "bp-chip", role: "radio",
        "aria-checked": String(opt.value === value), "data-testid": testid + "-" + opt.value,
        onclick: function () {
          Array.prototype.forEach.call(box.children, function (c) { c.setAttribute("aria-checked", "false"); });
          this.setAttribute("aria-checked", "true");
          onPick(opt.value);
        },
      }, opt.label));
    });
    return box;
  }

  function moneyInput(testid, value, oninput) {
    return el("input", { type: "text", inputmode: "decimal", dir: "ltr", class: "bp-money-input",
      autocomplete: "off", "data-testid": testid, value: value || "", oninput: oninput });
  }

  function errorLine() {
    return el("p", { class: "bp-error", role: "alert", hidden: true, "data-testid": "modal-error" });
  }

  function showError(node, error) {
    node.textContent = typeof error === "string" ? error : errorText(error);
    node.hidden = false;
  }

  // Send a command that may need a manager: a 403 approval_required asks for a PIN and sends
  // the same body again with it (same ids, so nothing happens twice).
  function withApproval(send, onDone, title) {
    return send(null).then(function (res) {
      if (res.ok || !res.error || res.error.code !== "approval_required") return onDone(res);
      approvalSheet(send, onDone, title);
    });
  }

  function approvalSheet(send, onDone, title) {
    openSheet(title || t("approval_title"), "approval-sheet", function (body, foot) {
      var error = errorLine();
      var pin = el("input", { type: "password", inputmode: "numeric", pattern: "[0-9]*",
        maxlength: "8", dir: "ltr", class: "bp-pin", autocomplete: "off", "data-testid": "approver-pin" });
      var approve = el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "approve-submit",
        onclick: function () {
          if (!/^[0-9]{4,8}$/.test(pin.value)) return showError(error, t("err_wrong_approver_pin"));
          approve.disabled = true;
          send(pin.value).then(function (res) {
            approve.disabled = false;
            if (!res.ok && res.status === 403) {
              pin.value = "";
              pin.focus();
              return showError(error, res.error);
            }
            onDone(res);
          }, function () {
            approve.disabled = false;
            showError(error, t("offline_try_later"));
          });
        } }, t("approve"));
      pin.addEventListener("keydown", function (e) { if (e.key === "Enter") approve.click(); });
      body.appendChild(el("p", { class: "bp-text", "data-testid": "approval-text" }, t("approval_text")));
      body.appendChild(field(t("manager_pin"), pin));
      body.appendChild(error);
      foot.appendChild(el("button", { type: "button", class: "bp-btn", onclick: closeSheet }, t("cancel")));
      foot.appendChild(approve);
    });
  }

  // -- the bill panel ------------------------------------------------------------------------

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

  function freshForm() {
    return { tender: "cash", tendered: "", amount: "", method: "mada", last4: "", reference: "",
      voucher: "", tip: "" };
  }

  var P = BillPanel.prototype;

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

  // -- rendering ------------------------------------------------------------------------------

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
        el("span", { class: "bp-line-name" }, LANG === "ar" ? line.name_ar || line.name : line.name),
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
      var target = line ? (LANG === "ar" ? line.name_ar || line.name : line.name) : t("whole_order");
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
          var name = LANG === "ar" ? pl.name_ar || pl.name : pl.name;
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
    var tipInput = moneyInput("tip", f.tip, function () { f.tip = this.value; self.updatePay(refs); });
    var amountRow = el("div", { class: "bp-row2" },
      field(t("amount_to_pay"), amountInput), field(t("tip"), tipInput));
    refs.tip = tipInput;
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

  // -- commands -------------------------------------------------------------------------------

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

  P.removeDiscount = function (id) {
    var self = this;
    this.simple("DELETE", "/orders/" + this.orderId + "/discounts/" + id, undefined, function (bill) {
      self.setBill(bill);
    });
  };

  P.discountSheet = function (line) {
    var self = this, b = this.bill, exp = this.exp();
    var st = { kind: "percent", value: "", reason: "", id: uuid() };
    var target = line ? (LANG === "ar" ? line.name_ar || line.name : line.name) : t("whole_order");
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

  function sheetHas(testid) {
    return !!(sheet && sheet.querySelector('[data-testid="' + testid + '"]'));
  }

  P.splitSheet = function () {
    var self = this, b = this.bill, exp = this.exp();
    var kinds = this.mode === "handheld" ? ["seats", "equal", "none"] : ["seats", "equal", "amounts", "items", "none"];
    var hasSeats = b.lines.some(function (l) { return l.seat; });
    var st = { kind: hasSeats ? "seats" : "equal", count: 2, amounts: ["", ""], items: null };
    openSheet(t("split"), "split-sheet", function (body, foot) {
      var error = errorLine();
      var area = el("div", { class: "bp-split-area" });
      var confirm = el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "split-confirm",
        onclick: send }, t("confirm"));
      body.appendChild(chips(kinds.map(function (k) { return { value: k, label: t("split_" + k) }; }), st.kind,
        function (k) { st.kind = k; draw(); }, "split-kind"));
      body.appendChild(area);
      body.appendChild(error);
      foot.appendChild(el("button", { type: "button", class: "bp-btn", onclick: closeSheet }, t("cancel")));
      foot.appendChild(confirm);
      draw();

      function draw() {
        clear(area);
        error.hidden = true;
        confirm.disabled = false;
        if (st.kind === "seats") {
          var seats = {};
          b.lines.forEach(function (l) { if (l.seat) seats[l.seat] = true; });
          area.appendChild(el("p", { class: "bp-text" }, Object.keys(seats).map(function (s) {
            return t("seat_n", { n: s });
          }).join(" · ") || t("shared")));
        } else if (st.kind === "equal") {
          area.appendChild(field(t("parts_count"), stepper(st.count, 2, 20, function (v) { st.count = v; share.textContent = shareText(); }, "split-count")));
          var share = el("p", { class: "bp-text", "data-testid": "split-share" }, shareText());
          area.appendChild(share);
        } else if (st.kind === "amounts") {
          drawAmounts();
        } else if (st.kind === "items") {
          drawItems();
        }
      }

      function shareText() {
        return st.count + " × ≈ " + self.fmt(Math.floor(b.total_minor / st.count));
      }

      function drawAmounts() {
        var left = el("p", { class: "bp-text", "data-testid": "split-left" });
        var update = function () {
          var sum = st.amounts.reduce(function (s, v) { return s + (parseMoney(v, exp) || 0); }, 0);
          left.textContent = t("left_to_assign", { amount: self.fmt(b.total_minor - sum) });
          confirm.disabled = sum !== b.total_minor || st.amounts.some(function (v) { return !parseMoney(v, exp); });
        };
        st.amounts.forEach(function (v, i) {
          area.appendChild(field(t("part_n", { n: i + 1 }), moneyInput("split-amount-" + (i + 1), v, function () {
            st.amounts[i] = this.value;
            update();
          })));
        });
        area.appendChild(el("button", { type: "button", class: "bp-btn", "data-testid": "split-add-part",
          onclick: function () { st.amounts.push(""); draw(); } }, t("add_part")));
        area.appendChild(left);
        update();
      }

      // By items: every unit of every line is a chip; tap a part to choose it, then tap the
      // units that go on it. Parts are columns.
      function drawItems() {
        if (!st.items) {
          st.items = { parts: 2, selected: 0, where: {} };
          b.lines.forEach(function (l) {
            for (var u = 0; u < l.quantity; u++) st.items.where[l.line_id + ":" + u] = 0;
          });
        }
        var it = st.items;
        area.appendChild(el("p", { class: "bp-text" }, t("tap_to_move")));
        var cols = el("div", { class: "bp-split-cols", "data-testid": "split-columns" });
        for (var p = 0; p < it.parts; p++) {
          (function (p) {
            var total = 0, units = el("div", { class: "bp-split-units" });
            b.lines.forEach(function (l) {
              for (var u = 0; u < l.quantity; u++) {
                var key = l.line_id + ":" + u;
                if (it.where[key] !== p) continue;
                total += Math.round(l.amount_minor / l.quantity);
                var name = LANG === "ar" ? l.name_ar || l.name : l.name;
                units.appendChild(el("button", { type: "button", class: "bp-unit", "data-testid": "split-unit",
                  dataset: { line: l.line_id, unit: u + 1, name: l.name },
                  onclick: function (key) {
                    return function (event) {
                      event.stopPropagation();
                      it.where[key] = it.selected === it.where[key] ? it.where[key] : it.selected;
                      draw();
                    };
                  }(key) },
                el("span", null, name),
                l.quantity > 1 ? el("small", { class: "bp-unit-of" }, t("unit_of", { i: u + 1, n: l.quantity })) : null,
                l.seat ? el("small", { class: "bp-seat" }, t("seat_n", { n: l.seat })) : null));
              }
            });
            cols.appendChild(el("div", {
              class: "bp-split-col" + (p === it.selected ? " bp-split-col-selected" : ""),
              "data-testid": "split-part", dataset: { part: p + 1 },
            },
            el("button", { type: "button", class: "bp-split-col-head", "aria-pressed": String(p === it.selected),
              "data-testid": "split-part-pick", onclick: function () { it.selected = p; draw(); } },
            el("strong", null, t("part_n", { n: p + 1 })), el("bdi", null, self.fmt(total))),
            units));
          })(p);
        }
        area.appendChild(cols);
        area.appendChild(el("button", { type: "button", class: "bp-btn", "data-testid": "split-add-part",
          onclick: function () { it.parts += 1; it.selected = it.parts - 1; draw(); } }, t("add_part")));
        var used = {};
        Object.keys(it.where).forEach(function (k) { used[it.where[k]] = true; });
        confirm.disabled = Object.keys(used).length < 2;
      }

      function itemParts() {
        var it = st.items, parts = [];
        for (var p = 0; p < it.parts; p++) {
          var counts = {};
          Object.keys(it.where).forEach(function (key) {
            if (it.where[key] !== p) return;
            var id = key.split(":")[0];
            counts[id] = (counts[id] || 0) + 1;
          });
          var entries = Object.keys(counts).map(function (id) { return { line_id: id, quantity: counts[id] }; });
          if (entries.length) parts.push(entries);
        }
        return parts;
      }

      function send() {
        var payload = { kind: st.kind };
        if (st.kind === "equal") payload.count = st.count;
        if (st.kind === "amounts") payload.amounts = st.amounts.map(function (v) { return parseMoney(v, exp); });
        if (st.kind === "items") payload.parts = itemParts();
        confirm.disabled = true;
        self.api("POST", "/orders/" + b.order_id + "/split", payload).then(function (res) {
          confirm.disabled = false;
          if (!res.ok) return showError(error, res.error);
          closeSheet();
          self.part = null;
          self.setBill(res.data);
          self.toast(t("split_done"));
        }, function () {
          confirm.disabled = false;
          showError(error, t("offline_try_later"));
        });
      }
    });
  };

  function stepper(value, min, max, onChange, testid) {
    var shown = el("span", { class: "bp-stepper-value", "data-testid": testid + "-value" }, String(value));
    var set = function (v) {
      value = Math.max(min, Math.min(max, v));
      shown.textContent = String(value);
      minus.disabled = value <= min;
      plus.disabled = value >= max;
      onChange(value);
    };
    var minus = el("button", { type: "button", class: "bp-step", "aria-label": "−", "data-testid": testid + "-minus",
      onclick: function () { set(value - 1); } }, "−");
    var plus = el("button", { type: "button", class: "bp-step", "aria-label": "+", "data-testid": testid + "-plus",
      onclick: function () { set(value + 1); } }, "+");
    minus.disabled = value <= min;
    plus.disabled = value >= max;
    return el("div", { class: "bp-stepper", dir: "ltr" }, minus, shown, plus);
  }

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
                el("span", null, LANG === "ar" ? l.name_ar || l.name : l.name),
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

  // -- a payment not yet answered survives a reload --------------------------------------

  function loadPending(orderId) {
    try { return JSON.parse(localStorage.getItem(PENDING_KEY + orderId) || "null"); } catch (err) { return null; }
  }

  function savePending(orderId, pending) {
    try {
      if (pending) localStorage.setItem(PENDING_KEY + orderId, JSON.stringify(pending));
      else localStorage.removeItem(PENDING_KEY + orderId);
    } catch (err) { /* storage blocked: the id still lives in memory while the page is open */ }
  }

  window.BillPay = {
    create: function (opts) { return new BillPanel(opts); },
    util: {
      t: t, el: el, clear: clear, uuid: uuid, NetError: NetError, makeApi: makeApi, money: money,
      parseMoney: parseMoney, plainAmount: plainAmount, errorText: errorText, label: label,
      openSheet: openSheet, closeSheet: closeSheet, field: field, chips: chips,
      moneyInput: moneyInput, errorLine: errorLine, showError: showError, lang: LANG,
    },
  };
})();
