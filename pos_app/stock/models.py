"""Stock: ingredients, recipes, levels, movements, suppliers, purchase orders and counts.

Quantities are integer thousandths of the ingredient's unit (`*_milli`: 1 g is 1000, a piece
is 1000), so sums are exact; money is integer minor units. A level is the sum of its
ingredient's movements and is changed only with a movement, in the same transaction
(pos_app.stock.moves). Movements are report facts (keyed by branch like the cloud's tables):
they reach the cloud in the `report.facts` outbox event, once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime

UNITS = ("g", "ml", "piece")


class Supplier(Base):
    """Who sells the branch its ingredients."""

    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(String(500), default="")
    # How many days a delivery takes: the suggested order covers them.
    lead_days: Mapped[int] = mapped_column(default=1)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Ingredient(Base):
    """Something the kitchen keeps and recipes consume, counted in g, ml or pieces."""

    __tablename__ = "ingredient"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[str] = mapped_column(String(8), default="g")
    # The cost: `cost_minor` buys `cost_per_milli` thousandths of the unit (45.00 per kg:
    # 4500 per 1,000,000 milli-grams).
    cost_minor: Mapped[int] = mapped_column(default=0)
    cost_per_milli: Mapped[int] = mapped_column(BigInteger, default=1_000_000)
    # Below the reorder point managers and cooks are warned; a suggested order fills to par.
    par_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    reorder_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[Supplier | None] = relationship()
    level: Mapped[StockLevel | None] = relationship(viewonly=True, uselist=False)


class RecipeLine(Base):
    """One thing a dish or a modifier consumes per portion: an ingredient, or another menu
    item (a combo's burger). `quantity_milli` is what the plate holds; the raw quantity taken
    from stock is that over the yield (trimmed, cooked down) plus the waste factor."""

    __tablename__ = "recipe_line"
    __table_args__ = (
        CheckConstraint(
            "(item_id IS NULL) <> (modifier_id IS NULL)", name="recipe_item_or_modifier"
        ),
        CheckConstraint(
            "(ingredient_id IS NULL) <> (uses_item_id IS NULL)", name="recipe_consumes_one"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("menu_item.id", ondelete="CASCADE"), index=True
    )
    modifier_id: Mapped[int | None] = mapped_column(
        ForeignKey("modifier.id", ondelete="CASCADE"), index=True
    )
    ingredient_id: Mapped[int | None] = mapped_column(ForeignKey("ingredient.id"), index=True)
    uses_item_id: Mapped[int | None] = mapped_column(ForeignKey("menu_item.id"))
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    yield_pct: Mapped[int] = mapped_column(default=100)  # 1-100: usable share of the raw
    waste_pct: Mapped[int] = mapped_column(default=0)  # 0-500: lost in preparation
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StockLevel(Base):
    """What the branch holds of an ingredient: always the sum of its movements."""

    __tablename__ = "stock_level"

    ingredient_id: Mapped[int] = mapped_column(ForeignKey("ingredient.id"), primary_key=True)
    quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockMovement(Base):
    """One change of a level (a report fact: the branch's own under branch 0, the cloud's
    under each branch's cloud id). Kinds: sale (at fire), void (a sale given back: voided or
    cancelled before it was cooked), refund (goods came back), waste, purchase (received),
    transfer_in, transfer_out, count (the difference a count found)."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        Index("ix_stock_movement_day", "branch_id", "business_day"),
        Index("ix_stock_movement_ingredient", "branch_id", "ingredient", "at"),
    )

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    ingredient: Mapped[str] = mapped_column(String(40))  # its code
    ingredient_name: Mapped[str] = mapped_column(String(120), default="")
    ingredient_ar: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[str] = mapped_column(String(8), default="")
    qty_milli: Mapped[int] = mapped_column(BigInteger, default=0)  # + in, - out
    cost_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # its value, signed alike
    level_milli: Mapped[int] = mapped_column(BigInteger, default=0)  # the level after it
    item: Mapped[str] = mapped_column(String(120), default="")  # the dish sold, voided...
    item_ar: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(120), default="")
    category_ar: Mapped[str] = mapped_column(String(120), default="")
    order_number: Mapped[int] = mapped_column(default=0)
    line_id: Mapped[str] = mapped_column(String(36), default="")
    ref: Mapped[str] = mapped_column(String(64), default="")  # purchase, count, transfer
    reason: Mapped[str] = mapped_column(String(200), default="")
    actor: Mapped[str] = mapped_column(String(120), default="")


class PurchaseOrder(Base):
    """An order to a supplier (status open, received, cancelled) and what came of it."""

    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by: Mapped[str] = mapped_column(String(120), default="")

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[PurchaseLine]] = relationship(
        order_by="PurchaseLine.id", cascade="all, delete-orphan"
    )


class PurchaseLine(Base):
    """One ingredient of a purchase order: ordered, received so far, at what cost."""

    __tablename__ = "purchase_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    ingredient_id: Mapped[int] = mapped_column(ForeignKey("ingredient.id"))
    ordered_milli: Mapped[int] = mapped_column(BigInteger)
    received_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # for what was received

    ingredient: Mapped[Ingredient] = relationship()


class StockCount(Base):
    """A count made on a phone (its id made by the phone: sent twice, kept once), with each
    line's expected level at submission; accepted by a manager, it becomes count movements."""

    __tablename__ = "stock_count"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    note: Mapped[str] = mapped_column(String(300), default="")
    counted_by: Mapped[str] = mapped_column(String(120), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[StockCountLine]] = relationship(
        order_by="StockCountLine.id", cascade="all, delete-orphan"
    )


class StockCountLine(Base):
    """One ingredient counted."""

    __tablename__ = "stock_count_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[str] = mapped_column(ForeignKey("stock_count.id"), index=True)
    ingredient_id: Mapped[int] = mapped_column(ForeignKey("ingredient.id"))
    counted_milli: Mapped[int] = mapped_column(BigInteger)
    expected_milli: Mapped[int] = mapped_column(BigInteger)  # the level when submitted

    ingredient: Mapped[Ingredient] = relationship()
