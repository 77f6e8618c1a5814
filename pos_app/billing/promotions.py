"""Automatic promotions: their windows, validation and savings per line (pure: no I/O).

Money is int minor units; percentages are basis points (1000 = 10 %). Promotions apply per
line, in ascending promotion id (the back office's order). A unit of a line takes at most one
promotion (promotions never stack), so a promotion only sees units that no earlier promotion
took. A line takes part in a promotion only when it was ordered inside the promotion's window
(weekdays, start..end local time; see `in_window`).

- happy_hour: `percent_bp` off the remaining units of each matching line.
- buy_x_get_y: all matching units across lines, cheapest first; for every complete group of
  X+Y units, the Y cheapest units overall are free and the next X cheapest pay for them.
  Each free unit's price comes off the line it belongs to.
- combo: one unit of each of `item_ids` (a repeated id needs that many units) forms a set,
  most expensive units first (ties: the earlier line), as many sets as there are and while
  a set costs more than `combo_price_minor`. A set's saving is spread over its units in
  proportion to their prices (`split.allocate`), so it comes off the lines it took from.

An empty `item_ids` and `category_ids` match every item (happy hour, buy X get Y); a combo
needs `item_ids`. Promotions that save nothing leave no adjustment and take no units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pos_app.billing.split import allocate
from pos_app.billing.tax import BP, check_bp, round_half_up

PROMOTION_KINDS = ("happy_hour", "buy_x_get_y", "combo")


class PromotableLine(Protocol):
    """What a promotion reads of an order line (`pricing.PriceLine` has it all)."""

    @property
    def item_id(self) -> int: ...
    @property
    def category_id(self) -> int | None: ...
    @property
    def unit_price_minor(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def ordered_at_local(self) -> datetime: ...


@dataclass(frozen=True)
class PromotionSpec:
    """An automatic promotion configured in the back office."""

    id: int
    name: str
    name_ar: str
    kind: str  # "happy_hour" | "buy_x_get_y" | "combo"
    percent_bp: int = 0
    weekdays: tuple[int, ...] = ()  # 0=Monday..6; empty = every day
    start: str = ""  # "HH:MM" local; end <= start crosses midnight; both empty = all day
    end: str = ""
    item_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    buy_quantity: int = 0
    get_quantity: int = 0
    combo_price_minor: int = 0


def in_window(promo: PromotionSpec, at: datetime) -> bool:
    """Whether a line ordered at local time `at` falls in the promotion's days and hours.

    The window is start <= time < end, to the minute. A window that crosses midnight
    (end <= start) belongs to the day it starts on: Friday 22:00-02:00 includes Saturday 01:30.
    """
    day = at.weekday()
    if promo.start or promo.end:
        start, end, now = _minutes(promo.start), _minutes(promo.end), at.hour * 60 + at.minute
        if start < end:
            if not start <= now < end:
                return False
        elif now < end:
            day = (day - 1) % 7
        elif now < start:
            return False
    return not promo.weekdays or day in promo.weekdays


def promotion_savings(
    lines: Sequence[PromotableLine], promotions: Sequence[PromotionSpec]
) -> list[dict[int, int]]:
    """Per line, promotion id -> minor units it saves, each unit taking one promotion at most."""
    free = [line.quantity for line in lines]
    saved: list[dict[int, int]] = [{} for _ in lines]
    for promo in sorted(promotions, key=lambda p: p.id):
        eligible = [i for i, line in enumerate(lines) if in_window(promo, line.ordered_at_local)]
        if promo.kind == "happy_hour":
            offs = _happy_hour(promo, lines, eligible, free)
        elif promo.kind == "buy_x_get_y":
            offs = _buy_x_get_y(promo, lines, eligible, free)
        else:
            offs = _combo(promo, lines, eligible, free)
        for i, off in offs.items():
            if off:
                saved[i][promo.id] = saved[i].get(promo.id, 0) + off
    return saved


def _matches(promo: PromotionSpec, line: PromotableLine) -> bool:
    """Whether a line's item or category is one the promotion names (none named = all)."""
    if not promo.item_ids and not promo.category_ids:
        return True
    return line.item_id in promo.item_ids or (
        line.category_id is not None and line.category_id in promo.category_ids
    )


