// node --test: money on screens (static/js/lib/money.js), as receipts print it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatMoney, parseMoney, plainAmount } from "../../static/js/lib/money.js";

test("minor units are shown with the branch's exponent, grouped, with the currency", () => {
  assert.equal(formatMoney(123450, "SAR", 2, "en"), "1,234.50\u00a0SAR");
  assert.equal(formatMoney(-5, "SAR", 2, "en"), "-0.05\u00a0SAR");
  assert.equal(formatMoney(1234567, "KWD", 3, "en"), "1,234.567\u00a0KWD");
  assert.equal(formatMoney(1500, "JPY", 0, "en"), "1,500\u00a0JPY");
  assert.equal(formatMoney(100, undefined, undefined, "en"), "1.00\u00a0SAR");
});

test("an Arabic page names the currency in Arabic, with Western digits", () => {
  assert.equal(formatMoney(4800, "SAR", 2, "ar"), "48.00\u00a0ر.س");
  assert.equal(formatMoney(4800, "XYZ", 2, "ar"), "48.00\u00a0XYZ");
});

test("what a cashier types is read in minor units, Arabic digits too", () => {
  assert.equal(parseMoney("48", 2), 4800);
  assert.equal(parseMoney("48.5", 2), 4850);
  assert.equal(parseMoney("1,200.05", 2), 120005);
  assert.equal(parseMoney("٤٨٫٥", 2), 4850);
  assert.equal(parseMoney("۱۲", 2), 1200);
  assert.equal(parseMoney("12.999", 2), 1299); // cut, never rounded up
  assert.equal(parseMoney("7", 0), 7);
  assert.equal(parseMoney("", 2), null);
  assert.equal(parseMoney("-3", 2), null);
  assert.equal(parseMoney("3e2", 2), null);
});

test("an amount goes back into a field as a plain number", () => {
  assert.equal(plainAmount(4850, 2), "48.50");
  assert.equal(plainAmount(1234, 3), "1.234");
  assert.equal(plainAmount(7, 0), "7");
  assert.equal(parseMoney(plainAmount(99999, 2), 2), 99999);
});
