// The menu page's CSV: download the menu; choose a file, see what it would do (new, changed,
// refused rows with their line and reason, in the page's language), then import the good
// rows. A file that is not UTF-8 is refused here before it is sent. After an import the page
// redraws itself from the server with the report kept on top.
import { clear, el } from "../lib/dom.js";
import { fieldMessage, fieldMessages } from "../lib/field_errors.js";
import { errorText } from "../lib/i18n.js";
import { NetError } from "../lib/api.js";
import { api, noAnswer, say, t } from "./forms.js";

const box = document.querySelector("[data-testid=csv]");
const TOKEN = document.querySelector('meta[name="pos-token"]').content;
const KEPT = "pos-menu-import-report";
let text = null;

function summary(report) {
  const key = report.applied ? "csv_done" : "csv_preview";
  box.querySelector("[data-testid=csv-summary]").textContent = t(key, report);
  const refused = report.rows.filter((r) => r.action === "refused");
  const table = box.querySelector("[data-testid=csv-refused]");
  table.hidden = !refused.length;
  const body = clear(table.querySelector("tbody"));
  refused.forEach((row) => {
    const why = Object.entries(fieldMessages(t, row.errors)).map(([column, message]) => column + ": " + message);
    body.appendChild(el("tr", { "data-testid": "csv-refused-row" },
      el("td", { class: "num" }, String(row.line)), el("td", null, el("bdi", null, row.name)), el("td", null, why.join(" · "))));
  });
}

function fileError(message) {
  box.querySelector("[data-testid=csv-error]").textContent = message;
}

function send(apply) {
  return api("POST", "/menu/import", { csv: text, apply: apply }).then((res) => {
    if (!res.ok) {
      const fields = res.error && res.error.fields;
      const csvProblems = fields && fields.csv ? fields.csv.map((m) => fieldMessage(t, m)).join(" ") : null;
      fileError(csvProblems || errorText(t, res.error));
      return null;
    }
    return res.data;
  });
}

function preview(file) {
  fileError("");
  box.querySelector("[data-testid=csv-apply]").hidden = true;
  file.arrayBuffer().then((bytes) => {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (err) {
      text = null;
      return fileError(t("fe_csv_encoding"));
    }
    return send(false).then((report) => {
      if (!report) return;
      summary(report);
      const good = report.created + report.updated;
      const apply = box.querySelector("[data-testid=csv-apply]");
      apply.textContent = t("csv_apply", { n: good });
      apply.hidden = !good;
      if (!good) say(t("csv_nothing"));
    });
  }).catch(noAnswer);
}

box.querySelector("[data-testid=csv-file]").addEventListener("change", (event) => {
  if (event.target.files.length) preview(event.target.files[0]);
});
box.querySelector("[data-testid=csv-apply]").addEventListener("click", () => {
  send(true).then((report) => {
    if (!report) return;
    sessionStorage.setItem(KEPT, JSON.stringify(report));
    window.location.reload(); // the dishes' rows are drawn by the server
  }).catch(noAnswer);
});
box.querySelector("[data-testid=csv-export]").addEventListener("click", () => {
  fetch("/api/v1/menu/export.csv", { headers: { Authorization: "Bearer " + TOKEN }, cache: "no-store" })
    .then((res) => {
      if (!res.ok) throw new NetError(String(res.status));
      return res.blob();
    })
    .then((blob) => {
      const link = el("a", { href: URL.createObjectURL(blob), download: "menu.csv" });
      document.body.appendChild(link);
      link.click();
      link.remove();
    }).catch(noAnswer);
});

const kept = sessionStorage.getItem(KEPT);
if (kept) {
  sessionStorage.removeItem(KEPT);
  box.open = true;
  summary(JSON.parse(kept));
}
