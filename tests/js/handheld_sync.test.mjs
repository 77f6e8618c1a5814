// node --test: the handheld's send queue (static/js/handheld/sync.js) against a fake branch
// server: drafts kept through a reload, the queue's order, retries after a network error with
// a growing wait and the same UUIDs, a stale version (409) answered by re-applying the
// waiter's lines, and a refusal surfaced instead of retried forever.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { makeApi } from "../../static/js/lib/api.js";
import { translator } from "../../static/js/lib/i18n.js";
import { createLocal } from "../../static/js/handheld/local.js";
import { createSync, RETRY_DELAYS_MS } from "../../static/js/handheld/sync.js";

// -- a fake branch server: orders by UUID, lines by UUID, versions, fire -----------------------

function fakeServer() {
  const orders = new Map();
  const server = {
    orders,
    requests: [], // {method, path, body} of every request that reached the server
    down: 0, // the next `down` requests fail as a dropped connection, unanswered
    loseAnswers: 0, // the next requests are done but their answers are lost
    refuse: null, // (method, path, body) -> [status, envelope] to refuse a request
  };
  const json = (status, body) => ({ ok: status < 300, status, json: async () => body });
  const stale = (order) => json(409, { error: { code: "stale_version", message: "changed", current: clone(order) } });
  function handle(method, path, body) {
    const refused = server.refuse && server.refuse(method, path, body);
    if (refused) return json(refused[0], refused[1]);
    if (method === "POST" && path === "/api/v1/orders") {
      if (!orders.has(body.id)) {
        orders.set(body.id, { id: body.id, version: 1, status: "in_kitchen", type: body.type, rush: body.rush,
          lines: body.lines.map((l) => ({ ...l, sent_quantity: l.quantity })), pending_changes: false });
      }
      return json(201, clone(orders.get(body.id)));
    }
    const m = /^\/api\/v1\/orders\/([^/]+)(\/lines|\/fire)?$/.exec(path);
    const order = m && orders.get(m[1]);
    if (!order) return json(404, { error: { code: "not_found", message: "no such order" } });
    if (method === "GET") return json(200, clone(order));
    if (body.version !== order.version) return stale(order);
    if (m[2] === "/lines") {
      const have = new Set(order.lines.map((l) => l.id));
      body.lines.filter((l) => !have.has(l.id)).forEach((l) => order.lines.push({ ...l, sent_quantity: 0 }));
      order.pending_changes = true;
    } else if (m[2] === "/fire") {
      if (!order.pending_changes) return json(409, { error: { code: "nothing_to_fire", message: "nothing" } });
      order.lines.forEach((l) => { l.sent_quantity = l.quantity; });
      order.pending_changes = false;
    } else {
      Object.assign(order, { rush: body.rush });
    }
    order.version += 1;
    return json(200, clone(order));
  }
  server.fetch = async (url, init) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    if (server.down > 0) {
      server.down -= 1;
      throw new TypeError("Failed to fetch");
    }
    server.requests.push({ method: init.method, path: url.replace("/api/v1", ""), body, key: init.headers["Idempotency-Key"] });
    const answer = handle(init.method, url, body);
    if (server.loseAnswers > 0) {
      server.loseAnswers -= 1;
      throw new TypeError("network connection lost");
    }
    return answer;
  };
  return server;
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
}

// Timers the test runs by hand: what was scheduled, and how long it would have waited.
function manualTimers() {
  const timers = { waits: [], due: [] };
  timers.setTimeout = (fn, ms) => {
    timers.waits.push(ms);
    timers.due.push(fn);
    return timers.due.length;
  };
  timers.clearTimeout = () => {};
  timers.runNext = () => timers.due.shift()();
  return timers;
}

// -- a handheld: its state, kept on the device, and its queue ---------------------------------

const t = translator({ failed: "That did not work", send_failed: "Not sent: {message}",
  order_closed: "The order is closed", reapplied: "Sent again on the changed order", sent_ok: "Sent" });

