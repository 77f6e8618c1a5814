"""The /floor Socket.IO namespace: handhelds follow a floor, hear their orders are ready,
and may send orders over the connection they already hold (the fast path: the HTTP
endpoints `POST /orders` and `POST /orders/{id}/fire`, over the socket)."""

from __future__ import annotations

from flask_socketio import join_room, leave_room, rooms
from marshmallow import Schema

from pos_app.auth.roles import BACK_OFFICE, CASH_HANDLERS, FLOOR_STAFF
from pos_app.commands import Command
from pos_app.realtime import authenticate_socket
from pos_app.rooms import REPORTS_ROOM, TILL_ROOM, floor_room, is_floor_room
from pos_app.schemas import ref_field
from pos_app.socket_commands import CommandNamespace, http_twin, socket_command
from table_service.services import floor_tables


class FloorSchema(Schema):
    floor_id = ref_field(required=True)


def join_floor(call) -> dict:
    """Follow one floor (leaving any other): its tables with their status."""
    for room in rooms():
        if is_floor_room(room):
            leave_room(room)
    join_room(floor_room(call.body["floor_id"]))
    return {"tables": floor_tables(call.session, call.body["floor_id"])}


class FloorNamespace(CommandNamespace):
    """Waiters' handhelds, cashiers and managers on the floor."""

    def on_connect(self, auth=None):
        # authenticate_socket joined the staff member's room (order_ready, order_updated).
        actor = authenticate_socket(auth, FLOOR_STAFF)
        if actor.role in CASH_HANDLERS:
            join_room(TILL_ROOM)  # the till sees every order, takeaways and deliveries too
        if actor.role in BACK_OFFICE:
            join_room(REPORTS_ROOM)  # dashboards: a nudge when figures change (no figures)

    # A replay of a stored answer would not join the room: a join keeps no answers.
    on_join_floor = socket_command(
        Command(handler=join_floor, roles=FLOOR_STAFF, body=FloorSchema, keeps_answers=False)
    )
    on_create_order = http_twin("POST", "/orders")
    on_fire_order = http_twin("POST", "/orders/<uuid:order_id>/fire")
