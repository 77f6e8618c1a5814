// Splitting a bill: by seat, equally in N, by amounts, or by items (each unit a chip moved
// between parts). A method of the bill panel (billpay.js).
import { clear, el } from "../lib/dom.js";
import { parseMoney } from "../lib/money.js";
import {
  chips, closeSheet, errorLine, field, moneyInput, openSheet, showError, stepper,
} from "./sheet.js";
import { itemName, t } from "./words.js";

/** The bill panel's split method. */
export const P = {};

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
              var name = itemName(l);
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
