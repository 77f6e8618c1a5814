// What the screens know of an order's life. Pure: no DOM.

/** The statuses of an order still on the floor (the rest are paid, closed or cancelled). */
export const OPEN_STATUSES = ["open", "in_kitchen", "ready", "served", "picked_up", "out_for_delivery"];

/** Whether an order with this status is still open. */
export function isOpenStatus(status) {
  return OPEN_STATUSES.indexOf(status) >= 0;
}
