// The stock-count screen (/stock/count): a cook counts the ingredients on a phone and submits
// the count once. The entry of static/js/stock/: it loads what the phone kept, wires the
// search, the scanners and the count boxes, and hands the count to the server.
//
// Everything typed lives in localStorage first (per staff member), so a Wi-Fi drop or a
// reload loses nothing. The count's id is made when counting starts; a submitted count waits
// on the phone until the server has it (sent again with the same id until then: the server
// keeps it once and answers a repeat 409 "duplicate", which counts as sent).
import { makeApi } from "../lib/api.js";
import { byId, clear, readJson } from "../lib/dom.js";
import { fieldMessage } from "../lib/field_errors.js";
import { errorText, pageLanguage, translator } from "../lib/i18n.js";
import { leaveOnce } from "../lib/session.js";
import { showOnline } from "../lib/socket.js";
import { browserStorage, jsonStore } from "../lib/store.js";
import { uuid } from "../lib/uuid.js";
import {
  byBarcode, countBody, countedCount, lineErrors, matches, newCount, readQuantity,
} from "./count_model.js";
import { deliver } from "./count_send.js";
import { buildResult, buildRow, pickUnit, rowError } from "./count_view.js";
import { canScan, startScan } from "./scan.js";

const BOOT = readJson("sc-boot");
const t = translator(BOOT.strings);
const LANG = pageLanguage(document);
// A copy loaded while the server was down has no token in it: offline.js keeps this tab's.
const TOKEN = window.PosOffline ? window.PosOffline.token(BOOT.token) : BOOT.token;
const RETRY_MS = 5000;

const goToLogin = leaveOnce(() => {
  window.location.assign("/login?next=" + encodeURIComponent("/stock/count"));
});
const api = makeApi(TOKEN, goToLogin);
const storage = browserStorage();
const cache = jsonStore(storage, "pos.stock.v1.cache"); // the ingredient list, the currency
const mine = jsonStore(storage, "pos.stock.v1.count.staff." + BOOT.staff.id); // the count

const S = {
  ingredients: [],
  rows: new Map(), // ingredient id -> its <li>
  count: null,
  currency: { code: "SAR", exponent: 2 },
  listed: false, // the server's list came (an empty one says: no ingredients yet)
  sending: false,
  scan: null, // the camera scan under way
};

// -- the count on the phone -----------------------------------------------------------------

function startCount() {
  S.count = newCount(uuid(), new Date().toISOString());
  saveCount();
}

function saveCount() {
  mine.save(S.count);
}

function loadKept() {
  S.count = mine.load(null);
  if (!S.count || !S.count.id || !S.count.counts) startCount();
  const kept = cache.load({});
  if (kept.currency) S.currency = kept.currency;
  if (kept.ingredients) S.ingredients = kept.ingredients;
}

// -- the list of ingredients ---------------------------------------------------------------

function loadIngredients() {
  return api("GET", "/stock/levels").then((answer) => {
    showOnline(true);
    if (!answer.ok) return notice(errorText(t, answer.error), "error");
    const fresh = answer.data.ingredients.map((ing) => ({
      id: ing.id, code: ing.code, name: ing.name, unit: ing.unit, barcode: ing.barcode,
    }));
    const changed = JSON.stringify(fresh) !== JSON.stringify(S.ingredients);
    S.ingredients = fresh;
    S.listed = true;
    cache.save({ ...cache.load({}), ingredients: fresh });
    if (changed) drawList();
    else filter(); // the rows stay: a count box being typed in keeps its focus
  }, () => {
    showOnline(false);
    if (!S.ingredients.length) notice(t("offline_no_list"), "error");
  });
}

function loadCurrency() {
  return api("GET", "/branch").then((answer) => {
    if (!answer.ok) return;
    S.currency = { code: answer.data.currency, exponent: answer.data.currency_exponent };
    cache.save({ ...cache.load({}), currency: S.currency });
  }, () => null);
}

function drawList() {
  const list = clear(byId("sc-list"));
  S.rows = new Map();
  const on = { input: onInput, unit: onUnit, enter: onEnter };
  S.ingredients.forEach((ing) => {
    const row = buildRow(ing, S.count.counts[ing.id], t, LANG, on);
    S.rows.set(ing.id, row);
    list.appendChild(row);
    showRowCheck(ing);
  });
  filter();
  drawState();
}

