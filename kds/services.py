"""Kitchen services: tickets from fired orders, start, bump, recall, snapshots.

Receivers of the kernel's order signals run in the order's transaction; commands take an
explicit Actor. Every change a screen must see goes through `events.push_station`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from kds.events import push_station
from kds.expo import ExpoPlan, attach_to_expo, waiting_parts, waiting_summary
from kds.models import KitchenTicket, KitchenTicketLine, TicketStatus
from kds.serialize import expo_dict, expo_dicts, ticket_dict
from pos_app import bulk
from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import KITCHEN_STAFF
from pos_app.clock import utcnow
from pos_app.errors import Conflict, NotFound
from pos_app.locks import lock_key
from pos_app.menu.cache import menu_snapshot
from pos_app.menu.models import Station
from pos_app.orders import services as orders
from pos_app.orders.routing import KitchenGroup, KitchenLine, KitchenSend
from pos_app.outbox import record_event
from pos_app.reports import sources as report_sources


def _expo_station(session: Session):
    """The active expo station, or None."""
    return next((s for s in menu_snapshot(session).active_stations() if s.is_expo), None)


def on_order_fired(session: Session, order, send: KitchenSend, **_kw) -> None:
    """Receiver of `order_fired`: strike voids on screens, ticket the rest per station."""
    expo = _expo_station(session)
    struck = {
        line.order_line_id
        for line in send.lines
        if line.kind == "void" and _strike_void(session, line)
    }
    by_course: dict[int, list[KitchenTicket]] = defaultdict(list)
    for group in send.groups:
        lines = [line for line in group.lines if line.order_line_id not in struck]
        if lines:
            by_course[group.course].append(_make_ticket(order, send, group, lines))
    cards = (
        attach_to_expo(session, order, expo, by_course, send.header) if expo and by_course else []
    )
    # Ids in the send's (station, course) order, as expo lists a card's parts (by id).
    insert_tickets(session, cards, [t for ts in by_course.values() for t in ts])
    for plan in cards:
        name = "ticket_created" if plan.created else "ticket_updated"
        # A new card's parts are this send's tickets; a card on the pass has older ones too.
        parts = sorted(plan.parts, key=lambda p: p.id) if plan.created else None
        push_station(session, expo.id, name, expo_dict(session, plan.card, parts))
        _to_cloud(session, plan.card, "ticket.created" if plan.created else "ticket.updated")
    for _course, tickets in sorted(by_course.items()):
        for ticket in tickets:
            body = ticket_dict(ticket)
            push_station(session, ticket.station_id, "ticket_created", body)
            record_event(session, "ticket.created", "ticket", ticket.id, body)


def _to_cloud(session: Session, ticket: KitchenTicket, kind: str, body: dict | None = None) -> None:
    """The ticket's new state to the outbox: its times are the kitchen's speed in the
    owners' reports (fired, started, bumped; a recall clears the bump)."""
    record_event(session, kind, "ticket", ticket.id, body or ticket_dict(ticket))


def insert_tickets(session: Session, cards: list[ExpoPlan], tickets: list[KitchenTicket]) -> None:
    """Write a send's new expo cards, station tickets and lines: one INSERT per table, the
    cards first (the tickets point at them); the objects stay in the session as written."""
    session.flush()  # the order and its lines first: ticket lines point at them
    new_cards = [plan.card for plan in cards if plan.created]
    bulk.insert_rows(session, new_cards, ("station_id", "course"))
    for plan in cards:
        for part in plan.parts:
            part.expo_ticket_id = plan.card.id
    bulk.insert_rows(session, tickets, ("station_id", "course"))
    lines = []
    for ticket in new_cards + tickets:
        for line in ticket.lines:
            line.ticket_id = ticket.id
            lines.append(line)
    for plan in cards:
        for line in plan.new_lines:
            line.ticket_id = plan.card.id
            lines.append(line)
    bulk.insert_rows(session, lines, ("ticket_id", "order_line_id"))
    bulk.attach(session, [*lines, *new_cards, *tickets])
    for plan in cards:
        if plan.new_lines:  # loaded with the card: its collection, without a change to flush
            set_committed_value(plan.card, "lines", [*plan.card.lines, *plan.new_lines])


def _make_ticket(order, send: KitchenSend, group: KitchenGroup, lines: list[KitchenLine]):
    """A station's ticket for a group of the send (`lines`: those not struck on screens); it
    starts after its first line's stagger wait."""
    now = utcnow()
    delay_min = lines[0].wait_min
    ticket = KitchenTicket(
        station_id=group.station_id,
        order_id=order.id,
        course=group.course,
        held=group.held,
        is_change=any(line.is_change for line in lines),
        rush=order.rush,
        header=dict(send.header),
        fired_at=None if group.held else now,
        start_at=now + timedelta(minutes=delay_min) if delay_min and not group.held else None,
    )
    ticket.lines = [
        KitchenTicketLine(
            order_line_id=line.order_line_id, station_code=line.station_code, **line.said()
        )
        for line in lines
    ]
    return ticket


