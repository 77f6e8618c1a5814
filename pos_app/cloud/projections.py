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
    """Project the events that were new (in seq order)."""
    for event in events:
        kind, payload = event["type"], event["payload"]
        if kind.startswith("order.") and isinstance(payload.get("id"), str):
            _order(session, branch_id, event["seq"], payload)
        elif kind == "payment.recorded" and payload.get("id") is not None:
            _payment(session, branch_id, event["seq"], event["aggregate_id"], payload)
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


def _order(session: Session, branch_id: int, seq: int, order: dict) -> None:
    row = session.get(CloudOrder, (branch_id, order["id"][:36]))
    if row is not None and row.seq > seq:
        return  # a newer state is held already
    if row is None:
        row = CloudOrder(branch_id=branch_id, order_id=order["id"][:36])
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


def _payment(session: Session, branch_id: int, seq: int, order_id: str, payment: dict) -> None:
    payment_id = str(payment["id"])[:36]
    held = session.scalar(
        select(CloudPayment.payment_id).where(
            CloudPayment.branch_id == branch_id, CloudPayment.payment_id == payment_id
        )
    )
    if held is not None:
        return
    session.add(
        CloudPayment(
            branch_id=branch_id,
            payment_id=payment_id,
            order_id=order_id[:36],
            kind=str(payment.get("kind") or "payment")[:16],
            tender=str(payment.get("tender") or "")[:16],
            amount_minor=_int(payment.get("amount_minor")),
            tip_minor=_int(payment.get("tip_minor")),
            taken_at=_when(payment.get("at")),
            seq=seq,
        )
    )
