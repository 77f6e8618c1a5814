"""The /kds Socket.IO namespace: kitchen screens join a station, replay what they missed,
and start, bump and recall tickets."""

from __future__ import annotations

from flask_socketio import join_room, leave_room, rooms
from marshmallow import Schema, fields, validate

from kds import services
from kds.events import events_after
from pos_app.realtime import CommandNamespace, authenticate_socket, socket_command, station_room
from pos_app.schemas import MAX_ID, ref_field

KITCHEN = services.KITCHEN


class StationSchema(Schema):
    """Which station, and the last sequence number the screen has (to replay from)."""

    station_id = ref_field(required=True)
    after_seq = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, MAX_ID))


class TicketSchema(Schema):
    ticket_id = ref_field(required=True)


class ReadyAnywaySchema(Schema):
    """Expo calls a card ready before every station bumped; why, if the cook said."""

    ticket_id = ref_field(required=True)
    reason = fields.String(validate=validate.Length(0, 300), load_default="")


class LineSchema(Schema):
    line_id = ref_field(required=True)


class RecallSchema(Schema):
    station_id = ref_field(required=True)
    ticket_id = ref_field(allow_none=True)


def catch_up(session, station_id: int, after_seq: int | None) -> dict:
    """What a (re)joining screen needs: the missed events, or a full snapshot."""
    if after_seq is not None:
        events = events_after(session, station_id, after_seq)
        if events is not None:
            return {"events": events}
    return {"snapshot": services.station_snapshot(session, station_id)}


class KdsNamespace(CommandNamespace):
    """Kitchen and expo screens."""

    def on_connect(self, auth=None):
        authenticate_socket(auth, KITCHEN)

    @socket_command(KITCHEN, StationSchema)
    def on_join_station(self, session, actor, body):
        for room in rooms():
            if room.startswith("station:"):
                leave_room(room)
        # Join before reading: a push committed meanwhile arrives as well, and the screen
        # drops whatever its sequence number says it already has.
        join_room(station_room(body["station_id"]))
        return catch_up(session, body["station_id"], body.get("after_seq"))

    @socket_command(KITCHEN, TicketSchema)
    def on_start_ticket(self, session, actor, body):
        return {
            "ticket": services.ticket_view(
                session, services.start_ticket(session, actor, body["ticket_id"])
            )
        }

    @socket_command(KITCHEN, TicketSchema)
    def on_bump_ticket(self, session, actor, body):
        return {
            "ticket": services.ticket_view(
                session, services.bump_ticket(session, actor, body["ticket_id"])
            )
        }

    @socket_command(KITCHEN, ReadyAnywaySchema)
    def on_ready_anyway(self, session, actor, body):
        ticket = services.ready_anyway(session, actor, body["ticket_id"], body["reason"])
        return {"ticket": services.ticket_view(session, ticket)}

    @socket_command(KITCHEN, LineSchema)
    def on_bump_line(self, session, actor, body):
        return {
            "ticket": services.ticket_view(
                session, services.bump_line(session, actor, body["line_id"])
            )
        }

    @socket_command(KITCHEN, RecallSchema)
    def on_recall_ticket(self, session, actor, body):
        ticket = services.recall_ticket(session, actor, body["station_id"], body.get("ticket_id"))
        return {"ticket": services.ticket_view(session, ticket)}
