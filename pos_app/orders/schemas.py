"""marshmallow schemas of orders, lines and the order commands."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from pos_app.orders.models import OrderStatus, OrderType
from pos_app.schemas import (
    UUID,
    count_field,
    flag_field,
    pattern,
    query_flag,
    query_id,
    ref_field,
    version_field,
)

PHONE = pattern(r"^[0-9+ ()-]{0,40}$", error="digits, spaces, +, ( ) and -, at most 40")
MAX_QUANTITY = 99
REASON = fields.String(required=True, validate=validate.Length(3, 300))


class LineInSchema(Schema):
    """A line as a handheld sends it."""

    id = fields.String(required=True, validate=UUID)
    item_id = ref_field(required=True)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_QUANTITY))
    modifier_ids = fields.List(ref_field(), load_default=list, validate=validate.Length(max=20))
    note = fields.String(load_default="", validate=validate.Length(0, 300))
    allergy = fields.String(load_default="", validate=validate.Length(0, 200))
    seat = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 60))
    course = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 9))


class LineChangeSchema(Schema):
    """A change to a line: quantity, modifiers, note, seat or course."""

    version = version_field(required=True)
    quantity = fields.Integer(strict=True, validate=validate.Range(1, MAX_QUANTITY))
    modifier_ids = fields.List(ref_field(), validate=validate.Length(max=20))
    note = fields.String(validate=validate.Length(0, 300))
    allergy = fields.String(validate=validate.Length(0, 200))
    seat = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 60))
    course = fields.Integer(strict=True, validate=validate.Range(0, 9))


class OrderInSchema(Schema):
    """A new order, with or without lines; `fire` sends it to the kitchen at once."""

    id = fields.String(required=True, validate=UUID)
    type = fields.Enum(OrderType, by_value=True, required=True)
    table_id = ref_field(allow_none=True)
    guests = count_field(1, 99, allow_none=True)
    customer_name = fields.String(load_default="", validate=validate.Length(0, 120))
    customer_phone = fields.String(load_default="", validate=PHONE)
    customer_address = fields.String(load_default="", validate=validate.Length(0, 300))
    notes = fields.String(load_default="", validate=validate.Length(0, 500))
    rush = flag_field(load_default=False)
    lines = fields.List(
        fields.Nested(LineInSchema), load_default=list, validate=validate.Length(max=200)
    )
    fire = flag_field(load_default=False)
    stagger = flag_field(
        load_default=False, metadata={"description": "fire by prep time: finish together"}
    )

    @validates_schema
    def _by_type(self, data, **_kw):
        kind = data.get("type")
        if kind == OrderType.dine_in and not data.get("table_id"):
            raise ValidationError("a dine-in order needs a table", "table_id")
        if kind != OrderType.dine_in and data.get("table_id"):
            raise ValidationError("only dine-in orders sit at a table", "table_id")
        if kind == OrderType.delivery:
            for name in ("customer_name", "customer_phone", "customer_address"):
                if not data.get(name):
                    raise ValidationError("required for a delivery", name)
        ids = [line["id"] for line in data.get("lines", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("two lines have the same id", "lines")


class OrderPatchSchema(Schema):
    """Changes to the order's own fields."""

    version = version_field(required=True)
    guests = count_field(1, 99, allow_none=True)
    customer_name = fields.String(validate=validate.Length(0, 120))
    customer_phone = fields.String(validate=PHONE)
    customer_address = fields.String(validate=validate.Length(0, 300))
    notes = fields.String(validate=validate.Length(0, 500))
    rush = flag_field()


class VersionSchema(Schema):
    """Just the version the device last saw."""

    version = version_field(required=True)


class AddLinesSchema(VersionSchema):
    """New lines for an order."""

    lines = fields.List(
        fields.Nested(LineInSchema), required=True, validate=validate.Length(1, 200)
    )


class FireSchema(VersionSchema):
    """Send changes to the kitchen; `course` releases a held course."""

    course = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 9))
    stagger = flag_field(load_default=False)


class VoidSchema(VersionSchema):
    """Void some or all of a line, with a reason."""

    quantity = fields.Integer(strict=True, validate=validate.Range(1, MAX_QUANTITY))
    reason = REASON


class CancelSchema(VersionSchema):
    """Cancel the whole order, with a reason."""

    reason = REASON


class MoveSchema(VersionSchema):
    """Move the order to another table."""

    table_id = ref_field(required=True)


class MergeSchema(VersionSchema):
    """Merge another table's order into this one."""

    from_order_id = fields.String(required=True, validate=UUID)
    from_version = version_field(required=True)


class MoveLinesSchema(VersionSchema):
    """Move some lines of this order to another open order."""

    line_ids = fields.List(
        fields.String(validate=UUID), required=True, validate=validate.Length(1, 200)
    )
    to_order_id = fields.String(required=True, validate=UUID)
    to_version = version_field(required=True)


class OrderFilter(Schema):
    """Filters of the order list."""

    status = fields.Enum(OrderStatus, by_value=True)
    table_id = query_id()
    mine = query_flag(metadata={"description": "only the caller's orders"})
    open = query_flag(load_default=True, metadata={"description": "only open orders"})


class LineOutSchema(Schema):
    """A line as the API answers it."""

    id = fields.String()
    item_id = fields.Integer()
    name = fields.String()
    name_ar = fields.String()
    unit_price_minor = fields.Integer()
    quantity = fields.Integer()
    total_minor = fields.Integer()
    modifiers = fields.List(fields.Dict())
    note = fields.String()
    allergy = fields.String()
    seat = fields.Integer(allow_none=True)
    course = fields.Integer()
    station_id = fields.Integer(allow_none=True)
    sent_quantity = fields.Integer()
    void_reason = fields.String()
    fired_at = fields.DateTime(allow_none=True)


class OrderOutSchema(Schema):
    """An order as the API answers it."""

    id = fields.String()
    number = fields.Integer()
    business_day = fields.Date()
    type = fields.Enum(OrderType, by_value=True)
    status = fields.Enum(OrderStatus, by_value=True)
    table_id = fields.Integer(allow_none=True)
    table_label = fields.String()
    guests = fields.Integer(allow_none=True)
    customer_name = fields.String()
    customer_phone = fields.String()
    customer_address = fields.String()
    notes = fields.String()
    rush = fields.Boolean()
    waiter_id = fields.Integer()
    waiter_name = fields.String()
    version = fields.Integer()
    released_course = fields.Integer()
    opened_at = fields.DateTime()
    fired_at = fields.DateTime(allow_none=True)
    ready_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String()
    total_minor = fields.Method("_total")
    pending_changes = fields.Method("_pending")
    lines = fields.List(fields.Nested(LineOutSchema))

    def _total(self, order) -> int:
        return sum(line.total_minor for line in order.lines)

    def _pending(self, order) -> bool:
        from pos_app.orders.routing import has_pending_changes

        return has_pending_changes(order)
