"""Splits a priced bill into parts to pay separately, in exact minor units (pure: no I/O).

Every split's part totals add up exactly to the bill's total: the total is shared out with
`allocate` (largest remainder). For item and seat splits the weights are the parts' taxable
shares: a part's lines' amounts (a line split by units gets `allocate(line amount, units)`),
plus the order-level adjustments (order discounts and service charge, net) allocated over the
parts in proportion to those line shares.

Each part is its own invoice, so its VAT follows the one rule of `tax`: VAT = vat_of_gross(part
total), net = total − VAT. The parts' VAT may then differ from the bill's VAT, by at most
floor(n/2) minor units for n parts. Proof: let k = rate / (1 + rate) and t_i ≥ 0 the part
totals, Σ t_i = T. Each part's VAT is v_i = round_half_up(k t_i) = k t_i + e_i, and for a
non-negative value rounding half up gives e_i ∈ (−½, ½], so E = Σ e_i ∈ (−n/2, n/2]. With
S = Σ v_i (an int) the bill's VAT is V = round_half_up(k T) = round_half_up(S − E); on
non-negative values rounding half up is floor(x + ½), which commutes with adding an int, so
S − V = −floor(½ − E) = ceil(E − ½). As E − ½ ∈ (−(n+1)/2, (n−1)/2], that int lies in
[−floor(n/2), floor(n/2)]. (One part: no difference; two or three: at most one halala.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pos_app.billing.tax import vat_of_gross

if TYPE_CHECKING:
    from pos_app.billing.pricing import Bill


@dataclass(frozen=True)
class PartLine:
    """A part's share of one bill line: units and amount (after the line's adjustments)."""

    line_id: str
    name: str
    name_ar: str
    quantity: int
    amount_minor: int


@dataclass(frozen=True)
class Part:
    """One part of a split bill, with its own total, VAT and net."""

    number: int
    label: str
    label_ar: str
    seat: int | None
    lines: tuple[PartLine, ...]  # empty for equal / amount splits
    total_minor: int
    vat_minor: int
    net_minor: int


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Share `total` in proportion to `weights` by largest remainder; the shares sum to total.

    Ties in the remainder go to the earliest index; all-zero weights share equally. A negative
    total is shared as the mirror of its magnitude. Raises ValueError on an empty list or a
    negative weight.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must not be negative: {list(weights)}")
    if total < 0:
        return [-share for share in allocate(-total, weights)]
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def whole(bill: Bill) -> list[Part]:
    """One part: the whole bill, every line in full."""
    lines = tuple(
        PartLine(b.line.id, b.line.name, b.line.name_ar, b.line.quantity, b.amount_minor)
        for b in bill.lines
    )
    return [_part(bill, 1, "Whole bill", "الفاتورة كاملة", None, lines, bill.total_minor)]


def by_items(bill: Bill, assignment: Sequence[Sequence[tuple[str, int]]]) -> list[Part]:
    """One part per list of `(line_id, units)`; every unit of every line goes to one part."""
    known = {b.line.id for b in bill.lines}
    wanted: list[dict[str, int]] = []
    for number, pairs in enumerate(assignment, 1):
        if not pairs:
            raise ValueError(f"part {number} has no items")
        units: dict[str, int] = {}
        for line_id, count in pairs:
            if line_id not in known:
                raise ValueError(f"part {number}: unknown line {line_id!r}")
            if count <= 0:
                raise ValueError(f"part {number}: units of line {line_id!r} must be positive")
            units[line_id] = units.get(line_id, 0) + count
        wanted.append(units)
    if not wanted:
        raise ValueError("a split by items needs at least one part")
    groups: list[list[PartLine]] = [[] for _ in wanted]
    for b in bill.lines:
        counts = [units.get(b.line.id, 0) for units in wanted]
        if sum(counts) != b.line.quantity:
            raise ValueError(
                f"line {b.line.name!r} ({b.line.id}): {sum(counts)} units assigned, "
                f"it has {b.line.quantity}"
            )
        for group, count, amount in zip(
            groups, counts, allocate(b.amount_minor, counts), strict=True
        ):
            if count:
                group.append(PartLine(b.line.id, b.line.name, b.line.name_ar, count, amount))
    labels = [(f"Part {n}", f"جزء {n}", None) for n in range(1, len(groups) + 1)]
    return _line_parts(bill, groups, labels)


def by_seat(bill: Bill) -> list[Part]:
    """One part per seat, ascending; lines without a seat are shared equally among them.

    A shared line's amount and its units are each shared with `allocate`, so a seat may get a
    share of the amount with no whole unit (quantity 0) and the units still add up.
    """
    seats = sorted({b.line.seat for b in bill.lines if b.line.seat is not None})
    if not seats:
        raise ValueError("no line has a seat: split by items or equally instead")
    groups: list[list[PartLine]] = [[] for _ in seats]
    for b in bill.lines:
        line = b.line
        if line.seat is not None:
            groups[seats.index(line.seat)].append(
                PartLine(line.id, line.name, line.name_ar, line.quantity, b.amount_minor)
            )
            continue
        equal = [1] * len(seats)
        shares = zip(allocate(line.quantity, equal), allocate(b.amount_minor, equal), strict=True)
        for group, (count, amount) in zip(groups, shares, strict=True):
            if count or amount:
                group.append(PartLine(line.id, line.name, line.name_ar, count, amount))
    labels = [(f"Seat {s}", f"مقعد {s}", s) for s in seats]
    return _line_parts(bill, groups, labels)


def equally(bill: Bill, n: int) -> list[Part]:
    """`n` parts of the total as equal as minor units allow, labelled '1/n'.."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"split equally needs at least one part, got {n!r}")
    totals = allocate(bill.total_minor, [1] * n)
    return [_part(bill, k, f"{k}/{n}", f"{k}/{n}", None, (), t) for k, t in enumerate(totals, 1)]


