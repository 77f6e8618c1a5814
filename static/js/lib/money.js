// Money on screens: minor units shown with the branch's exponent and currency (Western
// digits, as receipts print), and what a cashier types read back into minor units.
// Pure: no DOM, so `node --test tests/js/` runs it.

/** How Arabic screens name a currency after the amount (as pos_app.money does on pages). */
export const AR_CURRENCY = {
  SAR: "ر.س", AED: "د.إ", KWD: "د.ك", BHD: "د.ب", QAR: "ر.ق", OMR: "ر.ع", EGP: "ج.م", JOD: "د.أ",
};

/** "1,234.50 SAR" (or "1,234.50 ر.س" on an Arabic page); the exponent defaults to 2. */
export function formatMoney(minor, currency, exponent, lang) {
  const exp = exponent === undefined ? 2 : exponent;
  const div = Math.pow(10, exp);
  const abs = Math.abs(minor);
  let text = String(Math.floor(abs / div)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  if (exp) text += "." + String(abs % div).padStart(exp, "0");
  const code = currency || "SAR";
  const symbol = lang === "ar" ? AR_CURRENCY[code] || code : code;
  return (minor < 0 ? "-" : "") + text + "\u00a0" + symbol;
}

/** What a cashier types ("48", "48.5", "٤٨٫٥", "1,200") in minor units, or null. */
export function parseMoney(text, exponent) {
  const s = String(text || "").trim()
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, ".").replace(/[\s,\u066c]/g, "");
  if (!/^\d+(\.\d*)?$/.test(s)) return null;
  const parts = s.split(".");
  const exp = exponent === undefined ? 2 : exponent;
  const frac = (parts[1] || "").slice(0, exp).padEnd(exp, "0");
  return parseInt(parts[0], 10) * Math.pow(10, exp) + (exp ? parseInt(frac || "0", 10) : 0);
}

/** Minor units as a plain number a money field shows ("48.50"). */
export function plainAmount(minor, exponent) {
  const exp = exponent === undefined ? 2 : exponent;
  return exp ? (minor / Math.pow(10, exp)).toFixed(exp) : String(minor);
}
