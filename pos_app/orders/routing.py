"""What the kitchen must be told: per line, the difference from what it was last sent (pure).

An edit after firing sends only the change: `+1`, `VOID 1`, or the old and new modifiers.
A fire becomes one `KitchenSend`, made once and announced with `order_fired` /
`course_fired`: the kitchen screens make tickets from it and the printers chits.
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


@dataclass(frozen=True)
class KitchenLine:
    """One line of a send as the cook reads it, the same on a screen and on paper."""

    order_line_id: str
    station_code: str  # the line's own kitchen station ("" when it is not an active one)
    kind: str  # "add", "void" or "change"
    quantity: int  # how many to add, void, or (change) the new quantity
    name: str
    name_ar: str
    modifiers: tuple
    old_modifiers: tuple  # a change: what the kitchen had
    old_quantity: int
    note: str
    allergy: str
    seat: int | None
    void_reason: str  # a void: why
    is_change: bool  # the kitchen already had something for this order
    wait_min: int  # stagger: minutes the line's station waits before starting

    def said(self) -> dict:
        """What a ticket line and a chit line both show (JSON-ready)."""
        return {name: _json_ready(getattr(self, name)) for name in SAID}


SAID = (
    "kind",
    "quantity",
    "void_reason",
    "name",
    "name_ar",
    "modifiers",
    "old_modifiers",
    "old_quantity",
    "note",
    "allergy",
    "seat",
)


def _json_ready(value):
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class KitchenGroup:
    """What one kitchen station makes of one course in one send: a ticket, a chit."""

    station_id: int
    station_name: str
    station_name_ar: str
    course: int
    held: bool  # a course above the order's released one: shown, not started
    lines: tuple[KitchenLine, ...]

    @property
    def is_change(self) -> bool:
        """An edit of food the kitchen already has."""
        return any(line.is_change for line in self.lines)


@dataclass(frozen=True)
class KitchenSend:
    """One fire as the kitchen hears it: the lines in the order's order, and the same lines
    per (kitchen station, course). `release`: the lines of held courses now released (the
    printers' `FIRE COURSE` chit), not new food."""

    order_id: str
    header: dict  # ticket_header(order): consumers copy it
    lines: tuple[KitchenLine, ...]
    groups: tuple[KitchenGroup, ...]
    release: bool = False


def kitchen_send(
    order: Order, deltas: list[LineDelta], stations, stagger=False, reason="", release=False
) -> KitchenSend:
    """The send of these deltas: routed by `kitchen_groups` (`stations`: the active ones in
    screen order), staggered by `stagger_delays` when asked, voids carrying `reason`."""
    kitchen = {s.id: s for s in stations if not s.is_expo}
    waits = stagger_delays(deltas) if stagger else {}
    made = {id(d): _kitchen_line(d, kitchen, waits, reason) for d in deltas}
    groups = tuple(
        KitchenGroup(
            station_id=station_id,
            station_name=kitchen[station_id].name,
            station_name_ar=kitchen[station_id].name_ar,
            course=course,
            held=course > order.released_course,
            lines=tuple(made[id(d)] for d in group),
        )
        for (station_id, course), group in kitchen_groups(deltas, stations).items()
    )
    lines = tuple(made[id(d)] for d in deltas)
    return KitchenSend(order.id, ticket_header(order), lines, groups, release)


def release_send(order: Order, previous: int, course: int, stations) -> KitchenSend:
    """The send of a held course's release: what was sent of courses previous+1 .. course."""
    released = [
        LineDelta(line, "add", line.sent_quantity, False)
        for line in order.lines
        if previous < line.course <= course and line.sent_quantity > 0
    ]
    return kitchen_send(order, released, stations, release=True)


def _kitchen_line(delta: LineDelta, kitchen: dict, waits: dict, reason: str) -> KitchenLine:
    line = delta.line
    station = kitchen.get(line.station_id)
    return KitchenLine(
        order_line_id=line.id,
        station_code=station.code if station else "",
        kind=delta.kind,
        quantity=delta.quantity,
        name=line.name,
        name_ar=line.name_ar,
        modifiers=tuple(line.modifiers or ()),
        old_modifiers=tuple(delta.old_modifiers or ()),
        old_quantity=delta.old_quantity,
        note=line.note,
        allergy=line.allergy,
        seat=line.seat,
        void_reason=reason if delta.kind == "void" else "",
        is_change=delta.is_change,
        wait_min=waits.get(line.station_id, 0),
    )


def ticket_header(order: Order) -> dict:
    """What heads every kitchen ticket and chit of an order."""
    return {
        "number": order.number,
        "type": order.type.value,
        "table": order.table_label or "",  # "" before the first flush sets the default
        "waiter": order.waiter_name,
        "customer": order.customer_name,
        "guests": order.guests,
        "notes": order.notes,
        "rush": order.rush,
    }
