"""Which dishes offer an option group, set from the group's side (the back office's options
page): one request names every dish that offers it, so two managers ticking dishes on two
groups never undo each other, as two whole-list edits of one dish's groups could."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from pos_app.api import Api, Call
from pos_app.audit import record_audit
from pos_app.auth.roles import BACK_OFFICE
from pos_app.crud import get_or_404
from pos_app.errors import Conflict, ValidationFailed
from pos_app.locks import lock_key
from pos_app.menu.models import MenuItem, ModifierGroup
from pos_app.menu.schemas import MenuItemSchema
from pos_app.outbox import record_event
from pos_app.schemas import ref_field

MAX_ITEMS = 500


class GroupItemsSchema(Schema):
    """Every dish that offers the group (the ones left out stop offering it)."""

    item_ids = fields.List(ref_field(), required=True, validate=validate.Length(max=MAX_ITEMS))


def set_group_items(call: Call, obj_id: int):
    """Set which dishes offer this option group; the dishes' other groups are kept."""
    session = call.session
    lock_key(session, "modifier-group-items", obj_id)  # two saves of one group queue
    group = get_or_404(session, ModifierGroup, obj_id, "modifier group")
    if not group.active:
        raise Conflict("this option group is taken off; bring it back first", code="inactive")
    wanted = list(dict.fromkeys(call.body["item_ids"]))
    found = (
        {item.id: item for item in session.scalars(select(MenuItem).where(MenuItem.id.in_(wanted)))}
        if wanted
        else {}
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(
            "some dishes do not exist",
            {"item_ids": [f"no dish with id {i}" for i in missing[:10]]},
            "unknown_reference",
        )
    offering = {
        item.id: item
        for item in session.scalars(
            select(MenuItem).where(MenuItem.modifier_groups.any(ModifierGroup.id == group.id))
        )
    }
    changed = []
    for item_id, item in offering.items():
        if item_id not in found:
            item.modifier_groups.remove(group)
            changed.append(item)
    for item_id, item in found.items():
        if item_id not in offering:
            item.modifier_groups.append(group)
            changed.append(item)
    if changed:
        session.flush()
        record_audit(
            session,
            call.actor,
            "modifier_group.items_changed",
            "modifier_group",
            group.id,
            {"item_ids": sorted(offering)},
            {"item_ids": sorted(found)},
        )
        for item in changed:
            record_event(
                session, "menu_item.updated", "menu_item", item.id, MenuItemSchema().dump(item)
            )
    return {"item_ids": sorted(found)}


def register(api: Api) -> None:
    api.add(
        "/modifier-groups/<int:obj_id>/items",
        "PUT",
        set_group_items,
        roles=BACK_OFFICE,
        tag="menu",
        body=GroupItemsSchema,
        response=GroupItemsSchema,
        strong_auth=True,
        errors=(404, 409),
    )
