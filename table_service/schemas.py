"""marshmallow schemas of floors and tables."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos_app.schemas import (
    BaseSchema,
    arabic_field,
    count_field,
    name_field,
    query_flag,
    query_id,
    ref_field,
)
from table_service.models import TableShape, TableStatus


class FloorSchema(BaseSchema):
    """A room of the restaurant."""

    name = name_field()
    name_ar = arabic_field()
    sort = count_field()


class TableSchema(BaseSchema):
    """A table on a floor, with its place on the floor map."""

    floor_id = ref_field(required=True)
    label = fields.String(required=True, validate=validate.Length(1, 20))
    seats = count_field(1, 60)
    shape = fields.Enum(TableShape, by_value=True)
    x = count_field(0, 200)
    y = count_field(0, 200)
    width = count_field(1, 20)
    height = count_field(1, 20)
    sort = count_field()
    status = fields.Enum(TableStatus, by_value=True, dump_only=True)
    order_id = fields.String(dump_only=True, allow_none=True)
    status_at = fields.DateTime(dump_only=True, allow_none=True)


class TableStatusSchema(Schema):
    """What staff may set by hand: the bill was asked for, the table needs or got clearing."""

    status = fields.String(required=True, validate=validate.OneOf(("bill_asked", "dirty", "free")))


class TableFilter(Schema):
    """Filters of the table list."""

    active = query_flag()
    floor_id = query_id()
