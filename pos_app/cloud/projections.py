"""What owners read in the cloud, kept from the events as they arrive, in the same transaction
as the events themselves: an event held is an event counted, never one without the other.

- `order.*` events carry the whole order: the order's row takes the newest one (by seq; an
  older event arriving late changes nothing).
- `payment.recorded` carries one payment or refund: kept once by its id.
- `report.facts` carries the branch's report facts: kept with their roll-ups by the same code
  as on the branch (pos_app/reports/facts.py).
Anything else is held as an event and projected by later issues (stock).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from pos_app.cloud import bulk
from pos_app.cloud.models import CloudOrder, CloudPayment
from pos_app.reports import facts as report_facts
from pos_app.reports import live as report_live


def apply(session: Session, branch_id: int, events: list[dict]) -> None:
    """Project the events that were new (in seq order), each table in one statement: orders
    upserted with their newest state (a row keeps a newer seq it holds already), payments
    inserted once by id."""
    orders: dict[str, dict] = {}
    payments: dict[str, dict] = {}
    for event in events:
        kind, payload = event["type"], event["payload"]
        if kind == report_facts.EVENT and isinstance(payload, dict):
            report_facts.apply(session, branch_id, payload)
            report_live.changed(session, payload)  # the owners' dashboards ask again
        elif kind.startswith("order.") and isinstance(payload.get("id"), str):
            orders[payload["id"][:36]] = _order_row(branch_id, event["seq"], payload)
        elif kind == "payment.recorded" and payload.get("id") is not None:
            payment_id = str(payload["id"])[:36]
            payments.setdefault(payment_id, _payment_row(branch_id, event, payment_id))
    connection = session.connection()
    if session.get_bind().dialect.name == "postgresql":  # columns as arrays (cloud/bulk.py)
        if orders:
            bulk.insert(connection, _PG_ORDERS, list(orders.values()))
        if payments:
            bulk.insert(connection, _PG_PAYMENTS, list(payments.values()))
        return
    if orders:
        connection.execute(_upsert_orders(sqlite), list(orders.values()))
    if payments:
        connection.execute(_insert_payments(sqlite), list(payments.values()))


@cache
def _upsert_orders(dialect):
    table = CloudOrder.__table__
    stmt = dialect.insert(table)
    kept = {c.name: stmt.excluded[c.name] for c in table.c if c.name not in _ORDER_KEY}
    return stmt.on_conflict_do_update(
        index_elements=list(_ORDER_KEY), set_=kept, where=table.c.seq < stmt.excluded.seq
    )


@cache
def _insert_payments(dialect):
    return dialect.insert(CloudPayment.__table__).on_conflict_do_nothing(
        index_elements=["branch_id", "payment_id"]
    )


_ORDER_KEY = ("branch_id", "order_id")
_ORDER_COLUMNS = [c.name for c in CloudOrder.__table__.c]
_PAYMENT_COLUMNS = [c.name for c in CloudPayment.__table__.c]
_PG_ORDERS = bulk.statement(
    CloudOrder.__table__,
    _ORDER_COLUMNS,
    "ON CONFLICT (branch_id, order_id) DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n in _ORDER_COLUMNS if n not in _ORDER_KEY)
    + " WHERE cloud_order.seq < excluded.seq",
)
_PG_PAYMENTS = bulk.statement(
    CloudPayment.__table__, _PAYMENT_COLUMNS, "ON CONFLICT (branch_id, payment_id) DO NOTHING"
)


def _when(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _int(value, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _order_row(branch_id: int, seq: int, order: dict) -> dict:
    return {
        "branch_id": branch_id,
        "order_id": order["id"][:36],
        "number": _int(order.get("number")),
        "business_day": str(order.get("business_day") or "")[:10],
        "type": str(order.get("type") or "")[:16],
        "status": str(order.get("status") or "")[:16],
        "total_minor": _int(order.get("total_minor")),
        "waiter_name": str(order.get("waiter_name") or "")[:120],
        "opened_at": _when(order.get("opened_at")),
        "paid_at": _when(order.get("paid_at")),
        "version": _int(order.get("version")),
        "seq": seq,
    }


def _payment_row(branch_id: int, event: dict, payment_id: str) -> dict:
    payment = event["payload"]
    return {
        "branch_id": branch_id,
        "payment_id": payment_id,
        "order_id": event["aggregate_id"][:36],
        "kind": str(payment.get("kind") or "payment")[:16],
        "tender": str(payment.get("tender") or "")[:16],
        "amount_minor": _int(payment.get("amount_minor")),
        "tip_minor": _int(payment.get("tip_minor")),
        "taken_at": _when(payment.get("at")),
        "seq": event["seq"],
    }
