// The board's tickets, with nothing lost or doubled: every push carries the station's
// sequence number `seq`; a push is applied only when it is the next one, a gap (or a
// reconnect, or a periodic check) asks the server with join_station {after_seq} for exactly
// what was missed, and a snapshot in the answer replaces everything.
import { $, named, root, SHELL, state, t, toast } from "./context.js";
import { signedOutBy, signOut, socket } from "./link.js";
import { openPicker } from "./overlays.js";
import { announce, render } from "./render.js";
import { neighbour } from "./tickets.js";

/** Ask for what came after our seq (everything, the first time); a newer join wins. */
export function join() {
  if (!state.stationId || !socket || !socket.connected) return;
  const body = { station_id: state.stationId };
  if (state.seq !== null) body.after_seq = state.seq;
  const id = ++state.joinId;
  state.joining = true;
  socket.timeout(10000).emit("join_station", body, (err, ack) => {
    if (id !== state.joinId) return; // a newer join (another station, a reconnect) won
    state.joining = false;
    if (err || !ack) {
      setTimeout(join, 2000);
      return;
    }
    if (!ack.ok) {
      const code = (ack.error && ack.error.code) || "";
      if (signedOutBy(code)) {
        signOut();
        return;
      }
      toast(t("failed", { message: (ack.error && ack.error.message) || "?" }), "error");
      if (ack.error && ack.error.code === "not_found") openPicker();
      return;
    }
    if (ack.data.snapshot) applySnapshot(ack.data.snapshot);
    (ack.data.events || []).forEach((ev) => applyPush(ev.name, ev.payload));
    drainQueue();
    keepBoard();
    render();
  });
}

/** Whether a join may go now (connected, none under way, a first snapshot in hand). */
export function canResync() {
  return !!(socket && socket.connected) && !state.joining && state.seq !== null;
}

function applySnapshot(snap) {
  const known = state.tickets;
  const firstLoad = state.seq === null;
  state.station = snap.station;
  state.seq = snap.seq;
  state.tickets = new Map();
  state.pushSeq = {};
  snap.tickets.forEach((tk) => {
    state.tickets.set(tk.id, tk);
    if (!firstLoad && !known.has(tk.id)) announce(tk.id);
  });
  state.recent = (snap.recent || []).slice(0, 10);
  if (state.selected !== null && !state.tickets.has(state.selected)) state.selected = null;
  $("[data-testid=station-name]").textContent = named(snap.station);
  root.classList.toggle("is-expo", !!snap.station.is_expo);
}

/** A ticket push from the socket. */
export function onPush(name, payload) {
  if (!payload || payload.station_id !== state.stationId) return; // an old station's push
  if (state.joining || state.seq === null) {
    state.queue.push({ name: name, payload: payload });
    return;
  }
  applyPush(name, payload);
  drainQueue();
  keepBoard();
  render();
}

// The last board, for a reload while the server is down: the copy of the page shows it and
// asks for what came after its seq once the server is back (offline.js forgets it at logout).
function keepBoard() {
  if (!window.PosOffline || state.seq === null) return;
  window.PosOffline.keep("kds." + state.stationId, {
    station: state.station, seq: state.seq, skew: state.skew, recent: state.recent,
    tickets: Array.from(state.tickets.values()),
  });
}

/** A copy of the page loaded while the server was down shows the board it kept. */
export function showKeptBoard(stationId) {
  const kept = SHELL && window.PosOffline.kept("kds." + stationId);
  if (!kept || !kept.station) return;
  state.station = kept.station;
  state.seq = kept.seq;
  state.skew = kept.skew || 0;
  state.recent = kept.recent || [];
  (kept.tickets || []).forEach((tk) => state.tickets.set(tk.id, tk));
}

// Apply one numbered push; false when a gap was found (a join_station is then under way).
function applyPush(name, p) {
  if (p.station_id !== undefined && p.station_id !== state.stationId) return true;
  if (p.seq <= state.seq) return true; // already have it (replay overlapping a live push)
  if (p.seq !== state.seq + 1) {
    state.queue.push({ name: name, payload: p });
    if (!state.joining) join();
    return false;
  }
  state.seq = p.seq;
  state.pushSeq[p.id] = p.seq;
  upsert(p, name === "ticket_created");
  return true;
}

function drainQueue() {
  if (state.joining || state.seq === null) return;
  const queue = state.queue.sort((a, b) => a.payload.seq - b.payload.seq);
  state.queue = [];
  for (let i = 0; i < queue.length; i++) {
    if (!applyPush(queue[i].name, queue[i].payload)) {
      state.queue = state.queue.concat(queue.slice(i + 1));
      return;
    }
  }
}

function upsert(tk, created) {
  const before = state.tickets.get(tk.id);
  if (tk.is_expo && !tk.parts) {
    const known = before || findRecent(tk.id);
    if (known) {
      tk.parts = known.parts;
      tk.complete = known.complete;
    }
  }
  if (tk.status === "done") {
    state.tickets.delete(tk.id);
    state.recent = [tk].concat(state.recent.filter((r) => r.id !== tk.id)).slice(0, 10);
    if (state.selected === tk.id) state.selected = neighbour(state.tickets, tk.id);
    return;
  }
  state.recent = state.recent.filter((r) => r.id !== tk.id);
  state.tickets.set(tk.id, tk);
  const grew = before && (tk.lines || []).length > (before.lines || []).length;
  if ((created && !before) || (before && before.held && !tk.held) || grew) announce(tk.id);
}

function findRecent(id) {
  return state.recent.filter((r) => r.id === id)[0] || null;
}

/**
 * Apply a command's answer, unless a push about the ticket came after the command left (the
 * push is at least as new).
 */
export function applyAck(ticket, seqWhenSent) {
  if (!ticket) return;
  const pushed = state.pushSeq[ticket.id];
  if (pushed !== undefined && pushed > seqWhenSent) return;
  if (ticket.station_id !== state.stationId) return;
  upsert(ticket, false);
  render();
}
