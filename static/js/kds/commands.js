// What the cook does to tickets: start, bump, bump a line, recall, ready anyway (over the
// socket), and reprint a chit (over HTTP). A second tap while the first is on its way does
// nothing; the answer is applied unless a newer push came.
import { request } from "../lib/api.js";
import { $, COMMAND_TIMEOUT_MS, state, t, toast, TOKEN } from "./context.js";
import { applyAck } from "./feed.js";
import { emit, signOut } from "./link.js";
import { closeOverlays, openOverlay } from "./overlays.js";
import { flashCard, markBusy, render } from "./render.js";
import { partsOf } from "./card.js";

/** An HTTP call of the API with the screen's token: resolves {ok, status, body, message}. */
export function api(method, path, body) {
  return request(method, path, body, { token: TOKEN, timeoutMs: COMMAND_TIMEOUT_MS }).then((res) => {
    const error = res.error || {};
    return { ok: res.ok, status: res.status, body: res.data,
      message: error.message || error.code || String(res.status) };
  }, () => ({ ok: false, status: 0, body: null, message: t("no_answer") }));
}

function command(name, data, key, ticketId) {
  if (state.pending[key]) return; // a second tap while the first is on its way
  state.pending[key] = true;
  const seqWhenSent = state.seq;
  markBusy(ticketId, true);
  emit(name, data, (ack) => {
    delete state.pending[key];
    markBusy(ticketId, false);
    const ticket = ack && ack.data; // the ticket, as the HTTP endpoint answers it
    if (ticket) applyAck(ticket, seqWhenSent);
    if (ticket && name === "recall_ticket") {
      flashCard(ticket.id);
      state.selected = ticket.id;
      render();
    }
  });
}

export function startTicket(id) {
  const tk = state.tickets.get(id);
  if (!tk || tk.status !== "new") return;
  command("start_ticket", { ticket_id: id }, "t" + id, id);
}

export function bumpTicket(id) {
  const tk = state.tickets.get(id);
  if (!tk) return;
  if (tk.is_expo && !(tk.complete && !tk.held)) {
    if (!tk.held) askReadyAnyway(id); // Enter on the bump bar: the same question as a tap
    return;
  }
  command("bump_ticket", { ticket_id: id }, "t" + id, id);
}

/**
 * "Ready anyway": expo calls the order ready before every station bumped. The cook sees
 * which stations are still going and confirms; "Wait" has the focus, so a second Enter from
 * the bump bar changes nothing.
 */
export function askReadyAnyway(id) {
  const tk = state.tickets.get(id);
  if (!tk || !tk.is_expo) return;
  const waiting = partsOf(tk).filter((p) => p.status !== "done")
    .map((p) => p.name + " (" + t(p.status === "started" ? "cooking" : "not_started") + ")");
  $("[data-testid=confirm-order]").textContent = "#" + ((tk.header || {}).number || "");
  $("[data-testid=confirm-waiting]").textContent = t("ready_anyway_waiting", { stations: waiting.join(", ") });
  openOverlay("confirm-ready");
  state.confirming = id;
  $("[data-testid=confirm-wait]").focus();
}

export function confirmReadyAnyway() {
  const id = state.confirming;
  closeOverlays();
  if (id === null || !state.tickets.has(id)) return;
  command("ready_anyway", { ticket_id: id }, "t" + id, id);
}

export function bumpLine(ticketId, lineId) {
  command("bump_line", { line_id: lineId }, "l" + lineId, ticketId);
}

/** Recall a bumped ticket (the last one when `ticketId` is null). */
export function recall(ticketId) {
  const data = { station_id: state.stationId };
  if (ticketId) data.ticket_id = ticketId;
  command("recall_ticket", data, "recall", null);
}

export function reprint(id) {
  const tk = state.tickets.get(id);
  const key = "p" + id;
  if (!tk || state.pending[key]) return;
  state.pending[key] = true;
  api("POST", "/print-jobs/reprint", {
    order_id: tk.order_id,
    station_id: state.stationId,
    course: tk.course,
    reason: "reprint asked from the kitchen screen",
  }).then((answer) => {
    if (answer.ok) toast(t("reprint_sent"), "info");
    else if (answer.status === 404) toast(t("nothing_to_reprint"), "error");
    else if (answer.status === 401) signOut();
    else toast(t("failed", { message: answer.message }), "error");
  }).then(() => { delete state.pending[key]; });
}
