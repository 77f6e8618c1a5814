"""Prices an order into a bill: promotions, staff discounts, service charge, VAT (pure: no I/O).

Money is int minor units; percentages are basis points (1000 = 10 %). The order of application:

1. Promotions (`promotions.promotion_savings`): per line, in ascending promotion id, each unit
   taking one promotion at most; the kinds and their rules are in the `promotions` docstring.
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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pos_app.billing.promotions import PromotionSpec, promotion_savings, validate_promotion
from pos_app.billing.tax import BP, TaxRule, check_bp, gross_of, round_half_up, split_gross

DISCOUNT_KINDS = ("percent", "amount", "comp")


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
    saved = promotion_savings(lines, promotions)
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
    check_bp(service_charge_bp, "service charge")


def _validate_discount(spec: DiscountSpec, line_ids: set[str]) -> None:
    """Raise ValueError for a discount that cannot be applied."""
    where = f"discount {spec.id!r}"
    if spec.kind not in DISCOUNT_KINDS:
        raise ValueError(f"{where}: kind must be one of {DISCOUNT_KINDS}, got {spec.kind!r}")
    check_bp(spec.percent_bp, where)
    if spec.amount_minor < 0:
        raise ValueError(f"{where}: negative amount {spec.amount_minor}")
    if spec.kind == "comp" and spec.line_id is None:
        raise ValueError(f"{where}: a comp needs a line")
    if spec.line_id is not None and spec.line_id not in line_ids:
        raise ValueError(f"{where}: unknown line {spec.line_id!r}")
