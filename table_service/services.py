"""Floor services: table status from the orders at it, staff's own marks, floor pushes.

The kernel calls `claim_table` (its port, provided in create_app()); `follow_order` receives
the `order_changed` announcement. The order's own pushes (its waiter, the till) are the
kernel's (pos_app/orders/pushes.py); a floor's handhelds hear it here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import FLOOR_STAFF
from pos_app.clock import utcnow
from pos_app.errors import Conflict, NotFound, ValidationFailed
from pos_app.orders.models import OrderStatus
from pos_app.orders.pushes import ready_notice
from pos_app.orders.services import order_dict
from pos_app.realtime import push_after_commit
from pos_app.rooms import FLOOR, floor_room
from table_service.models import DiningTable, TableStatus
from table_service.schemas import TableSchema

_FROM_ORDER = {
    OrderStatus.open: TableStatus.seated,
    OrderStatus.in_kitchen: TableStatus.ordered,
    OrderStatus.ready: TableStatus.ready,
    OrderStatus.served: TableStatus.served,
}


def table_dict(table: DiningTable) -> dict:
    """A table as the floor map shows it."""
    return TableSchema().dump(table)


def claim_table(session: Session, table_id: int) -> str:
    """The kernel's `claim_table` port: the table must exist, be in use and be clean; its
    label for the order."""
    table = session.get(DiningTable, table_id)
    if table is None or not table.active:
        raise ValidationFailed(
            f"no table with id {table_id}", {"table_id": ["unknown table"]}, "unknown_reference"
        )
    if table.status == TableStatus.dirty:
        raise Conflict(
            f"table {table.label} needs clearing first", {"table_id": ["dirty"]}, "table_dirty"
        )
    return table.label


def follow_order(session: Session, order, previous_table_id=None, ready=False, **_kw) -> None:
    """Receiver of `order_changed`: tables follow their orders; the order's floor hears it."""
    leaving = previous_table_id if previous_table_id not in (None, order.table_id) else None
    if not order.is_open and order.table_id:
        leaving = order.table_id
    if leaving is not None:
        left = session.get(DiningTable, leaving)
        if left is not None and left.order_id == order.id:
            cooked = order.fired_at is not None and order.status != OrderStatus.cancelled
            _set(session, left, TableStatus.dirty if cooked else TableStatus.free, None)
    if order.table_id and order.is_open:
        table = session.get(DiningTable, order.table_id)
        keep = table.status == TableStatus.bill_asked and order.status != OrderStatus.ready
        _set(
            session,
            table,
            table.status if keep else _FROM_ORDER.get(order.status, TableStatus.seated),
            order.id,
        )
    if not order.table_id:
        return
    room = floor_room(session.get(DiningTable, order.table_id).floor_id)
    push_after_commit(session, FLOOR, room, "order_updated", order_dict(order))
    if ready:
        push_after_commit(session, FLOOR, room, "order_ready", ready_notice(order))


def _set(session: Session, table: DiningTable, status: TableStatus, order_id) -> None:
    if table.status == status and table.order_id == order_id:
        return
    table.status, table.order_id, table.status_at = status, order_id, utcnow()
    session.flush()
    room = floor_room(table.floor_id)
    push_after_commit(session, FLOOR, room, "table_updated", table_dict(table))


def mark_table(session: Session, actor: Actor, table_id: int, status: str) -> DiningTable:
    """Staff marks: the bill was asked for, the table is dirty, or it was cleared (free)."""
    require_role(actor, FLOOR_STAFF, "table status")
    table = session.get(DiningTable, table_id)
    if table is None or not table.active:
        raise NotFound(f"no table with id {table_id}")
    wanted = TableStatus(status)
    if wanted == TableStatus.bill_asked and table.order_id is None:
        raise Conflict(f"table {table.label} has no open order", code="no_order")
    if wanted in (TableStatus.free, TableStatus.dirty) and table.order_id is not None:
        raise Conflict(f"table {table.label} still has an open order", code="table_taken")
    _set(session, table, wanted, table.order_id)
    return table


def floor_tables(session: Session, floor_id: int) -> list[dict]:
    """The floor's active tables with their status."""
    rows = session.scalars(
        select(DiningTable)
        .where(DiningTable.floor_id == floor_id, DiningTable.active)
        .order_by(DiningTable.sort, DiningTable.id)
    )
    return [table_dict(t) for t in rows]


def check_table_place(session: Session, _actor, table: DiningTable, data: dict, is_new) -> None:
    """before_save of tables: a table may not be put (or grown) onto another on its floor; a new
    table given no place gets the first free one (reading rows, then columns)."""

    def value(name, default):
        return data[name] if name in data else (getattr(table, name) if not is_new else default)

    if not value("active", True):
        return
    floor_id = value("floor_id", None)
    if is_new and "x" not in data and "y" not in data:
        data["x"], data["y"] = _free_place(session, floor_id, value("width", 1), value("height", 1))
    x, y = value("x", 0), value("y", 0)
    w, h = value("width", 1), value("height", 1)
    stmt = select(DiningTable).where(
        DiningTable.floor_id == floor_id,
        DiningTable.active,
        DiningTable.x < x + w,
        DiningTable.x + DiningTable.width > x,
        DiningTable.y < y + h,
        DiningTable.y + DiningTable.height > y,
    )
    if not is_new:
        stmt = stmt.where(DiningTable.id != table.id)
    with session.no_autoflush:
        other = session.scalars(stmt.limit(1)).first()
    if other is not None:
        raise Conflict(
            f"table {other.label} is already there",
            {"x": [f"overlaps table {other.label}"]},
            "table_overlap",
        )


def _free_place(session: Session, floor_id, w: int, h: int) -> tuple[int, int]:
    taken = session.execute(
        select(DiningTable.x, DiningTable.y, DiningTable.width, DiningTable.height).where(
            DiningTable.floor_id == floor_id, DiningTable.active
        )
    ).all()
    for y in range(0, 201 - h):
        for x in range(0, 201 - w):
            if all(
                x + w <= tx or tx + tw <= x or y + h <= ty or ty + th <= y
                for tx, ty, tw, th in taken
            ):
                return x, y
    return 0, 0  # a full floor: the overlap check below says so


def announce_table(session: Session, _actor, table: DiningTable, before: dict | None) -> None:
    """after_save of tables: the handhelds on its floor (and on the floor it left) redraw it."""
    body = table_dict(table)
    push_after_commit(session, FLOOR, floor_room(table.floor_id), "table_updated", body)
    if before and before.get("floor_id") not in (None, table.floor_id):
        gone = {**body, "floor_id": before["floor_id"], "active": False}
        push_after_commit(session, FLOOR, floor_room(before["floor_id"]), "table_updated", gone)
