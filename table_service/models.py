"""Floors and their tables, with the position and shape the floor map draws."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class Floor(Base):
    """A room of the restaurant (hall, terrace)."""

    __tablename__ = "floor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tables: Mapped[list[DiningTable]] = relationship(
        back_populates="floor", order_by="DiningTable.sort, DiningTable.id"
    )


class TableShape(enum.StrEnum):
    """How a table is drawn on the floor map."""

    square = "square"
    round = "round"
    rectangle = "rectangle"


class TableStatus(enum.StrEnum):
    """What the floor map shows for a table."""

    free = "free"
    seated = "seated"  # an order is open, nothing sent to the kitchen yet
    ordered = "ordered"  # food is being cooked
    ready = "ready"  # food waits at the pass
    served = "served"
    bill_asked = "bill_asked"
    dirty = "dirty"  # guests left; needs clearing


class DiningTable(Base):
    """A table guests sit at; its label is unique on its floor."""

    __tablename__ = "dining_table"
    __table_args__ = (UniqueConstraint("floor_id", "label", name="uq_dining_table_floor_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    floor_id: Mapped[int] = mapped_column(ForeignKey("floor.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    seats: Mapped[int] = mapped_column(default=4)
    shape: Mapped[TableShape] = mapped_column(
        Enum(TableShape, native_enum=False, length=16), default=TableShape.square
    )
    # Position and size on the floor map, in grid units (the map scales them).
    x: Mapped[int] = mapped_column(default=0)
    y: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=1)
    height: Mapped[int] = mapped_column(default=1)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    status: Mapped[TableStatus] = mapped_column(
        Enum(TableStatus, native_enum=False, length=16), default=TableStatus.free
    )
    order_id: Mapped[str | None] = mapped_column(String(36))  # the open order at the table
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    floor: Mapped[Floor] = relationship(back_populates="tables")
