// The bill widget's forms: one modal sheet per page, above everything (the handheld's bill
// panel too), and the fields, chips, steppers and error lines the sheets are made of. A
// command that needs a manager asks for a PIN here and is sent again with it.
import { el } from "../lib/dom.js";
import { errorText, t } from "./words.js";

let sheet = null;

export function openSheet(title, testid, build) {
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

export function closeSheet() {
  if (sheet && sheet.parentNode) sheet.parentNode.removeChild(sheet);
  sheet = null;
}

/** Whether the open sheet is the one with this test id (a command may outlive its sheet). */
export function sheetHas(testid) {
  return !!(sheet && sheet.querySelector('[data-testid="' + testid + '"]'));
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && sheet) closeSheet();
});

export function field(labelText, input, hint) {
  return el("label", { class: "bp-field" },
    el("span", { class: "bp-field-label" }, labelText,
      hint ? el("span", { class: "bp-field-hint" }, hint) : null),
    input);
}

export function chips(options, value, onPick, testid) {
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

export function moneyInput(testid, value, oninput) {
  return el("input", { type: "text", inputmode: "decimal", dir: "ltr", class: "bp-money-input",
    autocomplete: "off", "data-testid": testid, value: value || "", oninput: oninput });
}

export function errorLine() {
  return el("p", { class: "bp-error", role: "alert", hidden: true, "data-testid": "modal-error" });
}

export function showError(node, error) {
  node.textContent = typeof error === "string" ? error : errorText(error);
  node.hidden = false;
}

export function stepper(value, min, max, onChange, testid) {
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

// Send a command that may need a manager: a 403 approval_required asks for a PIN and sends
// the same body again with it (same ids, so nothing happens twice).
export function withApproval(send, onDone, title) {
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
