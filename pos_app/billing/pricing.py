"""Prices an order into a bill: promotions, staff discounts, service charge, VAT (pure: no I/O).

Money is int minor units; percentages are basis points (1000 = 10 %). The order of application:

1. Promotions, per line, in ascending promotion id (the back office's order). A unit of a line
   takes at most one promotion (promotions never stack), so a promotion only sees units that
   no earlier promotion took. A line takes part in a promotion only when it was ordered inside
   the promotion's window (weekdays, start..end local time; see `in_window`).
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
2. Staff line discounts, in the order given: percent of what remains of the line, an amount
   capped at what remains, or comp (all that remains). Each discount leaves an adjustment,
   even one that found nothing left to take.
3. Order discounts, in the order given, on what remains of the sum of line amounts: percent of
   it, or an amount capped at it, so the bill never goes below zero.
4. Service charge = round_half_up(the sum after discounts × bp / 10000), on that sum.
5. The taxable amount is turned into the guest's total by the tax rule (`tax.gross_of`), and
   VAT is taken out of that total (`tax.split_gross`), the one rounding rule of `tax`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pos_app.billing.split import allocate
from pos_app.billing.tax import BP, TaxRule, gross_of, round_half_up, split_gross

DISCOUNT_KINDS = ("percent", "amount", "comp")
PROMOTION_KINDS = ("happy_hour", "buy_x_get_y", "combo")


@dataclass(frozen=True)
class PriceLine:
    """One billable order line (quantity > 0)."""

    id: str
    item_id: int
    category_id: int | None
    name: str
    name_ar: str
    unit_price_minor: int
    quantity: int
    seat: int | None
    ordered_at_local: datetime  # naive local wall-clock time the line was ordered


@dataclass(frozen=True)
class DiscountSpec:
    """A staff-applied discount on a line, or on the whole order when `line_id` is None."""

    id: str
    line_id: str | None
    kind: str  # "percent" | "amount" | "comp" (100 % of a line; line_id required)
    percent_bp: int = 0
    amount_minor: int = 0
    reason: str = ""


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


@dataclass(frozen=True)
class Adjustment:
    """A discount (negative) or service charge (positive) with its bilingual label."""

    label: str
    label_ar: str
    amount_minor: int
    source: str  # "promotion:<id>" | "discount:<id>" | "service_charge"


@dataclass(frozen=True)
class BilledLine:
    """A line with its promotions and discounts applied."""

    line: PriceLine
    gross_minor: int
    adjustments: tuple[Adjustment, ...]
    amount_minor: int


@dataclass(frozen=True)
class Bill:
    """A priced order: lines, order-level adjustments, and the totals with VAT."""

    lines: tuple[BilledLine, ...]
    subtotal_minor: int
    line_adjustments_minor: int
    order_adjustments: tuple[Adjustment, ...]
    service_charge_minor: int
    taxable_minor: int
    total_minor: int
    vat_minor: int
    net_minor: int
    rule: TaxRule


def price_bill(
    lines: Sequence[PriceLine],
    discounts: Sequence[DiscountSpec],
    promotions: Sequence[PromotionSpec],
    rule: TaxRule,
    service_charge_bp: int = 0,
) -> Bill:
    """Price an order into a `Bill` (order of application in the module docstring)."""
    _validate(lines, discounts, promotions, service_charge_bp)
    saved = _promotion_savings(lines, promotions)
    by_id = {p.id: p for p in promotions}
    billed = []
    for i, line in enumerate(lines):
        gross = line.unit_price_minor * line.quantity
        adjustments = [
            Adjustment(
                by_id[pid].name, by_id[pid].name_ar or by_id[pid].name, -off, f"promotion:{pid}"
            )
            for pid, off in saved[i].items()
        ]
        remaining = gross - sum(saved[i].values())
        for spec in discounts:
            if spec.line_id == line.id:
                off = _discount_off(spec, remaining)
                remaining -= off
                adjustments.append(_discount_adjustment(spec, off))
        billed.append(BilledLine(line, gross, tuple(adjustments), remaining))
    return _total(billed, discounts, rule, service_charge_bp)


def _total(
    billed: list[BilledLine], discounts: Sequence[DiscountSpec], rule: TaxRule, service_bp: int
) -> Bill:
    """Apply order discounts and the service charge, then the tax rule."""
    remaining = sum(b.amount_minor for b in billed)
    order_adjustments = []
    for spec in discounts:
        if spec.line_id is None:
            off = _discount_off(spec, remaining)
            remaining -= off
            order_adjustments.append(_discount_adjustment(spec, off))
    service = round_half_up(remaining * service_bp, BP)
    if service_bp:
        pct = _percent_text(service_bp)
        order_adjustments.append(
            Adjustment(f"Service charge {pct}%", f"رسوم الخدمة {pct}%", service, "service_charge")
        )
    taxable = remaining + service
    total = gross_of(taxable, rule)
    net, vat = split_gross(total, rule)
    subtotal = sum(b.gross_minor for b in billed)
    return Bill(
        lines=tuple(billed),
        subtotal_minor=subtotal,
        line_adjustments_minor=sum(b.amount_minor for b in billed) - subtotal,
        order_adjustments=tuple(order_adjustments),
        service_charge_minor=service,
        taxable_minor=taxable,
        total_minor=total,
        vat_minor=vat,
        net_minor=net,
        rule=rule,
    )


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


def _promotion_savings(
    lines: Sequence[PriceLine], promotions: Sequence[PromotionSpec]
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


def _matches(promo: PromotionSpec, line: PriceLine) -> bool:
    """Whether a line's item or category is one the promotion names (none named = all)."""
    if not promo.item_ids and not promo.category_ids:
        return True
    return line.item_id in promo.item_ids or (
        line.category_id is not None and line.category_id in promo.category_ids
    )


