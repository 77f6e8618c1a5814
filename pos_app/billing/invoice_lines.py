"""What a tax invoice lists: each item sold with its modifiers and their prices and its
discounts; for a part of a split bill, its share of each; for a credit note, what it gives
back. Pure: no I/O; money in int minor units.

Every printed amount is a *row*. For one bill line the rows are the item itself (quantity ×
menu price), each modifier (quantity × its price; a free one is a row of 0 and prints without
an amount) and each line discount or promotion; they add up to the line's amount. A paper's
rows add up to its totals: the lines' amounts are the subtotal, and the subtotal plus the
order's adjustments (discounts, service charge) is the total with VAT, or without it where
prices exclude VAT.

A part of a split bill gets a share of every row, chosen by `share_rows`: each row's shares
across the parts add up to the row (so the parts' invoices together list the whole bill), and
each part's shares add up to that part's total. A line split by units (by items, or a seat's
own lines) gives its units' rows exactly; an equal split gives each part 1/n of every row;
a split by amounts gives each part its amount's fraction. Where the VAT rule makes a part's
base differ from the rows' share by a minor unit (prices without VAT), the difference prints
as its own "Rounding" row rather than hiding in an item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import gcd

from pos_app.billing.split import allocate
from pos_app.billing.tax import round_half_up

ROUNDING = ("Rounding", "فرق التقريب")


@dataclass(frozen=True)
class Goods:
    """One bill line as printed rows: the item, its modifiers, its adjustments."""

    line_id: str | None
    name: str
    name_ar: str
    quantity: int
    unit_price_minor: int  # with the modifiers
    item_price_minor: int  # without them: the menu price of the item
    modifiers: tuple[dict, ...]  # {name, name_ar, price_delta_minor}
    adjustments: tuple[dict, ...]  # {label, label_ar, amount_minor, source}
    rows: tuple[int, ...]  # item, each modifier, each adjustment

    @property
    def amount_minor(self) -> int:
        return sum(self.rows)


def goods_of(bill, modifiers_by_line: dict[str, list]) -> list[Goods]:
    """The bill's lines as goods, with each line's modifiers (order-line snapshots)."""
    goods = []
    for billed in bill.lines:
        line = billed.line
        mods = tuple(
            {
                "name": m.get("name") or "",
                "name_ar": m.get("name_ar") or m.get("name") or "",
                "price_delta_minor": int(m.get("price_delta_minor") or 0),
            }
            for m in modifiers_by_line.get(line.id) or []
        )
        item_price = line.unit_price_minor - sum(m["price_delta_minor"] for m in mods)
        adjustments = tuple(adjustment_dict(a) for a in billed.adjustments)
        rows = (
            line.quantity * item_price,
            *(line.quantity * m["price_delta_minor"] for m in mods),
            *(a["amount_minor"] for a in adjustments),
        )
        # The rows are the line's gross and adjustments, as pricing made them.
        assert sum(rows) == billed.amount_minor, (line.id, rows, billed.amount_minor)
        goods.append(
            Goods(
                line.id,
                line.name,
                line.name_ar,
                line.quantity,
                line.unit_price_minor,
                item_price,
                mods,
                adjustments,
                rows,
            )
        )
    return goods


def adjustment_dict(adjustment) -> dict:
    """A pricing.Adjustment as a paper row."""
    return {
        "label": adjustment.label,
        "label_ar": adjustment.label_ar,
        "amount_minor": adjustment.amount_minor,
        "source": adjustment.source,
    }


def share_rows(rows: Sequence[int], weights: Sequence[int], targets: Sequence[int]) -> list:
    """`shares[r][k]`: row r's share for part k. Each row's shares add up to the row, each
    part's shares to its target; shares follow the weights as closely as whole minor units
    allow. A part of weight 0 gets nothing unless its target asks for it.

    Raises ValueError when the targets do not add up to the rows, or weights are negative.
    """
    n = len(weights)
    if len(targets) != n or sum(targets) != sum(rows):
        raise ValueError(f"targets {list(targets)} do not share rows {list(rows)}")
    if n == 0 or any(w < 0 for w in weights):
        raise ValueError(f"weights must be a non-empty list of non-negatives: {list(weights)}")
    weights = list(weights) if any(weights) else [1] * n
    whole = sum(weights)
    live = [k for k in range(n) if weights[k]]
    shares = [[row * w // whole for w in weights] for row in rows]  # floors, also below zero
    need = [targets[k] - sum(s[k] for s in shares) for k in range(n)]
    for r, row in enumerate(rows):
        extra = row - sum(shares[r])  # 0 .. n-1 units the floors left over
        ranked = sorted(live, key=lambda k: (-need[k], -(row * weights[k] % whole), k))
        for k in ranked[:extra]:
            shares[r][k] += 1
            need[k] -= 1
    _settle(shares, rows, need)
    return shares


def _settle(shares: list, rows: Sequence[int], need: list[int]) -> None:
    """Move units between parts (in the largest row) until every part meets its target."""
    if not rows:
        return
    biggest = max(range(len(rows)), key=lambda r: (abs(rows[r]), -r))
    for k in range(len(need)):
        while need[k]:
            j = next(j for j in range(len(need)) if need[j] * need[k] < 0)
            move = min(abs(need[k]), abs(need[j])) * (1 if need[k] > 0 else -1)
            shares[biggest][k] += move
            shares[biggest][j] -= move
            need[k] -= move
            need[j] += move


def paper_line(goods: Goods, rows: Sequence[int], quantity: int, share=None) -> dict:
    """The document line for `quantity` units of `goods` (or a `share` of them) whose rows
    are `rows` (item, modifiers, adjustments)."""
    mods = len(goods.modifiers)
    item, mod_rows, adj_rows = rows[0], rows[1 : 1 + mods], rows[1 + mods :]
    modifiers = [
        {**m, "amount_minor": amount} for m, amount in zip(goods.modifiers, mod_rows, strict=True)
    ]
    adjustments = [  # a share that rounds to nothing is not printed
        {**a, "amount_minor": amount}
        for a, amount in zip(goods.adjustments, adj_rows, strict=True)
        if amount or not a["amount_minor"]
    ]
    return {
        "line_id": goods.line_id,
        "name": goods.name,
        "name_ar": goods.name_ar,
        "quantity": quantity,
        "share": share,
        "unit_price_minor": goods.unit_price_minor,
        "item_price_minor": goods.item_price_minor,
        "item_minor": item,
        "modifiers": modifiers,
        "gross_minor": item + sum(mod_rows),
        "adjustments": adjustments,
        "amount_minor": sum(rows),
    }


def whole_paper(goods: Sequence[Goods], order_adjustments: Sequence[dict]) -> tuple:
    """(lines, adjustments) of the whole bill on one paper."""
    lines = [paper_line(g, g.rows, g.quantity) for g in goods]
    return lines, [dict(a) for a in order_adjustments]


@dataclass(frozen=True)
class PartView:
    """What sharing needs of a bill part: its kind, its lines' units and amounts, its base
    (the total with VAT, or without it where prices exclude VAT) and its total."""

    number: int
    kind: str  # "items" | "seats" | "equal" | "amounts" | "whole"
    lines: tuple[dict, ...]  # {line_id, quantity, amount_minor}, as split made them
    base_minor: int
    total_minor: int


def part_paper(
    goods: Sequence[Goods], order_adjustments: Sequence[dict], parts: Sequence[PartView], number
) -> tuple[list[dict], list[dict]]:
    """(lines, adjustments) of part `number` of a split bill (see the module docstring)."""
    index = next(k for k, p in enumerate(parts) if p.number == number)
    part = parts[index]
    if len(parts) == 1 or part.kind == "whole":
        lines, adjustments = whole_paper(goods, order_adjustments)
        return lines, adjustments + _rounding(part.base_minor, lines, adjustments)
    if part.kind in ("items", "seats"):
        line_shares, weights, order_shares = _by_lines(goods, order_adjustments, parts)
    else:
        line_shares, weights, order_shares = _by_fraction(goods, order_adjustments, parts)
    lines = []
    for i, g in enumerate(goods):
        if not weights[i][index]:
            continue
        rows = share_rows(g.rows, weights[i], line_shares[i])
        quantity, share = _count(g, part, weights[i])
        lines.append(paper_line(g, [row[index] for row in rows], quantity, share))
    adjustments = [
        {**a, "amount_minor": order_shares[j][index]}
        for j, a in enumerate(order_adjustments)
        if order_shares[j][index]
    ]
    return lines, adjustments + _rounding(part.base_minor, lines, adjustments)


def _by_lines(goods, order_adjustments, parts):
    """Items and seats: each line's share per part as split stored it; the order's
    adjustments shared by the parts' line amounts."""
    stored = [{} for _ in parts]
    for k, part in enumerate(parts):
        for pl in part.lines:
            units, amount = stored[k].get(pl["line_id"], (0, 0))
            stored[k][pl["line_id"]] = (units + pl["quantity"], amount + pl["amount_minor"])
    line_shares, weights = [], []
    for g in goods:
        held = [stored[k].get(g.line_id) for k in range(len(parts))]
        line_shares.append([h[1] if h else 0 for h in held])
        shared = parts[0].kind == "seats" and sum(1 for h in held if h) > 1
        if shared:  # a line without a seat: every seat has an equal share of it
            weights.append([1 if h else 0 for h in held])
        else:
            weights.append([h[0] if h else 0 for h in held])
        if sum(line_shares[-1]) != g.amount_minor:  # the bill moved: share it afresh
            line_shares[-1] = _proportional(g.amount_minor, weights[-1])
    goods_of_part = [sum(s[k] for s in line_shares) for k in range(len(parts))]
    order_rows = [a["amount_minor"] for a in order_adjustments]
    targets = allocate(sum(order_rows), goods_of_part) if order_rows else [0] * len(parts)
    order_shares = share_rows(order_rows, goods_of_part, targets) if order_rows else []
    return line_shares, weights, order_shares


