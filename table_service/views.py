"""Floor and table endpoints of the back office; everyone reads them (the waiter's floor map)."""

from __future__ import annotations

from pos_app.auth.roles import ALL_ROLES, BACK_OFFICE, FLOOR_STAFF
from pos_app.crud import Resource, register_resource
from table_service import schemas, services
from table_service.models import DiningTable, Floor

RESOURCES = (
    Resource(
        "floors",
        "floor",
        Floor,
        schemas.FloorSchema,
        "floors",
        read_roles=ALL_ROLES,
        write_roles=BACK_OFFICE,
        unique=("name",),
    ),
    Resource(
        "tables",
        "dining_table",
        DiningTable,
        schemas.TableSchema,
        "floors",
        read_roles=ALL_ROLES,
        write_roles=BACK_OFFICE,
        unique=(("floor_id", "label"),),
        refs={"floor_id": Floor},
        query=schemas.TableFilter,
        before_save=services.check_table_place,
        after_save=services.announce_table,
    ),
)


def register(app) -> None:
    """Add the floor and table endpoints to the app's API."""
    api = app.extensions["pos_api"]
    for resource in RESOURCES:
        register_resource(api, resource)
    register_actions(app)


def mark_table(call, table_id: int):
    """Mark a table: bill asked, dirty (guests left) or free (cleared)."""
    from table_service.services import mark_table as mark
    from table_service.services import table_dict

    return table_dict(mark(call.session, call.actor, table_id, call.body["status"]))


def register_actions(app) -> None:
    """Add the table actions."""
    api = app.extensions["pos_api"]
    api.add(
        "/tables/<int:table_id>/status",
        "POST",
        mark_table,
        roles=FLOOR_STAFF,
        tag="tables",
        body=schemas.TableStatusSchema,
        response=schemas.TableSchema,
    )
