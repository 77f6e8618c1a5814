// The cash drawer sheet: open a shift with its float, cash in and out, open the drawer with
// no sale (each with a reason), and the X and Z reports.
import { el } from "../lib/dom.js";
import { parseMoney } from "../lib/money.js";
import { uuid } from "../lib/uuid.js";
import { chips, closeSheet, errorLine, field, moneyInput, openSheet, showError } from "../billpay/sheet.js";
import { api, fmt, S, t, toast } from "./context.js";
import { section, xReport, zReportSheet } from "./reports.js";
import { shiftIsOpen, refreshShift, renderShift } from "./shift.js";

function drawerSheet() {
  openSheet(t("drawer"), "drawer-sheet", (body) => {
    const open = shiftIsOpen();
    body.appendChild(el("p", { class: "bp-text", "data-testid": "drawer-state" }, open
      ? t("shift_open") + " · " + t("opened_by", { name: S.shift.opened_by }) + " · " + t("opening_float") + " " + fmt(S.shift.float_minor)
      : t("shift_closed")));
    if (!open) {
      body.appendChild(openShiftForm());
    } else {
      body.appendChild(cashMoveForm());
      body.appendChild(noSaleForm());
    }
    body.appendChild(el("div", { class: "cs-drawer-actions" },
      el("button", { type: "button", class: "bp-btn", "data-testid": "x-report", onclick: xReport }, t("x_report")),
      el("button", { type: "button", class: "bp-btn bp-btn-danger", "data-testid": "z-report", onclick: zReportSheet }, t("z_report"))));
  });
}

function openShiftForm() {
  const error = errorLine();
  const input = moneyInput("float-amount", "", null);
  const go = el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "open-shift",
    onclick: () => {
      const minor = parseMoney(input.value || "0", S.exponent);
      if (minor === null) return showError(error, t("failed"));
      go.disabled = true;
      api("POST", "/shifts", { float_minor: minor }, uuid()).then((res) => {
        go.disabled = false;
        if (!res.ok) return showError(error, res.error);
        S.shift = res.data.shift;
        renderShift();
        closeSheet();
        toast(t("shift_opened"));
      }, () => {
        go.disabled = false;
        showError(error, t("offline_try_later"));
      });
    } }, t("open_shift"));
  return section(t("open_shift"), [field(t("opening_float"), input), error, go]);
}

function reasonInput(testid) {
  return el("input", { type: "text", maxlength: "300", "data-testid": testid });
}

function cashMoveForm() {
  const st = { kind: "in" };
  const error = errorLine();
  const amount = moneyInput("cash-amount", "", null);
  const reason = reasonInput("cash-reason");
  const go = el("button", { type: "button", class: "bp-btn bp-btn-primary", "data-testid": "cash-submit",
    onclick: () => {
      const minor = parseMoney(amount.value, S.exponent);
      if (!minor || reason.value.trim().length < 3) return showError(error, t("required"));
      drawerCommand("/drawer/cash", { kind: st.kind, amount_minor: minor, reason: reason.value.trim() }, error, go);
    } }, t("confirm"));
  return section(t("cash_in") + " / " + t("cash_out"), [
    chips([{ value: "in", label: t("cash_in") }, { value: "out", label: t("cash_out") }], st.kind,
      (k) => { st.kind = k; }, "cash-kind"),
    el("div", { class: "bp-row2" }, field(t("amount"), amount), field(t("reason"), reason)),
    error, go]);
}

function noSaleForm() {
  const error = errorLine();
  const reason = reasonInput("no-sale-reason");
  const go = el("button", { type: "button", class: "bp-btn", "data-testid": "no-sale",
    onclick: () => {
      if (reason.value.trim().length < 3) return showError(error, t("required"));
      drawerCommand("/drawer/no-sale", { reason: reason.value.trim() }, error, go, t("drawer_opened"));
    } }, t("no_sale"));
  return section(t("no_sale"), [field(t("reason"), reason), error, go]);
}

function drawerCommand(path, body, error, button, done) {
  button.disabled = true;
  api("POST", path, body, uuid()).then((res) => {
    button.disabled = false;
    if (!res.ok) return showError(error, res.error);
    S.shift = res.data.shift;
    renderShift();
    closeSheet();
    toast(done || t("saved"));
  }, () => {
    button.disabled = false;
    showError(error, t("offline_try_later"));
  });
}

/** The toolbar's drawer button opens the sheet with the shift as the server has it now. */
export function watchDrawerButton() {
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (target && target.dataset.action === "drawer") refreshShift().then(drawerSheet);
  });
}
