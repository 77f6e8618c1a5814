// node --test: the kitchen board's order and its words of time (static/js/kds/tickets.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { allergies, clockText, neighbour, ordered } from "../../static/js/kds/tickets.js";

const at = (minute) => `2025-03-14T12:${String(minute).padStart(2, "0")}:00Z`;
const board = (...tickets) => new Map(tickets.map((tk) => [tk.id, tk]));

test("live tickets come first, rush ahead, then the oldest fire; held ones after, by course", () => {
  const tickets = board(
    { id: 1, course: 2, held: true, fired_at: at(0) },
    { id: 2, course: 1, fired_at: at(10) },
    { id: 3, course: 1, fired_at: at(5) },
    { id: 4, course: 1, fired_at: at(20), header: { rush: true } },
    { id: 5, course: 1, held: true, fired_at: at(1) },
    // Sent first but staggered to start later: it waits behind what may be cooked now.
    { id: 6, course: 1, fired_at: at(1), start_at: at(15) },
  );
  assert.deepEqual(ordered(tickets).map((tk) => tk.id), [4, 3, 2, 6, 5, 1]);
});

test("after a bump the selection moves to the ticket that took its place", () => {
  const tickets = board({ id: 1, course: 1, fired_at: at(0) }, { id: 2, course: 1, fired_at: at(1) },
    { id: 3, course: 1, fired_at: at(2) });
  assert.equal(neighbour(tickets, 2), 3);
  assert.equal(neighbour(tickets, 3), 2);
  assert.equal(neighbour(board({ id: 1, course: 1 }), 1), null);
});

test("a card's allergy banner lists each allergy of the lines still to make, once", () => {
  const tk = { lines: [
    { allergy: "nuts", quantity: 1, voided_quantity: 0 },
    { allergy: "nuts", quantity: 2, voided_quantity: 0 },
    { allergy: "sesame", quantity: 1, voided_quantity: 1 },
    { allergy: "dairy", quantity: 1, voided_quantity: 0, kind: "void" },
    { allergy: "", quantity: 1, voided_quantity: 0 },
  ] };
  assert.deepEqual(allergies(tk), ["nuts"]);
});

test("timers read minutes and seconds, hours once past the hour", () => {
  assert.equal(clockText(0), "0:00");
  assert.equal(clockText(65.9), "1:05");
  assert.equal(clockText(3725), "1:02:05");
});
