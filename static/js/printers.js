// Back office printers page: health of every printer and what the virtual printers printed,
// refreshed every 2 s without reloading, with the session's token as Bearer. A ticket is shown
// as its paper: text, its Arabic lines and QR codes as the images the printer draws. Dates in
// the page's language and the branch's time zone; names and numbers isolated (bdi) so that
// mixed-direction text keeps its order on the Arabic page. Built with the DOM, not markup:
// the page's CSP allows no inline style attribute, and images only from this server or blob:
// URLs (made here from the PNGs in the answer).
import { NetError, request } from "./lib/api.js";
import { append, clear, el, readJson } from "./lib/dom.js";
import { translator } from "./lib/i18n.js";

const EVERY_MS = 2000;
const KEEP = 50; // tickets shown per printer, newest first

const root = document.getElementById("printers-page");
const T = root ? readJson("printers-i18n") : {};
const t = translator(T);
const tokenMeta = document.querySelector('meta[name="pos-token"]');
const TOKEN = tokenMeta ? tokenMeta.content : "";
const papers = {}; // printer id -> {last: newest job number shown, jobs: [...]}
const LANG = document.documentElement.lang || "en";
// Arabic: Arabic month names, Gregorian calendar and Western digits, as on the paper.
const dateTime = root ? formatter(LANG === "ar" ? "ar-u-ca-gregory-nu-latn" : LANG, root.dataset.timeZone) : null;

function formatter(locale, timeZone) {
  const options = { dateStyle: "medium", timeStyle: "medium" };
  try {
    return new Intl.DateTimeFormat(locale, Object.assign({ timeZone: timeZone || undefined }, options));
  } catch (e) { // an unknown time zone: the device's own
    return new Intl.DateTimeFormat(locale, options);
  }
}

// The translation with each value isolated in a <bdi> (a name or a date inside Arabic).
function tIsolated(key, vars) {
  return (T[key] || key).split(/(\{[a-z_]+\})/).map((part) => {
    const name = /^\{([a-z_]+)\}$/.exec(part);
    return name && vars && name[1] in vars ? el("bdi", null, String(vars[name[1]])) : part;
  });
}

function when(value) {
  if (value == null) return t("never");
  const d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (isNaN(d)) return "";
  return dateTime.format(d);
}

function api(method, path) {
  return request(method, path, undefined, { token: TOKEN }).then((res) => {
    if (!res.ok) throw new Error((res.error && res.error.message) || String(res.status));
    return res.data;
  });
}

function say(content, error) {
  const box = root.querySelector("[data-testid=message]");
  append(clear(box), content);
  box.classList.toggle("is-error", !!error);
}

function failure(err) {
  return err instanceof NetError ? t("no_answer") : tIsolated("failed", { message: err.message });
}

function showHealth(items) {
  items.forEach((p) => {
    const row = root.querySelector('[data-printer="' + p.id + '"]');
    if (!row) return;
    const state = p.paper_out ? "paper_out" : p.online === true ? "online" : p.online === false ? "offline" : "unknown";
    const badge = row.querySelector("[data-testid=printer-status]");
    badge.dataset.state = state;
    badge.textContent = t(state);
    row.querySelector("[data-testid=queue-depth]").textContent = p.queue_depth;
    row.querySelector("[data-testid=last-printed]").textContent = when(p.last_printed_at);
    row.querySelector("[data-testid=last-error]").textContent = p.last_error || "";
  });
}

function blobUrl(dataUrl) {
  const bytes = atob(dataUrl.slice(dataUrl.indexOf(",") + 1));
  const buffer = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) buffer[i] = bytes.charCodeAt(i);
  return URL.createObjectURL(new Blob([buffer], { type: "image/png" }));
}

