"""Menu rules: what handhelds may sell now, and the checks behind back-office menu edits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pos_app.branch.services import current_branch
from pos_app.errors import ValidationFailed
from pos_app.menu.models import Category, MenuItem, ModifierGroup, Station
from pos_app.menu.photo_files import photo_urls


def bilingual(obj, attr: str = "name") -> dict:
    """{"en": ..., "ar": ...} of a name-like attribute; Arabic falls back to English."""
    en = getattr(obj, attr)
    return {"en": en, "ar": getattr(obj, f"{attr}_ar") or en}


def menu_for_handhelds(session: Session) -> dict:
    """Active categories with their active items (`available` false: sold out, shown greyed,
    refused by orders) and the modifier groups they offer."""
    categories = session.scalars(
        select(Category)
        .where(Category.active)
        .options(selectinload(Category.items).selectinload(MenuItem.modifier_groups))
        .order_by(Category.sort, Category.id)
    ).all()
    group_ids: set[int] = set()
    out = []
    for category in categories:
        sold = [i for i in category.items if i.active]
        out.append(
            {
                "id": category.id,
                "name": bilingual(category),
                "items": [_item(item, group_ids) for item in sold],
            }
        )
    groups = session.scalars(
        select(ModifierGroup)
        .where(ModifierGroup.id.in_(group_ids), ModifierGroup.active)
        .options(selectinload(ModifierGroup.modifiers))
        .order_by(ModifierGroup.sort, ModifierGroup.id)
    ).all()
    branch = current_branch(session)
    return {
        "currency": branch.currency if branch else "SAR",
        "currency_exponent": branch.currency_exponent if branch else 2,
        "prices_include_vat": branch.prices_include_vat if branch else True,
        "categories": out,
        "modifier_groups": [_group(g) for g in groups],
    }


def _item(item: MenuItem, group_ids: set[int]) -> dict:
    station = item.routed_station
    groups = [g.id for g in item.modifier_groups if g.active]
    group_ids.update(groups)
    photo_url, thumb_url = photo_urls(item.photo)
    return {
        "id": item.id,
        "name": bilingual(item),
        "description": bilingual(item, "description"),
        "price_minor": item.price_minor,
        "station": station.code if station else None,
        "course": item.effective_course,
        "prep_minutes": item.prep_minutes,
        # False: 86'd, shown greyed and refused by orders; `sold_out` says why.
        "available": item.available and not item.stock_out,
        "sold_out": None
        if item.available and not item.stock_out
        else ("stock" if item.available else "86"),
        "allergens": item.allergens or [],
        "modifier_group_ids": groups,
        "photo_url": photo_url,
        "thumb_url": thumb_url,
    }


def _group(group: ModifierGroup) -> dict:
    return {
        "id": group.id,
        "code": group.code,
        "name": bilingual(group),
        "min_choices": group.min_choices,
        "max_choices": group.max_choices,
        "modifiers": [
            {
                "id": m.id,
                "name": bilingual(m),
                "price_delta_minor": m.price_delta_minor,
                "available": not m.stock_out,
            }
            for m in group.modifiers
            if m.active
        ],
    }


def set_item_modifier_groups(session: Session, _actor, item: MenuItem, data: dict, _new) -> None:
    """before_save of items: turn `modifier_group_ids` into the relationship, checking each id."""
    if "modifier_group_ids" not in data:
        return
    ids = data.pop("modifier_group_ids")
    groups = []
    for group_id in dict.fromkeys(ids):
        group = session.get(ModifierGroup, group_id)
        if group is None or not group.active:
            raise ValidationFailed(
                "some references are not valid",
                {"modifier_group_ids": [f"no active modifier group with id {group_id}"]},
                "unknown_reference",
            )
        groups.append(group)
    item.modifier_groups = groups


def check_choice_bounds(_session, _actor, group: ModifierGroup, data: dict, is_new) -> None:
    """before_save of modifier groups: min choices may not exceed max choices."""
    low = data.get("min_choices", group.min_choices if not is_new else 0)
    high = data.get("max_choices", group.max_choices if not is_new else 1)
    if low > high:
        raise ValidationFailed(
            "min_choices is above max_choices",
            {"min_choices": [f"must be at most max_choices ({high})"]},
        )


def check_timer_thresholds(_session, _actor, station: Station, data: dict, is_new) -> None:
    """before_save of stations: the amber threshold comes before the red one."""
    warn = data.get("warn_after_s", station.warn_after_s if not is_new else 480)
    late = data.get("late_after_s", station.late_after_s if not is_new else 900)
    if warn >= late:
        raise ValidationFailed(
            "warn_after_s must be below late_after_s",
            {"warn_after_s": [f"must be below late_after_s ({late})"]},
        )
