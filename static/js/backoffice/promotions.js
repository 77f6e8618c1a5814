// Promotions: happy hour, buy X get Y, combo price, with their days and hours; each form tries
// the promotion on a sample order first (the server prices it with the bill's own code) and
// saves with one POST or PATCH; stopping is a DELETE (kept for history), starting again a PATCH.
import { clear, el } from "../lib/dom.js";
import { formatMoney, parseMoney } from "../lib/money.js";
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("promotions-page");
const EXP = Number(page.dataset.exponent);
const CURRENCY = page.dataset.currency;
const LANG = document.documentElement.lang === "ar" ? "ar" : "en";

function money(minor) {
  return formatMoney(minor, CURRENCY, EXP, LANG);
}

function showKind(form) {
  const kind = form.elements.kind.value;
  form.querySelectorAll("[data-for-kind]").forEach((node) => {
    node.hidden = !node.dataset.forKind.split(" ").includes(kind);
  });
}

function selected(select) {
  return Array.from(select.selectedOptions).map((o) => Number(o.value));
}

function whole(text) {
  return /^\d+$/.test(String(text).trim()) ? Number(text) : NaN;
}

/** The form's promotion as the API takes it: {body, errors}. */
function read(form) {
  const f = form.elements;
  const kind = f.kind.value;
  const body = {
    name: f.name.value.trim(), name_ar: f.name_ar.value.trim(), kind: kind,
    weekdays: Array.from(form.querySelectorAll("[name=weekdays]:checked")).map((c) => Number(c.value)),
    start_time: f.start_time.value, end_time: f.end_time.value,
    item_ids: selected(f.item_ids), category_ids: kind === "combo" ? [] : selected(f.category_ids),
    percent_bp: 0, buy_quantity: 0, get_quantity: 0, combo_price_minor: 0,
  };
  const errors = {};
  if (!body.name) errors.name = t("fe_required");
  if (kind === "happy_hour") {
    const s = f.percent_bp.value.trim();
    if (!/^\d+(\.\d{1,2})?$/.test(s)) errors.percent_bp = t("percent_bad");
    else body.percent_bp = Math.round(parseFloat(s) * 100);
  } else if (kind === "buy_x_get_y") {
    ["buy_quantity", "get_quantity"].forEach((name) => {
      const n = whole(f[name].value);
      if (Number.isNaN(n)) errors[name] = t("fe_number");
      else body[name] = n;
    });
  } else {
    const price = parseMoney(f.combo_price_minor.value, EXP);
    if (price === null) errors.combo_price_minor = t("price_bad");
    else body.combo_price_minor = price;
  }
  return { body, errors };
}

function preview(form) {
  const { body, errors } = read(form);
  const out = clear(form.querySelector("[data-testid=preview-out]"));
  if (Object.keys(errors).length) return showErrors(form, errors);
  const items = Array.from(form.querySelectorAll("[name=sample_item]"));
  const qtys = Array.from(form.querySelectorAll("[name=sample_qty]"));
  const lines = items.map((s, i) => ({ item_id: Number(s.value), quantity: whole(qtys[i].value) || 1 }))
    .filter((line) => line.item_id);
  if (!lines.length) return showErrors(form, {}, t("sample_none"));
  const at = form.elements.sample_at.value || localNow();
  api("POST", "/promotions/preview", { promotion: body, lines: lines, at: at.slice(0, 16) }).then((res) => {
    if (!res.ok) return showRefusal(form, res);
    clearErrors(form);
    const p = res.data;
    out.appendChild(el("table", { class: "grid", "data-testid": "preview-table" },
      el("thead", null, el("tr", null, el("th", null, t("dish")), el("th", { class: "num" }, t("total_before")), el("th", { class: "num" }, t("saved")))),
      el("tbody", null, p.lines.map((line) => el("tr", null,
        el("td", null, el("bdi", null, (LANG === "ar" ? line.name_ar : line.name) + " × " + line.quantity)),
        el("td", { class: "num", dir: "ltr" }, money(line.total_minor)),
        el("td", { class: "num", dir: "ltr" }, line.saved_minor ? "−" + money(line.saved_minor) : "—"))))));
    out.appendChild(el("p", { "data-testid": "preview-total" },
      t("total_after") + ": ", el("b", { dir: "ltr" }, money(p.after_minor)),
      p.saved_minor ? el("span", { class: "small" }, " (" + t("saved") + " " + money(p.saved_minor) + ")") : null));
    if (!p.in_window) out.appendChild(el("p", { class: "small" }, t("preview_out_of_window")));
  }).catch(noAnswer);
}

function localNow() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
}

function save(form) {
  const { body, errors } = read(form);
  if (Object.keys(errors).length) return showErrors(form, errors);
  const id = form.dataset.promotion;
  const call = id ? api("PATCH", "/promotions/" + id, body) : api("POST", "/promotions", body);
  call.then((res) => {
    if (!res.ok) return showRefusal(form, res);
    clearErrors(form);
    say(t("saved_promo", { name: res.data.name }));
    if (!id) window.location.reload(); // the list is drawn by the server
  }).catch(noAnswer);
}

function toggle(form) {
  const details = form.closest("details");
  const active = !details.hasAttribute("data-inactive");
  const id = form.dataset.promotion;
  const call = active ? api("DELETE", "/promotions/" + id) : api("PATCH", "/promotions/" + id, { active: true });
  call.then((res) => {
    if (!res.ok) return showRefusal(form, res);
    details.toggleAttribute("data-inactive", !res.data.active);
    form.querySelector("[data-action=active]").textContent = t(res.data.active ? "stop" : "start");
    say(t(res.data.active ? "started" : "stopped", { name: res.data.name }));
  }).catch(noAnswer);
}

page.querySelectorAll("form.bo-promo").forEach((form) => {
  showKind(form);
  form.elements.kind.addEventListener("change", () => showKind(form));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(form);
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.dataset.action === "preview") preview(form);
    else if (button.dataset.action === "active") toggle(form);
  });
});
