"""Building order lines from what a handheld sent: item checks, modifier rules, snapshots.

Reads the menu from the per-process snapshot (pos_app.menu.cache), not row by row.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pos_app.errors import Conflict, ValidationFailed
from pos_app.menu.cache import ItemValue, MenuSnapshot, menu_snapshot
from pos_app.orders.models import OrderLine


def _fail(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{path}: {message}", {path: [message]}, "invalid_line")


def sellable_item(menu: MenuSnapshot, item_id: int, path: str) -> ItemValue:
    """The menu item, if it exists, is active and is available now."""
    item = menu.items.get(item_id)
    if item is None or not item.active:
        raise _fail(f"{path}.item_id", f"no menu item with id {item_id}")
    if not item.sellable:
        why = "out of stock" if item.available and item.stock_out else "86'd"
        raise Conflict(
            f"{item.name} is not available now ({why})",
            {f"{path}.item_id": [f"not available now ({why})"]},
            "sold_out",
        )
    return item


def chosen_modifiers(menu: MenuSnapshot, item: ItemValue, ids: list[int], path: str) -> list:
    """Snapshots of the chosen modifiers, checked against the item's groups and their min/max."""
    groups = [menu.groups[g] for g in item.group_ids if menu.groups[g].active]
    picked: dict[int, list] = {g.id: [] for g in groups}
    for modifier_id in dict.fromkeys(ids):
        modifier = menu.modifiers.get(modifier_id)
        if modifier is None or not modifier.active or modifier.group_id not in picked:
            raise _fail(
                f"{path}.modifier_ids", f"modifier {modifier_id} is not offered on {item.name}"
            )
        if modifier.stock_out:
            raise Conflict(
                f"{modifier.name} is not available now (out of stock)",
                {f"{path}.modifier_ids": [f"{modifier.name}: out of stock"]},
                "sold_out",
            )
        picked[modifier.group_id].append(modifier)
    for group in groups:
        count = len(picked[group.id])
        if not group.min_choices <= count <= group.max_choices:
            raise _fail(
                f"{path}.modifier_ids",
                f"{group.name}: choose "
                f"{_bounds(group.min_choices, group.max_choices)}, not {count}",
            )
    return [
        {
            "id": m.id,
            "group_id": m.group_id,
            "name": m.name,
            "name_ar": m.name_ar,
            "price_delta_minor": m.price_delta_minor,
        }
        for group in groups
        for m in picked[group.id]
    ]


def _bounds(low: int, high: int) -> str:
    return f"exactly {low}" if low == high else f"{low} to {high}"


def build_line(
    session: Session, data: dict, position: int, path: str, menu: MenuSnapshot | None = None
) -> OrderLine:
    """A new OrderLine with snapshots of names, prices and routing."""
    menu = menu or menu_snapshot(session)
    item = sellable_item(menu, data["item_id"], path)
    modifiers = chosen_modifiers(menu, item, data.get("modifier_ids", []), path)
    course = data.get("course")
    return OrderLine(
        id=data["id"].lower(),
        position=position,
        item_id=item.id,
        name=item.name,
        name_ar=item.name_ar,
        unit_price_minor=item.price_minor + sum(m["price_delta_minor"] for m in modifiers),
        quantity=data["quantity"],
        modifiers=modifiers,
        note=data.get("note", ""),
        allergy=data.get("allergy", ""),
        seat=data.get("seat"),
        course=item.course if course is None else course,
        station_id=item.station_id,
        prep_minutes=item.prep_minutes,
        sent_quantity=0,
        sent_signature="",
        sent_modifiers=[],
        stock_taken={},  # set on every line alike: the lines of an order are one INSERT
    )


def apply_line_change(session: Session, line: OrderLine, data: dict) -> None:
    """Change quantity, modifiers, note, seat or course of a line, re-pricing it."""
    menu = menu_snapshot(session)
    item = menu.items[line.item_id]
    if "modifier_ids" in data:
        line.modifiers = chosen_modifiers(menu, item, data["modifier_ids"], "modifier_ids")
        line.unit_price_minor = item.price_minor + sum(
            m["price_delta_minor"] for m in line.modifiers
        )
    for name in ("quantity", "note", "allergy", "seat", "course"):
        if name in data:
            setattr(line, name, data[name])
