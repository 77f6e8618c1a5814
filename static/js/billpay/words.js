// The bill widget's words (#billpay-strings, templates/billing/_billpay_strings.html) and
// how it shows money and names in the page's language.
import { readJson } from "../lib/dom.js";
import { errorText as envelopeText, pageLanguage, translator } from "../lib/i18n.js";
import { formatMoney } from "../lib/money.js";

export const LANG = pageLanguage(document);
export const t = translator(readJson("billpay-strings"));

/** Minor units in `currency` with `exponent` (2 when not given), as the page's language shows. */
export function money(minor, currency, exponent) {
  return formatMoney(minor, currency, exponent, LANG);
}

/** A refusal of the API in the page's language. */
export function errorText(error) {
  return envelopeText(t, error);
}

/** A label (a part, an adjustment) or a name in the page's language. */
export function label(obj) {
  if (!obj) return "";
  return (LANG === "ar" && (obj.label_ar || obj.name_ar)) || obj.label || obj.name || "";
}

/** A dish's name in the page's language (Arabic when it has one). */
export function itemName(line) {
  return LANG === "ar" ? line.name_ar || line.name : line.name;
}
