// The cashier's screen: open orders on the start side, the chosen order's bill (billpay.js)
// on the other, and the cash drawer (shift, cash in and out, no sale, X and Z reports).
// One page, never reloaded: the orders follow the /floor socket's pushes (one connection per
// floor, since a connection follows one floor) and a slow poll catches takeaway orders.
(function () {
  "use strict";

  var U = window.BillPay.util;
  var el = U.el, clear = U.clear;
  var BOOT = JSON.parse(document.getElementById("cs-boot").textContent);
  // A copy loaded while the server was down has no token in it: offline.js keeps this tab's.
  if (window.PosOffline) BOOT.token = PosOffline.token(BOOT.token);
  // Such a copy takes no payment; once the server answers, the live page comes back whole.
  if (window.PosOffline) PosOffline.reloadWhenBack();
  var T = BOOT.strings;
  var OPEN_STATUSES = ["open", "in_kitchen", "ready", "served", "picked_up", "out_for_delivery"];
  var TENDERS = ["cash", "card", "wallet", "voucher"];

  function t(key, vars) {
    if (!T[key]) return U.t(key, vars);
    var text = T[key];
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(vars[name]));
    });
    return text;
  }

  function $(id) {
    return document.getElementById(id);
  }

  var leaving = false;
  function goToLogin() {
    // Once: every floor's socket hears session_revoked, and a second navigation would abort
    // the first.
    if (leaving) return;
    leaving = true;
    window.location.assign("/login?next=" + encodeURIComponent("/cashier"));
  }
  // A sign-out from this page is already on its way to the login page: the socket's
  // session_revoked that follows it must not send a second navigation.
  var logoutForm = document.querySelector('form[action="/logout"]');
  if (logoutForm) logoutForm.addEventListener("submit", function () { leaving = true; });

  var api = U.makeApi(BOOT.token, goToLogin);
  var S = {
    currency: "SAR",
    exponent: 2,
    orders: new Map(),
    selected: null,
    shift: null,
    shiftKnown: false,
    sockets: [],
    everConnected: false,
  };

  function fmt(minor) {
    return U.money(minor, S.currency, S.exponent);
  }

  // -- toast ----------------------------------------------------------------------------------

  // In the orders column, under the list: never over the bill, its Pay or tender buttons.
  var toastBox = $("cs-toast");
  var toastTimer = null;

  function toast(message, kind) {
    toastBox.textContent = message;
    toastBox.dataset.kind = kind || "ok";
    toastBox.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toastBox.hidden = true; }, kind === "error" ? 6000 : 3000);
  }

  // -- the bill ---------------------------------------------------------------------------------

  var panel = window.BillPay.create({
    root: $("cs-bill"),
    api: api,
    token: BOOT.token,
    mode: "cashier",
    handlesCash: BOOT.handles_cash,
    toast: toast,
    onChange: function (bill) {
      S.currency = bill.currency;
      S.exponent = bill.exponent;
      var known = S.orders.get(bill.order_id);
      if (known && OPEN_STATUSES.indexOf(bill.order_status) < 0) {
        S.orders.delete(bill.order_id); // paid: off the list, its bill stays shown
        renderOrders();
      }
    },
  });

  function select(orderId) {
    S.selected = orderId;
    renderOrders();
    panel.show(orderId);
  }

  // -- orders -----------------------------------------------------------------------------------

  function applyOrder(order) {
    if (!order || !order.id) return;
    var known = S.orders.get(order.id);
    if (known && known.version > order.version) return;
    if (OPEN_STATUSES.indexOf(order.status) >= 0) S.orders.set(order.id, order);
    else S.orders.delete(order.id);
    renderOrders();
    if (order.id === S.selected) panel.reload();
  }

  function refreshOrders() {
    return api("GET", "/orders").then(function (res) {
      if (!res.ok) return;
      S.orders = new Map();
      res.data.items.forEach(function (o) { S.orders.set(o.id, o); });
      renderOrders();
    }).catch(function () { /* offline: keep the list */ });
  }

  function orderWhere(o) {
    if (o.table_label) return U.t("table_n", { label: o.table_label });
    var kind = U.t(o.type === "delivery" ? "delivery" : "takeaway");
    return o.customer_name ? kind + " · " + o.customer_name : kind;
  }

  function renderOrders() {
    var list = clear($("cs-order-list"));
    var orders = Array.from(S.orders.values()).sort(function (a, b) { return a.number - b.number; });
    if (!orders.length) {
      list.appendChild(el("li", { class: "cs-empty" }, t("no_open_orders")));
      return;
    }
    orders.forEach(function (o) {
      list.appendChild(el("li", null, el("button", {
        type: "button", class: "cs-order", "aria-current": String(o.id === S.selected),
        "data-testid": "order-row", dataset: { id: o.id, number: o.number, status: o.status },
        onclick: function () { select(o.id); },
      },
      el("span", { class: "cs-order-num" }, "#" + o.number),
      el("span", { class: "cs-order-where" }, orderWhere(o),
        el("small", null, o.waiter_name || "")),
      el("bdi", { class: "cs-order-total" }, fmt(o.total_minor),
        o.paid_at ? el("small", { class: "cs-paid-tag", "data-testid": "order-paid" },
          U.t("paid_ok")) : null))));
    });
  }

  // -- the socket: one connection per floor (a connection follows one floor) ---------------

  function connect(floors) {
    if (typeof io !== "function") return;
    var ids = floors.length ? floors.map(function (f) { return f.id; }) : [null];
    ids.forEach(function (floorId, i) {
      var socket = io("/floor", {
        auth: { token: BOOT.token }, transports: ["websocket"], forceNew: i > 0,
        reconnectionDelay: 500, reconnectionDelayMax: 4000, timeout: 8000,
      });
      socket.on("connect", function () {
        if (floorId !== null) socket.emit("join_floor", { floor_id: floorId }, function () {});
        S.everConnected = true;
        setLink();
        if (i === 0) {
          refreshOrders();
          if (S.selected) panel.reload();
        }
      });
      socket.on("disconnect", setLink);
      socket.on("connect_error", function (err) {
        var code = err && err.data && err.data.error && err.data.error.code;
        if (code && /^token_|staff_inactive/.test(code)) goToLogin();
        setLink();
      });
      socket.on("order_updated", applyOrder);
      // Logout, deactivation, a new PIN or an expired login: the server says so, then hangs up.
      socket.on("session_revoked", goToLogin);
      if (i === 0) PosPage.watchSecurityAlerts(socket);  // pushed to owners and managers only
      S.sockets.push(socket);
    });
  }

  function linkUp() {
    return navigator.onLine && S.sockets.length > 0 && S.sockets.every(function (s) { return s.connected; });
  }

  function setLink() {
    var up = linkUp();
    if (window.posConnection) window.posConnection.setOnline(up || (!S.everConnected && navigator.onLine));
    var link = $("cs-link");
    var state = up ? "live" : !navigator.onLine ? "offline" : S.everConnected ? "reconnecting" : "connecting";
    link.dataset.state = state;
    link.textContent = state === "live" ? t("live") : state === "offline" ? t("offline") : t("reconnecting");
    document.body.classList.toggle("cs-is-offline", state === "offline" || state === "reconnecting");
  }

  window.addEventListener("offline", function () {
    S.sockets.forEach(function (s) { s.disconnect(); });
    setLink();
  });
  window.addEventListener("online", function () {
    S.sockets.forEach(function (s) { if (!s.connected) s.connect(); });
    setLink();
    refreshOrders();
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && navigator.onLine) refreshOrders();
  });
  // Takeaway orders are pushed to their waiter only: a slow poll keeps them on the list.
  setInterval(function () { if (navigator.onLine) refreshOrders(); }, 15000);

  // -- the cash drawer ------------------------------------------------------------------------

  function refreshShift() {
    if (!BOOT.handles_cash) return Promise.resolve();
    return api("GET", "/shifts/current").then(function (res) {
      if (!res.ok) return;
      S.shift = res.data.shift;
      S.shiftKnown = true;
      renderShift();
    }).catch(function () { /* offline */ });
  }

  function renderShift() {
    var button = $("cs-shift");
    if (!BOOT.handles_cash) {
      button.hidden = true;
      return;
    }
    var open = !!(S.shift && S.shift.status === "open");
    button.dataset.state = open ? "open" : "closed";
    button.textContent = (open ? t("shift_open") : t("shift_closed")) + " · " + t("drawer");
  }

  function drawerSheet() {
    U.openSheet(t("drawer"), "drawer-sheet", function (body) {
      var open = !!(S.shift && S.shift.status === "open");
      body.appendChild(el("p", { class: "bp-text", "data-testid": "drawer-state" }, open
        ? t("shift_open") + " · " + t("opened_by", { name: S.shift.opened_by }) + " · " + t("opening_float") + " " + fmt(S.shift.float_minor)
        : t("shift_closed")));
      if (!open) {
        body.appendChild(openShiftForm());
      } else {
        body.appendChild(cashMoveForm());
        body.appendChild(noSaleForm());
      }
      var reports = el("div", { class: "cs-drawer-actions" },
        el("button", { type: "button", class: "bp-btn", "data-testid": "x-report", onclick: xReport }, t("x_report")),
        el("button", { type: "button", class: "bp-btn bp-btn-danger", "data-testid": "z-report", onclick: zReportSheet }, t("z_report")));
      body.appendChild(reports);
    });
  }

  function section(title, children) {
    return el("section", { class: "cs-drawer-section" }, el("h3", { class: "cs-h3" }, title), children);
  }

  function openShiftForm() {
    var error = U.errorLine();
    var input = U.moneyInput("float-amount", "", null);
    var go = el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "open-shift",
      onclick: function () {
        var minor = U.parseMoney(input.value || "0", S.exponent);
        if (minor === null) return U.showError(error, U.t("failed"));
        go.disabled = true;
        api("POST", "/shifts", { float_minor: minor }, U.uuid()).then(function (res) {
          go.disabled = false;
          if (!res.ok) return U.showError(error, res.error);
          S.shift = res.data.shift;
          renderShift();
          U.closeSheet();
          toast(t("shift_opened"));
        }, function () {
          go.disabled = false;
          U.showError(error, U.t("offline_try_later"));
        });
      } }, t("open_shift"));
    return section(t("open_shift"), [U.field(t("opening_float"), input), error, go]);
  }

  function reasonInput(testid) {
    return el("input", { type: "text", maxlength: "300", "data-testid": testid });
  }

  function cashMoveForm() {
    var st = { kind: "in" };
    var error = U.errorLine();
    var amount = U.moneyInput("cash-amount", "", null);
    var reason = reasonInput("cash-reason");
    var go = el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "cash-submit",
      onclick: function () {
        var minor = U.parseMoney(amount.value, S.exponent);
        if (!minor || reason.value.trim().length < 3) return U.showError(error, U.t("required"));
        drawerCommand("/drawer/cash", { kind: st.kind, amount_minor: minor, reason: reason.value.trim() }, error, go);
      } }, U.t("confirm"));
    return section(t("cash_in") + " / " + t("cash_out"), [
      U.chips([{ value: "in", label: t("cash_in") }, { value: "out", label: t("cash_out") }], st.kind,
        function (k) { st.kind = k; }, "cash-kind"),
      el("div", { class: "bp-row2" }, U.field(U.t("amount"), amount), U.field(U.t("reason"), reason)),
      error, go]);
  }

  function noSaleForm() {
    var error = U.errorLine();
    var reason = reasonInput("no-sale-reason");
    var go = el("button", { type: "button", class: "bp-btn", "data-testid": "no-sale",
      onclick: function () {
        if (reason.value.trim().length < 3) return U.showError(error, U.t("required"));
        drawerCommand("/drawer/no-sale", { reason: reason.value.trim() }, error, go, t("drawer_opened"));
      } }, t("no_sale"));
    return section(t("no_sale"), [U.field(U.t("reason"), reason), error, go]);
  }

  function drawerCommand(path, body, error, button, done) {
    button.disabled = true;
    api("POST", path, body, U.uuid()).then(function (res) {
      button.disabled = false;
      if (!res.ok) return U.showError(error, res.error);
      S.shift = res.data.shift;
      renderShift();
      U.closeSheet();
      toast(done || t("saved"));
    }, function () {
      button.disabled = false;
      U.showError(error, U.t("offline_try_later"));
    });
  }

  function reportTable(doc) {
    var lang = U.lang;
    var box = el("div", { class: "cs-report", "data-testid": "report" });
    doc.sections.forEach(function (sec) {
      var rows = el("dl", { class: "bp-totals" });
      sec.rows.forEach(function (r) {
        rows.appendChild(el("div", { class: "bp-total-row" + (r.bold ? " cs-row-strong" : "") },
          el("dt", null, lang === "ar" ? r.label_ar : r.label),
          el("dd", null, el("bdi", null, r.amount_minor !== undefined ? U.money(r.amount_minor, doc.currency, doc.exponent) : r.value))));
      });
      box.appendChild(section(lang === "ar" ? sec.title_ar : sec.title, rows));
    });
    if (doc.tenders.length) box.appendChild(tenderTable(doc));
    return box;
  }

  function tenderTable(doc) {
    var m = function (v) { return v === null || v === undefined ? "—" : U.money(v, doc.currency, doc.exponent); };
    var head = el("tr", null, [t("tender"), t("expected"), t("counted"), t("difference")].map(function (h) {
      return el("th", { scope: "col" }, h);
    }));
    var rows = doc.tenders.map(function (r) {
      return el("tr", { "data-testid": "tender-row", dataset: { tender: r.tender } },
        el("th", { scope: "row" }, U.lang === "ar" ? r.label_ar : r.label),
        el("td", { class: "num" }, el("bdi", null, m(r.expected_minor))),
        el("td", { class: "num" }, el("bdi", null, m(r.counted_minor))),
        el("td", { class: "num", dataset: { sign: r.difference_minor ? (r.difference_minor < 0 ? "short" : "over") : "even" } },
          el("bdi", null, m(r.difference_minor))));
    });
    return el("table", { class: "grid cs-tenders", "data-testid": "tender-table" }, el("thead", null, head), el("tbody", null, rows));
  }

  function xReport() {
    api("GET", "/reports/x").then(function (res) {
      if (!res.ok) return toast(U.errorText(res.error), "error");
      U.openSheet(t("x_report"), "x-report-sheet", function (body, foot) {
        body.appendChild(reportTable(res.data));
        foot.appendChild(el("button", { type: "button", class: "bp-btn", "data-testid": "x-print",
          onclick: function () {
            api("GET", "/reports/x?print=true").then(function (r) {
              toast(r.ok ? t("printed") : U.errorText(r.error), r.ok ? "ok" : "error");
            }).catch(function () { toast(U.t("offline_try_later"), "error"); });
          } }, t("print")));
      });
    }).catch(function () { toast(U.t("offline_try_later"), "error"); });
  }

  // The Z: the cashier counts each tender; the figures expected come from the X report so
  // the difference shows while counting, and the server's answer is shown as it printed it.
  function zReportSheet() {
    api("GET", "/reports/x").then(function (res) {
      if (!res.ok) return toast(U.errorText(res.error), "error");
      var expected = res.data.figures.expected;
      U.openSheet(t("z_report"), "z-report-sheet", function (body, foot) {
        var error = U.errorLine();
        var inputs = {};
        var table = el("tbody");
        TENDERS.forEach(function (tender) {
          var diff = el("bdi", { "data-testid": "z-diff-" + tender });
          var input = U.moneyInput("z-counted-" + tender, "", function () {
            var got = U.parseMoney(this.value, S.exponent);
            diff.textContent = got === null ? "—" : fmt(got - expected[tender]);
            diff.parentNode.dataset.sign = got === null || got === expected[tender] ? "even" : got < expected[tender] ? "short" : "over";
          });
          inputs[tender] = input;
          table.appendChild(el("tr", null,
            el("th", { scope: "row" }, U.t(tender)),
            el("td", { class: "num" }, el("bdi", null, fmt(expected[tender]))),
            el("td", null, input),
            el("td", { class: "num" }, diff)));
        });
        body.appendChild(el("table", { class: "grid cs-tenders" },
          el("thead", null, el("tr", null, [t("tender"), t("expected"), t("counted"), t("difference")].map(function (h) {
            return el("th", { scope: "col" }, h);
          }))), table));
        body.appendChild(error);
        var go = el("button", { type: "button", class: "bp-btn bp-btn-danger", "data-testid": "z-submit",
          onclick: function () {
            var counted = {};
            TENDERS.forEach(function (tender) {
              var v = U.parseMoney(inputs[tender].value, S.exponent);
              if (v !== null) counted[tender] = v;
            });
            go.disabled = true;
            api("POST", "/reports/z", { counted: counted, print: true }, U.uuid()).then(function (r) {
              go.disabled = false;
              if (!r.ok) {
                var orders = r.error && r.error.fields && r.error.fields.orders;
                return U.showError(error, U.errorText(r.error) + (orders ? " " + orders.join(", ") : ""));
              }
              S.shift = null;
              renderShift();
              U.openSheet(t("z_done", { number: r.data.number }), "z-result-sheet", function (b2) {
                b2.appendChild(reportTable(r.data));
              });
            }, function () {
              go.disabled = false;
              U.showError(error, U.t("offline_try_later"));
            });
          } }, t("z_confirm"));
        foot.appendChild(el("button", { type: "button", class: "bp-btn", onclick: U.closeSheet }, U.t("cancel")));
        foot.appendChild(go);
      });
    }).catch(function () { toast(U.t("offline_try_later"), "error"); });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (target && target.dataset.action === "drawer") refreshShift().then(drawerSheet);
  });

  // -- start ----------------------------------------------------------------------------------

  function start() {
    renderShift();
    renderOrders();
    setLink();
    api("GET", "/branch").then(function (res) {
      if (!res.ok) return;
      S.currency = res.data.currency;
      S.exponent = res.data.currency_exponent;
      renderOrders();
    }).catch(function () {});
    refreshShift();
    refreshOrders();
    api("GET", "/floors?active=true").then(function (res) {
      connect(res.ok ? res.data.items : []);
    }).catch(function () { connect([]); });
    var hash = location.hash.replace(/^#order=/, "");
    if (/^[0-9a-f-]{36}$/.test(hash)) select(hash);
    else clear($("cs-bill")).appendChild(el("p", { class: "bp-empty", "data-testid": "choose-order" }, t("choose_order")));
  }

  start();
})();
