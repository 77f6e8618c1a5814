"""Field types shared by the marshmallow schemas of every package."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_MINOR = 100_000_000  # 1,000,000.00 in a 2-decimal currency: no menu price is above it


def name_field(required: bool = True, max_len: int = 120, **kw) -> fields.String:
    """A trimmed display name in one language."""
    return fields.String(required=required, validate=validate.Length(1, max_len), **kw)


def arabic_field(max_len: int = 120) -> fields.String:
    """The Arabic twin of a display name (may be empty until translated)."""
    return fields.String(validate=validate.Length(0, max_len))


def money_field(minimum: int = 0, **kw) -> fields.Integer:
    """An amount in integer minor units (halalas, cents)."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, MAX_MINOR), **kw)


def count_field(minimum: int = 0, maximum: int = 10_000, **kw) -> fields.Integer:
    """A bounded whole number (seats, minutes, sort order)."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, maximum), **kw)


def ref_field(**kw) -> fields.Integer:
    """The id of another row (checked to exist by the resource)."""
    return fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1), **kw)


class BaseSchema(Schema):
    """Every resource has an id, an active flag and an update time."""

    id = fields.Integer(dump_only=True)
    active = fields.Boolean()
    updated_at = fields.DateTime(dump_only=True)
