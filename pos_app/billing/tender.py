"""How money changes hands at the till (pure: no I/O): one tender split into what goes on the
bill, the tip and the change, and what each tender's drawer or terminal should hold.

Money is int minor units. For every tender

    tendered = applied + tip + change

where `applied` is what the bill part receives, `tip` is the guest's tip (never part of the
invoice: it is not a sale and carries no VAT) and `change` is cash given back (0 for every
other tender). For a card, `tendered` is what the terminal charged: the bill's share plus the
tip. So a guest who hands 100.00 for a bill of 57.00 with 5.00 tip gets 38.00 back, and the
drawer grows by 62.00.

What a drawer should hold is counted the way the money moved:

    expected cash = float + Σ tendered − Σ change − cash refunds + cash in − cash out
                  = float + cash applied + cash tips − cash refunds + cash in − cash out

(the two lines are the same by the identity above). A terminal should have charged
Σ applied + Σ tips for its tender, less what it paid back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CASH = "cash"


class TenderRefused(ValueError):
    """A tender that cannot settle: the message, the field it is about and an error code."""

    def __init__(self, message: str, field_name: str, detail: str, code: str = "invalid"):
        super().__init__(message)
        self.field_name, self.detail, self.code = field_name, detail, code


@dataclass(frozen=True)
class Settlement:
    """One tender settled: tendered = applied + tip + change."""

    applied_minor: int
    tip_minor: int
    tendered_minor: int
    change_minor: int


def settle(
    tender: str,
    due_minor: int,
    *,
    amount_minor: int | None = None,
    tendered_minor: int | None = None,
    tip_minor: int = 0,
) -> Settlement:
    """Split what the guest hands over into applied, tip and change against what is due.

    Cash: the amount defaults to what is due, or to what was handed over less the tip when
    that is less (a part payment); the cash must cover the amount and the tip, and the rest is
    change. Other tenders never give change: the amount defaults to what is due, and what the
    terminal charged, if given, must be the amount plus the tip."""
    if due_minor < 0:
        raise ValueError(f"what is due is never negative, got {due_minor}")
    if tip_minor < 0:
        raise TenderRefused("a tip is never negative", "tip_minor", "not negative")
    if tender == CASH:
        if amount_minor is None and tendered_minor is not None:
            amount_minor = min(tendered_minor - tip_minor, due_minor)
            if amount_minor <= 0 < due_minor:
                raise TenderRefused(
                    "the cash handed over does not cover the tip",
                    "tendered_minor",
                    f"more than the tip ({tip_minor})",
                )
        amount_minor = due_minor if amount_minor is None else amount_minor
        _check_amount(amount_minor, due_minor, cash=True)
        if tendered_minor is None:
            tendered_minor = amount_minor + tip_minor
        if tendered_minor < amount_minor + tip_minor:
            raise TenderRefused(
                "the cash handed over is less than the amount and the tip",
                "tendered_minor",
                f"at least {amount_minor + tip_minor}",
            )
        return Settlement(
            amount_minor, tip_minor, tendered_minor, tendered_minor - amount_minor - tip_minor
        )
    amount_minor = due_minor if amount_minor is None else amount_minor
    _check_amount(amount_minor, due_minor, cash=False)
    charged = amount_minor + tip_minor
    if tendered_minor is not None and tendered_minor != charged:
        raise TenderRefused(
            "only cash gives change: the terminal charges the amount plus the tip",
            "tendered_minor",
            f"only for cash (or exactly {charged})",
            "overpayment",
        )
    return Settlement(amount_minor, tip_minor, charged, 0)


def _check_amount(amount: int, due: int, cash: bool) -> None:
    """More than zero (a bill of zero, all of it complimentary, is settled with zero) and no
    more than is due."""
    if amount < 0 or (amount == 0 and due > 0):
        raise TenderRefused("the amount must be more than zero", "amount_minor", "> 0")
    if amount > due:
        tail = "the rest is change" if cash else "more than that can only be cash, with change"
        raise TenderRefused(
            f"only {due} is due; {tail}", "amount_minor", f"at most {due}", "overpayment"
        )


@dataclass
class TenderTotals:
    """What one tender took and paid back since the last Z."""

    count: int = 0
    applied: int = 0
    tips: int = 0
    tendered: int = 0
    change: int = 0
    refunds: int = 0

    def received(self, tender: str) -> int:
        """What this tender kept. Cash: what was handed over less the change and what was
        paid back (the notes that moved, even for a payment from before tips were counted
        right); any other tender: what it charged, applied plus tips, less refunds."""
        if tender == CASH:
            return self.tendered - self.change - self.refunds
        return self.applied + self.tips - self.refunds


@dataclass(frozen=True)
class Movement:
    """A payment or refund as the till sees it (kind "payment" or "refund")."""

    tender: str
    kind: str
    applied: int
    tip: int = 0
    tendered: int = 0
    change: int = 0


@dataclass(frozen=True)
class Drawer:
    """The cash drawer's own moves since the last Z: floats and cash in and out."""

    float_minor: int = 0
    cash_in: int = 0
    cash_out: int = 0


def totals_by_tender(movements: Iterable[Movement]) -> dict[str, TenderTotals]:
    """Per tender: payments counted, applied, tips, handed over, change, refunds."""
    out: dict[str, TenderTotals] = {}
    for m in movements:
        t = out.setdefault(m.tender, TenderTotals())
        if m.kind == "refund":
            t.refunds += m.applied
            continue
        t.count += 1
        t.applied += m.applied
        t.tips += m.tip
        t.tendered += m.tendered
        t.change += m.change
    return out


def expected(totals: dict[str, TenderTotals], drawer: Drawer, tenders: Iterable[str]) -> dict:
    """What each tender should hold: the drawer's float and cash moves for cash, what the
    terminal or wallet took for the others."""
    out = {}
    for tender in tenders:
        t = totals.get(tender, TenderTotals())
        out[tender] = t.received(tender)
        if tender == CASH:
            out[tender] += drawer.float_minor + drawer.cash_in - drawer.cash_out
    return out
