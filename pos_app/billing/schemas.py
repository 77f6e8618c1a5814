"""marshmallow schemas of bills, discounts, splits, payments, refunds, shifts and promotions."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from pos_app.billing.models import TENDERS
from pos_app.schemas import (
    UUID,
    arabic_field,
    flag_field,
    name_field,
    pattern,
    query_flag,
    ref_field,
)

REASON = fields.String(required=True, validate=validate.Length(3, 300))
MONEY = validate.Range(0, 100_000_000)
APPROVER_PIN = fields.String(
    validate=pattern(r"^[0-9]{4,8}$", error="4 to 8 digits"),
    metadata={"description": "a manager's PIN, when the action needs approval"},
)
HHMM = pattern(r"^(([01][0-9]|2[0-3]):[0-5][0-9])?$", error="HH:MM, 24-hour")


class DiscountInSchema(Schema):
    """A discount by percent or amount on a line or the whole order, or a comp of a line."""

    id = fields.String(validate=UUID, metadata={"description": "made by the device (idempotent)"})
    line_id = fields.String(validate=UUID, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(("percent", "amount", "comp")))
    percent_bp = fields.Integer(
        strict=True,
        validate=validate.Range(1, 10_000, error="between 0.01 % and 100 %"),
        metadata={"description": "basis points: 1000 is 10 %"},
    )
    amount_minor = fields.Integer(strict=True, validate=validate.Range(1, 100_000_000))
    reason = REASON
    approver_pin = APPROVER_PIN

    @validates_schema
    def _complete(self, data, **_kw):
        kind = data.get("kind")
        if kind == "percent" and "percent_bp" not in data:
            raise ValidationError("required for a percent discount", "percent_bp")
        if kind == "amount" and "amount_minor" not in data:
            raise ValidationError("required for an amount discount", "amount_minor")
        if kind == "comp" and not data.get("line_id"):
            raise ValidationError("a comp is on one line", "line_id")


class PriceOverrideSchema(Schema):
    """A new unit price for a line, with a reason (a manager approves)."""

    unit_price_minor = fields.Integer(strict=True, required=True, validate=MONEY)
    reason = REASON
    approver_pin = APPROVER_PIN


class SplitPartLineSchema(Schema):
    """Units of one line that go to a part."""

    line_id = fields.String(required=True, validate=UUID)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, 99))


class SplitSchema(Schema):
    """How to split: `items` (parts of line units), `seats`, `equal` (count), `amounts`, or
    `none` (back to one bill)."""

    kind = fields.String(
        required=True, validate=validate.OneOf(("items", "seats", "equal", "amounts", "none"))
    )
    parts = fields.List(
        fields.List(fields.Nested(SplitPartLineSchema), validate=validate.Length(1, 200)),
        validate=validate.Length(1, 40),
    )
    count = fields.Integer(
        strict=True, validate=validate.Range(1, 40, error="split into 1 to 40 parts")
    )
    amounts = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 100_000_000)),
        validate=validate.Length(1, 40),
    )

    @validates_schema
    def _complete(self, data, **_kw):
        need = {"items": "parts", "equal": "count", "amounts": "amounts"}.get(data.get("kind"))
        if need and need not in data:
            raise ValidationError(f"required for a split by {data['kind']}", need)


class PaymentInSchema(Schema):
    """One tender on the bill. Card: method, the terminal's reference and the last four digits
    only; never the card number."""

    id = fields.String(required=True, validate=UUID)
    part = fields.Integer(strict=True, validate=validate.Range(1, 40))
    tender = fields.String(required=True, validate=validate.OneOf(TENDERS))
    amount_minor = fields.Integer(strict=True, validate=MONEY)
    tendered_minor = fields.Integer(
        strict=True, validate=MONEY, metadata={"description": "cash handed over (gets change)"}
    )
    tip_minor = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(0, 10_000_000, error="not negative")
    )
    card_method = fields.String(
        validate=validate.OneOf(("mada", "visa", "mastercard", "amex", "applepay", "other"))
    )
    reference = fields.String(load_default="", validate=validate.Length(0, 64))
    last4 = fields.String(validate=pattern(r"^[0-9]{4}$", error="exactly 4 digits"))
    voucher_code = fields.String(validate=validate.Length(1, 40))
    print = flag_field(load_default=True, metadata={"description": "print the receipt"})

    @validates("reference")
    def _no_card_number(self, value, **_kw):
        if re.search(r"(?:\d[ -]?){12,18}\d", value):
            raise ValidationError("that looks like a card number: never send one")


class RefundLineSchema(Schema):
    """Units of an invoice line to refund."""

    line_id = fields.String(required=True, validate=UUID)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, 99))


class RefundSchema(Schema):
    """A refund: some lines, an amount, or (neither) everything still refundable."""

    lines = fields.List(fields.Nested(RefundLineSchema), validate=validate.Length(1, 200))
    amount_minor = fields.Integer(strict=True, validate=validate.Range(1, 100_000_000))
    tender = fields.String(validate=validate.OneOf(TENDERS))
    reference = fields.String(load_default="", validate=validate.Length(0, 64))
    reason = REASON
    restock = flag_field(load_default=False, metadata={"description": "the food comes back"})
    approver_pin = APPROVER_PIN
    print = flag_field(load_default=True)

    @validates_schema
    def _one_way(self, data, **_kw):
        if data.get("lines") and data.get("amount_minor") is not None:
            raise ValidationError("either lines or an amount, not both", "amount_minor")


class ShiftOpenSchema(Schema):
    """Open the drawer with a float."""

    float_minor = fields.Integer(strict=True, required=True, validate=MONEY)


class CashMoveSchema(Schema):
    """Cash in or out of the drawer, with a reason."""

    kind = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    amount_minor = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, 100_000_000)
    )
    reason = REASON


class NoSaleSchema(Schema):
    """Open the drawer without a sale, with a reason."""

    reason = REASON


class XReportQuery(Schema):
    """Print the X report as well."""

    print = query_flag(load_default=False)


class ZReportSchema(Schema):
    """The counted amount per tender."""

    counted = fields.Dict(
        keys=fields.String(validate=validate.OneOf(TENDERS)),
        values=fields.Integer(strict=True, validate=MONEY),
        required=True,
    )
    print = flag_field(load_default=True)


class PromotionSchema(Schema):
    """An automatic promotion: happy hour, buy X get Y, or a combo price."""

    id = fields.Integer(dump_only=True)
    name = name_field()
    name_ar = arabic_field()
    kind = fields.String(
        required=True, validate=validate.OneOf(("happy_hour", "buy_x_get_y", "combo"))
    )
    active = flag_field(load_default=True)
    percent_bp = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 10_000))
    weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(0, 6)),
        load_default=list,
        validate=validate.Length(max=7),
        metadata={"description": "0 is Monday; empty is every day"},
    )
    start_time = fields.String(load_default="", validate=HHMM)
    end_time = fields.String(load_default="", validate=HHMM)
    item_ids = fields.List(ref_field(), load_default=list, validate=validate.Length(max=200))
    category_ids = fields.List(ref_field(), load_default=list, validate=validate.Length(max=200))
    buy_quantity = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 99))
    get_quantity = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 99))
    combo_price_minor = fields.Integer(strict=True, load_default=0, validate=MONEY)

    @validates_schema
    def _complete(self, data, partial=False, **_kw):
        if partial:
            return
        kind = data.get("kind")
        if kind == "happy_hour" and not data.get("percent_bp"):
            raise ValidationError("a happy hour needs a percent", "percent_bp")
        if kind == "buy_x_get_y" and not (data.get("buy_quantity") and data.get("get_quantity")):
            raise ValidationError("buy X get Y needs both quantities", "buy_quantity")
        if kind == "combo" and len(data.get("item_ids") or []) < 2:
            raise ValidationError("a combo has at least two items", "item_ids")
        if kind != "combo" and not (data.get("item_ids") or data.get("category_ids")):
            raise ValidationError("say which items or categories it applies to", "item_ids")


class InvoiceFilter(Schema):
    """Invoices of one order."""

    order_id = fields.String(validate=UUID)