def _by_fraction(goods, order_adjustments, parts):
    """Equal and by-amounts splits: every row shared by the parts' fractions of the bill."""
    equal = parts[0].kind == "equal"
    fractions = [1 if equal else p.total_minor for p in parts]
    rows = [g.amount_minor for g in goods] + [a["amount_minor"] for a in order_adjustments]
    shares = share_rows(rows, fractions, _proportional(sum(rows), fractions))
    weights = [fractions for _ in goods]
    return shares[: len(goods)], weights, shares[len(goods) :]


def _proportional(total: int, weights: Sequence[int]) -> list[int]:
    return allocate(total, list(weights))


def _count(goods: Goods, part: PartView, weights: Sequence[int]):
    """(quantity, share) printed for this part's piece of a line: units of a line split by
    units; for a shared line, the whole line's quantity and the part's fraction of it."""
    if part.kind == "items" or (part.kind == "seats" and sum(1 for w in weights if w) == 1):
        own = [pl["quantity"] for pl in part.lines if pl["line_id"] == goods.line_id]
        return (sum(own) if own else goods.quantity), None
    if part.kind == "amounts":
        return goods.quantity, _fraction(part.total_minor, sum(weights))
    return goods.quantity, _fraction(1, sum(1 for w in weights if w))


def _fraction(numerator: int, denominator: int) -> dict:
    common = gcd(numerator, denominator) or 1
    return {"num": numerator // common, "den": denominator // common}


def _rounding(base: int, lines: Sequence[dict], adjustments: Sequence[dict]) -> list[dict]:
    """A 'Rounding' row when the rows miss the paper's base (prices without VAT only)."""
    rows = [li["amount_minor"] for li in lines] + [a["amount_minor"] for a in adjustments]
    gap = base - sum(rows)
    if not gap:
        return []
    label, label_ar = ROUNDING
    return [{"label": label, "label_ar": label_ar, "amount_minor": gap, "source": "rounding"}]


# --- credit notes ---------------------------------------------------------------------------


def line_rows(line: dict) -> list[int]:
    """The rows of a document line (item, modifiers, adjustments), also of older documents
    that kept only the line's amounts."""
    adjustments = line.get("adjustments") or []
    mods = [m for m in line.get("modifiers") or [] if isinstance(m, dict)]
    mod_rows = [int(m.get("amount_minor") or 0) for m in mods]
    gross = line.get("gross_minor")
    if gross is None:
        gross = line["amount_minor"] - sum(a["amount_minor"] for a in adjustments)
    item = line.get("item_minor")
    if item is None:
        item = gross - sum(mod_rows)
    return [item, *mod_rows, *(a["amount_minor"] for a in adjustments)]


def refunded_line(line: dict, units: int) -> dict:
    """`units` of an invoice's document line, given back: each row's share of them, adding
    up to round_half_up(amount × units / quantity), the amount the refund takes for them."""
    quantity = line["quantity"]
    rows = line_rows(line)
    amount = sum(rows)
    back = round_half_up(abs(amount) * units, quantity) * (1 if amount >= 0 else -1)
    shares = share_rows(rows, [units, quantity - units], [back, amount - back])
    mods = [m for m in line.get("modifiers") or [] if isinstance(m, dict)]
    adjustments = line.get("adjustments") or []
    goods = Goods(
        line.get("line_id"),
        line.get("name") or "",
        line.get("name_ar") or "",
        quantity,
        line.get("unit_price_minor") or 0,
        line.get("item_price_minor", line.get("unit_price_minor") or 0),
        tuple(mods),
        tuple(adjustments),
        tuple(rows),
    )
    return paper_line(goods, [row[0] for row in shares], units, line.get("share"))


def credit_adjustments(
    invoice_adjustments: Sequence[dict], lines_back: int, lines_all: int, base: int
) -> list[dict]:
    """The invoice's order adjustments shared into a credit note whose lines give back
    `lines_back` of the invoice's `lines_all`, so that lines and adjustments make `base`."""
    gap = base - lines_back
    rows = [a["amount_minor"] for a in invoice_adjustments]
    if not rows:
        return _rounding(gap, [], [])
    shares = share_rows(rows, [lines_back, max(lines_all - lines_back, 0)], [gap, sum(rows) - gap])
    return [
        {**a, "amount_minor": shares[j][0]}
        for j, a in enumerate(invoice_adjustments)
        if shares[j][0]
    ]
