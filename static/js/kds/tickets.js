// The board's order and the words of time on the kitchen screen. Pure: tickets in, order out.

/** When a ticket may be cooked: its fire, or its staggered start if later (ms). */
export function fireTime(tk) {
  const fired = Date.parse(tk.fired_at || tk.created_at) || 0;
  const start = tk.start_at ? Date.parse(tk.start_at) || 0 : 0;
  return Math.max(fired, start);
}

export function isRush(tk) {
  return !!(tk.rush || (tk.header && tk.header.rush));
}

/**
 * The board's order: live tickets first (rush ones ahead, then the oldest fire first), then
 * the held ones in their own lane (earliest course first). Never by ticket id: a held
 * course-2 ticket is old but nothing to cook yet.
 */
export function ordered(tickets) {
  return Array.from(tickets.values()).sort((a, b) => {
    if (!!a.held !== !!b.held) return a.held ? 1 : -1;
    if (a.held) return a.course - b.course || a.id - b.id;
    return (isRush(b) - isRush(a)) || fireTime(a) - fireTime(b) || a.id - b.id;
  });
}

/** The ticket after `id` on the board (or before it, at the end), for the selection. */
export function neighbour(tickets, id) {
  const list = ordered(tickets);
  const i = list.findIndex((x) => x.id === id);
  const next = list[i + 1] || list[i - 1];
  return next && next.id !== id ? next.id : null;
}

/** "4:05", "1:02:09". */
export function clockText(seconds) {
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
}

/** "14:05" of an ISO time, in the device's time zone; "" when unreadable. */
export function timeOfDay(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return "";
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

/**
 * Every allergy of the lines still to make, once: shown at the top of the card, so it is
 * seen even when the card's lines must scroll.
 */
export function allergies(tk) {
  const seen = [];
  (tk.lines || []).forEach((li) => {
    const gone = li.kind === "void" || li.voided_quantity >= li.quantity;
    if (li.allergy && !gone && seen.indexOf(li.allergy) < 0) seen.push(li.allergy);
  });
  return seen;
}

/**
 * Expo: one chip per station, done when all its tickets on this card are, cooking when one
 * is; `nameOf(stationId)` names it.
 */
export function stationParts(tk, nameOf) {
  const order = [];
  const byStation = {};
  (tk.parts || []).forEach((p) => {
    let part = byStation[p.station_id];
    if (!part) {
      part = byStation[p.station_id] = { station_id: p.station_id, statuses: [] };
      order.push(part);
    }
    part.statuses.push(p.status);
  });
  return order.map((part) => {
    const all = part.statuses;
    const status = all.every((x) => x === "done") ? "done"
      : all.some((x) => x !== "new") ? "started" : "new";
    return { station_id: part.station_id, status: status, name: nameOf(part.station_id) };
  });
}
