// The owners' dashboard: a period's report (today by default) from GET /api/v1/reports/sales,
// drawn with Chart.js and tables, fetched again when a sale is committed (the server's
// `report_changed` push on /floor) without a reload; a clear note when the live connection
// is down. In the cloud, a branch switcher (all my branches, or one) and each branch's health.
import "./nav.js";
import { NetError, request } from "../lib/api.js";
import { readJson } from "../lib/dom.js";
import { translator, pageLanguage } from "../lib/i18n.js";
import { formatMoney } from "../lib/money.js";
import { openSocket } from "../lib/socket.js";

const strings = readJson("rp-i18n");
const t = translator(strings);
const LANG = pageLanguage(document);
const RTL = document.documentElement.dir === "rtl";
const TOKEN = document.querySelector('meta[name="pos-token"]').content;
const page = document.getElementById("reports-page");
const CLOUD = page.dataset.cloud === "yes";
const form = document.querySelector("[data-testid=report-filters]");
const clock = new Intl.DateTimeFormat(LANG === "ar" ? "ar-u-nu-latn" : "en", { timeStyle: "medium" });
const charts = {};
let last = null;
let live = false;
let lastAt = null;

function money(minor) {
  return formatMoney(minor, last ? last.currency : "SAR", last ? last.currency_exponent : 2, LANG);
}

