"""What owners read in the cloud, kept from the events as they arrive, in the same transaction
as the events themselves: an event held is an event counted, never one without the other.

- `order.*` events carry the whole order: the order's row takes the newest one (by seq; an
  older event arriving late changes nothing).
- `payment.recorded` carries one payment or refund: kept once by its id.
Anything else is held as an event and projected by later issues (reports, stock).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.cloud.models import CloudOrder, CloudPayment


def apply(session: Session, branch_id: int, events: list[dict]) -> None:
    """Project the events that were new (in seq order): the rows they touch are read in one
    query each, not one per event (a batch is 500 events)."""
    order_events = [
        e
        for e in events
        if e["type"].startswith("order.") and isinstance(e["payload"].get("id"), str)
    ]
    payment_events = [
        e for e in events if e["type"] == "payment.recorded" and e["payload"].get("id") is not None
    ]
    if order_events:
        ids = {e["payload"]["id"][:36] for e in order_events}
        orders = {
            row.order_id: row
            for row in session.scalars(
                select(CloudOrder).where(
                    CloudOrder.branch_id == branch_id, CloudOrder.order_id.in_(ids)
                )
            )
        }
        for event in order_events:
            _order(session, orders, branch_id, event["seq"], event["payload"])
    if payment_events:
        ids = {str(e["payload"]["id"])[:36] for e in payment_events}
        held = set(
            session.scalars(
                select(CloudPayment.payment_id).where(
                    CloudPayment.branch_id == branch_id, CloudPayment.payment_id.in_(ids)
                )
            )
        )
        for event in payment_events:
            payment_id = str(event["payload"]["id"])[:36]
            if payment_id not in held:
                held.add(payment_id)
                _payment(session, branch_id, event, payment_id)
    session.flush()


def _when(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _int(value, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _order(session: Session, orders: dict, branch_id: int, seq: int, order: dict) -> None:
    order_id = order["id"][:36]
    row = orders.get(order_id)
    if row is not None and row.seq > seq:
        return  # a newer state is held already
    if row is None:
        row = orders[order_id] = CloudOrder(branch_id=branch_id, order_id=order_id)
        session.add(row)
    row.number = _int(order.get("number"))
    row.business_day = str(order.get("business_day") or "")[:10]
    row.type = str(order.get("type") or "")[:16]
    row.status = str(order.get("status") or "")[:16]
    row.total_minor = _int(order.get("total_minor"))
    row.waiter_name = str(order.get("waiter_name") or "")[:120]
    row.opened_at = _when(order.get("opened_at"))
    row.paid_at = _when(order.get("paid_at"))
    row.version = _int(order.get("version"))
    row.seq = seq


def _payment(session: Session, branch_id: int, event: dict, payment_id: str) -> None:
    payment = event["payload"]
    session.add(
        CloudPayment(
            branch_id=branch_id,
            payment_id=payment_id,
            order_id=event["aggregate_id"][:36],
            kind=str(payment.get("kind") or "payment")[:16],
            tender=str(payment.get("tender") or "")[:16],
            amount_minor=_int(payment.get("amount_minor")),
            tip_minor=_int(payment.get("tip_minor")),
            taken_at=_when(payment.get("at")),
            seq=event["seq"],
        )
    )
