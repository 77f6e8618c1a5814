"""VAT and rounding for bills, in int minor units and basis-point rates (pure: no I/O).

THE ONE ROUNDING RULE. An invoice's VAT is always taken out of its own total with VAT:

    VAT = round_half_up(total × rate / (1 + rate)),   net = total − VAT.

In tax-exclusive mode the bill's total is first formed from the net as

    total = net + round_half_up(net × rate),

and taking VAT back out of that total gives exactly round_half_up(net × rate) again, so the
VAT a guest saw added is the VAT the invoice states. Why: with x = net × rate and
V = round_half_up(x) = x + e (|e| ≤ ½), the exact VAT of total = net + V is

    (net + x + e) × rate / (1 + rate) = x + e × k,   k = rate / (1 + rate) ∈ [0, 1),

which lies V − e × (1 − k) from V: strictly less than ½ away whenever rate > 0 (and exactly V
when rate = 0, as then x is a whole number). The rounding error of the first step pushes the
second one away from the .5 boundary. This holds for every rate ≥ 0, not only 0..100 %
(tests/test_billing_math.py checks it with hypothesis over rates 0..10000 bp).

Worked examples, SAR (2 decimals), 15 % = 1500 bp:

- total 100.00 inclusive: VAT = round(10000 × 1500 / 11500) = round(1304.35) = 13.04;
  net 86.96.
- total 45.00: VAT = round(4500 × 1500 / 11500) = round(586.96) = 5.87; net 39.13.
- total 0.01: VAT = round(0.13) = 0.00; net 0.01.
- net 86.96 exclusive: round(8696 × 0.15) = round(1304.4) = 13.04 added, total 100.00, and
  VAT out of 100.00 is 13.04 again.
- net 0.10 exclusive: round(1.5) = 0.02 added (half up), total 0.12; VAT out of 0.12 is
  round(1.565) = 0.02 again.

Computing net first and VAT as the difference is never done: it breaks net + VAT = total
for about 13 % of prices at 15 %.
"""

from __future__ import annotations

from dataclasses import dataclass

BP = 10_000  # basis points in 100 %


def round_half_up(numerator: int, denominator: int) -> int:
    """The nearest int to numerator / denominator, exact halves away from zero.

    1/2 -> 1, 3/2 -> 2, -1/2 -> -1, -3/2 -> -2 (so a credit note rounds like its invoice,
    mirrored). The denominator must be positive.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


def vat_of_gross(gross_minor: int, rate_bp: int) -> int:
    """The VAT contained in an amount that includes VAT at `rate_bp`."""
    _check_rate(rate_bp)
    return round_half_up(gross_minor * rate_bp, BP + rate_bp)


def vat_of_net(net_minor: int, rate_bp: int) -> int:
    """The VAT to add on top of an amount that excludes VAT."""
    _check_rate(rate_bp)
    return round_half_up(net_minor * rate_bp, BP)


@dataclass(frozen=True)
class TaxRule:
    """A VAT rate in basis points and whether menu prices already include it."""

    rate_bp: int
    inclusive: bool

    def __post_init__(self) -> None:
        _check_rate(self.rate_bp)


def gross_of(taxable_minor: int, rule: TaxRule) -> int:
    """What the guest pays for a taxable amount: itself if inclusive, else plus its VAT."""
    if rule.inclusive:
        return taxable_minor
    return taxable_minor + vat_of_net(taxable_minor, rule.rate_bp)


def split_gross(gross_minor: int, rule: TaxRule) -> tuple[int, int]:
    """`(net, vat)` of a total with VAT, by the one rule: VAT first, net = total − VAT."""
    vat = vat_of_gross(gross_minor, rule.rate_bp)
    return gross_minor - vat, vat


def check_bp(bp: int, where: str) -> None:
    """Refuse a percentage outside 0..100 % (0..10000 basis points)."""
    if not 0 <= bp <= BP:
        raise ValueError(f"{where}: percent_bp must be 0..10000, got {bp}")


def _check_rate(rate_bp: int) -> None:
    """Refuse a negative or non-int rate."""
    if not isinstance(rate_bp, int) or rate_bp < 0:
        raise ValueError(f"VAT rate must be a non-negative int of basis points, got {rate_bp!r}")