function filter() {
  const query = byId("sc-search").value;
  let shown = 0;
  S.ingredients.forEach((ing) => {
    const visible = matches(ing, query);
    S.rows.get(ing.id).hidden = !visible;
    if (visible) shown += 1;
  });
  const empty = byId("sc-empty");
  empty.hidden = shown > 0 || (!S.ingredients.length && !S.listed);
  empty.textContent = S.ingredients.length ? t("no_match") : t("no_ingredients");
}

function drawSummary() {
  byId("sc-summary-n").textContent = countedCount(S.count) + " / " + S.ingredients.length;
}

// -- typing counts --------------------------------------------------------------------------

function onInput(ing, input) {
  const typed = S.count.counts[ing.id] || { text: "", unit: ing.unit };
  typed.text = input.value;
  if (!typed.text && typed.unit === ing.unit) delete S.count.counts[ing.id];
  else S.count.counts[ing.id] = typed;
  saveCount();
  showRowCheck(ing);
  drawSummary();
}

function onUnit(ing, unit) {
  if (S.count.state !== "counting") return;
  const typed = S.count.counts[ing.id] || { text: "", unit: ing.unit };
  typed.unit = unit;
  S.count.counts[ing.id] = typed;
  saveCount();
  pickUnit(S.rows.get(ing.id), unit);
  showRowCheck(ing);
}

/** Enter in a count box: back to the search box, ready for the next scan or name. */
function onEnter() {
  const search = byId("sc-search");
  search.focus();
  search.select();
}

/** The row's own check of what was typed (a count below zero never leaves the phone). */
function showRowCheck(ing) {
  const row = S.rows.get(ing.id);
  const typed = S.count.counts[ing.id];
  const read = typed ? readQuantity(typed.text, typed.unit || ing.unit) : { empty: true };
  row.dataset.counted = read.value !== undefined ? "true" : "false";
  rowError(row, read.error ? t(read.error) : "");
}

// -- finding an ingredient: search, keyboard-wedge scanner, camera --------------------------

function onSearchKey(event) {
  if (event.key !== "Enter") return;
  event.preventDefault();
  const query = byId("sc-search").value;
  const found = byBarcode(S.ingredients, query) || onlyMatch(query);
  if (found) jumpTo(found);
  else if (/^\d{6,}$/.test(query.trim())) notice(t("no_barcode") + " " + query.trim(), "error");
}

function onlyMatch(query) {
  const hits = S.ingredients.filter((ing) => matches(ing, query));
  return hits.length === 1 ? hits[0] : null;
}

/** Show only this ingredient and put the cursor in its count box. */
function jumpTo(ing) {
  const search = byId("sc-search");
  search.value = ing.barcode || ing.code;
  filter();
  notice("");
  const row = S.rows.get(ing.id);
  row.dataset.jumped = "true";
  setTimeout(() => { row.dataset.jumped = "false"; }, 1500);
  const input = row.querySelector(".sc-qty");
  if (!input.disabled) {
    input.focus();
    input.select();
  }
  row.scrollIntoView({ block: "center" });
}

function openScanner() {
  const sheet = byId("sc-scanner");
  sheet.hidden = false;
  S.scan = startScan(byId("sc-video"));
  S.scan.done.then((code) => {
    closeScanner();
    if (!code) return;
    const found = byBarcode(S.ingredients, code);
    if (found) jumpTo(found);
    else notice(t("no_barcode") + " " + code, "error");
  }, () => {
    closeScanner();
    notice(t("scan_unavailable"), "error");
  });
}

function closeScanner() {
  if (S.scan) S.scan.stop();
  S.scan = null;
  byId("sc-scanner").hidden = true;
}

// -- submitting once ------------------------------------------------------------------------

function submit() {
  if (S.count.state !== "counting") return;
  S.count.note = byId("sc-note").value;
  const built = countBody(S.count, S.ingredients);
  if (built.errors) {
    Object.keys(built.errors).forEach((id) => rowError(S.rows.get(Number(id)), t(built.errors[id])));
    return notice(t("fix_marked"), "error");
  }
  if (built.nothing) return notice(t("nothing_counted"), "error");
  S.count.state = "queued";
  S.count.body = built.body;
  saveCount();
  notice("");
  drawState();
  send();
}

