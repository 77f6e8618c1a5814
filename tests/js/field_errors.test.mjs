// node --test: the API's English field messages told in the page's language.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fieldMessage, fieldMessages } from "../../static/js/lib/field_errors.js";
import { translator } from "../../static/js/lib/i18n.js";

const t = translator({
  fe_required: "مطلوب",
  fe_range: "بين {min} و{max}",
  fe_taken: "مستخدم من قبل",
  fe_length: "الطول بين {min} و{max}",
});

test("known messages are translated with their numbers", () => {
  assert.equal(fieldMessage(t, "Missing data for required field."), "مطلوب");
  assert.equal(
    fieldMessage(t, "Must be greater than or equal to 0 and less than or equal to 100000000."),
    "بين 0 و100000000",
  );
  assert.equal(fieldMessage(t, "already in use"), "مستخدم من قبل");
  assert.equal(fieldMessage(t, "Length must be between 1 and 120."), "الطول بين 1 و120");
});

test("an unknown message, or a known one the page has no word for, stays as the API said", () => {
  assert.equal(fieldMessage(t, "something new"), "something new");
  assert.equal(fieldMessage(t, "Not a valid email address."), "Not a valid email address.");
});

test("nested messages of a field are joined, each translated", () => {
  assert.deepEqual(
    fieldMessages(t, { name: ["already in use"], lines: { 0: { qty: ["Missing data for required field."] } } }),
    { name: "مستخدم من قبل", lines: "مطلوب" },
  );
  assert.deepEqual(fieldMessages(t, undefined), {});
});
