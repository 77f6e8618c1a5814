"""marshmallow schemas of floors and tables."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos_app.schemas import BaseSchema, arabic_field, count_field, name_field, ref_field
from table_service.models import TableShape


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


class TableFilter(Schema):
    """Filters of the table list."""

    active = fields.Boolean()
    floor_id = fields.Integer()
