"""Kitchen services: tickets from fired orders, start, bump, recall, snapshots.

Receivers of the kernel's order signals run in the order's transaction; commands take an
explicit Actor. Every change a screen must see goes through `events.push_station`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kds.events import push_station
from kds.models import KitchenTicket, KitchenTicketLine, TicketStatus
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.models import Role
from pos_app.clock import utcnow
from pos_app.errors import Conflict, NotFound
from pos_app.locks import lock_key
from pos_app.menu.cache import menu_snapshot
from pos_app.menu.models import Station
from pos_app.orders import services as orders
from pos_app.orders.routing import kitchen_groups, stagger_delays, ticket_header

KITCHEN = (Role.kitchen, Role.manager, Role.owner)


def ticket_dict(ticket: KitchenTicket) -> dict:
    """A ticket as screens and the API see it."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": ticket.id,
        "station_id": ticket.station_id,
        "order_id": ticket.order_id,
        "is_expo": ticket.is_expo,
        "expo_ticket_id": ticket.expo_ticket_id,
        "course": ticket.course,
        "held": ticket.held,
        "is_change": ticket.is_change,
        "rush": ticket.rush,
        "status": ticket.status.value,
        "header": ticket.header,
        "created_at": iso(ticket.created_at),
        "fired_at": iso(ticket.fired_at),
        "start_at": iso(ticket.start_at),
        "started_at": iso(ticket.started_at),
        "bumped_at": iso(ticket.bumped_at),
        "lines": [_line_dict(line) for line in ticket.lines],
    }


def _line_dict(line: KitchenTicketLine) -> dict:
    return {
        "id": line.id,
        "order_line_id": line.order_line_id,
        "station": line.station_code,
        "kind": line.kind,
        "quantity": line.quantity,
        "voided_quantity": line.voided_quantity,
        "void_reason": line.void_reason,
        "name": line.name,
        "name_ar": line.name_ar,
        "modifiers": line.modifiers,
        "old_modifiers": line.old_modifiers,
        "old_quantity": line.old_quantity,
        "note": line.note,
        "allergy": line.allergy,
        "seat": line.seat,
        "done": line.done,
    }


def _stations(session: Session):
    """(kitchen stations by id, the expo station or None, the fallback kitchen station)."""
    active = menu_snapshot(session).active_stations()
    kitchen = {s.id: s for s in active if not s.is_expo}
    expo = next((s for s in active if s.is_expo), None)
    fallback = next(iter(kitchen.values()), None)
    return kitchen, expo, fallback


def on_order_fired(session: Session, order, deltas, stagger=False, reason="", **_kw) -> None:
    """Receiver of `order_fired`: strike voids on screens, ticket the rest per station."""
    kitchen, expo, _fallback = _stations(session)
    rest = [d for d in deltas if d.kind != "void" or not _strike_void(session, d, reason)]
    delays = stagger_delays(rest) if stagger else {}
    groups = kitchen_groups(rest, menu_snapshot(session).active_stations())
    by_course: dict[int, list[KitchenTicket]] = defaultdict(list)
    for (station_id, course), group in groups.items():
        delay = delays.get(group[0].line.station_id, 0)
        by_course[course].append(
            _make_ticket(order, station_id, course, group, kitchen, delay, reason)
        )
    expos = {
        course: _make_expo_ticket(order, expo, course, tickets)
        for course, tickets in by_course.items()
        if expo is not None
    }
    # Two flushes of plain rows: expo first, then the station tickets pointing at it.
    session.add_all(expos.values())
    session.flush()
    for course, tickets in by_course.items():
        for ticket in tickets:
            ticket.expo_ticket_id = expos[course].id if course in expos else None
    session.add_all([t for ts in by_course.values() for t in ts])
    session.flush()
    for course, tickets in sorted(by_course.items()):
        if course in expos:
            push_station(
                session, expo.id, "ticket_created", expo_dict(session, expos[course], tickets)
            )
        for ticket in tickets:
            push_station(session, ticket.station_id, "ticket_created", ticket_dict(ticket))


