"""Menu and kitchen-station models; prices are integer minor units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class Station(Base):
    """A kitchen station (grill, fry, ...) or the expo station that sees whole orders."""

    __tablename__ = "station"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    is_expo: Mapped[bool] = mapped_column(default=False)
    # Ticket timer colours: amber after `warn_after_s`, red after `late_after_s`.
    warn_after_s: Mapped[int] = mapped_column(default=480)
    late_after_s: Mapped[int] = mapped_column(default=900)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Category(Base):
    """A menu section; its station is the default for its items."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    default_course: Mapped[int] = mapped_column(default=1)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    station: Mapped[Station | None] = relationship()
    items: Mapped[list[MenuItem]] = relationship(
        back_populates="category", order_by="MenuItem.sort, MenuItem.id"
    )


item_modifier_group = Table(
    "item_modifier_group",
    Base.metadata,
    Column("item_id", Integer, ForeignKey("menu_item.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", Integer, ForeignKey("modifier_group.id"), primary_key=True),
)


class MenuItem(Base):
    """Something a guest can order; routed to its own station or its category's."""

    __tablename__ = "menu_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    description_ar: Mapped[str] = mapped_column(String(500), default="")
    price_minor: Mapped[int]
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    # None: the category's default course. 0 drinks (at once), 1 starters, 2 mains, 3 desserts.
    course: Mapped[int | None]
    prep_minutes: Mapped[int] = mapped_column(default=0)
    allergens: Mapped[list] = mapped_column(JSON, default=list)
    available: Mapped[bool] = mapped_column(default=True)  # False: 86'd by hand (cook, manager)
    # True while an ingredient it needs is short of one portion (pos_app.stock keeps it).
    stock_out: Mapped[bool] = mapped_column(default=False)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # The dish's photo as the branch stores it (a file name under the photos folder, named by
    # its content's hash), or None.
    photo: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship(back_populates="items")
    station: Mapped[Station | None] = relationship()
    modifier_groups: Mapped[list[ModifierGroup]] = relationship(
        secondary=item_modifier_group, order_by="ModifierGroup.sort, ModifierGroup.id"
    )

    @property
    def modifier_group_ids(self) -> list[int]:
        """Ids of the modifier groups offered on this item, in order."""
        return [group.id for group in self.modifier_groups]

    @property
    def routed_station(self) -> Station | None:
        """The station this item's tickets go to: its own, else its category's."""
        return self.station or self.category.station

    @property
    def effective_course(self) -> int:
        """The course a new line of this item starts in."""
        return self.category.default_course if self.course is None else self.course


class ModifierGroup(Base):
    """A choice on an item (doneness, extras), with how many modifiers must or may be chosen."""

    __tablename__ = "modifier_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    min_choices: Mapped[int] = mapped_column(default=0)
    max_choices: Mapped[int] = mapped_column(default=1)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modifiers: Mapped[list[Modifier]] = relationship(
        back_populates="group", order_by="Modifier.sort, Modifier.id"
    )


class Modifier(Base):
    """One option of a modifier group, with the price it adds (may be 0 or negative)."""

    __tablename__ = "modifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("modifier_group.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120), default="")
    price_delta_minor: Mapped[int] = mapped_column(default=0)
    # True while an ingredient it adds (Shrimp +15) is short of one portion (pos_app.stock).
    stock_out: Mapped[bool] = mapped_column(default=False)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[ModifierGroup] = relationship(back_populates="modifiers")
