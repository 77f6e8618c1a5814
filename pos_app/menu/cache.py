"""The menu as plain values, cached per process and rebuilt when it changes (any process).

Taking an order reads the menu many times (items, modifiers, stations); from the database
that was twenty queries an order. Every write to a menu or station row bumps the counter
`menu-version` in the same transaction; a request reads that one counter and rebuilds the
snapshot only when it moved, so a price changed on another server process applies at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pos_app.counters import bump_version, current_value
from pos_app.menu.models import Category, MenuItem, Modifier, ModifierGroup, Station
from pos_app.pipeline import Pending, pending
from pos_app.realtime import push_after_commit
from pos_app.rooms import FLOOR, KDS

VERSION = "menu-version"


def _stock_models() -> tuple:
    from pos_app.stock.models import Ingredient, RecipeLine

    return (Ingredient, RecipeLine)


# Recipes and ingredients too: the recipe book (pos_app.stock.recipes) is cached per version.
_WATCHED = (Station, Category, MenuItem, ModifierGroup, Modifier, *_stock_models())


@dataclass(frozen=True)
class StationValue:
    id: int
    code: str
    name: str
    name_ar: str
    is_expo: bool
    sort: int
    active: bool


@dataclass(frozen=True)
class ModifierValue:
    id: int
    group_id: int
    name: str
    name_ar: str
    price_delta_minor: int
    active: bool
    stock_out: bool = False


@dataclass(frozen=True)
class GroupValue:
    id: int
    name: str
    min_choices: int
    max_choices: int
    active: bool


@dataclass(frozen=True)
class ItemValue:
    id: int
    name: str
    name_ar: str
    price_minor: int
    station_id: int | None  # routed: the item's own station, else its category's
    course: int
    prep_minutes: int
    active: bool
    sellable: bool  # active, available, not out of stock, and in an active category
    group_ids: tuple[int, ...]
    category: str = ""  # the section's names (the owners' reports count by them)
    category_ar: str = ""
    available: bool = True  # False: 86'd by hand
    stock_out: bool = False  # an ingredient is short of a portion


@dataclass
class MenuSnapshot:
    version: int
    items: dict[int, ItemValue] = field(default_factory=dict)
    groups: dict[int, GroupValue] = field(default_factory=dict)
    modifiers: dict[int, ModifierValue] = field(default_factory=dict)
    stations: dict[int, StationValue] = field(default_factory=dict)

    def active_stations(self) -> list[StationValue]:
        """Active stations in screen order."""
        return sorted((s for s in self.stations.values() if s.active), key=lambda s: s.sort)


_lock = threading.Lock()
_cached: dict[str, MenuSnapshot] = {}  # engine url -> snapshot (tests run several databases)


def menu_snapshot(session: Session) -> MenuSnapshot:
    """The current menu; one cheap query when nothing changed since the last call."""
    work = pending(session)
    if work.menu is not None:  # read once per transaction
        return work.menu
    version = current_value(session, VERSION)
    key = str(session.get_bind().url)
    snapshot = _cached.get(key)
    if snapshot is None or snapshot.version != version:
        snapshot = _load(session, version)
        # A transaction that has written the menu holds rows no other sees yet (and may write
        # more under the same new version): its snapshot is its own, never the process's.
        if not work.menu_bumped:
            with _lock:
                _cached[key] = snapshot
    work.menu = snapshot
    return snapshot


def _load(session: Session, version: int) -> MenuSnapshot:
    snap = MenuSnapshot(version)
    for s in session.scalars(select(Station)):
        snap.stations[s.id] = StationValue(
            s.id, s.code, s.name, s.name_ar or s.name, s.is_expo, s.sort, s.active
        )
    for g in session.scalars(select(ModifierGroup).options(selectinload(ModifierGroup.modifiers))):
        snap.groups[g.id] = GroupValue(g.id, g.name, g.min_choices, g.max_choices, g.active)
        for m in g.modifiers:
            snap.modifiers[m.id] = ModifierValue(
                m.id,
                g.id,
                m.name,
                m.name_ar or m.name,
                m.price_delta_minor,
                m.active,
                m.stock_out,
            )
    items = session.scalars(
        select(MenuItem).options(
            selectinload(MenuItem.category), selectinload(MenuItem.modifier_groups)
        )
    )
    for i in items:
        station_id = i.station_id or i.category.station_id
        snap.items[i.id] = ItemValue(
            i.id,
            i.name,
            i.name_ar or i.name,
            i.price_minor,
            station_id,
            i.effective_course,
            i.prep_minutes,
            i.active,
            i.active and i.available and not i.stock_out and i.category.active,
            tuple(g.id for g in i.modifier_groups),
            i.category.name,
            i.category.name_ar or i.category.name,
            i.available,
            i.stock_out,
        )
    return snap


def bump_on_menu_change(session: Session, work: Pending) -> None:
    """Flush phase "bump the menu version": once per transaction that writes a menu row."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if not any(isinstance(obj, _WATCHED) for obj in changed):
        return
    work.menu = work.recipes = None  # read again after this write, in this transaction
    if not work.menu_bumped:
        work.menu_bumped = True
        bump_version(session, VERSION)
        # Every handheld and till reloads the menu once this commits: a price, a name or a
        # dish sold out (86) shows everywhere at once, no reload.
        push_after_commit(session, FLOOR, None, "menu_changed", {})
        # And every kitchen screen: its 86 strip and panel show what the handhelds grey.
        push_after_commit(session, KDS, None, "menu_changed", {})