def _happy_hour(
    promo: PromotionSpec, lines: Sequence[PromotableLine], eligible: list[int], free: list[int]
) -> dict[int, int]:
    """Percent off the untaken units of each matching line; takes those units."""
    offs = {}
    for i in eligible:
        if free[i] and _matches(promo, lines[i]):
            off = round_half_up(lines[i].unit_price_minor * free[i] * promo.percent_bp, BP)
            if off:
                offs[i] = off
                free[i] = 0
    return offs


def _buy_x_get_y(
    promo: PromotionSpec, lines: Sequence[PromotableLine], eligible: list[int], free: list[int]
) -> dict[int, int]:
    """The cheapest Y of every X+Y matching units free; takes the free and paying units."""
    pool = sorted(
        (lines[i].unit_price_minor, i) for i in eligible if free[i] and _matches(promo, lines[i])
    )
    groups = sum(free[i] for _, i in pool) // (promo.buy_quantity + promo.get_quantity)
    to_free, to_pay = groups * promo.get_quantity, groups * promo.buy_quantity
    offs: dict[int, int] = {}
    taken: dict[int, int] = {}
    for price, i in pool:
        units = min(free[i], to_free)
        to_free -= units
        offs[i] = price * units
        paying = min(free[i] - units, to_pay)
        to_pay -= paying
        taken[i] = units + paying
    if sum(offs.values()):
        for i, units in taken.items():
            free[i] -= units
    return offs


def _combo(
    promo: PromotionSpec, lines: Sequence[PromotableLine], eligible: list[int], free: list[int]
) -> dict[int, int]:
    """Sets of `item_ids` at the combo price, most expensive units first; takes their units."""
    need = Counter(promo.item_ids)
    pools = {
        item: sorted(
            (-lines[i].unit_price_minor, i)
            for i in eligible
            if lines[i].item_id == item and free[i]
        )
        for item in need
    }
    offs: dict[int, int] = {}
    while True:
        units = _next_set(need, pools, free)
        if units is None:
            return offs
        prices = [lines[i].unit_price_minor for i in units]
        saving = sum(prices) - promo.combo_price_minor
        if saving <= 0:  # later sets are no dearer, so none of them would save either
            return offs
        for i, share in zip(units, allocate(saving, prices), strict=True):
            free[i] -= 1
            offs[i] = offs.get(i, 0) + share


def _next_set(
    need: Counter[int], pools: dict[int, list[tuple[int, int]]], free: list[int]
) -> list[int] | None:
    """The line index of each unit of the next complete combo set, or None if none is left."""
    units: list[int] = []
    for item, count in sorted(need.items()):
        available = [i for _, i in pools[item] for _ in range(free[i])][:count]
        if len(available) < count:
            return None
        units.extend(available)
    return units


def _minutes(hhmm: str) -> int:
    """'HH:MM' -> minutes after midnight; ValueError if malformed."""
    hours, sep, minutes = hhmm.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isdigit()):
        raise ValueError(f"promotion time must be 'HH:MM', got {hhmm!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"promotion time out of range: {hhmm!r}")
    return int(hours) * 60 + int(minutes)


def validate_promotion(promo: PromotionSpec) -> None:
    """Raise ValueError for a promotion configured so that it cannot be applied."""
    where = f"promotion {promo.id} ({promo.name})"
    if promo.kind not in PROMOTION_KINDS:
        raise ValueError(f"{where}: kind must be one of {PROMOTION_KINDS}, got {promo.kind!r}")
    check_bp(promo.percent_bp, where)
    if any(day not in range(7) for day in promo.weekdays):
        raise ValueError(f"{where}: weekdays are 0 (Monday) to 6")
    if bool(promo.start) != bool(promo.end):
        raise ValueError(f"{where}: give both start and end, or neither")
    if promo.start:
        _minutes(promo.start)
        _minutes(promo.end)
    if promo.kind == "buy_x_get_y" and (promo.buy_quantity < 1 or promo.get_quantity < 1):
        raise ValueError(f"{where}: buy and get quantities must be at least 1")
    if promo.kind == "combo" and not promo.item_ids:
        raise ValueError(f"{where}: a combo needs item_ids")
    if promo.combo_price_minor < 0:
        raise ValueError(f"{where}: negative combo price")