def _make_ticket(order, station_id, course, deltas, kitchen, delay_min, reason):
    now = utcnow()
    held = course > order.released_course
    ticket = KitchenTicket(
        station_id=station_id,
        order_id=order.id,
        course=course,
        held=held,
        is_change=any(d.is_change for d in deltas),
        rush=order.rush,
        header=ticket_header(order),
        fired_at=None if held else now,
        start_at=now + timedelta(minutes=delay_min) if delay_min and not held else None,
    )
    ticket.lines = [_ticket_line(d, kitchen, reason) for d in deltas]
    return ticket


def _ticket_line(delta, kitchen, reason) -> KitchenTicketLine:
    line = delta.line
    station = kitchen.get(line.station_id)
    return KitchenTicketLine(
        order_line_id=line.id,
        station_code=station.code if station else "",
        kind=delta.kind,
        quantity=delta.quantity,
        name=line.name,
        name_ar=line.name_ar,
        modifiers=list(line.modifiers or []),
        old_modifiers=delta.old_modifiers,
        old_quantity=delta.old_quantity,
        note=line.note,
        allergy=line.allergy,
        seat=line.seat,
        void_reason=reason if delta.kind == "void" else "",
    )


def _make_expo_ticket(order, expo, course, tickets) -> KitchenTicket:
    first = tickets[0]
    expo_ticket = KitchenTicket(
        station_id=expo.id,
        order_id=order.id,
        is_expo=True,
        course=course,
        held=first.held,
        is_change=any(t.is_change for t in tickets),
        rush=order.rush,
        header=ticket_header(order),
        fired_at=first.fired_at,
    )
    expo_ticket.lines = [
        KitchenTicketLine(
            order_line_id=li.order_line_id,
            station_code=li.station_code,
            kind=li.kind,
            quantity=li.quantity,
            name=li.name,
            name_ar=li.name_ar,
            modifiers=li.modifiers,
            old_modifiers=li.old_modifiers,
            old_quantity=li.old_quantity,
            note=li.note,
            allergy=li.allergy,
            seat=li.seat,
            void_reason=li.void_reason,
        )
        for t in tickets
        for li in t.lines
    ]
    return expo_ticket


def expo_dict(session: Session, ticket: KitchenTicket, parts=None) -> dict:
    """An expo ticket with each station's progress on it (`parts`: its station tickets)."""
    body = ticket_dict(ticket)
    if parts is None:
        parts = session.scalars(
            select(KitchenTicket).where(KitchenTicket.expo_ticket_id == ticket.id)
        )
    body["parts"] = [
        {"ticket_id": p.id, "station_id": p.station_id, "status": p.status.value} for p in parts
    ]
    body["complete"] = all(p["status"] == "done" for p in body["parts"])
    return body


def _strike_void(session: Session, delta, reason: str) -> bool:
    """Strike a void through the lines still on screens; False if some was already cooked."""
    left = delta.quantity
    rows = session.scalars(
        select(KitchenTicketLine)
        .join(KitchenTicket)
        .where(
            KitchenTicketLine.order_line_id == delta.line.id,
            KitchenTicket.status != TicketStatus.done,
            KitchenTicketLine.kind != "void",
        )
        .order_by(KitchenTicketLine.id.desc())
    ).all()
    touched = set()
    for row in (r for r in rows if not r.ticket.is_expo):
        take = min(left, row.quantity - row.voided_quantity)
        if take > 0:
            row.voided_quantity += take
            row.void_reason = reason
            left -= take
            touched.add(row.ticket)
    if left:
        return False
    for row in (r for r in rows if r.ticket.is_expo):
        row.voided_quantity = min(row.quantity, row.voided_quantity + delta.quantity)
        row.void_reason = reason
        touched.add(row.ticket)
    for ticket in touched:
        _push_update(session, ticket)
    return True


def _push_update(session: Session, ticket: KitchenTicket) -> None:
    body = expo_dict(session, ticket) if ticket.is_expo else ticket_dict(ticket)
    push_station(session, ticket.station_id, "ticket_updated", body)


def on_course_fired(session: Session, order, course: int, **_kw) -> None:
    """Receiver of `course_fired`: held tickets of that course (and earlier) start cooking."""
    now = utcnow()
    held = session.scalars(
        select(KitchenTicket).where(
            KitchenTicket.order_id == order.id, KitchenTicket.held, KitchenTicket.course <= course
        )
    ).all()
    for ticket in held:
        ticket.held = False
        ticket.fired_at = now
    session.flush()
    for ticket in held:
        _push_update(session, ticket)