def _strike_void(session: Session, void: KitchenLine) -> bool:
    """Strike a void through the lines still on screens; False if some was already cooked."""
    left, reason = void.quantity, void.void_reason
    rows = session.scalars(
        select(KitchenTicketLine)
        .join(KitchenTicket)
        .where(
            KitchenTicketLine.order_line_id == void.order_line_id,
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
        row.voided_quantity = min(row.quantity, row.voided_quantity + void.quantity)
        row.void_reason = reason
        touched.add(row.ticket)
    for ticket in touched:
        _push_update(session, ticket)
    return True


def _push_update(session: Session, ticket: KitchenTicket) -> None:
    """A ticket changed: its screen hears it, and the cloud (every change of a ticket comes
    through here: start, bump, a line done, recall, a void struck, a course fired, cancel)."""
    body = expo_dict(session, ticket) if ticket.is_expo else ticket_dict(ticket)
    push_station(session, ticket.station_id, "ticket_updated", body)
    _to_cloud(session, ticket, "ticket.updated", None if ticket.is_expo else body)


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
    require_role(actor, KITCHEN_STAFF, "kitchen tickets")
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
    """Done: the ticket leaves the screen; expo learns. Expo bumps (the order is ready) only
    once every station's part is done: otherwise 409 `stations_not_done` (see ready_anyway)."""
    require_role(actor, KITCHEN_STAFF, "kitchen tickets")
    lock_ticket_order(session, ticket_id)
    ticket = get_ticket(session, ticket_id)
    if ticket.status == TicketStatus.done:
        return ticket  # a second tap, or a retried command: nothing more to do
    if ticket.is_expo:
        waiting = waiting_parts(session, ticket)
        if waiting:
            names = ", ".join(w["station"] for w in waiting_summary(session, waiting))
            raise Conflict(
                f"not every station has bumped this order yet: {names}",
                code="stations_not_done",
                extra={"waiting": waiting_summary(session, waiting)},
            )
    return _bump(session, actor, ticket)


def _bump(session: Session, actor: Actor, ticket: KitchenTicket) -> KitchenTicket:
    now = utcnow()
    ticket.status, ticket.bumped_at, ticket.bumped_by = TicketStatus.done, now, actor.staff_id
    ticket.started_at = ticket.started_at or now
    for line in ticket.lines:
        line.done, line.done_at = True, line.done_at or now
    session.flush()
    if not ticket.is_expo:
        station = session.get(Station, ticket.station_id)
        report_sources.ticket(
            session,
            ticket.id,
            station.name if station is not None else str(ticket.station_id),
            ticket.fired_at or ticket.created_at,
            now,
            station.late_after_s if station is not None else 0,
            [line.name for line in ticket.lines if line.quantity > line.voided_quantity],
        )
    _push_update(session, ticket)
    _push_expo(session, ticket)
    _maybe_ready(session, ticket, actor)
    return ticket


def ready_anyway(session: Session, actor: Actor, ticket_id: int, reason: str = "") -> KitchenTicket:
    """Expo calls a card ready before every station bumped (a cook confirmed it on the
    screen): audited with what was still awaited, and sent to the cloud. The stations'
    tickets stay on their screens for the cooks to bump."""
    require_role(actor, KITCHEN_STAFF, "kitchen tickets")
    lock_ticket_order(session, ticket_id)
    ticket = get_ticket(session, ticket_id)
    if not ticket.is_expo:
        raise Conflict("only an expo ticket can be called ready", code="not_expo")
    if ticket.status == TicketStatus.done:
        return ticket  # a retry: audited once
    waiting = waiting_summary(session, waiting_parts(session, ticket))
    if waiting:
        said = reason or "ready before: " + ", ".join(
            f"{w['station']} ({w['status']})" for w in waiting
        )
        what = {
            "order_id": ticket.order_id,
            "order_number": ticket.header.get("number"),
            "course": ticket.course,
            "waiting": waiting,
        }
        record_audit(
            session,
            actor,
            "kitchen.ready_anyway",
            "kitchen_ticket",
            ticket.id,
            before=what,
            after={"status": "done"},
            reason=said,
        )
        record_event(
            session,
            "kitchen.ready_anyway",
            "order",
            ticket.order_id,
            {**what, "ticket_id": ticket.id, "actor_id": actor.staff_id, "reason": said},
        )
    return _bump(session, actor, ticket)


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
    require_role(actor, KITCHEN_STAFF, "kitchen tickets")
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
    all_done = all(li.done or li.voided_quantity >= li.quantity for li in ticket.lines)
    # Expo ticking off its last plate calls the order ready only once the stations bumped.
    if all_done and not (ticket.is_expo and waiting_parts(session, ticket)):
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
    require_role(actor, KITCHEN_STAFF, "kitchen tickets")
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
    _reopen(ticket)
    expo = get_ticket(session, ticket.expo_ticket_id) if ticket.expo_ticket_id else None
    if expo is not None and expo.status == TicketStatus.done:
        _reopen(expo)  # the dish is being made again: expo waits for it again
    session.flush()
    _push_update(session, ticket)
    _push_expo(session, ticket)
    orders.mark_not_ready(session, ticket.order_id, actor)
    return ticket


def _reopen(ticket: KitchenTicket) -> None:
    ticket.status, ticket.bumped_at = TicketStatus.started, None
    for line in ticket.lines:
        line.done, line.done_at = False, None


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
        .options(selectinload(KitchenTicket.lines))
        .where(KitchenTicket.station_id == station_id, KitchenTicket.status == TicketStatus.done)
        .order_by(KitchenTicket.bumped_at.desc())
        .limit(10)
    ).all()

    def render(rows):  # expo's parts in one query, not one per ticket
        return expo_dicts(session, rows) if station.is_expo else [ticket_dict(t) for t in rows]

    tickets = render(open_tickets)
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
        "recent": render(recent),
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


def late_tickets_today(session: Session, now=None, **_kw) -> dict:
    """Receiver of `today_figures`: the tickets cooking past their station's late time now."""
    now = now or utcnow()
    rows = session.execute(
        select(KitchenTicket.fired_at, Station.late_after_s)
        .join(Station, Station.id == KitchenTicket.station_id)
        .where(
            KitchenTicket.status != TicketStatus.done,
            KitchenTicket.held.is_(False),
            KitchenTicket.fired_at.is_not(None),
        )
    ).all()
    late = sum(1 for fired_at, late_after in rows if (now - fired_at).total_seconds() >= late_after)
    return {"late_tickets": late}