function paperPart(part, dots, urls) {
  if (part.kind === "text" || part.kind === "unreadable") {
    const text = part.text.replace(/\n$/, "");
    return text ? el("pre", { class: "paper-" + part.kind }, text) : null;
  }
  if (part.kind === "image" || part.kind === "qr") {
    const alt = part.kind === "qr" ? t("qr_alt", { text: part.text })
      : t("image_alt", { width: part.width, height: part.height });
    if (!part.png) return el("p", { class: "paper-note" }, "[" + alt + "]");
    const img = el("img", { class: "paper-image", alt: alt, title: alt, dataset: { testid: "paper-" + part.kind } });
    img.src = blobUrl(part.png);
    urls.push(img.src);
    const share = part.kind === "qr" ? 50 : Math.min(100, (100 * part.width) / dots);
    img.style.width = share.toFixed(2) + "%";
    return img;
  }
  if (part.kind === "cut") return el("div", { class: "paper-cut", dataset: { testid: "paper-cut" } }, t("cut"));
  if (part.kind === "drawer") return el("p", { class: "paper-note" }, "[" + t("drawer") + "]");
  return null;
}

function ticketNode(job, cols, dots) {
  const caption = el("figcaption", null, el("bdi", null, when(job.at)), " · ", tIsolated("bytes", { n: job.bytes }),
    job.complete ? null : [" · ", el("b", null, t("cut_off"))]);
  // The paper's own layout (ltr): its Arabic is already drawn right to left.
  const paper = el("div", { class: "paper", dir: "ltr", dataset: { testid: "paper" } });
  paper.style.setProperty("--cols", String(cols));
  job.urls = [];
  (job.paper || []).forEach((part) => append(paper, paperPart(part, dots, job.urls)));
  job.node = el("figure", { class: "virtual-ticket" + (job.complete ? "" : " is-cut"),
    dataset: { testid: "virtual-ticket" } }, caption, paper);
  return job.node;
}

function showOutput(section, jobs) {
  const id = section.dataset.virtual;
  const state = papers[id] || (papers[id] = { last: 0, jobs: [] });
  if (!jobs.length && state.shown) return; // nothing new: keep the reader's scroll position
  const restarted = jobs.some((j) => j.number <= state.last);
  const all = jobs.concat(restarted ? [] : state.jobs);
  all.slice(KEEP).concat(restarted ? state.jobs : []).forEach((gone) => {
    (gone.urls || []).forEach((u) => URL.revokeObjectURL(u));
  });
  state.jobs = all.slice(0, KEEP);
  state.last = state.jobs.length ? state.jobs[0].number : 0;
  state.shown = true;
  const cols = Number(section.dataset.cols) || 48;
  const dots = Number(section.dataset.dots) || 576;
  const box = clear(section.querySelector("[data-testid=virtual-output]"));
  if (!state.jobs.length) box.appendChild(el("p", { class: "small" }, t("nothing_printed")));
  state.jobs.forEach((j) => box.appendChild(j.node || ticketNode(j, cols, dots)));
}

let busy = false;
function refresh() {
  if (busy) return;
  busy = true;
  const calls = [api("GET", "/printers/health").then((body) => showHealth(body.items))];
  root.querySelectorAll("[data-virtual]").forEach((section) => {
    const state = papers[section.dataset.virtual];
    calls.push(api("GET", "/printers/" + section.dataset.virtual + "/virtual-output?after=" + (state ? state.last : 0))
      .then((body) => showOutput(section, body.items)));
  });
  Promise.all(calls).then(() => {
    append(clear(root.querySelector("[data-testid=updated]")), tIsolated("updated", { time: when(Date.now() / 1000) }));
  }, (err) => say(failure(err), true)).then(() => { busy = false; });
}

function start() {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-test-print]");
    if (!button) return;
    button.disabled = true;
    api("POST", "/printers/" + button.dataset.testPrint + "/test-print").then(() => {
      say(tIsolated("test_sent", { name: button.dataset.name }));
      refresh();
    }, (err) => say(failure(err), true)).then(() => { button.disabled = false; });
  });
  refresh();
  setInterval(refresh, EVERY_MS);
}

if (root) start();
