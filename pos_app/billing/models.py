"""Billing records: discounts, promotions, the parts a bill is split into, payments, tax
invoices and credit notes, shifts with their cash movements, and Z reports.

Money is int minor units. Invoices and credit notes keep a snapshot of what was printed
(`document`), so a receipt reprinted next year says what it said on the day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime

TENDERS = ("cash", "card", "wallet", "voucher")


class Discount(Base):
    """A staff-applied discount or comp on a line or the whole order; removal deactivates it."""

    __tablename__ = "discount"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("order.id"), index=True)
    line_id: Mapped[str | None] = mapped_column(ForeignKey("order_line.id"))
    kind: Mapped[str] = mapped_column(String(16))  # percent | amount | comp
    percent_bp: Mapped[int] = mapped_column(default=0)
    amount_minor: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approver_name: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Promotion(Base):
    """An automatic promotion from the back office (happy hour, buy X get Y, combo price)."""

    __tablename__ = "promotion"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(16))  # happy_hour | buy_x_get_y | combo
    active: Mapped[bool] = mapped_column(default=True)
    percent_bp: Mapped[int] = mapped_column(default=0)
    weekdays: Mapped[list] = mapped_column(JSON, default=list)  # 0 = Monday; empty = every day
    start_time: Mapped[str] = mapped_column(String(5), default="")  # "HH:MM" local
    end_time: Mapped[str] = mapped_column(String(5), default="")
    item_ids: Mapped[list] = mapped_column(JSON, default=list)
    category_ids: Mapped[list] = mapped_column(JSON, default=list)
    buy_quantity: Mapped[int] = mapped_column(default=0)
    get_quantity: Mapped[int] = mapped_column(default=0)
    combo_price_minor: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BillPart(Base):
    """One part of a split bill (the whole bill when not split), paid by one or more tenders;
    fully paid, it gets its tax invoice."""

    __tablename__ = "bill_part"
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("order.id"), index=True)
    number: Mapped[int]
    of: Mapped[int]
    split_kind: Mapped[str] = mapped_column(String(16))  # whole | items | seats | equal | amounts
    label: Mapped[str] = mapped_column(String(60), default="")
    label_ar: Mapped[str] = mapped_column(String(60), default="")
    seat: Mapped[int | None]
    lines: Mapped[list] = mapped_column(JSON, default=list)  # split.PartLine as dicts
    total_minor: Mapped[int]
    vat_minor: Mapped[int]
    net_minor: Mapped[int]
    paid_minor: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | paid
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invoice(Base):
    """A simplified tax invoice or a credit note; numbers are gapless per kind and branch."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # invoice | credit_note
    number: Mapped[int]
    display_number: Mapped[str] = mapped_column(String(24), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("order.id"), index=True)
    part_id: Mapped[int | None]  # bill_part.id (no FK: bill_part points here)
    references_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    business_day: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int]
    vat_minor: Mapped[int]
    net_minor: Mapped[int]
    discount_minor: Mapped[int] = mapped_column(default=0)  # discounts and promotions, >= 0
    service_charge_minor: Mapped[int] = mapped_column(default=0)
    refunded_minor: Mapped[int] = mapped_column(default=0)  # invoices: credited so far
    restock: Mapped[bool] = mapped_column(default=False)  # credit notes: the food comes back
    reason: Mapped[str] = mapped_column(String(300), default="")
    qr: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    z_report_id: Mapped[int | None] = mapped_column(ForeignKey("z_report.id"), index=True)


class Shift(Base):
    """The cash drawer from opening (with a float) to its count at close."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | closed
    business_day: Mapped[date] = mapped_column(Date, index=True)
    float_minor: Mapped[int] = mapped_column(default=0)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    opened_by_name: Mapped[str] = mapped_column(String(120), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_name: Mapped[str] = mapped_column(String(120), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counted: Mapped[dict] = mapped_column(JSON, default=dict)  # tender -> counted minor
    expected: Mapped[dict] = mapped_column(JSON, default=dict)  # tender -> expected minor
    z_report_id: Mapped[int | None] = mapped_column(ForeignKey("z_report.id"), index=True)


class Payment(Base):
    """One tender on one bill part, or a refund paid out against a credit note. Card tenders
    keep the method, the terminal's reference and the last four digits only."""

    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_day_tender", "business_day", "tender"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the device
    kind: Mapped[str] = mapped_column(String(12), default="payment")  # payment | refund
    order_id: Mapped[str] = mapped_column(ForeignKey("order.id"), index=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("bill_part.id"))
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"), index=True)
    business_day: Mapped[date] = mapped_column(Date)
    tender: Mapped[str] = mapped_column(String(12))
    # tendered = amount + tip + change (billing/tender.py); the tip is never on the invoice.
    amount_minor: Mapped[int]  # applied to the bill (refunds: paid back), always > 0
    tendered_minor: Mapped[int] = mapped_column(default=0)  # cash handed over; card: charged
    change_minor: Mapped[int] = mapped_column(default=0)  # cash only
    tip_minor: Mapped[int] = mapped_column(default=0)
    card_method: Mapped[str] = mapped_column(String(20), default="")
    reference: Mapped[str] = mapped_column(String(64), default="")
    last4: Mapped[str] = mapped_column(String(4), default="")
    voucher_code: Mapped[str] = mapped_column(String(40), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    z_report_id: Mapped[int | None] = mapped_column(ForeignKey("z_report.id"), index=True)


class CashMovement(Base):
    """Cash put in or taken out of the drawer with a reason, or the drawer opened without a
    sale (`no_sale`, amount 0)."""

    __tablename__ = "cash_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # in | out | no_sale
    amount_minor: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    z_report_id: Mapped[int | None] = mapped_column(ForeignKey("z_report.id"), index=True)


class ZReport(Base):
    """A Z report: it closes the till for everything not yet in a Z (payments, invoices, cash
    movements, shifts), reported under a business day; numbers are gapless."""

    __tablename__ = "z_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    business_day: Mapped[date] = mapped_column(Date, index=True)
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_name: Mapped[str] = mapped_column(String(120), default="")
    document: Mapped[dict] = mapped_column(JSON, default=dict)