function handheld(server, storage, timers) {
  const local = createLocal(storage, 7);
  const S = { orders: new Map() };
  local.load(S);
  const notes = [];
  const api = makeApi("token", () => notes.push(["signed out"]), { fetch: server.fetch });
  const queue = createSync({
    state: S,
    save: () => local.save(S),
    api: api,
    // The socket is down in these tests: every command goes over HTTP, as on a Wi-Fi drop.
    command: (event, payload, method, path, body) => api(method, path, body === undefined ? payload : body),
    applyOrder: (order) => S.orders.set(order.id, order),
    online: () => true,
    notify: (message, kind) => notes.push([message, kind || "ok"]),
    changed: () => {},
    t: t,
    errorText: (error) => (error && error.message) || t("failed"),
    timers: timers,
  });
  return { S, local, queue, notes };
}

let n = 0;
function draft(fields) {
  n += 1;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  return { id, created: false, type: "takeaway", customer_name: "Huda", rush: false, notes: "",
    lines: [{ id: `${id.slice(0, -4)}aaaa`, item_id: 3, quantity: 2, modifier_ids: [], note: "", allergy: "",
      seat: null, course: 1 }], queued: true, error: null, ...fields };
}

let server;
let storage;
let timers;
beforeEach(() => {
  server = fakeServer();
  storage = memoryStorage();
  timers = manualTimers();
});

test("a draft typed while the server is down survives a reload and is sent once, with its UUIDs", async () => {
  const before = handheld(server, storage, timers);
  const d = draft();
  before.S.drafts[d.id] = d;
  server.down = 1;
  await before.queue.queueSend(d);
  assert.equal(server.requests.length, 0);

  const after = handheld(server, storage, manualTimers()); // the page is loaded again
  assert.deepEqual(after.S.drafts[d.id].lines, d.lines);
  assert.equal(after.S.drafts[d.id].queued, true);
  await after.queue.sync();
  assert.deepEqual([...server.orders.keys()], [d.id]);
  assert.deepEqual(server.orders.get(d.id).lines.map((l) => l.id), [d.lines[0].id]);
  assert.deepEqual(after.S.drafts, {});
  assert.deepEqual(handheld(server, storage, manualTimers()).S.drafts, {}); // and kept so
  assert.deepEqual(after.notes.at(-1), ["Sent", "ok"]);
});

test("queued drafts are sent in the order they were made, also after a reload", async () => {
  const first = handheld(server, storage, timers);
  const a = draft();
  const b = draft();
  const c = draft();
  Object.assign(first.S.drafts, { [a.id]: a, [b.id]: b, [c.id]: c });
  first.local.save(first.S);
  const again = handheld(server, storage, timers);
  await again.queue.sync();
  assert.deepEqual(server.requests.map((r) => r.body.id), [a.id, b.id, c.id]);
});

test("after a network error the queue is tried again later, each wait longer, then sent", async () => {
  const hh = handheld(server, storage, timers);
  const d = draft();
  hh.S.drafts[d.id] = d;
  server.down = 4;
  await hh.queue.sync();
  for (let i = 0; i < 4; i++) {
    assert.equal(timers.due.length, 1); // one retry scheduled at a time
    await timers.runNext();
  }
  assert.deepEqual(timers.waits, RETRY_DELAYS_MS.slice(0, 4));
  assert.ok(timers.waits.every((wait, i) => i === 0 || wait > timers.waits[i - 1]));
  assert.equal(timers.due.length, 0);
  assert.deepEqual([...server.orders.keys()], [d.id]);

  // Sent: the next network error waits the shortest time again.
  const e = draft();
  hh.S.drafts[e.id] = e;
  server.down = 1;
  await hh.queue.sync();
  assert.equal(timers.waits.at(-1), RETRY_DELAYS_MS[0]);
});

test("a send whose answer was lost is sent again with the same UUIDs and taken once", async () => {
  const hh = handheld(server, storage, timers);
  const d = draft();
  hh.S.drafts[d.id] = d;
  server.loseAnswers = 1; // the server took the order; the handheld never heard
  await hh.queue.sync();
  assert.equal(hh.S.drafts[d.id].queued, true);
  await timers.runNext();
  const creates = server.requests.filter((r) => r.path === "/orders");
  assert.equal(creates.length, 2);
  assert.deepEqual(creates[1].body, creates[0].body); // the same order UUID and line UUIDs
  assert.equal(server.orders.size, 1);
  assert.equal(server.orders.get(d.id).lines.length, 1);
  assert.deepEqual(hh.S.drafts, {});
});