def by_amounts(bill: Bill, amounts: Sequence[int]) -> list[Part]:
    """One part per amount the guests name; each positive, together exactly the bill total."""
    if not amounts:
        raise ValueError("a split by amounts needs at least one amount")
    for number, amount in enumerate(amounts, 1):
        if amount <= 0:
            raise ValueError(f"part {number}: amount must be positive, got {amount}")
    difference = sum(amounts) - bill.total_minor
    if difference:
        side = "over" if difference > 0 else "short"
        raise ValueError(
            f"the amounts add up to {sum(amounts)}, the bill is {bill.total_minor}: "
            f"{abs(difference)} {side}"
        )
    return [
        _part(bill, k, f"Part {k}", f"جزء {k}", None, (), amount)
        for k, amount in enumerate(amounts, 1)
    ]


def _line_parts(
    bill: Bill, groups: list[list[PartLine]], labels: list[tuple[str, str, int | None]]
) -> list[Part]:
    """Parts from their lines: order adjustments and the total shared by the lines' amounts."""
    shares = [sum(pl.amount_minor for pl in group) for group in groups]
    order_adjustment = bill.taxable_minor - sum(b.amount_minor for b in bill.lines)
    taxable = [s + a for s, a in zip(shares, allocate(order_adjustment, shares), strict=True)]
    totals = allocate(bill.total_minor, taxable)
    return [
        _part(bill, number, label, label_ar, seat, tuple(group), total)
        for number, ((label, label_ar, seat), group, total) in enumerate(
            zip(labels, groups, totals, strict=True), 1
        )
    ]


def _part(
    bill: Bill,
    number: int,
    label: str,
    label_ar: str,
    seat: int | None,
    lines: tuple[PartLine, ...],
    total: int,
) -> Part:
    """A part with its VAT taken out of its own total (the one rule)."""
    vat = vat_of_gross(total, bill.rule.rate_bp)
    return Part(number, label, label_ar, seat, lines, total, vat, total - vat)
