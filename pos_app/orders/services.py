"""Order services: open, add and change lines, fire, void, cancel, hand over, mark ready.

Every service takes the session and an explicit Actor, never commits, checks the version the
device last saw (409 with the current order when stale), bumps the version, writes the outbox
event, announces the change with a domain signal in the same transaction and queues the
order's own pushes (its waiter, the till). A table is claimed through the `claim_table` port.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, selectinload

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import FLOOR_STAFF
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.counters import next_value
from pos_app.errors import Conflict, NotFound, ValidationFailed
from pos_app.locks import lock_key, lock_keys
from pos_app.menu.cache import menu_snapshot
from pos_app.orders import routing
from pos_app.orders.lines import apply_line_change, build_line
from pos_app.orders.models import HANDED_OVER, OPEN_STATUSES, Order, OrderLine, OrderStatus
from pos_app.orders.pushes import push_order
from pos_app.orders.schemas import OrderOutSchema
from pos_app.outbox import record_event
from pos_app.pipeline import pending
from pos_app.ports import claim_table
from pos_app.reports import sources as report_sources
from pos_app.signals import course_fired, order_cancelled, order_changed, order_fired
from pos_app.stock import moves as stock

_ORDER_OUT = OrderOutSchema()


def order_dict(order: Order) -> dict:
    """The order as the API and the pushes show it (made once per version per transaction)."""
    session = object_session(order)
    dumps = pending(session).order_dumps if session is not None else {}
    key = (order.id, order.version)
    if key not in dumps:
        dumps[key] = _ORDER_OUT.dump(order)
    return dumps[key]


def get_order(session: Session, order_id: str) -> Order:
    """The order with this id (lines loaded), or NotFound."""
    order = session.scalar(
        select(Order).where(Order.id == order_id.lower()).options(selectinload(Order.lines))
    )
    if order is None:
        raise NotFound(f"no order with id {order_id}")
    return order


def lock_order(session: Session, order_id: str) -> Order:
    """The order as it is now, locked until the transaction ends; every writer of an order
    takes this lock first, so a version check and its increment are one step (PostgreSQL
    would otherwise let concurrent writers all pass the check)."""
    lock_key(session, "order", order_id.lower())
    return _reload(session, order_id)


def lock_orders(session: Session, order_ids: list[str]) -> list[Order]:
    """Several orders locked in one fixed order (no deadlock between two merges)."""
    lock_keys(session, [("order", i.lower()) for i in order_ids])
    return [_reload(session, i) for i in order_ids]


def _reload(session: Session, order_id: str) -> Order:
    order = session.scalar(
        select(Order)
        .where(Order.id == order_id.lower())
        .options(selectinload(Order.lines))
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(f"no order with id {order_id}")
    return order


def open_order_for_change(
    session: Session, actor: Actor, order_id: str, version: int, order: Order | None = None
) -> Order:
    """The order, locked, if the actor may change it, it is still open and `version` is
    current (`order` when the caller has already locked it)."""
    require_role(actor, FLOOR_STAFF, "changing orders")
    order = order or lock_order(session, order_id)
    if not order.is_open:
        raise Conflict(
            f"order {order.number} is {order.status.value}",
            code="order_closed",
            extra={"current": order_dict(order)},
        )
    if order.version != version:
        raise Conflict(
            f"order {order.number} was changed on another device (version {order.version}, "
            f"yours {version}); here it is as it is now",
            {"version": [f"stale: current is {order.version}"]},
            "stale_version",
            extra={"current": order_dict(order)},
        )
    return order


def touch_order(
    session: Session, order: Order, kind: str, actor: Actor | None, **signal_kw
) -> None:
    """A new version of the order: the outbox event `kind`, `order_changed` and the order's
    pushes, now (`ready=True`: the kitchen called it ready)."""
    pending(session).order_dumps.pop((order.id, order.version), None)
    order.version += 1
    order.updated_at = utcnow()
    session.flush()
    record_event(session, kind, "order", order.id, order_dict(order))
    order_changed.send(session, order=order, actor=actor, **signal_kw)
    push_order(session, order, order_dict(order), signal_kw.get("ready", False))


def create_order(session: Session, actor: Actor, data: dict) -> tuple[Order, bool]:
    """Open an order (idempotent on the device's UUID); returns (order, created)."""
    require_role(actor, FLOOR_STAFF, "taking orders")
    # Twins of one create (a retry racing the first try) queue here: the second finds the
    # order the first made and answers it (200), instead of failing on the primary key.
    lock_key(session, "order", data["id"].lower())
    existing = session.get(Order, data["id"].lower(), populate_existing=True)
    if existing is not None:
        return get_order(session, existing.id), False
    _refuse_reused_line_ids(session, [line["id"] for line in data["lines"]])
    branch = current_branch(session)
    day = business_day(branch, utcnow())
    order = Order(
        id=data["id"].lower(),
        number=next_value(session, f"order-number:{day.isoformat()}"),
        business_day=day,
        type=data["type"],
        table_id=data.get("table_id"),
        guests=data.get("guests"),
        customer_name=data["customer_name"],
        customer_phone=data["customer_phone"],
        customer_address=data["customer_address"],
        notes=data["notes"],
        rush=data["rush"],
        waiter_id=actor.staff_id,
        waiter_name=actor.name,
        status=OrderStatus.open,
        version=1,
        released_course=-1,
    )
    if order.table_id:
        _claim_table(session, order, order.table_id)
    menu = menu_snapshot(session)
    order.lines = [
        build_line(session, line, i, f"lines.{i}", menu) for i, line in enumerate(data["lines"])
    ]
    session.add(order)
    if data.get("fire") and order.lines:
        # Opened and sent in one pass: one version, one outbox event, one floor push.
        _send_to_kitchen(session, actor, order, None, data.get("stagger", False))
    session.flush()
    record_event(session, "order.created", "order", order.id, order_dict(order))
    order_changed.send(session, order=order, actor=actor, created=True)
    push_order(session, order, order_dict(order))
    return order, True


def _claim_table(session: Session, order: Order, table_id: int) -> None:
    lock_key(session, "table", table_id)  # two orders racing for one table: one wins
    order.table_label = claim_table(session, table_id)
    taken = session.scalar(
        select(Order.number)
        .where(Order.table_id == table_id, Order.id != order.id, Order.status.in_(OPEN_STATUSES))
        .limit(1)
    )
    if taken is not None:
        raise Conflict(
            f"table {order.table_label} is taken by order {taken}",
            {"table_id": ["taken"]},
            "table_taken",
        )


def _refuse_reused_line_ids(session: Session, ids: list[str]) -> None:
    if not ids:
        return
    lowered = [i.lower() for i in ids]
    clash = session.scalar(select(OrderLine.id).where(OrderLine.id.in_(lowered)).limit(1))
    if clash:
        raise Conflict(
            f"line id {clash} is already used by another order",
            {"lines": ["id already used"]},
            "duplicate",
        )


def add_lines(session: Session, actor: Actor, order_id: str, version: int, lines: list[dict]):
    """Add lines (idempotent: a retry whose lines are all there returns the order unchanged)."""
    require_role(actor, FLOOR_STAFF, "changing orders")
    order = lock_order(session, order_id)
    have = {line.id for line in order.lines}
    wanted = [line["id"].lower() for line in lines]
    if set(wanted) <= have:
        return order
    order = open_order_for_change(session, actor, order_id, version, order)
    new = [line for line in lines if line["id"].lower() not in have]
    _refuse_reused_line_ids(session, [line["id"] for line in new])
    start, menu = len(order.lines), menu_snapshot(session)
    for i, line in enumerate(new):
        order.lines.append(build_line(session, line, start + i, f"lines.{i}", menu))
    touch_order(session, order, "order.lines_added", actor)
    return order


def change_line(session: Session, actor: Actor, order_id: str, line_id: str, data: dict):
    """Change a line; once fired, the kitchen gets the difference on the next fire."""
    order = open_order_for_change(session, actor, order_id, data.pop("version"))
    line = _line(order, line_id)
    if line.sent_quantity and "course" in data and data["course"] != line.course:
        raise Conflict(
            "the kitchen already has this line; void it and add it again to move "
            "it to another course",
            {"course": ["already sent"]},
            "already_sent",
        )
    apply_line_change(session, line, data)
    touch_order(session, order, "order.line_changed", actor)
    return order


def _line(order: Order, line_id: str) -> OrderLine:
    for line in order.lines:
        if line.id == line_id.lower():
            return line
    raise NotFound(f"order {order.number} has no line {line_id}")


def fire_order(
    session: Session,
    actor: Actor,
    order_id: str,
    version: int,
    course: int | None = None,
    stagger: bool = False,
) -> Order:
    """Send every unsent change to the kitchen; `course` also releases that held course."""
    order = open_order_for_change(session, actor, order_id, version)
    if _send_to_kitchen(session, actor, order, course, stagger):
        touch_order(session, order, "order.fired", actor)
    return order  # nothing new: a double tap changes nothing


def _send_to_kitchen(session: Session, actor, order: Order, course, stagger: bool) -> bool:
    """Announce the unsent deltas (and a released course); False if there was nothing."""
    if not order.lines or all(line.quantity == 0 for line in order.lines):
        raise Conflict("the order has nothing to send", code="nothing_to_fire")
    if order.released_course < 0:
        order.released_course = routing.first_course(order)
    released = course is not None and course > order.released_course
    previous = order.released_course
    if course is not None:
        order.released_course = max(order.released_course, course)
    deltas = routing.pending_deltas(order)
    if not deltas and not released:
        return False
    now = utcnow()
    for delta in deltas:
        routing.mark_sent(delta)
        delta.line.fired_at = delta.line.fired_at or now
    stock.sync_lines(session, actor, order, [d.line for d in deltas])  # 409: ran out
    order.fired_at = order.fired_at or now
    if any(d.kind != "void" for d in deltas) or released:
        order.status = OrderStatus.in_kitchen
    stations = menu_snapshot(session).active_stations()
    if deltas:
        send = routing.kitchen_send(order, deltas, stations, stagger=stagger)
        order_fired.send(session, order=order, send=send, actor=actor)
    if released:
        send = routing.release_send(order, previous, course, stations)
        course_fired.send(
            session, order=order, course=course, previous=previous, send=send, actor=actor
        )
    return True


def void_line(session: Session, actor: Actor, order_id: str, line_id: str, data: dict):
    """Void some or all of a line, with a reason; audited, sent to the kitchen at once if fired."""
    order = open_order_for_change(session, actor, order_id, data["version"])
    line = _line(order, line_id)
    quantity = data.get("quantity", line.quantity)
    if quantity > line.quantity:
        raise ValidationFailed(
            f"only {line.quantity} left on this line", {"quantity": [f"at most {line.quantity}"]}
        )
    before = {"quantity": line.quantity}
    line.quantity -= quantity
    line.void_reason = data["reason"]
    record_audit(
        session,
        actor,
        "order_line.voided",
        "order_line",
        line.id,
        before,
        {"quantity": line.quantity, "item": line.name, "order": order.number},
        reason=data["reason"],
    )
    report_sources.adjustment(
        session,
        "void",
        actor,
        amount_minor=quantity * line.unit_price_minor,
        reason=data["reason"],
        order_number=order.number,
        item=line.name,
        quantity=quantity,
    )
    delta = routing.line_delta(line, True) if line.sent_quantity else None
    if delta is not None and delta.kind == "void":
        routing.mark_sent(delta)
        stock.sync_line(session, actor, order, line, data["reason"])
        stations = menu_snapshot(session).active_stations()
        send = routing.kitchen_send(order, [delta], stations, reason=data["reason"])
        order_fired.send(session, order=order, send=send, actor=actor)
    touch_order(session, order, "order.line_voided", actor)
    return order


def cancel_order(session: Session, actor: Actor, order_id: str, version: int, reason: str):
    """Cancel the order with a reason; audited; the kitchen drops what it has not cooked."""
    order = open_order_for_change(session, actor, order_id, version)
    if order.paid_at is not None:
        raise Conflict(
            f"order {order.number} is paid: refund its invoice instead of cancelling",
            code="order_paid",
        )
    order.status = OrderStatus.cancelled
    order.cancel_reason = reason
    order.closed_at = utcnow()
    record_audit(
        session,
        actor,
        "order.cancelled",
        "order",
        order.id,
        {"status": "open", "total_minor": sum(li.total_minor for li in order.lines)},
        {"status": "cancelled"},
        reason=reason,
    )
    report_sources.adjustment(
        session,
        "cancel",
        actor,
        amount_minor=sum(li.total_minor for li in order.lines),
        reason=reason,
        order_number=order.number,
    )
    stock.give_back_order(session, actor, order, reason)
    order_cancelled.send(session, order=order, reason=reason, actor=actor)
    touch_order(session, order, "order.cancelled", actor, previous_table_id=order.table_id)
    return order


def update_order(session: Session, actor: Actor, order_id: str, data: dict) -> Order:
    """Change guests, customer details, notes or the rush flag."""
    order = open_order_for_change(session, actor, order_id, data.pop("version"))
    for name, value in data.items():
        setattr(order, name, value)
    touch_order(session, order, "order.updated", actor)
    return order


def hand_over(session: Session, actor: Actor, order_id: str, version: int) -> Order:
    """Served (dine-in), picked up (takeaway) or out for delivery."""
    order = open_order_for_change(session, actor, order_id, version)
    if order.status not in (OrderStatus.in_kitchen, OrderStatus.ready):
        raise Conflict(
            f"order {order.number} is {order.status.value}: only food sent to the "
            "kitchen can be served or handed over",
            code="not_in_kitchen",
            extra={"current": order_dict(order)},
        )
    order.status = HANDED_OVER[order.type]
    if order.paid_at is not None:  # paid before it was handed over: now it is done
        order.status, order.closed_at = OrderStatus.paid, utcnow()
    touch_order(session, order, "order.handed_over", actor)
    return order


def move_order(session: Session, actor: Actor, order_id: str, version: int, table_id: int):
    """Move a dine-in order to another (free) table."""
    order = open_order_for_change(session, actor, order_id, version)
    if order.table_id is None:
        raise Conflict("only dine-in orders sit at a table", code="not_dine_in")
    previous = order.table_id
    if previous == table_id:
        return order
    order.table_id = table_id
    _claim_table(session, order, table_id)
    touch_order(session, order, "order.moved", actor, previous_table_id=previous)
    return order


def move_lines(session: Session, actor: Actor, order_id: str, data: dict) -> tuple[Order, Order]:
    """Move lines to another open order (their kitchen state goes with them)."""
    require_role(actor, FLOOR_STAFF, "changing orders")
    source, target = lock_orders(session, [order_id, data["to_order_id"]])
    source = open_order_for_change(session, actor, order_id, data["version"], source)
    target = open_order_for_change(session, actor, target.id, data["to_version"], target)
    if source.id == target.id:
        raise ValidationFailed("choose another order", {"to_order_id": ["same order"]})
    lines = [_line(source, line_id) for line_id in data["line_ids"]]
    _transfer(session, source, target, lines)
    touch_order(session, source, "order.lines_moved_out", actor)
    touch_order(session, target, "order.lines_moved_in", actor)
    return source, target


def merge_orders(session: Session, actor: Actor, order_id: str, data: dict) -> Order:
    """Merge another table's order into this one; the other table becomes free."""
    require_role(actor, FLOOR_STAFF, "changing orders")
    target, source = lock_orders(session, [order_id, data["from_order_id"]])
    target = open_order_for_change(session, actor, order_id, data["version"], target)
    source = open_order_for_change(session, actor, source.id, data["from_version"], source)
    if source.id == target.id:
        raise ValidationFailed("choose another order", {"from_order_id": ["same order"]})
    _transfer(session, source, target, list(source.lines))
    source.status = OrderStatus.closed
    source.closed_at = utcnow()
    source.cancel_reason = f"merged into order {target.number}"
    target.guests = (target.guests or 0) + (source.guests or 0) or None
    touch_order(session, source, "order.merged_away", actor, previous_table_id=source.table_id)
    touch_order(session, target, "order.merged", actor)
    return target


def _transfer(session: Session, source: Order, target: Order, lines: list[OrderLine]) -> None:
    position = (
        session.scalar(
            select(func.coalesce(func.max(OrderLine.position), -1)).where(
                OrderLine.order_id == target.id
            )
        )
        + 1
    )
    for offset, line in enumerate(lines):
        source.lines.remove(line)
        line.position = position + offset
        target.lines.append(line)
    if any(line.sent_quantity for line in lines):
        target.fired_at = target.fired_at or source.fired_at
        target.released_course = max(target.released_course, source.released_course)
        if target.status == OrderStatus.open:
            target.status = OrderStatus.in_kitchen


def mark_ready(session: Session, order_id: str, actor: Actor | None) -> Order | None:
    """The kitchen released everything fired so far (expo bump); None if already closed."""
    order = lock_order(session, order_id)
    if order.status not in (OrderStatus.open, OrderStatus.in_kitchen):
        return None
    order.status = OrderStatus.ready
    order.ready_at = utcnow()
    touch_order(session, order, "order.ready", actor, ready=True)
    return order


def mark_not_ready(session: Session, order_id: str, actor: Actor | None) -> None:
    """A recalled ticket: the kitchen is working on the order again."""
    order = lock_order(session, order_id)
    if order.status == OrderStatus.ready:
        order.status, order.ready_at = OrderStatus.in_kitchen, None
        touch_order(session, order, "order.back_in_kitchen", actor)


def list_orders(session: Session, actor: Actor, filters: dict) -> list[Order]:
    """Orders, newest first; open ones by default."""
    stmt = select(Order).options(selectinload(Order.lines)).order_by(Order.opened_at.desc())
    if filters.get("open", True):
        stmt = stmt.where(Order.status.in_(OPEN_STATUSES))
    if "status" in filters:
        stmt = stmt.where(Order.status == filters["status"])
    if "table_id" in filters:
        stmt = stmt.where(Order.table_id == filters["table_id"])
    if filters.get("mine"):
        stmt = stmt.where(Order.waiter_id == actor.staff_id)
    return list(session.scalars(stmt.limit(500)))