/** Hand the queued count to the server (once at a time); offline, it waits here. */
function send() {
  if (S.sending || S.count.state !== "queued" || !navigator.onLine) return drawState();
  S.sending = true;
  drawState();
  const count = S.count;
  return deliver(api, count.body).then((outcome) => {
    S.sending = false;
    if (count !== S.count) return;
    if (outcome.state === "sent") sent(outcome);
    else if (outcome.state === "refused") refused(outcome);
    else showOnline(false);
    drawState();
  }, () => {
    S.sending = false;
    drawState();
  });
}

function sent(outcome) {
  showOnline(true);
  S.count.state = "sent";
  S.count.result = outcome.result;
  S.count.duplicate = outcome.duplicate;
  saveCount();
}

/** The server said no (422: the marked counts; 403: the role): back to counting. */
function refused(outcome) {
  showOnline(true);
  const body = S.count.body;
  S.count.state = "counting";
  S.count.body = null;
  saveCount();
  const errors = lineErrors(outcome.error.fields, body);
  // The services word a retired ingredient their own way; the code says what it is.
  const told = outcome.error.code === "unknown_reference"
    ? () => t("fe_unknown") : (message) => fieldMessage(t, message);
  Object.keys(errors).filter(Boolean).forEach((id) => {
    const row = S.rows.get(Number(id));
    if (row) rowError(row, errors[id].map(told).join(" "));
  });
  const marked = Object.keys(errors).some(Boolean);
  notice(marked ? t("fix_marked") : errorText(t, outcome.error), "error");
}

function newCountAgain() {
  startCount();
  byId("sc-search").value = "";
  byId("sc-note").value = "";
  notice("");
  drawList();
  window.scrollTo(0, 0);
}

// -- the screen's state ---------------------------------------------------------------------

function drawState() {
  const state = S.count.state;
  const root = byId("sc");
  root.dataset.state = state;
  root.dataset.sending = S.sending ? "true" : "false";
  byId("sc-counting").hidden = state === "sent";
  byId("sc-result").hidden = state !== "sent";
  const locked = state !== "counting";
  document.querySelectorAll(".sc-qty, .sc-unit, #sc-note, #sc-submit").forEach((node) => {
    node.disabled = locked;
  });
  byId("sc-note").value = S.count.note || "";
  const queue = byId("sc-queue");
  queue.hidden = state !== "queued";
  queue.textContent = S.sending ? t("sending") : t("queued");
  if (state === "sent") drawResult();
  drawSummary();
}

function drawResult() {
  const box = clear(byId("sc-result-body"));
  buildResult(S.count.result, S.count.duplicate, t, LANG, S.currency).forEach((node) => {
    if (node) box.appendChild(node);
  });
}

/** A message under the search box ("" hides it); kind "error" or "info". */
function notice(text, kind) {
  const box = byId("sc-notice");
  box.textContent = text || "";
  box.hidden = !text;
  box.dataset.kind = kind || "info";
}

// -- start ----------------------------------------------------------------------------------

function listen() {
  const search = byId("sc-search");
  search.addEventListener("input", filter);
  search.addEventListener("keydown", onSearchKey);
  byId("sc-submit").addEventListener("click", submit);
  byId("sc-new").addEventListener("click", newCountAgain);
  byId("sc-scan-cancel").addEventListener("click", closeScanner);
  byId("sc-note").addEventListener("input", (event) => {
    S.count.note = event.target.value;
    saveCount();
  });
  if (canScan()) {
    const scan = byId("sc-scan");
    scan.hidden = false;
    scan.addEventListener("click", openScanner);
  }
  window.addEventListener("online", () => { send(); loadIngredients(); });
  window.addEventListener("offline", drawState);
  setInterval(() => { if (S.count.state === "queued") send(); }, RETRY_MS);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeScanner(); });
}

function start() {
  loadKept();
  drawList();
  listen();
  loadCurrency().then(() => { if (S.count.state === "sent") drawResult(); });
  loadIngredients().then(send);
}

start();
