"""Kitchen tickets as screens and the API see them (no writes): station tickets, and expo
tickets with each station's progress on them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kds.models import KitchenTicket, KitchenTicketLine, TicketStatus


def _iso(value):
    return value.isoformat() if value else None


def ticket_dict(ticket: KitchenTicket) -> dict:
    """A ticket as screens and the API see it."""
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
        "created_at": _iso(ticket.created_at),
        "fired_at": _iso(ticket.fired_at),
        "start_at": _iso(ticket.start_at),
        "started_at": _iso(ticket.started_at),
        "bumped_at": _iso(ticket.bumped_at),
        "lines": [line_dict(line) for line in ticket.lines],
    }


def line_dict(line: KitchenTicketLine) -> dict:
    """One line of a ticket."""
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


def part_settled(part: KitchenTicket) -> bool:
    """A station's ticket is no longer awaited by expo: bumped, or nothing left on it to cook
    (every line voided, e.g. the order was cancelled)."""
    if part.status == TicketStatus.done:
        return True
    return all(li.kind == "void" or li.voided_quantity >= li.quantity for li in part.lines)


def parts_of(session: Session, expo_ticket_id: int) -> list[KitchenTicket]:
    """The station tickets that make up one expo ticket, oldest first."""
    return list(
        session.scalars(
            select(KitchenTicket)
            .options(selectinload(KitchenTicket.lines))
            .where(KitchenTicket.expo_ticket_id == expo_ticket_id)
            .order_by(KitchenTicket.id)
        )
    )


def expo_dict(session: Session, ticket: KitchenTicket, parts=None) -> dict:
    """An expo ticket with each station ticket's progress (`parts`) and whether every one of
    them is settled (`complete`: only then may expo call the order ready)."""
    body = ticket_dict(ticket)
    if parts is None:
        parts = parts_of(session, ticket.id)
    body["parts"] = [
        {"ticket_id": p.id, "station_id": p.station_id, "status": p.status.value} for p in parts
    ]
    body["complete"] = all(part_settled(p) for p in parts)
    return body


def expo_dicts(session: Session, tickets: list[KitchenTicket]) -> list[dict]:
    """Many expo tickets with their parts in one query (a snapshot of a busy expo)."""
    ids = [t.id for t in tickets]
    by_expo: dict[int, list[KitchenTicket]] = defaultdict(list)
    if ids:
        rows = session.scalars(
            select(KitchenTicket)
            .options(selectinload(KitchenTicket.lines))
            .where(KitchenTicket.expo_ticket_id.in_(ids))
            .order_by(KitchenTicket.id)
        )
        for part in rows:
            by_expo[part.expo_ticket_id].append(part)
    return [expo_dict(session, t, by_expo[t.id]) for t in tickets]
