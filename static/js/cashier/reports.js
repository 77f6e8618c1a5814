// The till's reports: the X report (the day so far, printable) and the Z report, for which
// the cashier counts each tender; the figures expected come from the X report so the
// difference shows while counting, and the server's answer is shown as it printed it.
import { el } from "../lib/dom.js";
import { parseMoney } from "../lib/money.js";
import { uuid } from "../lib/uuid.js";
import { closeSheet, errorLine, moneyInput, openSheet, showError } from "../billpay/sheet.js";
import { errorText, LANG, money } from "../billpay/words.js";
import { api, fmt, S, t, toast } from "./context.js";
import { renderShift } from "./shift.js";

const TENDERS = ["cash", "card", "wallet", "voucher"];

/** A titled part of the drawer sheet or of a report. */
export function section(title, children) {
  return el("section", { class: "cs-drawer-section" }, el("h3", { class: "cs-h3" }, title), children);
}

function reportTable(doc) {
  const box = el("div", { class: "cs-report", "data-testid": "report" });
  doc.sections.forEach((sec) => {
    const rows = el("dl", { class: "bp-totals" });
    sec.rows.forEach((r) => {
      rows.appendChild(el("div", { class: "bp-total-row" + (r.bold ? " cs-row-strong" : "") },
        el("dt", null, LANG === "ar" ? r.label_ar : r.label),
        el("dd", null, el("bdi", null, r.amount_minor !== undefined ? money(r.amount_minor, doc.currency, doc.exponent) : r.value))));
    });
    box.appendChild(section(LANG === "ar" ? sec.title_ar : sec.title, rows));
  });
  if (doc.tenders.length) box.appendChild(tenderTable(doc));
  return box;
}

function tenderHead() {
  return el("thead", null, el("tr", null, [t("tender"), t("expected"), t("counted"), t("difference")]
    .map((h) => el("th", { scope: "col" }, h))));
}

function tenderTable(doc) {
  const m = (v) => (v === null || v === undefined ? "—" : money(v, doc.currency, doc.exponent));
  const rows = doc.tenders.map((r) => el("tr", { "data-testid": "tender-row", dataset: { tender: r.tender } },
    el("th", { scope: "row" }, LANG === "ar" ? r.label_ar : r.label),
    el("td", { class: "num" }, el("bdi", null, m(r.expected_minor))),
    el("td", { class: "num" }, el("bdi", null, m(r.counted_minor))),
    el("td", { class: "num", dataset: { sign: r.difference_minor ? (r.difference_minor < 0 ? "short" : "over") : "even" } },
      el("bdi", null, m(r.difference_minor)))));
  return el("table", { class: "grid cs-tenders", "data-testid": "tender-table" }, tenderHead(), el("tbody", null, rows));
}

export function xReport() {
  api("GET", "/reports/x").then((res) => {
    if (!res.ok) return toast(errorText(res.error), "error");
    openSheet(t("x_report"), "x-report-sheet", (body, foot) => {
      body.appendChild(reportTable(res.data));
      foot.appendChild(el("button", { type: "button", class: "bp-btn", "data-testid": "x-print",
        onclick: () => {
          api("GET", "/reports/x?print=true").then((r) => {
            toast(r.ok ? t("printed") : errorText(r.error), r.ok ? "ok" : "error");
          }).catch(() => toast(t("offline_try_later"), "error"));
        } }, t("print")));
    });
  }).catch(() => toast(t("offline_try_later"), "error"));
}

export function zReportSheet() {
  api("GET", "/reports/x").then((res) => {
    if (!res.ok) return toast(errorText(res.error), "error");
    const expected = res.data.figures.expected;
    openSheet(t("z_report"), "z-report-sheet", (body, foot) => {
      const error = errorLine();
      const inputs = {};
      const table = el("tbody");
      TENDERS.forEach((tender) => {
        const diff = el("bdi", { "data-testid": "z-diff-" + tender });
        const input = moneyInput("z-counted-" + tender, "", function () {
          const got = parseMoney(this.value, S.exponent);
          diff.textContent = got === null ? "—" : fmt(got - expected[tender]);
          diff.parentNode.dataset.sign = got === null || got === expected[tender] ? "even" : got < expected[tender] ? "short" : "over";
        });
        inputs[tender] = input;
        table.appendChild(el("tr", null,
          el("th", { scope: "row" }, t(tender)),
          el("td", { class: "num" }, el("bdi", null, fmt(expected[tender]))),
          el("td", null, input),
          el("td", { class: "num" }, diff)));
      });
      body.appendChild(el("table", { class: "grid cs-tenders" }, tenderHead(), table));
      body.appendChild(error);
      const go = el("button", { type: "button", class: "bp-btn bp-btn-danger", "data-testid": "z-submit",
        onclick: () => {
          const counted = {};
          TENDERS.forEach((tender) => {
            const v = parseMoney(inputs[tender].value, S.exponent);
            if (v !== null) counted[tender] = v;
          });
          go.disabled = true;
          api("POST", "/reports/z", { counted: counted, print: true }, uuid()).then((r) => {
            go.disabled = false;
            if (!r.ok) {
              const orders = r.error && r.error.fields && r.error.fields.orders;
              return showError(error, errorText(r.error) + (orders ? " " + orders.join(", ") : ""));
            }
            S.shift = null;
            renderShift();
            openSheet(t("z_done", { number: r.data.number }), "z-result-sheet", (b2) => {
              b2.appendChild(reportTable(r.data));
            });
          }, () => {
            go.disabled = false;
            showError(error, t("offline_try_later"));
          });
        } }, t("z_confirm"));
      foot.appendChild(el("button", { type: "button", class: "bp-btn", onclick: closeSheet }, t("cancel")));
      foot.appendChild(go);
    });
  }).catch(() => toast(t("offline_try_later"), "error"));
}
