// The stock count's rules, apart from the page: finding an ingredient (name in either
// language, code, barcode), reading a typed count, the units it may be typed in, the body of
// POST /stock/counts, and the server's field errors per ingredient.
// Pure: no DOM, no storage, so `node --test tests/js/` runs it.

// What each unit of stock may be counted in (the server converts: pos_app/stock/units.py).
const UNITS = { g: ["g", "kg"], ml: ["ml", "l"], piece: ["piece"] };
// Decimals the server takes: thousandths of the ingredient's unit (kg and l: 6 places).
const DECIMALS = { g: 3, ml: 3, piece: 3, kg: 6, l: 6 };
const MAX_QUANTITY = 1000000000; // pos_app/stock/schemas.py MAX_QUANTITY

/** The units an ingredient kept in `unit` may be counted in; its own unit first. */
export function unitChoices(unit) {
  return UNITS[unit] || [unit];
}

/** Text made comparable: lower case, Western digits, Arabic without its marks and with
 *  one form of alef, yaa and taa marbuta (people type them either way). */
export function fold(text) {
  return westernDigits(String(text || "")).toLowerCase()
    .replace(/[\u064b-\u065f\u0670\u0640]/g, "")
    .replace(/[\u0622\u0623\u0625]/g, "\u0627")
    .replace(/\u0649/g, "\u064a")
    .replace(/\u0629/g, "\u0647")
    .replace(/\s+/g, " ")
    .trim();
}

function westernDigits(text) {
  return text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

/** Whether ingredient `ing` matches what was typed in the search box (every word of it). */
export function matches(ing, query) {
  const words = fold(query).split(" ").filter(Boolean);
  if (!words.length) return true;
  const name = ing.name || {};
  const hay = fold([name.en, name.ar, ing.code, ing.barcode].filter(Boolean).join(" "));
  return words.every((word) => hay.indexOf(word) >= 0);
}

/** The ingredient a scanner's code names: its barcode exactly, else its code exactly. */
export function byBarcode(ingredients, code) {
  const wanted = westernDigits(String(code || "")).trim();
  if (!wanted) return null;
  return ingredients.find((ing) => ing.barcode && ing.barcode === wanted) ||
    ingredients.find((ing) => fold(ing.code) === fold(wanted)) || null;
}

/**
 * A typed count read back: {empty: true}, {value: number}, or {error: key of the page's
 * strings}. Arabic digits and the Arabic decimal mark are taken; a count below zero is not.
 */
export function readQuantity(text, unit) {
  const s = westernDigits(String(text || "").trim())
    .replace(/\u066b/g, ".").replace(/[\s,\u066c]/g, "");
  if (!s) return { empty: true };
  if (/^[-\u2212]/.test(s)) return { error: "err_negative" };
  if (!/^\d*\.?\d*$/.test(s) || s === ".") return { error: "err_number" };
  const decimals = (s.split(".")[1] || "").length;
  if (decimals > (DECIMALS[unit] === undefined ? 3 : DECIMALS[unit])) return { error: "err_decimals" };
  const value = Number(s);
  if (!isFinite(value) || value > MAX_QUANTITY) return { error: "err_too_big" };
  return { value: value };
}

/** A new count: its id (made once, here, by the phone) and nothing counted yet. */
export function newCount(id, now) {
  return { id: id, started_at: now, counts: {}, note: "", state: "counting", body: null, result: null };
}

/**
 * The body of POST /stock/counts from what was typed, in the list's order, or the errors per
 * ingredient id; an empty count is refused as `nothing`.
 */
export function countBody(count, ingredients) {
  const lines = [];
  const errors = {};
  ingredients.forEach((ing) => {
    const typed = count.counts[ing.id];
    if (!typed) return;
    const unit = typed.unit || ing.unit;
    const read = readQuantity(typed.text, unit);
    if (read.empty) return;
    if (read.error) errors[ing.id] = read.error;
    else lines.push({ ingredient_id: ing.id, quantity: read.value, unit: unit });
  });
  if (Object.keys(errors).length) return { errors: errors };
  if (!lines.length) return { nothing: true };
  return { body: { id: count.id, lines: lines, note: String(count.note || "").trim().slice(0, 300) } };
}

/** How many ingredients have a count typed. */
export function countedCount(count) {
  return Object.keys(count.counts).filter((id) => !readQuantity(count.counts[id].text).empty)
    .length;
}

/**
 * A 422's fields ({"lines": {"0": {"quantity": [...]}}} from the schema, or
 * {"lines.0.quantity": [...]} from the services) as {ingredient id: [messages]} by the
 * lines of `body`; what names no line goes under "" (the whole count).
 */
export function lineErrors(fields, body) {
  const out = {};
  flatten(fields || {}, "").forEach(([path, message]) => {
    const m = /^lines\.(\d+)(?:\.|$)/.exec(path);
    const line = m && body && body.lines[Number(m[1])];
    const key = line ? String(line.ingredient_id) : "";
    (out[key] = out[key] || []).push(message);
  });
  return out;
}

function flatten(value, path) {
  if (Array.isArray(value)) return value.flatMap((v) => flatten(v, path));
  if (value && typeof value === "object") {
    return Object.keys(value).flatMap((k) => flatten(value[k], path ? path + "." + k : k));
  }
  return [[path, String(value)]];
}

/** A quantity the server gave (250, 1.5, -200) as people read it: "1,250.5"; `signed`
 *  puts a "+" before a gain too (a variance). */
export function showQuantity(value, signed) {
  const n = Number(value) || 0;
  const [whole, frac] = Math.abs(n).toFixed(3).replace(/0+$/, "").replace(/\.$/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (n < 0 ? "-" : n > 0 && signed ? "+" : "") + grouped + (frac ? "." + frac : "");
}