def on_order_cancelled(session: Session, order, reason: str, **_kw) -> None:
    """Receiver of `order_cancelled`: every ticket still on a screen is voided."""
    tickets = session.scalars(
        select(KitchenTicket).where(
            KitchenTicket.order_id == order.id, KitchenTicket.status != TicketStatus.done
        )
    ).all()
    for ticket in tickets:
        for line in ticket.lines:
            line.voided_quantity = line.quantity
            line.void_reason = reason
        ticket.header = {**ticket.header, "cancelled": True}
        _push_update(session, ticket)


def lock_ticket_order(session: Session, ticket_id: int) -> None:
    """Queue behind every other writer of the ticket's order: two stations bumping the last
    two tickets of one order at once each see the other's bump, so the order becomes ready."""
    order_id = session.scalar(select(KitchenTicket.order_id).where(KitchenTicket.id == ticket_id))
    if order_id is None:
        raise NotFound(f"no kitchen ticket with id {ticket_id}")
    lock_key(session, "order", order_id)


def get_ticket(session: Session, ticket_id: int) -> KitchenTicket:
    """The ticket, or NotFound."""
    ticket = session.get(KitchenTicket, ticket_id)
    if ticket is None:
        raise NotFound(f"no kitchen ticket with id {ticket_id}")
    return ticket


def start_ticket(session: Session, actor: Actor, ticket_id: int) -> KitchenTicket:
    """A cook starts a ticket."""
    require_role(actor, KITCHEN, "kitchen tickets")
    lock_ticket_order(session, ticket_id)
    ticket = get_ticket(session, ticket_id)
    if ticket.status == TicketStatus.done:
        raise Conflict("this ticket is already done", code="ticket_done")
    if ticket.status == TicketStatus.new:
        ticket.status = TicketStatus.started
        ticket.started_at = utcnow()
        _push_update(session, ticket)
        _push_expo(session, ticket)
    return ticket


def _push_expo(session: Session, ticket: KitchenTicket) -> None:
    """Expo follows its stations' tickets (started, bumped, recalled)."""
    if ticket.expo_ticket_id:
        _push_update(session, get_ticket(session, ticket.expo_ticket_id))


def bump_ticket(session: Session, actor: Actor, ticket_id: int) -> KitchenTicket:
    """Done: the ticket leaves the screen; expo learns, and an expo bump makes the order ready."""
    require_role(actor, KITCHEN, "kitchen tickets")
    lock_ticket_order(session, ticket_id)
    ticket = get_ticket(session, ticket_id)
    if ticket.status == TicketStatus.done:
        return ticket  # a second tap, or a retried command: nothing more to do
    now = utcnow()
    ticket.status, ticket.bumped_at, ticket.bumped_by = TicketStatus.done, now, actor.staff_id
    ticket.started_at = ticket.started_at or now
    for line in ticket.lines:
        line.done, line.done_at = True, line.done_at or now
    session.flush()
    _push_update(session, ticket)
    _push_expo(session, ticket)
    _maybe_ready(session, ticket, actor)
    return ticket


def _maybe_ready(session: Session, ticket: KitchenTicket, actor: Actor) -> None:
    if ticket.expo_ticket_id and not ticket.is_expo:
        return  # expo decides
    waiting = session.scalar(
        select(KitchenTicket.id)
        .where(
            KitchenTicket.order_id == ticket.order_id,
            KitchenTicket.is_expo == ticket.is_expo,
            KitchenTicket.status != TicketStatus.done,
            KitchenTicket.held.is_(False),
        )
        .limit(1)
    )
    if waiting is None:
        orders.mark_ready(session, ticket.order_id, actor)


