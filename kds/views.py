"""Kitchen endpoints over HTTP: the same services as the /kds socket commands."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kds import services
from pos_app.api import Api, Call
from pos_app.auth.roles import KITCHEN_STAFF
from pos_app.schemas import ref_field


class RecallSchema(Schema):
    """Which ticket to recall; the station's last bumped one when left out."""

    ticket_id = ref_field(allow_none=True)


class ReadyAnywaySchema(Schema):
    """Why expo calls the order ready before every station bumped (optional)."""

    reason = fields.String(validate=validate.Length(0, 300), load_default="")


def get_station_snapshot(call: Call, station_id: int):
    """Everything a station's screen shows: open tickets, recent bumps, all-day counts, seq."""
    return services.station_snapshot(call.session, station_id)


def start_ticket(call: Call, ticket_id: int):
    """Start cooking a ticket."""
    return services.ticket_view(
        call.session, services.start_ticket(call.session, call.actor, ticket_id)
    )


def bump_ticket(call: Call, ticket_id: int):
    """Bump a ticket (done); an expo bump makes the order ready, once every station bumped."""
    return services.ticket_view(
        call.session, services.bump_ticket(call.session, call.actor, ticket_id)
    )


def ready_anyway(call: Call, ticket_id: int):
    """Expo calls an order ready before every station bumped (audited, confirmed by a cook).

    The stations keep their tickets on their screens."""
    ticket = services.ready_anyway(call.session, call.actor, ticket_id, call.body["reason"])
    return services.ticket_view(call.session, ticket)


def bump_line(call: Call, line_id: int):
    """Mark one item of a ticket done."""
    return services.ticket_view(call.session, services.bump_line(call.session, call.actor, line_id))


def recall_ticket(call: Call, station_id: int):
    """Bring back a bumped ticket at this station."""
    ticket = services.recall_ticket(
        call.session, call.actor, station_id, call.body.get("ticket_id")
    )
    return services.ticket_view(call.session, ticket)


def register(app) -> None:
    """Add the kitchen endpoints."""
    api: Api = app.extensions["pos_api"]
    roles = KITCHEN_STAFF
    api.add(
        "/stations/<int:station_id>/snapshot",
        "GET",
        get_station_snapshot,
        roles=roles,
        tag="kitchen",
    )
    api.add(
        "/stations/<int:station_id>/recall",
        "POST",
        recall_ticket,
        roles=roles,
        tag="kitchen",
        body=RecallSchema,
    )
    api.add("/tickets/<int:ticket_id>/start", "POST", start_ticket, roles=roles, tag="kitchen")
    api.add("/tickets/<int:ticket_id>/bump", "POST", bump_ticket, roles=roles, tag="kitchen")
    api.add(
        "/tickets/<int:ticket_id>/ready-anyway",
        "POST",
        ready_anyway,
        roles=roles,
        tag="kitchen",
        body=ReadyAnywaySchema,
    )
    api.add("/ticket-lines/<int:line_id>/bump", "POST", bump_line, roles=roles, tag="kitchen")
