"""POST /api/v1/promotions/preview: what an order would cost under a promotion being written,
before it is saved: the back office shows the bill of a sample order (dishes and quantities)
at a chosen day and time, with what the promotion takes off each line, using the same pricing
code as a real bill (`billing.promotions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marshmallow import Schema, fields, validate

from pos_app.api import Api, Call
from pos_app.auth.roles import BACK_OFFICE
from pos_app.billing import promotions
from pos_app.billing.schemas import PromotionSchema
from pos_app.errors import ValidationFailed
from pos_app.menu.cache import menu_snapshot
from pos_app.menu.models import MenuItem
from pos_app.schemas import pattern, ref_field


class SampleLineSchema(Schema):
    item_id = ref_field(required=True)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, 99))


class PreviewSchema(Schema):
    """A draft promotion and a sample order to price with it."""

    promotion = fields.Nested(PromotionSchema, required=True)
    lines = fields.List(
        fields.Nested(SampleLineSchema), required=True, validate=validate.Length(1, 30)
    )
    at = fields.String(
        required=True,
        validate=[validate.Length(max=16), pattern(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")],
        metadata={"description": "the branch's local day and time the order is taken"},
    )


class PreviewLineSchema(Schema):
    item_id = fields.Integer()
    name = fields.String()
    name_ar = fields.String()
    quantity = fields.Integer()
    unit_price_minor = fields.Integer()
    total_minor = fields.Integer()
    saved_minor = fields.Integer()


class PreviewOutSchema(Schema):
    """The sample order's lines with what the promotion takes off, and the totals."""

    in_window = fields.Boolean(metadata={"description": "the promotion runs at that time"})
    lines = fields.List(fields.Nested(PreviewLineSchema))
    before_minor = fields.Integer()
    saved_minor = fields.Integer()
    after_minor = fields.Integer()


@dataclass(frozen=True)
class _Line:
    item_id: int
    category_id: int | None
    unit_price_minor: int
    quantity: int
    ordered_at_local: datetime


def preview(call: Call):
    """What a sample order would cost under a promotion not saved yet."""
    body = call.body
    draft = body["promotion"]
    try:
        at = datetime.fromisoformat(body["at"])
    except ValueError as err:
        raise ValidationFailed("not a day and time", {"at": ["not a day and time"]}) from err
    spec = promotions.PromotionSpec(
        id=1,
        name=draft["name"],
        name_ar=draft.get("name_ar", ""),
        kind=draft["kind"],
        percent_bp=draft["percent_bp"],
        weekdays=tuple(draft["weekdays"]),
        start=draft["start_time"],
        end=draft["end_time"],
        item_ids=tuple(draft["item_ids"]),
        category_ids=tuple(draft["category_ids"]),
        buy_quantity=draft["buy_quantity"],
        get_quantity=draft["get_quantity"],
        combo_price_minor=draft["combo_price_minor"],
    )
    try:
        promotions.validate_promotion(spec)
    except ValueError as err:
        raise ValidationFailed(str(err), {"promotion": [str(err)]}) from err
    menu = menu_snapshot(call.session)
    categories = dict(
        call.session.execute(
            MenuItem.__table__.select()
            .with_only_columns(MenuItem.id, MenuItem.category_id)
            .where(MenuItem.id.in_([line["item_id"] for line in body["lines"]]))
        ).all()
    )
    lines, missing = [], {}
    for i, sample in enumerate(body["lines"]):
        item = menu.items.get(sample["item_id"])
        if item is None or not item.active:
            missing[f"lines.{i}.item_id"] = ["no such dish on the menu"]
            continue
        category = categories.get(item.id)
        lines.append((item, _Line(item.id, category, item.price_minor, sample["quantity"], at)))
    if missing:
        raise ValidationFailed("some dishes are not on the menu", missing, "unknown_reference")
    savings = promotions.promotion_savings([line for _item, line in lines], [spec])
    out = []
    for (item, line), saved in zip(lines, savings, strict=True):
        total = line.unit_price_minor * line.quantity
        out.append(
            {
                "item_id": item.id,
                "name": item.name,
                "name_ar": item.name_ar,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "total_minor": total,
                "saved_minor": sum(saved.values()),
            }
        )
    before = sum(line["total_minor"] for line in out)
    saved_total = sum(line["saved_minor"] for line in out)
    return PreviewOutSchema().dump(
        {
            "in_window": promotions.in_window(spec, at),
            "lines": out,
            "before_minor": before,
            "saved_minor": saved_total,
            "after_minor": before - saved_total,
        }
    )


def register(api: Api) -> None:
    api.add(
        "/promotions/preview",
        "POST",
        preview,
        roles=BACK_OFFICE,
        tag="billing",
        body=PreviewSchema,
        response=PreviewOutSchema,
        keeps_answers=False,  # nothing is written: a retry simply prices again
    )
