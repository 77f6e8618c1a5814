"""Kitchen tickets per station, their lines, and the numbered push log screens replay from."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class TicketStatus(enum.StrEnum):
    """Where a ticket is on its station."""

    new = "new"
    started = "started"
    done = "done"  # bumped


class KitchenTicket(Base):
    """What one station (or expo) must make for one send of one course of one order."""

    __tablename__ = "kitchen_ticket"
    __table_args__ = (Index("ix_kitchen_ticket_station_status", "station_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    order_id: Mapped[str] = mapped_column(ForeignKey("order.id"), index=True)
    expo_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("kitchen_ticket.id"))
    is_expo: Mapped[bool] = mapped_column(default=False)
    course: Mapped[int] = mapped_column(default=1)
    held: Mapped[bool] = mapped_column(default=False)  # a later course, waiting to be fired
    is_change: Mapped[bool] = mapped_column(default=False)  # an edit of a sent order
    rush: Mapped[bool] = mapped_column(default=False)
    status: Mapped[TicketStatus] = mapped_column(
        Enum(TicketStatus, native_enum=False, length=16), default=TicketStatus.new
    )
    header: Mapped[dict] = mapped_column(JSON, default=dict)  # order number, table, waiter...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when cooking may begin
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # staggered by prep time
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bumped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bumped_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    lines: Mapped[list[KitchenTicketLine]] = relationship(
        back_populates="ticket", order_by="KitchenTicketLine.id", cascade="all, delete-orphan"
    )


class KitchenTicketLine(Base):
    """One item on a ticket: add, void or change, with its modifiers and notes."""

    __tablename__ = "kitchen_ticket_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("kitchen_ticket.id"), index=True)
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_line.id"), index=True)
    station_code: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(8), default="add")  # add, void, change
    quantity: Mapped[int]
    voided_quantity: Mapped[int] = mapped_column(default=0)
    void_reason: Mapped[str] = mapped_column(String(300), default="")
    name: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    modifiers: Mapped[list] = mapped_column(JSON, default=list)
    old_modifiers: Mapped[list] = mapped_column(JSON, default=list)
    old_quantity: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    allergy: Mapped[str] = mapped_column(String(200), default="")
    seat: Mapped[int | None]
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[KitchenTicket] = relationship(back_populates="lines")


class KdsEvent(Base):
    """A push to a station's screens, numbered per station, kept for replay on reconnect."""

    __tablename__ = "kds_event"
    __table_args__ = (UniqueConstraint("station_id", "seq", name="uq_kds_event_station_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
