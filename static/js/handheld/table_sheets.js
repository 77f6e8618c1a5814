// What a tap on a table opens: the guests of a new party, clearing a dirty table; and moving
// or merging an order's table.
import { el } from "../lib/dom.js";
import { isStale } from "../lib/api.js";
import { api, errorText, floorName, once, S, t } from "./context.js";
import { newDraft } from "./drafts.js";
import { applyOrder, applyTable, loadAllTables, loadTables } from "./orders.js";
import { flash, openOrder } from "./screen.js";
import { closeSheet, field, openSheet } from "./sheet.js";

const MAX_GUESTS = 99; // the server's limit (pos_app/orders/schemas.py)

// One tap for the usual party (buttons up to 12, or a little past the table's seats), and a
// number field for a big one: tables get pushed together, a banquet seats 20 or 30.
export function guestsSheet(tb) {
  openSheet(t("table_n", { label: tb.label }) + " · " + t("how_many_guests"), "guests-sheet", function (body) {
    var grid = el("div", { class: "hh-guest-grid" });
    var most = Math.max(12, Math.min(24, tb.seats + 4));
    for (var n = 1; n <= most; n++) {
      (function (count) {
        grid.appendChild(el("button", {
          type: "button", class: "hh-guest" + (count === tb.seats ? " hh-guest-seats" : ""),
          "data-testid": "guests-" + count, onclick: function () { openTable(tb, count); },
        }, count));
      })(n);
    }
    body.appendChild(grid);
    var input = el("input", { type: "number", inputmode: "numeric", min: "1", max: String(MAX_GUESTS),
      step: "1", dir: "ltr", class: "hh-guest-input", "data-testid": "guests-other" });
    var go = el("button", { type: "button", class: "hh-btn hh-btn-primary", disabled: true,
      "data-testid": "guests-other-go" }, t("start_order"));
    var count = function () {
      var n = Number(input.value);
      return /^[0-9]+$/.test(input.value) && n >= 1 && n <= MAX_GUESTS ? n : 0;
    };
    var check = function () {
      go.disabled = !count();
      input.setAttribute("aria-invalid", input.value && !count() ? "true" : "false");
    };
    input.addEventListener("input", check);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && count()) openTable(tb, count());
    });
    go.addEventListener("click", function () { if (count()) openTable(tb, count()); });
    body.appendChild(el("div", { class: "hh-guest-other" },
      field(t("other_number"), input, t("up_to_n", { n: MAX_GUESTS })), go));
  });
}

function openTable(tb, guests) {
  var draft = newDraft({ type: "dine_in", table_id: tb.id, table_label: tb.label, guests: guests });
  closeSheet();
  openOrder(draft.id);
}

export function clearSheet(tb) {
  openSheet(t("table_n", { label: tb.label }), "clear-sheet", function (body, foot) {
    body.appendChild(el("p", { class: "hh-sheet-text" }, t("needs_clearing", { label: tb.label })));
    foot.appendChild(el("button", { type: "button", class: "hh-btn hh-btn-primary", "data-testid": "mark-clean",
      onclick: function () { markTable(tb.id, "free"); } }, t("mark_clean")));
  });
}

export function markTable(tableId, status) {
  if (!navigator.onLine) return flash(t("offline_try_later"), "error");
  once("POST", "/tables/" + tableId + "/status", { status: status }).then(function (res) {
    if (res.ok) {
      applyTable(res.data);
      closeSheet();
      flash(t("table_n", { label: res.data.label }) + " · " + t("status_" + status));
    } else flash(errorText(res.error), "error");
  }).catch(function () { flash(t("offline_try_later"), "error"); });
}

export function tablePicker(mode, o) {
  if (!navigator.onLine) return flash(t("offline_try_later"), "error");
  loadAllTables().then(function () {
    var floors = S.floors.slice();
    openSheet(mode === "move" ? t("choose_free_table") : t("choose_merge_table"), mode + "-sheet", function (body) {
      var any = false;
      floors.forEach(function (f) {
        var tables = Array.from(S.allTables.values()).filter(function (tb) {
          if (tb.floor_id !== f.id || tb.id === o.table_id || tb.active === false) return false;
          return mode === "move" ? tb.status === "free" && !tb.order_id : !!tb.order_id && tb.order_id !== o.id;
        }).sort(function (a, b) { return a.sort - b.sort || a.id - b.id; });
        if (!tables.length) return;
        any = true;
        var grid = el("div", { class: "hh-pick-grid" });
        tables.forEach(function (tb) {
          grid.appendChild(el("button", { type: "button", class: "hh-pick hh-st-" + tb.status, "data-testid": "pick-" + tb.label,
            onclick: function () { mode === "move" ? moveTo(o, tb) : mergeFrom(o, tb); } }, tb.label));
        });
        body.appendChild(el("h3", { class: "hh-pick-floor" }, floorName(f)));
        body.appendChild(grid);
      });
      if (!any) body.appendChild(el("p", { class: "hh-empty" }, mode === "move" ? t("no_free_tables") : t("no_merge_tables")));
    });
  }).catch(function () { flash(t("offline_try_later"), "error"); });
}

function moveTo(o, tb) {
  var attempt = function (version, again) {
    return once("POST", "/orders/" + o.id + "/move", { version: version, table_id: tb.id }).then(function (res) {
      if (res.ok) {
        applyOrder(res.data);
        closeSheet();
        loadTables(S.floorId);
        return flash(t("table_n", { label: tb.label }));
      }
      if (again && isStale(res)) {
        applyOrder(res.error.current);
        return attempt(res.error.current.version, false);
      }
      flash(errorText(res.error), "error");
    });
  };
  attempt(S.orders.get(o.id).version, true).catch(function () { flash(t("offline_try_later"), "error"); });
}

function mergeFrom(o, tb) {
  var attempt = function (again) {
    return api("GET", "/orders/" + tb.order_id).then(function (from) {
      if (!from.ok) return flash(errorText(from.error), "error");
      var target = S.orders.get(o.id);
      return once("POST", "/orders/" + o.id + "/merge", {
        version: target.version, from_order_id: from.data.id, from_version: from.data.version,
      }).then(function (res) {
        if (res.ok) {
          applyOrder(res.data);
          S.orders.delete(from.data.id);
          closeSheet();
          loadTables(S.floorId);
          return flash(t("order_n", { number: res.data.number }));
        }
        if (again && isStale(res)) {
          if (res.error.current.id === o.id) applyOrder(res.error.current);
          return attempt(false);
        }
        flash(errorText(res.error), "error");
      });
    });
  };
  attempt(true).catch(function () { flash(t("offline_try_later"), "error"); });
}
