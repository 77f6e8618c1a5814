"""Order and OrderLine: client-made UUIDs, snapshots of names and prices, a version for edits."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class OrderType(enum.StrEnum):
    """How the guest gets the food."""

    dine_in = "dine_in"
    takeaway = "takeaway"
    delivery = "delivery"


class OrderStatus(enum.StrEnum):
    """The order's lifecycle; `cancelled` needs a reason."""

    open = "open"  # taken, nothing sent to the kitchen yet
    in_kitchen = "in_kitchen"  # something is being cooked
    ready = "ready"  # expo released everything sent so far
    served = "served"  # dine-in: on the table
    picked_up = "picked_up"  # takeaway: handed over
    out_for_delivery = "out_for_delivery"
    paid = "paid"
    closed = "closed"
    cancelled = "cancelled"


OPEN_STATUSES = (
    OrderStatus.open,
    OrderStatus.in_kitchen,
    OrderStatus.ready,
    OrderStatus.served,
    OrderStatus.picked_up,
    OrderStatus.out_for_delivery,
)
HANDED_OVER = {
    OrderType.dine_in: OrderStatus.served,
    OrderType.takeaway: OrderStatus.picked_up,
    OrderType.delivery: OrderStatus.out_for_delivery,
}


class Order(Base):
    """One guest order; `version` rises with every change so stale edits are refused."""

    __tablename__ = "order"
    __table_args__ = (Index("ix_order_status_table", "status", "table_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the handheld
    number: Mapped[int]  # short number for the kitchen and the guest, per business day
    business_day: Mapped[date] = mapped_column(Date, index=True)
    type: Mapped[OrderType] = mapped_column(Enum(OrderType, native_enum=False, length=16))
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=20), default=OrderStatus.open
    )
    table_id: Mapped[int | None] = mapped_column(ForeignKey("dining_table.id"))
    table_label: Mapped[str] = mapped_column(String(40), default="")
    guests: Mapped[int | None]
    customer_name: Mapped[str] = mapped_column(String(120), default="")
    customer_phone: Mapped[str] = mapped_column(String(40), default="")
    customer_address: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(String(500), default="")
    rush: Mapped[bool] = mapped_column(default=False)
    waiter_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    waiter_name: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(default=1)
    # Courses up to this one cook now; later ones wait on the kitchen screens as held.
    released_course: Mapped[int] = mapped_column(default=-1)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Fully paid. A takeaway or delivery paid before it is handed over stays open (the kitchen
    # still cooks it) until it is; a dine-in order closes when paid.
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )

    # Every UPDATE of an order says `WHERE version = <the version read>`: a writer that did not
    # take the order's lock and lost a race fails (StaleDataError, answered 409) instead of
    # silently overwriting. The services set the new version themselves (touch_order).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def is_open(self) -> bool:
        """True until paid, closed or cancelled."""
        return self.status in OPEN_STATUSES


class OrderLine(Base):
    """A line of an order, with what the kitchen was last told about it."""

    __tablename__ = "order_line"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the handheld
    order_id: Mapped[str] = mapped_column(ForeignKey("order.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    item_id: Mapped[int] = mapped_column(ForeignKey("menu_item.id"))
    name: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    unit_price_minor: Mapped[int]  # item price plus modifier deltas, at the time of ordering
    quantity: Mapped[int]
    modifiers: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(300), default="")
    allergy: Mapped[str] = mapped_column(String(200), default="")
    seat: Mapped[int | None]
    course: Mapped[int] = mapped_column(default=1)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    prep_minutes: Mapped[int] = mapped_column(default=0)
    # What the kitchen has: the quantity and the modifiers/note signature last sent.
    sent_quantity: Mapped[int] = mapped_column(default=0)
    sent_signature: Mapped[str] = mapped_column(String(64), default="")
    sent_modifiers: Mapped[list] = mapped_column(JSON, default=list)
    void_reason: Mapped[str] = mapped_column(String(300), default="")
    # What the line has taken from stock, {ingredient id: thousandths} (pos_app.stock.moves).
    stock_taken: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def total_minor(self) -> int:
        """Unit price times quantity."""
        return self.unit_price_minor * self.quantity