def bump_line(session: Session, actor: Actor, line_id: int) -> KitchenTicket:
    """One item done; the last item done bumps the ticket."""
    require_role(actor, KITCHEN, "kitchen tickets")
    ticket_id = session.scalar(
        select(KitchenTicketLine.ticket_id).where(KitchenTicketLine.id == line_id)
    )
    if ticket_id is None:
        raise NotFound(f"no ticket line with id {line_id}")
    lock_ticket_order(session, ticket_id)
    line = session.get(KitchenTicketLine, line_id)
    ticket = line.ticket
    if ticket.status == TicketStatus.done:
        return ticket
    line.done, line.done_at = True, utcnow()
    if all(li.done or li.voided_quantity >= li.quantity for li in ticket.lines):
        return bump_ticket(session, actor, ticket.id)
    if ticket.status == TicketStatus.new:
        ticket.status, ticket.started_at = TicketStatus.started, utcnow()
    _push_update(session, ticket)
    _push_expo(session, ticket)
    return ticket


def recall_ticket(
    session: Session, actor: Actor, station_id: int, ticket_id: int | None = None
) -> KitchenTicket:
    """Bring back a bumped ticket (the last one bumped at the station by default)."""
    require_role(actor, KITCHEN, "kitchen tickets")
    if ticket_id is None:
        ticket = session.scalar(
            select(KitchenTicket)
            .where(
                KitchenTicket.station_id == station_id, KitchenTicket.status == TicketStatus.done
            )
            .order_by(KitchenTicket.bumped_at.desc(), KitchenTicket.id.desc())
            .limit(1)
        )
        if ticket is None:
            raise NotFound("nothing bumped to recall at this station")
        lock_ticket_order(session, ticket.id)
        session.refresh(ticket)
    else:
        lock_ticket_order(session, ticket_id)
        ticket = get_ticket(session, ticket_id)
        if ticket.station_id != station_id or ticket.status != TicketStatus.done:
            raise Conflict(
                "only a bumped ticket of this station can be recalled", code="not_bumped"
            )
    ticket.status, ticket.bumped_at = TicketStatus.started, None
    for line in ticket.lines:
        line.done, line.done_at = False, None
    session.flush()
    _push_update(session, ticket)
    _push_expo(session, ticket)
    orders.mark_not_ready(session, ticket.order_id, actor)
    return ticket


def ticket_view(session: Session, ticket: KitchenTicket) -> dict:
    """A ticket as its screen shows it (expo tickets with their stations' progress)."""
    return expo_dict(session, ticket) if ticket.is_expo else ticket_dict(ticket)


def station_snapshot(session: Session, station_id: int) -> dict:
    """Everything a station's screen shows, with the sequence number it is current to."""
    from kds.events import last_seq

    station = session.get(Station, station_id)
    if station is None or not station.active:
        raise NotFound(f"no active station with id {station_id}")
    seq = last_seq(session, station_id)
    open_tickets = session.scalars(
        select(KitchenTicket)
        .options(selectinload(KitchenTicket.lines))
        .where(KitchenTicket.station_id == station_id, KitchenTicket.status != TicketStatus.done)
        .order_by(KitchenTicket.id)
    ).all()
    recent = session.scalars(
        select(KitchenTicket)
        .where(KitchenTicket.station_id == station_id, KitchenTicket.status == TicketStatus.done)
        .order_by(KitchenTicket.bumped_at.desc())
        .limit(10)
    ).all()
    render = expo_dict if station.is_expo else (lambda _s, t: ticket_dict(t))
    tickets = [render(session, t) for t in open_tickets]
    return {
        "station": {
            "id": station.id,
            "code": station.code,
            "name": station.name,
            "name_ar": station.name_ar or station.name,
            "is_expo": station.is_expo,
            "warn_after_s": station.warn_after_s,
            "late_after_s": station.late_after_s,
        },
        "seq": seq,
        "tickets": tickets,
        "recent": [render(session, t) for t in recent],
        "all_day": all_day(tickets),
    }


def all_day(tickets: list[dict]) -> list[dict]:
    """How many of each item are still to cook on these tickets (held ones excluded)."""
    counts: dict[str, dict] = {}
    for ticket in tickets:
        if ticket["held"] or ticket["status"] == "done":
            continue
        for line in ticket["lines"]:
            if line["kind"] == "void" or line["done"]:
                continue
            left = line["quantity"] - line["voided_quantity"]
            if left > 0:
                entry = counts.setdefault(
                    line["name"], {"name": line["name"], "name_ar": line["name_ar"], "count": 0}
                )
                entry["count"] += left
    return sorted(counts.values(), key=lambda e: (-e["count"], e["name"]))
