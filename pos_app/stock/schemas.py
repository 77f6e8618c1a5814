"""marshmallow schemas of stock: ingredients, recipes, suppliers, movements, purchases, counts.

Quantities come as numbers in a unit staff read (`quantity` 2.5 with `unit` "kg"; the
ingredient's own unit when `unit` is left out) and are kept as thousandths of the
ingredient's unit; money is integer minor units."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from pos_app.menu.schemas import CODE
from pos_app.schemas import (
    MAX_ID,
    UUID,
    BaseSchema,
    arabic_field,
    count_field,
    flag_field,
    money_field,
    name_field,
    query_id,
    ref_field,
)
from pos_app.stock.models import UNITS
from pos_app.stock.units import TYPED_UNITS

MAX_QUANTITY = 1_000_000_000
# Thousandths in 32 bits like every integer the API takes: a par level up to 2,147 kg or
# litres (2.1 million pieces) is far past any kitchen's.
BIG = validate.Range(0, MAX_ID)
REASON = fields.String(required=True, validate=validate.Length(3, 200))


class Quantity(fields.Float):
    """A JSON number (not a string, not true/false), finite, within ±1,000,000,000; turned
    into exact thousandths from its shortest decimal text (pos_app.stock.units)."""

    def __init__(self, minimum: int = 0, **kw):
        kw.setdefault("validate", validate.Range(minimum, MAX_QUANTITY))
        super().__init__(allow_nan=False, **kw)

    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("a number")
        return super()._deserialize(value, attr, data, **kw)


def unit_field(**kw) -> fields.String:
    return fields.String(validate=validate.OneOf(TYPED_UNITS), **kw)


class SupplierSchema(BaseSchema):
    """Who sells the branch its ingredients."""

    name = name_field()
    name_ar = arabic_field()
    phone = fields.String(validate=validate.Length(0, 40))
    email = fields.String(validate=validate.Length(0, 120))
    notes = fields.String(validate=validate.Length(0, 500))
    lead_days = count_field(0, 60)
    sort = count_field()


class IngredientSchema(BaseSchema):
    """An ingredient: its unit, its cost, its par level and reorder point (thousandths of the
    unit: 5 kg of lamb is par_milli 5,000,000) and the level now."""

    code = fields.String(required=True, validate=CODE)
    name = name_field()
    name_ar = arabic_field()
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    cost_minor = money_field(metadata={"description": "what `cost_per_milli` of it costs"})
    cost_per_milli = fields.Integer(
        strict=True,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "thousandths of the unit that cost_minor buys (1 kg: 1000000)"},
    )
    par_milli = fields.Integer(strict=True, validate=BIG)
    reorder_milli = fields.Integer(strict=True, validate=BIG)
    barcode = fields.String(allow_none=True, validate=validate.Length(1, 64))
    supplier_id = ref_field(allow_none=True)
    sort = count_field()
    level_milli = fields.Method("_level", dump_only=True)

    def _level(self, obj) -> int:
        return obj.level.quantity_milli if getattr(obj, "level", None) is not None else 0


class RecipeLineSchema(BaseSchema):
    """What one portion of a dish (`item_id`) or one modifier (`modifier_id`) takes: an
    ingredient, or a portion of another dish (`uses_item_id`: a combo's burger). A modifier
    may take a negative quantity: "No onion" takes the dish's onion back."""

    item_id = ref_field(allow_none=True)
    modifier_id = ref_field(allow_none=True)
    ingredient_id = ref_field(allow_none=True)
    uses_item_id = ref_field(allow_none=True)
    quantity = Quantity(
        minimum=-MAX_QUANTITY,
        load_only=True,
        metadata={"description": "on the plate, in `unit` (portions for uses_item_id)"},
    )
    unit = unit_field(load_only=True)
    quantity_milli = fields.Integer(dump_only=True)
    yield_pct = count_field(1, 100)
    waste_pct = count_field(0, 500)
    sort = count_field()


class StockQuery(Schema):
    """Filters of the movements list."""

    ingredient_id = query_id()
    kind = fields.String(
        validate=validate.OneOf(
            ("sale", "void", "refund", "waste", "purchase", "transfer_in", "transfer_out", "count")
        )
    )


class AmountSchema(Schema):
    """An ingredient and a quantity of it."""

    ingredient_id = ref_field(required=True)
    quantity = Quantity(required=True)
    unit = unit_field()


class WasteSchema(Schema):
    """Food thrown away, with a reason: an ingredient, or portions of a dish (its recipe)."""

    ingredient_id = ref_field()
    item_id = ref_field()
    quantity = Quantity(required=True)
    unit = unit_field()
    reason = REASON

    @validates_schema
    def _one(self, data, **_kw):
        if ("ingredient_id" in data) == ("item_id" in data):
            raise ValidationError("name an ingredient or a dish, one of them", "ingredient_id")


class TransferSchema(Schema):
    """Stock sent to another branch (out) or received from one (in)."""

    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    branch = name_field(metadata={"description": "the other branch's name"})
    lines = fields.List(
        fields.Nested(AmountSchema), required=True, validate=validate.Length(1, 200)
    )
    note = fields.String(load_default="", validate=validate.Length(0, 300))


class PurchaseLineSchema(AmountSchema):
    """One line of a purchase order."""


class PurchaseSchema(Schema):
    """A purchase order to a supplier."""

    supplier_id = ref_field(required=True)
    lines = fields.List(
        fields.Nested(PurchaseLineSchema), required=True, validate=validate.Length(1, 200)
    )
    note = fields.String(load_default="", validate=validate.Length(0, 300))


class ReceiveLineSchema(AmountSchema):
    """What arrived of one ingredient, and what it cost (the supplier's invoice)."""

    cost_minor = money_field()


class ReceiveSchema(Schema):
    """A delivery received against a purchase order."""

    lines = fields.List(
        fields.Nested(ReceiveLineSchema), required=True, validate=validate.Length(1, 200)
    )
    over_ok = flag_field(
        load_default=False,
        metadata={"description": "take more than was ordered (else 422 naming the line)"},
    )


class SuggestQuery(Schema):
    """The supplier to suggest an order for."""

    supplier_id = query_id(required=True)


class CountLineSchema(AmountSchema):
    """One ingredient counted (never negative)."""


class CountSchema(Schema):
    """A stock count from a phone; its id made by the phone (sent twice, kept once)."""

    id = fields.String(required=True, validate=UUID)
    lines = fields.List(
        fields.Nested(CountLineSchema), required=True, validate=validate.Length(1, 500)
    )
    note = fields.String(load_default="", validate=validate.Length(0, 300))


class AvailabilitySchema(Schema):
    """86 a dish (false) or bring it back (true)."""

    available = flag_field(required=True)
    reason = fields.String(load_default="", validate=validate.Length(0, 200))
