"""marshmallow schemas of stations and the menu (both languages, prices in minor units)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos_app.menu.photo_files import photo_urls
from pos_app.schemas import (
    BaseSchema,
    arabic_field,
    count_field,
    flag_field,
    money_field,
    name_field,
    pattern,
    query_flag,
    query_id,
    ref_field,
)

CODE = pattern(r"^[a-z0-9][a-z0-9_-]{0,31}$", error="lower-case letters, digits, - and _")
ALLERGENS = ("gluten", "dairy", "nuts", "sesame", "egg", "fish", "shellfish", "soy")


class StationSchema(BaseSchema):
    """A kitchen station or the expo station."""

    code = fields.String(required=True, validate=CODE)
    name = name_field()
    name_ar = arabic_field()
    is_expo = flag_field()
    warn_after_s = count_field(30, 24 * 3600)
    late_after_s = count_field(30, 24 * 3600)
    sort = count_field()


class CategorySchema(BaseSchema):
    """A menu section."""

    name = name_field()
    name_ar = arabic_field()
    station_id = ref_field(allow_none=True)
    default_course = count_field(0, 9)
    sort = count_field()


class MenuItemSchema(BaseSchema):
    """An item on the menu."""

    category_id = ref_field(required=True)
    name = name_field()
    name_ar = arabic_field()
    description = fields.String(validate=validate.Length(0, 500))
    description_ar = fields.String(validate=validate.Length(0, 500))
    price_minor = money_field(required=True)
    station_id = ref_field(allow_none=True)
    course = count_field(0, 9, allow_none=True)
    prep_minutes = count_field(0, 240)
    allergens = fields.List(
        fields.String(validate=validate.OneOf(ALLERGENS)),
        validate=validate.Length(max=len(ALLERGENS)),
    )
    available = flag_field()
    stock_out = fields.Boolean(
        dump_only=True,
        metadata={"description": "an ingredient it needs is short of a portion (kept by stock)"},
    )
    sort = count_field()
    modifier_group_ids = fields.List(ref_field(), validate=validate.Length(max=20))
    # Set by PUT /items/<id>/photo, not by a patch.
    photo_url = fields.Function(
        lambda item: photo_urls(item.photo)[0],
        dump_only=True,
        metadata={"description": "the dish's photo (WebP, at most 800 px), or null"},
    )
    thumb_url = fields.Function(
        lambda item: photo_urls(item.photo)[1],
        dump_only=True,
        metadata={"description": "its 200 px thumbnail, or null"},
    )


class ModifierGroupSchema(BaseSchema):
    """A choice on an item, with its minimum and maximum number of picks."""

    code = fields.String(required=True, validate=CODE)
    name = name_field()
    name_ar = arabic_field()
    min_choices = count_field(0, 20)
    max_choices = count_field(1, 20)
    sort = count_field()


class ModifierSchema(BaseSchema):
    """One option of a modifier group."""

    group_id = ref_field(required=True)
    name = name_field()
    name_ar = arabic_field()
    price_delta_minor = money_field(minimum=-1_000_000)
    sort = count_field()


class CategoryFilter(Schema):
    """Filters of the item list."""

    active = query_flag()
    category_id = query_id()
    available = query_flag()


class GroupFilter(Schema):
    """Filters of the modifier list."""

    active = query_flag()
    group_id = query_id()
