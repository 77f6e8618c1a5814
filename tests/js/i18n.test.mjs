// node --test: the screens' words (static/js/lib/i18n.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorText, fill, translator } from "../../static/js/lib/i18n.js";

test("placeholders are filled everywhere they appear, others stay", () => {
  assert.equal(fill("{n} of {n} ({total})", { n: 2 }), "2 of 2 ({total})");
  assert.equal(fill("no placeholders", undefined), "no placeholders");
});

test("a missing word falls back to the other screen's words, then to its key", () => {
  const billpay = translator({ paid_ok: "Paid" });
  const t = translator({ live: "Live", table_n: "Table {label}" }, billpay);
  assert.equal(t("table_n", { label: "T4" }), "Table T4");
  assert.equal(t("paid_ok"), "Paid");
  assert.equal(t("nowhere"), "nowhere");
  assert.ok(t.has("live") && !t.has("paid_ok"));
});

test("a known refusal is told in the page's words, another by its message", () => {
  const t = translator({ failed: "That did not work", err_order_closed: "The order is closed" });
  assert.equal(errorText(t, { code: "order_closed", message: "order 4 is closed" }), "The order is closed");
  assert.equal(errorText(t, { code: "weird", message: "something odd" }), "something odd");
  assert.equal(errorText(t, { code: "weird" }), "That did not work");
  assert.equal(errorText(t, null), "That did not work");
});