def _happy_hour(
    promo: PromotionSpec, lines: Sequence[PriceLine], eligible: list[int], free: list[int]
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
    promo: PromotionSpec, lines: Sequence[PriceLine], eligible: list[int], free: list[int]
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
    promo: PromotionSpec, lines: Sequence[PriceLine], eligible: list[int], free: list[int]
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


def _discount_off(spec: DiscountSpec, remaining: int) -> int:
    """How much a staff discount takes from what remains (never more than that)."""
    if spec.kind == "percent":
        return round_half_up(remaining * spec.percent_bp, BP)
    if spec.kind == "amount":
        return min(spec.amount_minor, remaining)
    return remaining


def _discount_adjustment(spec: DiscountSpec, off: int) -> Adjustment:
    """The bill's record of a staff discount, labelled for the receipt."""
    if spec.kind == "percent":
        pct = _percent_text(spec.percent_bp)
        label, label_ar = f"Discount {pct}%", f"خصم {pct}%"
    elif spec.kind == "amount":
        label, label_ar = "Discount", "خصم"
    else:
        label, label_ar = "Comp", "ضيافة"
    return Adjustment(label, label_ar, -off, f"discount:{spec.id}")


def _percent_text(bp: int) -> str:
    """1000 -> '10', 1250 -> '12.5', 333 -> '3.33'."""
    whole, frac = divmod(bp, 100)
    return f"{whole}.{frac:02d}".rstrip("0") if frac else str(whole)


def _minutes(hhmm: str) -> int:
    """'HH:MM' -> minutes after midnight; ValueError if malformed."""
    hours, sep, minutes = hhmm.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isdigit()):
        raise ValueError(f"promotion time must be 'HH:MM', got {hhmm!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"promotion time out of range: {hhmm!r}")
    return int(hours) * 60 + int(minutes)


def _validate(
    lines: Sequence[PriceLine],
    discounts: Sequence[DiscountSpec],
    promotions: Sequence[PromotionSpec],
    service_charge_bp: int,
) -> None:
    """Raise ValueError with a clear message for anything that cannot be priced."""
    ids = [line.id for line in lines]
    if len(set(ids)) != len(ids):
        raise ValueError("line ids must be unique")
    for line in lines:
        if line.quantity <= 0:
            raise ValueError(f"line {line.id!r}: quantity must be positive, got {line.quantity}")
        if line.unit_price_minor < 0:
            raise ValueError(f"line {line.id!r}: negative price {line.unit_price_minor}")
    for spec in discounts:
        _validate_discount(spec, set(ids))
    if len({p.id for p in promotions}) != len(promotions):
        raise ValueError("promotion ids must be unique")
    for promo in promotions:
        validate_promotion(promo)
    _check_bp(service_charge_bp, "service charge")


def _validate_discount(spec: DiscountSpec, line_ids: set[str]) -> None:
    """Raise ValueError for a discount that cannot be applied."""
    where = f"discount {spec.id!r}"
    if spec.kind not in DISCOUNT_KINDS:
        raise ValueError(f"{where}: kind must be one of {DISCOUNT_KINDS}, got {spec.kind!r}")
    _check_bp(spec.percent_bp, where)
    if spec.amount_minor < 0:
        raise ValueError(f"{where}: negative amount {spec.amount_minor}")
    if spec.kind == "comp" and spec.line_id is None:
        raise ValueError(f"{where}: a comp needs a line")
    if spec.line_id is not None and spec.line_id not in line_ids:
        raise ValueError(f"{where}: unknown line {spec.line_id!r}")


def validate_promotion(promo: PromotionSpec) -> None:
    """Raise ValueError for a promotion configured so that it cannot be applied."""
    where = f"promotion {promo.id} ({promo.name})"
    if promo.kind not in PROMOTION_KINDS:
        raise ValueError(f"{where}: kind must be one of {PROMOTION_KINDS}, got {promo.kind!r}")
    _check_bp(promo.percent_bp, where)
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


def _check_bp(bp: int, where: str) -> None:
    """Refuse a percentage outside 0..100 % (0..10000 basis points)."""
    if not 0 <= bp <= BP:
        raise ValueError(f"{where}: percent_bp must be 0..10000, got {bp}")
