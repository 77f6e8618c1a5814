// The orders being typed on this handheld ("drafts", kept on the device) and their send
// queue (sync.js, wired here to the page's API, socket, state and toasts).
import { uuid } from "../lib/uuid.js";
import { api, errorText, S, saveLocal, t } from "./context.js";
import { command } from "./link.js";
import { applyOrder } from "./orders.js";
import { flash, render } from "./screen.js";
import { createSync } from "./sync.js";

const queue = createSync({
  state: S,
  save: saveLocal,
  api: api,
  command: command,
  applyOrder: applyOrder,
  online: () => navigator.onLine,
  notify: flash,
  changed: render,
  t: t,
  errorText: errorText,
});

/** Queue a draft and send what can go. */
export const queueSend = queue.queueSend;
/** Send the queued drafts now (a reconnect, the network back, the tab shown again). */
export const sync = queue.sync;
export const hasQueued = queue.hasQueued;

/** A new draft (its UUID made once, here), kept on the device at once. */
export function newDraft(fields) {
  const draft = Object.assign({
    id: uuid(), created: false, type: "dine_in", table_id: null, table_label: "", guests: null,
    customer_name: "", customer_phone: "", customer_address: "", notes: "", rush: false,
    lines: [], queued: false, error: null,
  }, fields);
  S.drafts[draft.id] = draft;
  saveLocal();
  return draft;
}

/** The draft of an order (made, for an order on the server, when `create`). */
export function draftFor(orderId, create) {
  let draft = S.drafts[orderId];
  if (!draft && create) {
    const o = S.orders.get(orderId);
    draft = newDraft({
      id: orderId, created: true, type: o ? o.type : "dine_in",
      table_id: o ? o.table_id : null, table_label: o ? o.table_label : "",
      guests: o ? o.guests : null,
    });
  }
  return draft;
}

export function dropDraftIfEmpty(draft) {
  if (draft && !draft.lines.length && !draft.queued && (draft.created || draft.discard)) {
    delete S.drafts[draft.id];
  }
  saveLocal();
}

/** A new line of `item` (its name and price kept for showing it offline). */
export function makeLine(item, fields) {
  return Object.assign({ id: uuid(), item_id: item.id, _name: item.name, _price: item.price_minor }, fields);
}

export function modifierById(id) {
  let found = null;
  S.groups.forEach((g) => {
    g.modifiers.forEach((m) => { if (m.id === id) found = m; });
  });
  return found;
}

/** A draft line's unit price: the item's and its modifiers'. */
export function lineUnit(line) {
  const item = S.items.get(line.item_id);
  const base = item ? item.price_minor : line._price || 0;
  return base + line.modifier_ids.reduce((sum, id) => {
    const m = modifierById(id);
    return sum + (m ? m.price_delta_minor : 0);
  }, 0);
}

/** The table's draft not yet created on the server (a party being seated). */
export function localDraftAt(tableId) {
  return Object.keys(S.drafts).map((k) => S.drafts[k]).filter((d) => (
    !d.created && d.type === "dine_in" && d.table_id === tableId))[0];
}
