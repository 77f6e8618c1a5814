"""The order sections and dishes appear in, on handhelds and the back office: set by dragging
on the menu page, sent as the whole list of one level at once (every section; every dish of one
section). A list that is not exactly what is there now (a dish added or moved on another device
meanwhile) is refused with 409, so a stale page never scrambles the menu."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from pos_app.api import Api, Call
from pos_app.audit import record_audit
from pos_app.auth.roles import BACK_OFFICE
from pos_app.crud import get_or_404
from pos_app.errors import Conflict
from pos_app.locks import lock_key
from pos_app.menu.models import Category, MenuItem
from pos_app.menu.schemas import CategorySchema, MenuItemSchema
from pos_app.outbox import record_event
from pos_app.schemas import ref_field


class OrderSchema(Schema):
    """Every row of the level, first to last."""

    ids = fields.List(ref_field(), required=True, validate=validate.Length(1, 500))


def _reorder(call: Call, rows: list, kind: str, schema, where: str, target_id=None):
    """Give `rows` the order of the body's ids; audit and outbox what moved."""
    wanted = call.body["ids"]
    by_id = {row.id: row for row in rows}
    if len(set(wanted)) != len(wanted) or set(wanted) != set(by_id):
        raise Conflict(
            f"the list must name every {where} once, as it is now; load the menu again",
            {"ids": ["not the rows there are now"]},
            "stale_list",
        )
    before = [row.id for row in sorted(rows, key=lambda r: (r.sort, r.id))]
    moved = []
    for position, row_id in enumerate(wanted):
        row = by_id[row_id]
        if row.sort != position:
            row.sort = position
            moved.append(row)
    if moved:
        call.session.flush()
        record_audit(
            call.session,
            call.actor,
            f"{kind}.reordered",
            "category",
            target_id,
            {"ids": before},
            {"ids": list(wanted)},
        )
        for row in moved:
            record_event(call.session, f"{kind}.updated", kind, row.id, schema().dump(row))
    return {"ids": list(wanted)}


def order_sections(call: Call):
    """Put the menu's sections (categories) in this order."""
    lock_key(call.session, "menu-order")
    rows = call.session.scalars(select(Category)).all()
    return _reorder(call, rows, "category", CategorySchema, "section")


def order_dishes(call: Call, obj_id: int):
    """Put one section's dishes in this order."""
    lock_key(call.session, "menu-order", obj_id)
    category = get_or_404(call.session, Category, obj_id, "category")
    rows = call.session.scalars(select(MenuItem).where(MenuItem.category_id == category.id)).all()
    answer = _reorder(call, rows, "menu_item", MenuItemSchema, "dish of the section", category.id)
    call.session.expire(category, ["items"])  # a later read in this session sees the new order
    return answer


def register(api: Api) -> None:
    for rule, handler in (
        ("/categories/order", order_sections),
        ("/categories/<int:obj_id>/items/order", order_dishes),
    ):
        api.add(
            rule,
            "PUT",
            handler,
            roles=BACK_OFFICE,
            tag="menu",
            body=OrderSchema,
            response=OrderSchema,
            strong_auth=True,
            errors=(404, 409) if "obj_id" in rule else (409,),
        )
