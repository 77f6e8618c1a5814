"""What the kitchen must be told: per line, the difference from what it was last sent (pure).

An edit after firing sends only the change: `+1`, `VOID 1`, or the old and new modifiers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from pos_app.orders.models import Order, OrderLine


@dataclass
class LineDelta:
    """One line's change for one station's ticket."""

    line: OrderLine
    kind: str  # "add", "void" or "change"
    quantity: int  # how many to add, void, or (change) the new quantity
    is_change: bool  # the kitchen already had something for this order
    old_modifiers: list = field(default_factory=list)
    old_quantity: int = 0


def signature(line: OrderLine) -> str:
    """A short fingerprint of what the cook needs besides the quantity."""
    ids = sorted(m["id"] for m in line.modifiers or [])
    raw = json.dumps([ids, line.note, line.allergy, line.seat], ensure_ascii=False)
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def line_delta(line: OrderLine, order_already_fired: bool) -> LineDelta | None:
    """The change of one line since it was last sent, or None."""
    sent, wanted, sig = line.sent_quantity, line.quantity, signature(line)
    if sent == 0:
        return LineDelta(line, "add", wanted, order_already_fired) if wanted else None
    if wanted == 0:
        return LineDelta(line, "void", sent, True)
    if sig != line.sent_signature:
        return LineDelta(line, "change", wanted, True, line.sent_modifiers, sent)
    if wanted > sent:
        return LineDelta(line, "add", wanted - sent, True)
    if wanted < sent:
        return LineDelta(line, "void", sent - wanted, True)
    return None


def pending_deltas(order: Order, courses: set[int] | None = None) -> list[LineDelta]:
    """Every line's unsent change (only in `courses` when given)."""
    fired = order.fired_at is not None
    out = []
    for line in order.lines:
        if courses is not None and line.course not in courses:
            continue
        delta = line_delta(line, fired)
        if delta:
            out.append(delta)
    return out


def mark_sent(delta: LineDelta) -> None:
    """Record that the kitchen now knows the line as it is."""
    line = delta.line
    line.sent_quantity = line.quantity
    line.sent_signature = signature(line)
    line.sent_modifiers = list(line.modifiers or [])


def has_pending_changes(order: Order) -> bool:
    """True if some line differs from what the kitchen has."""
    fired = order.fired_at is not None
    return any(line_delta(line, fired) for line in order.lines)


def first_course(order: Order) -> int:
    """The course that cooks at once on the first send: the lowest course above drinks."""
    courses = sorted({line.course for line in order.lines if line.quantity and line.course > 0})
    return courses[0] if courses else 0


def stagger_delays(deltas: list[LineDelta]) -> dict[int | None, int]:
    """Minutes each station waits so a course finishes together: the longest prep starts now."""
    prep: dict[int | None, int] = {}
    for delta in deltas:
        if delta.kind == "add":
            station = delta.line.station_id
            prep[station] = max(prep.get(station, 0), delta.line.prep_minutes)
    longest = max(prep.values(), default=0)
    return {station: longest - minutes for station, minutes in prep.items()}


def kitchen_groups(deltas: list[LineDelta], stations) -> dict[tuple[int, int], list[LineDelta]]:
    """Deltas per (kitchen station, course), in that order: a line goes to its station, or to
    the first active kitchen station when its own is gone. `stations`: the active stations in
    screen order (expo never cooks). The kitchen screens and the printers both route by this."""
    kitchen = {s.id: s for s in stations if not s.is_expo}
    fallback = next(iter(kitchen.values()), None)
    groups: dict[tuple[int, int], list[LineDelta]] = {}
    for delta in deltas:
        station = kitchen.get(delta.line.station_id) or fallback
        if station is not None:
            groups.setdefault((station.id, delta.line.course), []).append(delta)
    return dict(sorted(groups.items()))


def ticket_header(order: Order) -> dict:
    """What heads every kitchen ticket and chit of an order."""
    return {
        "number": order.number,
        "type": order.type.value,
        "table": order.table_label,
        "waiter": order.waiter_name,
        "customer": order.customer_name,
        "guests": order.guests,
        "notes": order.notes,
        "rush": order.rush,
    }
