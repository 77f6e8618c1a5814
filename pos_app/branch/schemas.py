"""marshmallow schema of the branch settings."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, post_load, validate

from pos_app.schemas import arabic_field, flag_field, name_field, pattern


def _each_once(tips: list) -> None:
    if len(set(tips)) != len(tips):
        raise ValidationError("each tip once")


class TipSuggestions(fields.List):
    """Tips the till offers as buttons, in basis points (1000 is 10 %), stored as "1000,1500"
    (the schema joins them after loading)."""

    def __init__(self, **kwargs):
        super().__init__(
            fields.Integer(strict=True, validate=validate.Range(1, 5_000)),
            validate=[validate.Length(0, 4), _each_once],
            **kwargs,
        )

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            value = [int(part) for part in value.split(",") if part.strip()]
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list) and len(value) > 4:  # before reading 100,000 of them
            raise ValidationError("at most 4 tips")
        return super()._deserialize(value, attr, data, **kwargs)


class BranchSchema(Schema):
    """Identity, currency, VAT and business-day settings of the branch."""

    id = fields.Integer(dump_only=True)
    name = name_field()
    name_ar = arabic_field()
    address = fields.String(validate=validate.Length(0, 240))
    address_ar = fields.String(validate=validate.Length(0, 240))
    time_zone = fields.String(validate=validate.OneOf(sorted(available_timezones())))
    currency = fields.String(validate=pattern(r"^[A-Z]{3}$", error="ISO 4217 code"))
    currency_exponent = fields.Integer(strict=True, validate=validate.Range(0, 3))
    vat_rate_bp = fields.Integer(
        strict=True,
        validate=validate.Range(0, 10_000),
        metadata={"description": "VAT rate in basis points: 1500 is 15 %"},
    )
    prices_include_vat = flag_field()
    vat_number = fields.String(
        validate=pattern(r"^[0-9A-Z]{0,32}$", error="up to 32 digits and capital letters")
    )
    service_charge_bp = fields.Integer(
        strict=True,
        validate=validate.Range(0, 5_000),
        metadata={"description": "dine-in service charge in basis points (1000 is 10 %)"},
    )
    discount_approval_bp = fields.Integer(
        strict=True,
        validate=validate.Range(0, 10_000),
        metadata={"description": "discounts above this share need a manager's approval"},
    )
    business_day_cutoff_hour = fields.Integer(strict=True, validate=validate.Range(0, 12))
    default_locale = fields.String(validate=validate.OneOf(("en", "ar")))
    receipt_header = fields.String(
        validate=validate.Length(0, 400),
        metadata={"description": "printed under the branch's name on receipts (lines)"},
    )
    receipt_header_ar = fields.String(validate=validate.Length(0, 400))
    receipt_footer = fields.String(
        validate=validate.Length(0, 400),
        metadata={"description": "printed at the foot of receipts: thanks, hours, Wi-Fi"},
    )
    receipt_footer_ar = fields.String(validate=validate.Length(0, 400))
    tip_suggestions = TipSuggestions(
        metadata={"description": "tips the till offers, basis points: [1000, 1500] is 10 and 15 %"}
    )
    business_day = fields.Method("_business_day", dump_only=True)

    @post_load
    def _tips_as_stored(self, data: dict, **_kw) -> dict:
        if "tip_suggestions" in data:
            data["tip_suggestions"] = ",".join(str(tip) for tip in sorted(data["tip_suggestions"]))
        return data

    def _business_day(self, branch) -> str:
        from pos_app.branch.services import business_day
        from pos_app.clock import utcnow

        return business_day(branch, utcnow()).isoformat()
