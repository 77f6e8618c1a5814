"""Expo: one card per order and course, and when it may be called ready.

A send's station tickets join the order's open expo ticket of their course instead of making
another card (an edit adds to the card, marked as a change); drinks (course 0) join the
course they go out with. Expo may call a card ready only when every station's part of it is
settled (`serialize.part_settled`); otherwise only "ready anyway", which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kds.models import KitchenTicket, KitchenTicketLine, TicketStatus
from kds.serialize import part_settled, parts_of
from pos_app.menu.models import Station
from pos_app.orders.routing import SAID

DRINKS = 0


def open_expo_tickets(session: Session, order_id: str) -> list[KitchenTicket]:
    """The order's expo tickets not yet bumped, oldest first."""
    return list(
        session.scalars(
            select(KitchenTicket)
            .options(selectinload(KitchenTicket.lines))
            .where(
                KitchenTicket.order_id == order_id,
                KitchenTicket.is_expo,
                KitchenTicket.status != TicketStatus.done,
            )
            .order_by(KitchenTicket.id)
        )
    )


def card_course(order, course: int, sent_courses, open_cards) -> int:
    """The expo card a course's tickets join: its own, except drinks, which go out with the
    lowest food course cooking in this send, else with the order's food on the pass now."""
    if course != DRINKS:
        return course
    cooking = sorted(c for c in sent_courses if DRINKS < c <= order.released_course)
    if cooking:
        return cooking[0]
    on_pass = [c.course for c in open_cards if not c.held and c.course != DRINKS]
    return max(on_pass) if on_pass else DRINKS


def attach_to_expo(
    session: Session,
    order,
    expo: Station,
    by_course: dict[int, list[KitchenTicket]],
    header: dict,
) -> list[ExpoPlan]:
    """Give this send's station tickets their expo cards. `header`: the send's ticket header.
    Nothing is written here: new cards carry their lines; a card already on the pass gets its
    new lines in the plan's `new_lines`, not in its collection (kds.services writes them)."""
    # An order's first send (nothing in it is a change) has no card on the pass: no query.
    first_send = not any(p.is_change for parts in by_course.values() for p in parts)
    open_cards = [] if first_send else open_expo_tickets(session, order.id)
    latest = {card.course: card for card in open_cards}  # a later one of a course wins
    plan: dict[int, ExpoPlan] = {}
    for course in sorted(by_course):
        key = card_course(order, course, by_course.keys(), open_cards)
        entry = plan.get(key)
        if entry is None:
            card = latest.get(key)
            entry = plan[key] = ExpoPlan(card or _new_card(order, expo, key, header), card is None)
        entry.parts.extend(by_course[course])
    for entry in plan.values():
        card, parts = entry.card, entry.parts
        lines = _copy_lines(parts)
        if entry.created:
            card.lines = lines
            card.held = all(p.held for p in parts)
            card.is_change = any(p.is_change for p in parts)
            card.fired_at = next((p.fired_at for p in parts if not p.held), None)
        else:  # more for a card already on the pass: a change, with the order's header now
            entry.new_lines = lines
            card.is_change = True
            card.header = dict(header)
            card.rush = order.rush
    return list(plan.values())


@dataclass
class ExpoPlan:
    """One expo card of a send: `created` in this send or already on the pass, the send's
    station tickets it gathers (`parts`), and the lines a card on the pass gains."""

    card: KitchenTicket
    created: bool
    parts: list[KitchenTicket] = field(default_factory=list)
    new_lines: list[KitchenTicketLine] = field(default_factory=list)


def _new_card(order, expo: Station, course: int, header: dict) -> KitchenTicket:
    return KitchenTicket(
        station_id=expo.id,
        order_id=order.id,
        is_expo=True,
        course=course,
        rush=order.rush,
        header=dict(header),
    )


def _copy_lines(parts: list[KitchenTicket]) -> list[KitchenTicketLine]:
    """Expo gets a copy of each station line (the kitchen send's fields, routing.SAID)."""
    return [
        KitchenTicketLine(
            order_line_id=li.order_line_id,
            station_code=li.station_code,
            **{name: getattr(li, name) for name in SAID},
        )
        for part in parts
        for li in part.lines
    ]


def waiting_parts(session: Session, card: KitchenTicket) -> list[KitchenTicket]:
    """The station tickets of an expo card that are not settled yet."""
    return [p for p in parts_of(session, card.id) if not part_settled(p)]


def waiting_summary(session: Session, waiting: list[KitchenTicket]) -> list[dict]:
    """What expo still waits for, as the audit log and an error say it."""
    names = {s.id: s.name for s in session.scalars(select(Station))}
    return [
        {
            "ticket_id": p.id,
            "station_id": p.station_id,
            "station": names.get(p.station_id, ""),
            "status": p.status.value,
        }
        for p in waiting
    ]