test("a stale version (409) re-applies the waiter's lines to the order as it is now", async () => {
  const hh = handheld(server, storage, timers);
  const d = draft();
  server.orders.set(d.id, { id: d.id, version: 1, status: "in_kitchen", type: "takeaway", rush: false,
    lines: [], pending_changes: false });
  hh.S.orders.set(d.id, clone(server.orders.get(d.id))); // what the handheld saw: version 1
  // A colleague added a dish meanwhile: the server's order is at version 2.
  Object.assign(server.orders.get(d.id), { version: 2, lines: [{ id: "colleague", item_id: 9, quantity: 1, sent_quantity: 1 }] });
  hh.S.drafts[d.id] = { ...d, created: true };
  await hh.queue.sync();
  const adds = server.requests.filter((r) => r.path.endsWith("/lines"));
  assert.deepEqual(adds.map((r) => r.body.version), [1, 2]);
  assert.deepEqual(adds[1].body.lines.map((l) => l.id), [d.lines[0].id]);
  const order = server.orders.get(d.id);
  assert.deepEqual(order.lines.map((l) => l.id), ["colleague", d.lines[0].id]);
  assert.equal(order.pending_changes, false); // fired
  assert.deepEqual(hh.S.drafts, {});
  assert.deepEqual(hh.notes.at(-1), ["Sent again on the changed order", "warn"]);
});

test("a refusal other than a stale version is shown and kept, never retried by itself", async () => {
  const hh = handheld(server, storage, timers);
  const d = draft();
  hh.S.drafts[d.id] = d;
  server.refuse = () => [422, { error: { code: "validation_error", message: "guests: too many" } }];
  await hh.queue.sync();
  assert.equal(server.requests.length, 1);
  const kept = hh.S.drafts[d.id];
  assert.equal(kept.queued, false);
  assert.equal(kept.error.code, "validation_error");
  assert.deepEqual(kept.lines, d.lines); // nothing the waiter typed is thrown away
  assert.deepEqual(hh.notes.at(-1), ["Not sent: guests: too many", "error"]);
  assert.equal(timers.due.length, 0);
  await hh.queue.sync();
  await hh.queue.sync();
  assert.equal(server.requests.length, 1);
  assert.equal(handheld(server, storage, timers).S.drafts[d.id].error.code, "validation_error");
});

test("lines for an order closed meanwhile are kept and the waiter is told", async () => {
  const hh = handheld(server, storage, timers);
  const d = draft();
  server.orders.set(d.id, { id: d.id, version: 4, status: "paid", type: "takeaway", lines: [] });
  hh.S.drafts[d.id] = { ...d, created: true };
  await hh.queue.sync();
  assert.equal(hh.S.drafts[d.id].error.code, "order_closed");
  assert.equal(hh.S.drafts[d.id].lines.length, 1);
  assert.deepEqual(hh.notes.at(-1), ["Not sent: The order is closed", "error"]);
});

test("a dish 86'd while the draft waited is refused (409 sold_out): kept, its line named, not retried", async () => {
  const hh = handheld(server, storage, timers);
  const d = draft();
  const hummus = { ...d.lines[0], id: `${d.id.slice(0, -4)}bbbb`, item_id: 9, quantity: 1 };
  d.lines.push(hummus);
  hh.S.drafts[d.id] = d;
  server.refuse = (method, path, body) => (body && body.lines.some((l) => l.item_id === 9)
    ? [409, { error: { code: "sold_out", message: "Hummus is not available now (86'd)",
      fields: { "lines.1.item_id": ["not available now (86'd)"] } } }] : null);
  await hh.queue.sync();
  const kept = hh.S.drafts[d.id];
  assert.equal(kept.queued, false);
  assert.equal(kept.error.code, "sold_out");
  assert.deepEqual(kept.error.line_ids, [hummus.id]);
  assert.equal(kept.lines.length, 2); // nothing thrown away: the waiter takes the dish out
  assert.deepEqual(hh.notes.at(-1), ["Not sent: Hummus is not available now (86'd)", "error"]);
  assert.equal(timers.due.length, 0);
  await hh.queue.sync();
  assert.equal(server.requests.length, 1); // never retried by itself

  kept.lines = kept.lines.filter((l) => l.id !== hummus.id);
  await hh.queue.queueSend(kept);
  assert.equal(hh.S.drafts[d.id], undefined);
  assert.deepEqual(server.orders.get(d.id).lines.map((l) => l.item_id), [3]);
});