function params() {
  const data = new FormData(form);
  const q = new URLSearchParams();
  q.set("period", data.get("period"));
  if (data.get("period") === "custom") {
    if (data.get("from")) q.set("from", data.get("from"));
    if (data.get("to")) q.set("to", data.get("to"));
  } else if (data.get("date")) q.set("date", data.get("date"));
  q.set("branch", data.get("branch") || "all");
  return q;
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// A table of `rows`, or a short note (`options.empty`, a string key) when there are none;
// a cell's value is text or a node; `options.row(r)` gives a row's attributes and
// `options.foot` a last row (a total) under the body.
function table(container, columns, rows, options) {
  const opts = options || {};
  container.replaceChildren();
  if (!rows.length) { container.append(el("p", { class: "small", "data-empty": "" }, t(opts.empty || "nothing"))); return; }
  const tbl = el("table", { class: "grid rp-table" });
  const head = el("tr");
  columns.forEach((c) => head.append(el("th", { scope: "col" }, c.title)));
  const thead = el("thead");
  thead.append(head);
  tbl.append(thead);
  const body = el("tbody");
  const line = (r, attrs) => {
    const tr = el("tr", attrs);
    columns.forEach((c) => {
      const value = c.value(r);
      const td = el("td", c.num ? { dir: "ltr", class: "num" } : { dir: "auto" });
      td.append(value instanceof Node ? value : document.createTextNode(value));
      tr.append(td);
    });
    return tr;
  };
  rows.forEach((r) => body.append(line(r, opts.row ? opts.row(r) : {})));
  tbl.append(body);
  if (opts.foot) {
    const foot = el("tfoot");
    foot.append(line(opts.foot, { "data-total": "" }));
    tbl.append(foot);
  }
  container.append(tbl);
}

const HEADLINE = [
  ["net_minor", "net"], ["orders", "orders", true], ["average_ticket_minor", "average"],
  ["gross_minor", "gross"], ["discount_minor", "discounts"], ["comp_minor", "comps"],
  ["refund_minor", "refunds"], ["vat_minor", "vat"], ["net_ex_vat_minor", "net_ex_vat"],
  ["service_minor", "service"], ["tip_minor", "tips"],
];

function headline(sales, before) {
  const box = document.querySelector("[data-testid=headline]");
  box.replaceChildren();
  HEADLINE.forEach(([key, label, count]) => {
    const card = el("div", { class: "bo-figure", "data-figure": key });
    card.append(el("span", { class: "bo-figure-label" }, t(label)));
    card.append(el("span", { class: "bo-figure-value", dir: "ltr", "data-testid": "figure-" + key },
      count ? String(sales[key]) : money(sales[key])));
    if (before) {
      const was = count ? String(before[key]) : money(before[key]);
      const up = sales[key] >= before[key];
      const note = el("span", { class: "small", "data-trend": up ? "up" : "down" }, (up ? "▲ " : "▼ ") + t("previous", { value: was }));
      card.append(note);
    }
    box.append(card);
  });
}

function label(key) {
  return strings[key] || key;
}

function chart(id, type, labels, values, options) {
  if (typeof globalThis.Chart !== "function") return;
  const data = { labels: labels, datasets: [{ data: values, label: t("net"), backgroundColor: PALETTE, borderColor: "#2f7d5b", fill: false, tension: 0.2 }] };
  if (charts[id]) { charts[id].data = data; charts[id].update(); return; }
  charts[id] = new globalThis.Chart(document.getElementById(id), {
    type: type,
    data: data,
    options: Object.assign({
      responsive: true, maintainAspectRatio: false, animation: false, locale: LANG === "ar" ? "ar-u-nu-latn" : "en",
      plugins: { legend: { display: type === "doughnut", position: "bottom", rtl: RTL },
        tooltip: { rtl: RTL, callbacks: { label: (ctx) => money(ctx.raw * Math.pow(10, last.currency_exponent)) } } },
      scales: type === "doughnut" ? {} : { x: { reverse: RTL, beginAtZero: true }, y: { position: RTL ? "right" : "left", beginAtZero: true } },
    }, options || {}),
  });
}
const PALETTE = ["#2f7d5b", "#3867d6", "#f7b731", "#eb3b5a", "#8854d0", "#20bf6b", "#fa8231", "#0fb9b1", "#4b6584", "#a5b1c2"];

function major(minor) {
  return minor / Math.pow(10, last.currency_exponent);
}

function heat(grid) {
  const box = document.querySelector("[data-testid=heat]");
  box.replaceChildren();
  const max = Math.max(1, ...grid.flat());
  const tbl = el("table", { class: "rp-heat-table" });
  const head = el("tr");
  head.append(el("th"));
  for (let h = 0; h < 24; h += 1) head.append(el("th", { scope: "col", dir: "ltr" }, String(h).padStart(2, "0")));
  tbl.append(head);
  grid.forEach((hours, w) => {
    const tr = el("tr");
    tr.append(el("th", { scope: "row" }, strings.days[w]));
    hours.forEach((v, h) => {
      const td = el("td", { title: strings.days[w] + " " + String(h).padStart(2, "0") + ": " + money(v) });
      td.style.setProperty("--heat", (v / max).toFixed(3));
      tr.append(td);
    });
    tbl.append(tr);
  });
  box.append(tbl);
}

// Percentages and quantities in Western digits, as money is shown.
const decimals = new Intl.NumberFormat("en", { maximumFractionDigits: 3 });
const VARIANCE_LIMIT = 5; // percent either way: beyond it a row is marked, in words

function pct(value) {
  return value === null || value === undefined ? "—" : value.toFixed(1) + "%";
}

function qty(value) {
  return decimals.format(value);
}

// A figure with a word beside it (the word says what colour alone would).
function flagged(text, word, trend) {
  const span = el("span", {}, text);
  if (word) {
    span.append(" ");
    span.append(el("strong", { "data-trend": trend, "data-flag": "" }, word));
  }
  return span;
}

function countDifference(x) {
  if (!x.count_variance) return qty(0);
  const text = (x.count_variance > 0 ? "+" : "") + qty(x.count_variance);
  return x.count_variance < 0 ? flagged(text, t("missing"), "down") : flagged(text, t("extra"), "up");
}

function variance(x) {
  const p = x.variance_pct;
  if (p === null || p === undefined || Math.abs(p) <= VARIANCE_LIMIT) return pct(p);
  return flagged((p > 0 ? "+" : "") + pct(p), t(p > 0 ? "more_used" : "less_used"), "down");
}

function stockFigures(stock) {
  const box = document.querySelector("[data-testid=margins-headline]");
  box.replaceChildren();
  const net = stock.by_item.reduce((sum, x) => sum + x.net_revenue_minor, 0);
  const margin = net - stock.cogs_minor;
  [["net_revenue_minor", "net_revenue", net], ["cogs_minor", "cogs", stock.cogs_minor],
    ["margin_minor", "gross_margin", margin]].forEach(([key, word, minor]) => {
    const card = el("div", { class: "bo-figure", "data-figure": "stock-" + key });
    card.append(el("span", { class: "bo-figure-label" }, t(word)));
    card.append(el("span", { class: "bo-figure-value", dir: "ltr", "data-testid": "figure-stock-" + key }, money(minor)));
    if (key === "margin_minor") {
      const share = net ? pct(Math.round((1000 * margin) / net) / 10) : "—";
      card.append(el("span", { class: "small", "data-testid": "figure-stock-margin_pct" }, t("of_net", { percent: share })));
    }
    box.append(card);
  });
}

// An ingredient the period used, wasted or counted differently (a purchase alone, such as
// the opening stock, is no use).
function used(x) {
  return Boolean(x.theoretical || x.waste || x.count_variance);
}

// Cost of goods and margin, theoretical against actual use, waste by reason (report.stock).
function stock(s, name) {
  stockFigures(s);
  const margins = [
    { title: t("quantity"), value: (x) => qty(x.quantity), num: true },
    { title: t("net_revenue"), value: (x) => money(x.net_revenue_minor), num: true },
    { title: t("cost"), value: (x) => money(x.cost_minor), num: true },
    { title: t("margin"), value: (x) => money(x.margin_minor), num: true },
    { title: t("margin_pct"), value: (x) => pct(x.margin_pct), num: true },
    { title: t("cost_pct"), value: (x) => pct(x.cost_pct), num: true },
  ];
  table(document.querySelector("[data-table=margins]"), [{ title: t("item"), value: name }].concat(margins),
    s.by_item, { empty: "no_dishes", row: (x) => ({ "data-key": x.key }) });
  table(document.querySelector("[data-table=margins-categories]"), [{ title: t("category"), value: name }]
    .concat(margins.slice(1)), s.by_category, { empty: "no_dishes" });
  const ingredient = (x) => (LANG === "ar" && x.label_ar) || x.ingredient;
  table(document.querySelector("[data-table=usage]"), [
    { title: t("ingredient"), value: ingredient },
    { title: t("unit"), value: (x) => (strings["unit_" + x.unit] || x.unit) },
    { title: t("theoretical"), value: (x) => qty(x.theoretical), num: true },
    { title: t("waste"), value: (x) => qty(x.waste), num: true },
    { title: t("count_diff"), value: countDifference, num: true },
    { title: t("actual"), value: (x) => qty(x.actual), num: true },
    { title: t("variance_pct"), value: variance, num: true },
    { title: t("waste_value"), value: (x) => money(x.waste_minor), num: true },
    { title: t("count_value"), value: (x) => money(x.count_variance_minor), num: true },
  ], s.ingredients.filter(used), {
    empty: "no_stock",
    row: (x) => ({ "data-ingredient": x.ingredient,
      "data-variance": x.variance_pct !== null && Math.abs(x.variance_pct) > VARIANCE_LIMIT ? "high" : "ok" }),
  });
  table(document.querySelector("[data-table=waste]"), [
    { title: t("reason"), value: (x) => x.reason },
    { title: t("times"), value: (x) => String(x.times), num: true },
    { title: t("value"), value: (x) => money(x.cost_minor), num: true },
  ], s.waste, {
    empty: "no_waste",
    foot: { reason: t("total"), times: s.waste.reduce((n, x) => n + x.times, 0), cost_minor: s.waste_minor },
  });
}

const NO_STOCK = { cogs_minor: 0, waste_minor: 0, count_variance_minor: 0, by_item: [], by_category: [], ingredients: [], waste: [] };

function seconds(s) {
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function show(data) {
  last = data;
  const r = data.report;
  headline(r.sales, r.previous ? r.previous.sales : null);
  if (r.previous) {
    document.querySelector("[data-testid=compared]").textContent = t("compared", {
      start: r.period.from, end: r.period.to_date || r.period.to,
      before_start: r.previous.from, before_end: r.previous.to,
    });
  }
  chart("chart-days", "line", data.series.map((d) => d.day), data.series.map((d) => major(d.net_minor)));
  chart("chart-tenders", "doughnut", r.by_tender.map((x) => label(x.tender)), r.by_tender.map((x) => major(x.amount_minor)));
  chart("chart-categories", "bar", r.by_category.map((x) => (LANG === "ar" && x.label_ar) || x.key), r.by_category.map((x) => major(x.revenue_minor)), { indexAxis: "y", scales: { x: { reverse: RTL, beginAtZero: true }, y: { position: RTL ? "right" : "left" } } });
  chart("chart-types", "doughnut", r.by_type.map((x) => label(x.key)), r.by_type.map((x) => major(x.net_minor)));
  heat(r.heat);
  const compared = document.querySelector("[data-testid=by-branch]");
  compared.hidden = !(data.by_branch && data.by_branch.length);
  table(compared.querySelector("[data-table=by-branch]"), [
    { title: t("branch"), value: (x) => x.name },
    { title: t("net"), value: (x) => money(x.net_minor), num: true },
    { title: t("orders"), value: (x) => String(x.orders), num: true },
    { title: t("average"), value: (x) => money(x.average_ticket_minor), num: true },
    { title: t("refunds"), value: (x) => money(x.refund_minor), num: true },
  ], data.by_branch || []);
  const name = (x) => (LANG === "ar" && x.label_ar) || x.key;
  table(document.querySelector("[data-table=items]"), [
    { title: t("item"), value: name },
    { title: t("quantity"), value: (x) => String(x.quantity), num: true },
    { title: t("revenue"), value: (x) => money(x.revenue_minor), num: true },
    { title: t("comps"), value: (x) => money(x.comp_minor), num: true },
  ], r.by_item);
  stock(r.stock || NO_STOCK, name);
  table(document.querySelector("[data-table=staff]"), [
    { title: t("staff"), value: (x) => x.staff },
    { title: t("net"), value: (x) => money(x.net_minor), num: true },
    { title: t("orders"), value: (x) => String(x.orders), num: true },
    { title: t("average"), value: (x) => money(x.average_ticket_minor), num: true },
    { title: t("voids"), value: (x) => x.voids + " · " + money(x.void_minor), num: true },
    { title: t("discounts"), value: (x) => money(x.discount_minor + x.comp_minor), num: true },
    { title: t("refunds"), value: (x) => money(x.refund_minor), num: true },
  ], r.by_staff);
  table(document.querySelector("[data-table=kitchen]"), [
    { title: t("station"), value: (x) => x.station },
    { title: t("tickets"), value: (x) => String(x.tickets), num: true },
    { title: t("avg_time"), value: (x) => seconds(x.average_s), num: true },
    { title: t("p90"), value: (x) => seconds(x.p90_s), num: true },
    { title: t("late"), value: (x) => String(x.late), num: true },
  ], r.kitchen.stations);
  table(document.querySelector("[data-table=kitchen-items]"), [
    { title: t("item"), value: (x) => x.item },
    { title: t("tickets"), value: (x) => String(x.tickets), num: true },
    { title: t("avg_time"), value: (x) => seconds(x.average_s), num: true },
    { title: t("late"), value: (x) => String(x.late), num: true },
  ], r.kitchen.items.slice(0, 10));
  table(document.querySelector("[data-table=adjustments]"), [
    { title: t("kind"), value: (x) => label(x.kind) },
    { title: t("item"), value: (x) => x.item || x.doc || (x.order_number ? "#" + x.order_number : "") },
    { title: t("amount"), value: (x) => money(x.amount_minor), num: true },
    { title: t("reason"), value: (x) => x.reason },
    { title: t("who"), value: (x) => x.actor },
    { title: t("approver"), value: (x) => x.approver },
  ], data.adjustments);
  const v = r.vat;
  table(document.querySelector("[data-table=vat]"), [
    { title: t("kind"), value: (x) => x[0] },
    { title: t("amount"), value: (x) => money(x[1]), num: true },
  ], [[t("vat_sales"), v.standard_sales_ex_vat_minor], [t("vat_due"), v.standard_sales_vat_minor],
    [t("vat_adjust"), v.adjustments_ex_vat_minor], [t("vat_adjust_vat"), v.adjustments_vat_minor],
    [t("vat_net"), v.net_vat_minor]]);
  table(document.querySelector("[data-table=cash]"), [
    { title: t("till"), value: (x) => x.till + " · " + x.business_day },
    { title: t("expected"), value: (x) => money(x.expected_cash_minor), num: true },
    { title: t("counted"), value: (x) => money(x.counted_cash_minor), num: true },
    { title: t("over_short"), value: (x) => money(x.over_short_minor), num: true },
  ], data.cash);
  if (!form.elements.date.value) form.elements.date.value = data.today;
}

function message(text) {
  document.querySelector("[data-testid=message]").textContent = text || "";
}

function status() {
  const node = document.querySelector("[data-testid=live]");
  const time = lastAt ? clock.format(lastAt) : "";
  node.textContent = live ? t("live") + " · " + t("updated", { time: time }) : t("offline", { time: time });
  node.dataset.state = live ? "live" : "down";
}

let asking = null;
let again = false;
function refresh() {
  if (asking) { again = true; return asking; }
  asking = request("GET", "/reports/sales?" + params().toString(), undefined, { token: TOKEN }).then((res) => {
    if (res.status === 401) return window.location.assign("/backoffice/login?next=/admin/reports");
    if (res.status === 403) { message(t("not_yours")); return null; }
    if (res.status === 422) {
      const fields = (res.data.error && res.data.error.fields) || {};
      message(Object.values(fields).flat().join(" ") || res.data.error.message);
      return null;
    }
    if (!res.ok) throw new NetError(String(res.status));
    message("");
    lastAt = new Date();
    show(res.data);
    status();
    summaries();
    return null;
  }).catch(() => message(t("no_answer"))).finally(() => {
    asking = null;
    if (again) { again = false; refresh(); }
  });
  return asking;
}

function summaries() {
  request("GET", "/reports/summaries?limit=14&branch=" + encodeURIComponent(form.elements.branch.value || "all"), undefined, { token: TOKEN }).then((res) => {
    if (!res.ok) return;
    const columns = [
      { title: t("day"), value: (x) => x.business_day, num: true },
      { title: t("net"), value: (x) => money(x.sales.net_minor), num: true },
      { title: t("orders"), value: (x) => String(x.sales.orders), num: true },
      { title: t("best_seller"), value: (x) => { const b = x.best_sellers[0]; return b ? (LANG === "ar" && b.label_ar) || b.key : ""; } },
    ];
    if (CLOUD) columns.unshift({ title: t("branch"), value: (x) => x.branch });
    table(document.querySelector("[data-table=summaries]"), columns, res.data.items);
  }).catch(() => null);
}

function branches() {
  if (!CLOUD) return;
  request("GET", "/cloud/branches", undefined, { token: TOKEN }).then((res) => {
    if (!res.ok) return;
    const select = form.elements.branch;
    const chosen = select.value;
    const list = res.data.items || res.data;
    while (select.options.length > 1) select.remove(1);
    list.forEach((b) => select.append(new Option(b.name + " (" + b.code + ")", b.code)));
    select.value = chosen;
    const box = document.querySelector("[data-testid=branches-health]");
    box.hidden = false;
    table(box.querySelector("[data-table=health]"), [
      { title: t("staff"), value: (b) => b.name },
      { title: "sync", value: (b) => (b.lag ? "⏳ " + b.lag : "✓") + (b.seconds_since_contact !== null ? " · " + Math.round(b.seconds_since_contact / 60) + " min" : ""), num: true },
      { title: "printers", value: (b) => (b.printers_down ? "⚠ " + b.printers_down : "✓"), num: true },
    ], list);
  });
}

form.addEventListener("change", () => {
  const custom = form.elements.period.value === "custom";
  form.querySelectorAll("[data-custom]").forEach((n) => { n.hidden = !custom; });
  form.querySelector("[data-anchor]").hidden = custom;
  refresh();
});

document.querySelectorAll("[data-export]").forEach((a) => a.addEventListener("click", (ev) => {
  ev.preventDefault();
  const q = params();
  q.set("table", a.dataset.export);
  download("/api/v1/reports/export.csv?" + q.toString(), a.dataset.export + ".csv");
}));

// A file from the API (it needs the bearer token, so not a plain link), saved by the browser.
function download(url, name) {
  fetch(url, { headers: { Authorization: "Bearer " + TOKEN } })
    .then((res) => (res.ok ? res.blob() : Promise.reject(new NetError(String(res.status)))))
    .then((blob) => {
      const link = el("a", { href: URL.createObjectURL(blob), download: name });
      document.body.append(link);
      link.click();
      link.remove();
    }).catch(() => message(t("no_answer")));
}

document.querySelector("[data-pdf]").addEventListener("click", (ev) => {
  ev.preventDefault();
  const q = new URLSearchParams({ branch: form.elements.branch.value || "all" });
  const data = new FormData(form);
  const day = data.get("period") === "custom" ? data.get("from") : data.get("date");
  if (day) q.set("date", day);
  download("/api/v1/reports/monthly.pdf?" + q.toString(), "summary.pdf");
});

const socket = openSocket("/floor", TOKEN);
if (socket) {
  socket.on("connect", () => { live = true; status(); refresh(); });
  socket.on("disconnect", () => { live = false; status(); });
  socket.on("report_changed", () => refresh());
}
status();
refresh();
branches();
if (CLOUD) setInterval(() => { if (!document.hidden) { branches(); if (!live) refresh(); } }, 15000);
