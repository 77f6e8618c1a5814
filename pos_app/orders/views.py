"""Order endpoints: thin handlers over pos_app.orders.services."""

from __future__ import annotations

from pos_app.api import Api, Call, items
from pos_app.auth.roles import ALL_ROLES, FLOOR_STAFF
from pos_app.orders import schemas, services
from pos_app.orders.services import order_dict


def create_order(call: Call):
    """Open an order (dine-in at a table, takeaway, delivery), optionally firing it at once.

    Idempotent: the same order id sent again answers the order as it is (200), writing nothing.
    """
    order, created = services.create_order(call.session, call.actor, call.body)
    return order_dict(order), 201 if created else 200


def list_orders(call: Call):
    """Open orders, newest first (filters: status, table, mine)."""
    return items(order_dict(o) for o in services.list_orders(call.session, call.actor, call.query))


def get_order(call: Call, order_id: str):
    """One order with its lines."""
    return order_dict(services.get_order(call.session, order_id))


def update_order(call: Call, order_id: str):
    """Change guests, customer details, notes or the rush flag."""
    return order_dict(services.update_order(call.session, call.actor, order_id, call.body))


def add_lines(call: Call, order_id: str):
    """Add lines (idempotent per line id)."""
    body = call.body
    return order_dict(
        services.add_lines(call.session, call.actor, order_id, body["version"], body["lines"])
    )


def change_line(call: Call, order_id: str, line_id: str):
    """Change a line's quantity, modifiers, note, seat or course."""
    return order_dict(services.change_line(call.session, call.actor, order_id, line_id, call.body))


def fire_order(call: Call, order_id: str):
    """Send unsent changes to the kitchen; with `course`, also release that held course."""
    body = call.body
    return order_dict(
        services.fire_order(
            call.session,
            call.actor,
            order_id,
            body["version"],
            body.get("course"),
            body.get("stagger", False),
        )
    )


def void_line(call: Call, order_id: str, line_id: str):
    """Void some or all of a line, with a reason (audited; the kitchen sees it struck)."""
    return order_dict(services.void_line(call.session, call.actor, order_id, line_id, call.body))


def cancel_order(call: Call, order_id: str):
    """Cancel the order, with a reason (audited)."""
    return order_dict(
        services.cancel_order(
            call.session, call.actor, order_id, call.body["version"], call.body["reason"]
        )
    )


def hand_over(call: Call, order_id: str):
    """Served, picked up, or out for delivery (by the order's type)."""
    return order_dict(services.hand_over(call.session, call.actor, order_id, call.body["version"]))


def move_order(call: Call, order_id: str):
    """Move a dine-in order to another free table."""
    return order_dict(
        services.move_order(
            call.session, call.actor, order_id, call.body["version"], call.body["table_id"]
        )
    )


def merge_orders(call: Call, order_id: str):
    """Merge another table's order into this one."""
    return order_dict(services.merge_orders(call.session, call.actor, order_id, call.body))


def move_lines(call: Call, order_id: str):
    """Move lines of this order to another open order."""
    source, target = services.move_lines(call.session, call.actor, order_id, call.body)
    return {"source": order_dict(source), "target": order_dict(target)}


def register(api: Api) -> None:
    """Add the order endpoints."""
    one = "/orders/<uuid:order_id>"
    out = schemas.OrderOutSchema
    api.add(
        "/orders",
        "POST",
        create_order,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.OrderInSchema,
        response=out,
        status=201,
    )
    api.add(
        "/orders",
        "GET",
        list_orders,
        roles=ALL_ROLES,
        tag="orders",
        query=schemas.OrderFilter,
        response=out,
        many=True,
    )
    api.add(one, "GET", get_order, roles=ALL_ROLES, tag="orders", response=out)
    api.add(
        one,
        "PATCH",
        update_order,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.OrderPatchSchema,
        response=out,
    )
    api.add(
        f"{one}/lines",
        "POST",
        add_lines,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.AddLinesSchema,
        response=out,
    )
    api.add(
        f"{one}/lines/<uuid:line_id>",
        "PATCH",
        change_line,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.LineChangeSchema,
        response=out,
    )
    api.add(
        f"{one}/lines/<uuid:line_id>/void",
        "POST",
        void_line,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.VoidSchema,
        response=out,
    )
    api.add(
        f"{one}/fire",
        "POST",
        fire_order,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.FireSchema,
        response=out,
    )
    api.add(
        f"{one}/cancel",
        "POST",
        cancel_order,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.CancelSchema,
        response=out,
    )
    api.add(
        f"{one}/hand-over",
        "POST",
        hand_over,
        roles=FLOOR_STAFF,
        tag="orders",
        body=schemas.VersionSchema,
        response=out,
    )
    api.add(
        f"{one}/move",
        "POST",
        move_order,
        roles=FLOOR_STAFF,
        tag="tables",
        body=schemas.MoveSchema,
        response=out,
    )
    api.add(
        f"{one}/merge",
        "POST",
        merge_orders,
        roles=FLOOR_STAFF,
        tag="tables",
        body=schemas.MergeSchema,
        response=out,
    )
    api.add(
        f"{one}/move-lines",
        "POST",
        move_lines,
        roles=FLOOR_STAFF,
        tag="tables",
        body=schemas.MoveLinesSchema,
    )
