// The handheld's send queue: what the waiter typed (a "draft" per order, its UUIDs made
// once, kept on the device) goes to the server when it can, over the /floor socket when it is
// up, else over HTTP. Sends are retried with the same UUIDs until the server has them (it
// takes an order or a line once), after a network error with a growing wait; a stale version
// (409) is answered by adding the waiter's lines again to the order as it is now; any other
// refusal stops the draft and says why, and nothing the waiter typed is thrown away unless
// they say so.
//
// No DOM: storage, the API, the socket command, the clock and the page's reactions are handed
// in (createSync), so `node --test tests/js/` runs it against a fake server.
import { isStale, NetError } from "../lib/api.js";
import { isOpenStatus } from "../lib/orders.js";

/** Waits after a network error before the queue is tried again (the last one repeats). */
export const RETRY_DELAYS_MS = [4000, 8000, 16000, 30000];
const ATTEMPTS = 6; // stale versions answered in a row before a step gives up

/** A line as the API takes it (without what the draft keeps for showing it offline). */
export function wireLine(line) {
  return {
    id: line.id, item_id: line.item_id, quantity: line.quantity,
    modifier_ids: line.modifier_ids, note: line.note, allergy: line.allergy,
    seat: line.seat, course: line.course,
  };
}

/** The body of create_order for a draft never sent: its UUID, its lines, fired. */
export function createBody(draft) {
  const body = {
    id: draft.id, type: draft.type, rush: !!draft.rush, notes: draft.notes || "",
    lines: draft.lines.map(wireLine), fire: true,
  };
  if (draft.type === "dine_in") {
    body.table_id = draft.table_id;
    body.guests = draft.guests;
  }
  ["customer_name", "customer_phone", "customer_address"].forEach((k) => {
    body[k] = draft[k] || "";
  });
  return body;
}

/** The set of line ids of an order (or a draft). */
export function lineIds(order) {
  const ids = {};
  (order.lines || []).forEach((l) => { ids[l.id] = true; });
  return ids;
}

/**
 * The ids of the sent lines a refusal names by its fields (`lines.N.item_id`: a dish 86'd or
 * out of stock since the waiter typed it), so the page can show which to take out.
 */
export function refusedLines(error, sent) {
  const ids = [];
  Object.keys((error && error.fields) || {}).forEach((key) => {
    const m = /^lines\.(\d+)\./.exec(key);
    const line = m && sent[Number(m[1])];
    if (line && ids.indexOf(line.id) < 0) ids.push(line.id);
  });
  return ids;
}

// The refusal as the draft keeps it: with `line_ids` when it names some of the sent lines.
function refusal(error, sent) {
  const ids = refusedLines(error, sent);
  return error && ids.length ? Object.assign({}, error, { line_ids: ids }) : error;
}

/**
 * The queue of a handheld. deps:
 * - state: {drafts: {id: draft}, orders: Map(id -> order)}; save(): keep state on the device
 * - api(method, path, body): the page's API (lib/api.js makeApi: a NetError when no answer)
 * - command(event, payload, method, path, body): the same over the socket when it is up
 * - applyOrder(order): the page takes an order the server sent
 * - online(): the device has a network; notify(message, kind); changed(): redraw
 * - t(key, vars): the page's words; errorText(error): a refusal in them
 * - timers: {setTimeout, clearTimeout}; retryDelays: RETRY_DELAYS_MS
 */
