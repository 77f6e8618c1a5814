"""The report tables: facts (one row per tax document, line, payment, adjustment, kitchen
ticket and closed shift) and roll-ups (sums per branch, business day or month, dimension and
key), kept in the same transaction as the facts (docs/reports.md says what each column
counts). Every table is keyed by branch first, like the cloud's own tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.db import Base, UTCDateTime

# A branch's own figures are kept under this id; the cloud uses its cloud_branch ids (1, 2...).
LOCAL = 0


class ReportSale(Base):
    """One tax invoice, credit note or imported past sale."""

    __tablename__ = "report_sale"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    doc: Mapped[str] = mapped_column(String(40), primary_key=True)  # INV-000012, CN-.., IMP-..
    kind: Mapped[str] = mapped_column(String(12))  # invoice | credit_note | imported
    order_id: Mapped[str] = mapped_column(String(36), default="")
    business_day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hour: Mapped[int] = mapped_column(SmallInteger, default=0)  # local hour 0-23
    order_type: Mapped[str] = mapped_column(String(16), default="")
    staff: Mapped[str] = mapped_column(String(120), default="")  # the order's waiter
    orders: Mapped[int] = mapped_column(default=0)  # 1 on an order's first invoice
    gross_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # not comps
    comp_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    service_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # VAT in; 0 on a refund
    vat_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # credit notes, VAT in
    refund_vat_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tip_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (Index("ix_report_sale_day", "branch_id", "business_day"),)


class ReportLine(Base):
    """One item row of a sale (a credit note's rows count negative)."""

    __tablename__ = "report_line"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    doc: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    business_day: Mapped[date] = mapped_column(Date)
    item: Mapped[str] = mapped_column(String(120))
    item_ar: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(120), default="")
    category_ar: Mapped[str] = mapped_column(String(120), default="")
    qty_milli: Mapped[int] = mapped_column(BigInteger)  # thousandths: a half of a split is 500
    gross_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    comp_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_report_line_day", "branch_id", "business_day"),)


class ReportPayment(Base):
    """One payment taken or refund paid back (refunds negative)."""

    __tablename__ = "report_payment"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    payment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    tender: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    tip_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    staff: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (Index("ix_report_payment_day", "branch_id", "business_day"),)


class ReportAdjustment(Base):
    """A void, comp, discount, price change, refund or cancelled order: what, how much, why,
    who did it and who approved it."""

    __tablename__ = "report_adjustment"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    order_number: Mapped[int] = mapped_column(default=0)
    doc: Mapped[str] = mapped_column(String(40), default="")
    item: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[int] = mapped_column(default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(120), default="")
    approver: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (Index("ix_report_adjustment_day", "branch_id", "business_day"),)


class ReportTicket(Base):
    """A station's kitchen ticket, from fired to bumped."""

    __tablename__ = "report_ticket"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ticket_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date)
    station: Mapped[str] = mapped_column(String(120))
    seconds: Mapped[int]
    late: Mapped[bool] = mapped_column(default=False)
    items: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_report_ticket_day", "branch_id", "business_day"),)


class ReportShift(Base):
    """A closed cash-drawer shift: the cash expected and counted."""

    __tablename__ = "report_shift"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shift_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(120), default="")
    closed_by: Mapped[str] = mapped_column(String(120), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected_cash_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    counted_cash_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_report_shift_day", "branch_id", "business_day"),)


class _Rollup:
    """The measures of a roll-up row (each dimension fills the ones it has)."""

    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    label_ar: Mapped[str] = mapped_column(String(160), default="")
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    orders: Mapped[int] = mapped_column(BigInteger, default=0)
    qty_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    gross_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    comp_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    service_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    vat_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_vat_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tip_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    late: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportDaily(_Rollup, Base):
    """Sums per branch, business day, dimension and key."""

    __tablename__ = "report_daily"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ReportMonthly(_Rollup, Base):
    """The same sums per calendar month of business days (`month`: its first day)."""

    __tablename__ = "report_monthly"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)


class ReportYearly(_Rollup, Base):
    """The same sums per calendar year of business days (`year`: its 1 January)."""

    __tablename__ = "report_yearly"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    year: Mapped[date] = mapped_column(Date, primary_key=True)


class ReportSummary(Base):
    """The end-of-day summary of a branch's business day, made by the scheduler once the day
    is over (and again when late events change it)."""

    __tablename__ = "report_summary"

    branch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)


MEASURES = [
    c.name
    for c in ReportDaily.__table__.c
    if c.name not in ("branch_id", "day", "dim", "key", "label_ar")
]
