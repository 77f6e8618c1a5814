"""The Branch row: one per branch server; the cloud holds one per shop it mirrors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class Branch(Base):
    """Identity, currency, VAT and the business-day cut-off of one restaurant."""

    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(240), default="")
    address_ar: Mapped[str] = mapped_column(String(240), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="SAR")
    currency_exponent: Mapped[int] = mapped_column(default=2)
    # Basis points: 1500 = 15 %. An integer, so VAT never touches a float.
    vat_rate_bp: Mapped[int] = mapped_column(default=1500)
    prices_include_vat: Mapped[bool] = mapped_column(default=True)
    vat_number: Mapped[str] = mapped_column(String(32), default="")
    # Dine-in service charge (basis points, 0 = none) and the discount above which a manager
    # must approve (basis points of what is discounted).
    service_charge_bp: Mapped[int] = mapped_column(default=0)
    discount_approval_bp: Mapped[int] = mapped_column(default=1000)
    business_day_cutoff_hour: Mapped[int] = mapped_column(default=4)
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    # Printed above the items and below the totals of every receipt and invoice, per language.
    receipt_header: Mapped[str] = mapped_column(String(400), default="")
    receipt_header_ar: Mapped[str] = mapped_column(String(400), default="")
    receipt_footer: Mapped[str] = mapped_column(String(400), default="")
    receipt_footer_ar: Mapped[str] = mapped_column(String(400), default="")
    # The tips the till offers as buttons, in basis points of the bill, comma-separated
    # ("1000,1500,2000" offers 10, 15 and 20 %); empty offers none.
    tip_suggestions: Mapped[str] = mapped_column(String(40), default="1000,1500,2000")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        """The branch's time zone."""
        return ZoneInfo(self.time_zone)
