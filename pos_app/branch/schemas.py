"""marshmallow schema of the branch settings."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, fields, validate

from pos_app.schemas import arabic_field, flag_field, name_field, pattern


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
    business_day = fields.Method("_business_day", dump_only=True)

    def _business_day(self, branch) -> str:
        from pos_app.branch.services import business_day
        from pos_app.clock import utcnow

        return business_day(branch, utcnow()).isoformat()
