"""The /floor Socket.IO namespace: handhelds follow a floor, hear their orders are ready,
and may send orders over the connection they already hold (the fast path)."""

from __future__ import annotations

from flask_socketio import join_room, leave_room, rooms
from marshmallow import Schema, fields

from pos_app.auth.models import Role
from pos_app.orders import services as orders
from pos_app.orders.schemas import FireSchema, OrderInSchema
from pos_app.realtime import (
    TILL_ROOM,
    CommandNamespace,
    authenticate_socket,
    floor_room,
    socket_command,
)
from pos_app.schemas import UUID, ref_field
from table_service.services import FLOOR_STAFF, floor_tables


class FloorSchema(Schema):
    floor_id = ref_field(required=True)


class FireCommandSchema(FireSchema):
    """POST /orders/{id}/fire over the socket: the order's id joins the body."""

    order_id = fields.String(required=True, validate=UUID)


class FloorNamespace(CommandNamespace):
    """Waiters' handhelds, cashiers and managers on the floor."""

    def on_connect(self, auth=None):
        # authenticate_socket joined the staff member's room (order_ready, order_updated).
        actor = authenticate_socket(auth, FLOOR_STAFF)
        if actor.role in (Role.cashier, Role.manager, Role.owner):
            join_room(TILL_ROOM)  # the till sees every order, takeaways and deliveries too

    @socket_command(FLOOR_STAFF, FloorSchema)
    def on_join_floor(self, session, actor, body):
        for room in rooms():
            if room.startswith("floor:"):
                leave_room(room)
        join_room(floor_room(body["floor_id"]))
        return {"tables": floor_tables(session, body["floor_id"])}

    @socket_command(FLOOR_STAFF, OrderInSchema)
    def on_create_order(self, session, actor, body):
        order, created = orders.create_order(session, actor, body)
        return {"order": orders.order_dict(order), "created": created}

    @socket_command(FLOOR_STAFF, FireCommandSchema)
    def on_fire_order(self, session, actor, body):
        order = orders.fire_order(
            session,
            actor,
            body["order_id"],
            body["version"],
            body.get("course"),
            body.get("stagger", False),
        )
        return {"order": orders.order_dict(order)}
