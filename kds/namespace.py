"""The /kds Socket.IO namespace: kitchen screens join a station, replay what they missed,
and start, bump and recall tickets (the HTTP endpoints of kds/views.py, over the socket)."""

from __future__ import annotations

from flask_socketio import join_room, leave_room, rooms
from marshmallow import Schema, fields, validate

from kds import services
from kds.events import events_after
from pos_app.auth.roles import KITCHEN_STAFF
from pos_app.commands import Command
from pos_app.realtime import authenticate_socket
from pos_app.rooms import is_station_room, station_room
from pos_app.schemas import MAX_ID, ref_field
from pos_app.socket_commands import CommandNamespace, http_twin, socket_command


class StationSchema(Schema):
    """Which station, and the last sequence number the screen has (to replay from)."""

    station_id = ref_field(required=True)
    after_seq = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, MAX_ID))


def catch_up(session, station_id: int, after_seq: int | None) -> dict:
    """What a (re)joining screen needs: the missed events, or a full snapshot."""
    if after_seq is not None:
        events = events_after(session, station_id, after_seq)
        if events is not None:
            return {"events": events}
    return {"snapshot": services.station_snapshot(session, station_id)}


def join_station(call) -> dict:
    """Follow one station (leaving any other) and catch up from `after_seq`."""
    for room in rooms():
        if is_station_room(room):
            leave_room(room)
    # Join before reading: a push committed meanwhile arrives as well, and the screen drops
    # whatever its sequence number says it already has.
    join_room(station_room(call.body["station_id"]))
    return catch_up(call.session, call.body["station_id"], call.body.get("after_seq"))


class KdsNamespace(CommandNamespace):
    """Kitchen and expo screens; the ticket commands are the HTTP endpoints' twins."""

    def on_connect(self, auth=None):
        authenticate_socket(auth, KITCHEN_STAFF)

    # A replay of a stored answer would not join the room: a join keeps no answers.
    on_join_station = socket_command(
        Command(handler=join_station, roles=KITCHEN_STAFF, body=StationSchema, keeps_answers=False)
    )
    on_start_ticket = http_twin("POST", "/tickets/<int:ticket_id>/start")
    on_bump_ticket = http_twin("POST", "/tickets/<int:ticket_id>/bump")
    on_ready_anyway = http_twin("POST", "/tickets/<int:ticket_id>/ready-anyway")
    on_bump_line = http_twin("POST", "/ticket-lines/<int:line_id>/bump")
    on_recall_ticket = http_twin("POST", "/stations/<int:station_id>/recall")
