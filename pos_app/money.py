"""Money in integer minor units: formatting now, VAT and rounding with the billing issue (pure)."""

from __future__ import annotations


def format_minor(amount_minor: int, currency: str = "SAR", exponent: int = 2) -> str:
    """`4500, 'SAR', 2` -> '45.00 SAR': Western digits, as receipts and the invoice QR use."""
    if not isinstance(amount_minor, int):
        raise TypeError("money is an int of minor units")
    sign = "-" if amount_minor < 0 else ""
    whole, part = divmod(abs(amount_minor), 10**exponent)
    text = f"{whole:,}" + (f".{part:0{exponent}d}" if exponent else "")
    return f"{sign}{text} {currency}"