export function createSync(deps) {
  const state = deps.state;
  const t = deps.t;
  const timers = deps.timers || { setTimeout: setTimeout.bind(globalThis), clearTimeout: clearTimeout.bind(globalThis) };
  const delays = deps.retryDelays || RETRY_DELAYS_MS;
  let syncing = null;
  let again = false;
  let retryTimer = null;
  let failures = 0; // network errors in a row: the wait before the next try grows

  function queued() {
    return Object.keys(state.drafts).map((k) => state.drafts[k]).filter((d) => d.queued);
  }

  /** Queue a draft for sending (in the order drafts were made) and send what can go. */
  function queueSend(draft) {
    draft.queued = true;
    draft.error = null;
    deps.save();
    deps.changed();
    if (!deps.online()) deps.notify(t("saved_offline"), "warn");
    else deps.notify(t("sending"));
    return sync();
  }

  /** Send every queued draft, one at a time; a call while one runs makes it go round again. */
  function sync() {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async function () {
      try {
        do {
          again = false;
          await syncOnce();
        } while (again);
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  }

  async function syncOnce() {
    const drafts = queued();
    if (!drafts.length || !deps.online()) return;
    for (const draft of drafts) {
      try {
        await pushDraft(draft);
        failures = 0;
      } catch (err) {
        if (err instanceof NetError) {
          retrySoon();
          return;
        }
        draft.queued = false;
        draft.error = { code: "failed", message: String(err && err.message) };
      }
      deps.save();
      deps.changed();
    }
  }

  function retrySoon() {
    if (retryTimer) return;
    const wait = delays[Math.min(failures, delays.length - 1)];
    failures += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      return sync();
    }, wait);
  }

  function failDraft(draft, error) {
    draft.queued = false;
    draft.error = error || { code: "failed", message: t("failed") };
    deps.save();
    deps.changed();
    deps.notify(t("send_failed", { message: deps.errorText(draft.error) }), "error");
  }

  // Create it (with its lines, fired), or find the order it adds to as the server has it.
  async function orderFor(draft) {
    let res;
    if (!draft.created) {
      const body = createBody(draft);
      res = await deps.command("create_order", body, "POST", "/orders");
      if (!res.ok) return failDraft(draft, refusal(res.error, body.lines));
      const order = res.data;
      draft.created = true;
      deps.save();
      deps.applyOrder(order);
      return order;
    }
    let order = state.orders.get(draft.id); // maybe stale: the server says so (409), we re-apply
    if (!order) {
      res = await deps.api("GET", "/orders/" + draft.id);
      if (!res.ok) return failDraft(draft, res.error);
      order = res.data;
      deps.applyOrder(order);
    }
    if (!isOpenStatus(order.status)) {
      return failDraft(draft, { code: "order_closed", message: t("order_closed") });
    }
    return order;
  }

  // Hand one draft to the server: create (with its lines, fired) or add the missing lines and
  // fire. Every step is safe to repeat; a stale version re-applies the lines to the order as
  // the server has it now.
  async function pushDraft(draft) {
    let res;
    let reapplied = false;
    const pushing = lineIds(draft); // lines added while this runs go on the next round
    let order = await orderFor(draft);
    if (!order) return;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const have = lineIds(order);
      const missing = draft.lines.filter((l) => !have[l.id]);
      if (!missing.length) break;
      res = await deps.api("POST", "/orders/" + draft.id + "/lines", {
        version: order.version, lines: missing.map(wireLine),
      });
      if (res.ok) {
        order = res.data;
        deps.applyOrder(order);
        break;
      }
      if (isStale(res)) {
        order = res.error.current; // someone else changed it: add ours to it as it is now
        deps.applyOrder(order);
        reapplied = true;
        continue;
      }
      if (res.error && res.error.code === "order_closed") {
        deps.applyOrder(res.error.current);
        return failDraft(draft, { code: "order_closed", message: t("order_closed") });
      }
      return failDraft(draft, refusal(res.error, missing));
    }
    if (draft.created && draft.rush && !order.rush) {
      res = await deps.api("PATCH", "/orders/" + draft.id, { version: order.version, rush: true });
      if (res.ok) {
        order = res.data;
        deps.applyOrder(order);
      }
    }
    for (let attempt = 0; attempt < ATTEMPTS && order.pending_changes; attempt++) {
      res = await deps.command("fire_order", { order_id: draft.id, version: order.version }, "POST",
        "/orders/" + draft.id + "/fire", { version: order.version });
      if (res.ok) {
        order = res.data;
        deps.applyOrder(order);
        break;
      }
      if (isStale(res)) {
        order = res.error.current;
        deps.applyOrder(order);
        continue;
      }
      if (res.error && res.error.code === "nothing_to_fire") break;
      return failDraft(draft, res.error);
    }
    const sent = lineIds(order);
    draft.lines = draft.lines.filter((l) => !sent[l.id]);
    if (draft.lines.some((l) => pushing[l.id])) {
      return failDraft(draft, { code: "stale_version", message: t("failed") }); // kept, shown
    }
    draft.error = null;
    if (draft.lines.length) again = true; // typed meanwhile: they follow at once
    else {
      draft.queued = false;
      delete state.drafts[draft.id];
    }
    deps.save();
    deps.notify(reapplied ? t("reapplied") : t("sent_ok"), reapplied ? "warn" : "ok");
  }

  return {
    queueSend: queueSend,
    sync: sync,
    /** Whether a draft waits to be sent. */
    hasQueued: () => queued().length > 0,
  };
}
