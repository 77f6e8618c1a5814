"""Orders taken back from the cloud's events when a branch is rebuilt (pos_app/cloud/rebuild.py).

An order the restored copy lacks, still open at the cloud's last event, is written back as its
newest event describes it, lines and all, so the waiter finds the table's order and the till
can bill it. An order paid (in part) after the copy is named, not written back: its bill
would ask for the money again. What the kitchen was sent is taken to be what the lines say
(an event carries the quantity sent, not the earlier modifiers). An order that names a dish, a
table, a station or a waiter the copy lacks (added after it was taken) is not written back,
and named apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.auth.models import Staff
from pos_app.db import Base
from pos_app.menu.models import MenuItem, Station
from pos_app.orders.models import OPEN_STATUSES, Order, OrderLine, OrderStatus, OrderType
from pos_app.orders.routing import signature


def reopen(session: Session, orders: list[dict], paid: dict[str, int]) -> dict:
    """Write back the open orders of `orders` (newest payload each) the database lacks; an
    order with payments after the copy (`paid`: order id -> minor units) is not written back
    (its bill would ask for the money again) but named, for the manager to settle by hand."""
    wanted = [o for o in orders if o.get("status") in {s.value for s in OPEN_STATUSES}]
    held = set(session.scalars(select(Order.id).where(Order.id.in_([o["id"] for o in wanted]))))
    wanted = [o for o in wanted if o["id"] not in held]
    known = _known(session, wanted)
    written, skipped = [], []
    for payload in wanted:
        if paid.get(payload["id"]) or payload.get("paid_at"):
            skipped.append(
                f"{payload.get('number')}: paid {paid.get(payload['id'], 0) / 100:.2f} after the"
                " copy (see it in the cloud; settle it by hand)"
            )
            continue
        try:
            order = _order(payload, known)
        except (KeyError, TypeError, ValueError) as err:
            skipped.append(f"{payload.get('number')}: {err}")
            continue
        session.add(order)
        written.append(order.number)
    session.flush()
    return {"written": written, "skipped": skipped}


def _known(session: Session, orders: list[dict]) -> dict[str, set]:
    """The ids of the rows the orders refer to that the database holds."""
    lines = [line for o in orders for line in o.get("lines") or []]

    def ids(column, values) -> set:
        values = {v for v in values if isinstance(v, int)}
        return set(session.scalars(select(column).where(column.in_(values)))) if values else set()

    return {
        "staff": ids(Staff.id, (o.get("waiter_id") for o in orders)),
        # the floor's table by name: the kernel does not import table_service (the rule)
        "table": ids(
            Base.metadata.tables["dining_table"].c.id, (o.get("table_id") for o in orders)
        ),
        "item": ids(MenuItem.id, (line.get("item_id") for line in lines)),
        "station": ids(Station.id, (line.get("station_id") for line in lines)),
    }


def _need(value, known: set, what: str):
    if value is not None and value not in known:
        raise ValueError(f"its {what} {value} was added after the copy")
    return value


def _when(text) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)


def _order(payload: dict, known: dict[str, set]) -> Order:
    order = Order(
        id=str(payload["id"]).lower(),
        number=int(payload["number"]),
        business_day=date.fromisoformat(payload["business_day"]),
        type=OrderType(payload["type"]),
        status=OrderStatus(payload["status"]),
        table_id=_need(payload.get("table_id"), known["table"], "table"),
        table_label=str(payload.get("table_label") or "")[:40],
        guests=payload.get("guests"),
        customer_name=str(payload.get("customer_name") or "")[:120],
        customer_phone=str(payload.get("customer_phone") or "")[:40],
        customer_address=str(payload.get("customer_address") or "")[:300],
        notes=str(payload.get("notes") or "")[:500],
        rush=bool(payload.get("rush")),
        waiter_id=_need(int(payload["waiter_id"]), known["staff"], "waiter"),
        waiter_name=str(payload.get("waiter_name") or "")[:120],
        version=int(payload.get("version") or 1),
        released_course=int(payload.get("released_course", -1)),
        opened_at=_when(payload.get("opened_at")),
        fired_at=_when(payload.get("fired_at")),
        ready_at=_when(payload.get("ready_at")),
        paid_at=_when(payload.get("paid_at")),
        cancel_reason=str(payload.get("cancel_reason") or "")[:300],
    )
    for position, raw in enumerate(payload.get("lines") or []):
        line = OrderLine(
            id=str(raw["id"]).lower(),
            position=position,
            item_id=_need(int(raw["item_id"]), known["item"], "dish"),
            name=str(raw.get("name") or "")[:120],
            name_ar=str(raw.get("name_ar") or "")[:120],
            unit_price_minor=int(raw["unit_price_minor"]),
            quantity=int(raw["quantity"]),
            modifiers=list(raw.get("modifiers") or []),
            note=str(raw.get("note") or "")[:300],
            allergy=str(raw.get("allergy") or "")[:200],
            seat=raw.get("seat"),
            course=int(raw.get("course") or 1),
            station_id=_need(raw.get("station_id"), known["station"], "station"),
            sent_quantity=int(raw.get("sent_quantity") or 0),
            void_reason=str(raw.get("void_reason") or "")[:300],
            fired_at=_when(raw.get("fired_at")),
        )
        if line.sent_quantity:
            line.sent_signature = signature(line)
            line.sent_modifiers = list(line.modifiers)
        order.lines.append(line)
    return order
