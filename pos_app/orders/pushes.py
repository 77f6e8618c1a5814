"""What an order's own audience hears on /floor: its waiter's devices and the till.

These follow the order, not its table: a takeaway has no table, and the cashier's list
(billing, kernel) must hear every order whatever package serves the floor. The floor's
audience (a floor's handhelds, table states) is table_service's, a receiver of
`order_changed`. Pushes leave only after the commit (pos_app/realtime.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pos_app.orders.models import Order
from pos_app.realtime import push_after_commit
from pos_app.rooms import FLOOR, TILL_ROOM, staff_room


def ready_notice(order: Order) -> dict:
    """The `order_ready` push: which order is ready to serve or hand over."""
    return {
        "order_id": order.id,
        "number": order.number,
        "table": order.table_label,
        "type": order.type.value,
        "customer": order.customer_name,
        "version": order.version,
    }


def push_order(session: Session, order: Order, body: dict, ready: bool = False) -> None:
    """`order_updated` (the order as the API shows it, `body`) to the waiter's devices and
    the till; `order_ready` to the waiter's devices when the kitchen called it ready."""
    waiter = staff_room(order.waiter_id)
    push_after_commit(session, FLOOR, waiter, "order_updated", body)
    push_after_commit(session, FLOOR, TILL_ROOM, "order_updated", body)
    if ready:
        push_after_commit(session, FLOOR, waiter, "order_ready", ready_notice(order))
