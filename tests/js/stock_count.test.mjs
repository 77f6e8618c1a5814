// node --test: the stock count's rules (static/js/stock/count_model.js) and its one send
// (static/js/stock/count_send.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { NetError } from "../../static/js/lib/api.js";
import {
  byBarcode, countBody, lineErrors, matches, newCount, readQuantity, showQuantity, unitChoices,
} from "../../static/js/stock/count_model.js";
import { deliver } from "../../static/js/stock/count_send.js";

const LAMB = { id: 1, code: "lamb", name: { en: "Lamb", ar: "لحم ضأن" }, unit: "g", barcode: "6281000000011" };
const MILK = { id: 2, code: "milk", name: { en: "Milk", ar: "حليب" }, unit: "ml", barcode: null };
const BUN = { id: 3, code: "bun", name: { en: "Burger bun", ar: "خبز برجر" }, unit: "piece", barcode: "6281000000073" };
const ALL = [LAMB, MILK, BUN];

test("search finds an ingredient by either name, its code or its barcode", () => {
  assert.ok(matches(LAMB, "lam") && matches(LAMB, "LAMB") && matches(LAMB, "لحم"));
  assert.ok(matches(LAMB, "لحم ضان")); // alef with hamza or without
  assert.ok(matches(BUN, "burger bun") && matches(BUN, "bun") && matches(BUN, "628100000007"));
  assert.ok(!matches(MILK, "lamb") && matches(MILK, ""));
});

test("a scanned code names the ingredient with that barcode exactly, else that code", () => {
  assert.equal(byBarcode(ALL, "6281000000011"), LAMB);
  assert.equal(byBarcode(ALL, " ٦٢٨١٠٠٠٠٠٠٠٧٣ "), BUN); // Arabic digits
  assert.equal(byBarcode(ALL, "milk"), MILK);
  assert.equal(byBarcode(ALL, "628100000001"), null); // a prefix is no match
  assert.equal(byBarcode(ALL, ""), null);
});

test("a typed count is read in Western or Arabic digits; below zero is refused", () => {
  assert.deepEqual(readQuantity("2.5", "kg"), { value: 2.5 });
  assert.deepEqual(readQuantity("٠٫٩", "kg"), { value: 0.9 });
  assert.deepEqual(readQuantity("1,200", "g"), { value: 1200 });
  assert.deepEqual(readQuantity("0", "g"), { value: 0 });
  assert.deepEqual(readQuantity("  ", "g"), { empty: true });
  assert.deepEqual(readQuantity("-3", "g"), { error: "err_negative" });
  assert.deepEqual(readQuantity("3-", "g"), { error: "err_number" });
  assert.deepEqual(readQuantity("abc", "g"), { error: "err_number" });
  assert.deepEqual(readQuantity("1.0001", "g"), { error: "err_decimals" });
  assert.deepEqual(readQuantity("1.000001", "kg"), { value: 1.000001 });
  assert.deepEqual(readQuantity("2000000000", "g"), { error: "err_too_big" });
});

test("units: grams or kilograms, millilitres or litres, pieces", () => {
  assert.deepEqual(unitChoices("g"), ["g", "kg"]);
  assert.deepEqual(unitChoices("ml"), ["ml", "l"]);
  assert.deepEqual(unitChoices("piece"), ["piece"]);
});

test("the body lists what was counted in the list's order, with its unit and the count's id", () => {
  const count = newCount("c0ffee00-0000-4000-8000-000000000001", "now");
  assert.deepEqual(countBody(count, ALL), { nothing: true });
  count.counts[BUN.id] = { text: "55", unit: "piece" };
  count.counts[LAMB.id] = { text: "0.8", unit: "kg" };
  count.counts[MILK.id] = { text: "", unit: "l" };
  count.note = "  close ";
  assert.deepEqual(countBody(count, ALL), {
    body: {
      id: "c0ffee00-0000-4000-8000-000000000001",
      lines: [
        { ingredient_id: 1, quantity: 0.8, unit: "kg" },
        { ingredient_id: 3, quantity: 55, unit: "piece" },
      ],
      note: "close",
    },
  });
  count.counts[MILK.id] = { text: "-1", unit: "l" };
  assert.deepEqual(countBody(count, ALL), { errors: { 2: "err_negative" } });
});

test("the server's field errors land on the ingredient of their line", () => {
  const body = { lines: [{ ingredient_id: 7 }, { ingredient_id: 9 }] };
  assert.deepEqual(lineErrors({ lines: { 1: { quantity: ["too big"] } } }, body), { 9: ["too big"] });
  assert.deepEqual(lineErrors({ "lines.0.ingredient_id": ["gone"] }, body), { 7: ["gone"] });
  assert.deepEqual(lineErrors({ note: ["long"] }, body), { "": ["long"] });
});

test("quantities read as people read them", () => {
  assert.equal(showQuantity(1250.5), "1,250.5");
  assert.equal(showQuantity(-200), "-200");
  assert.equal(showQuantity(200, true), "+200");
  assert.equal(showQuantity(0, true), "0");
});

test("sent, already there (409 duplicate), refused, or no answer: try again later", async () => {
  const answer = (a) => () => Promise.resolve(a);
  const result = { id: "x", lines: [] };
  assert.deepEqual(await deliver(answer({ ok: true, status: 201, data: result }), {}),
    { state: "sent", result: result, duplicate: false });
  const dup = { code: "duplicate", current: result };
  assert.deepEqual(await deliver(answer({ ok: false, status: 409, error: dup }), {}),
    { state: "sent", result: result, duplicate: true });
  const bad = { code: "validation_failed", fields: {} };
  assert.deepEqual(await deliver(answer({ ok: false, status: 422, error: bad }), {}),
    { state: "refused", status: 422, error: bad });
  const gone = () => Promise.reject(new NetError("offline"));
  assert.deepEqual(await deliver(gone, {}), { state: "queued" });
});
