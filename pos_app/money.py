"""Money in integer minor units: formatting now, VAT and rounding with the billing issue (pure)."""

from __future__ import annotations

# How Arabic receipts and screens name a currency after the amount.
ARABIC_SYMBOLS = {
    "SAR": "ر.س",
    "AED": "د.إ",
    "KWD": "د.ك",
    "BHD": "د.ب",
    "QAR": "ر.ق",
    "OMR": "ر.ع",
    "EGP": "ج.م",
    "JOD": "د.أ",
}


def format_minor(
    amount_minor: int, currency: str = "SAR", exponent: int = 2, locale: str = "en"
) -> str:
    """`4500, 'SAR', 2` -> '45.00 SAR' ('45.00 ر.س' in Arabic): Western digits, as receipts
    and the invoice QR use."""
    if not isinstance(amount_minor, int):
        raise TypeError("money is an int of minor units")
    sign = "-" if amount_minor < 0 else ""
    whole, part = divmod(abs(amount_minor), 10**exponent)
    text = f"{whole:,}" + (f".{part:0{exponent}d}" if exponent else "")
    unit = ARABIC_SYMBOLS.get(currency, currency) if locale == "ar" else currency
    return f"{sign}{text} {unit}"


def plain_minor(amount_minor: int, exponent: int = 2) -> str:
    """`4500, 2` -> '45.00': the amount as a money field shows it (no grouping, no currency)."""
    if not isinstance(amount_minor, int):
        raise TypeError("money is an int of minor units")
    sign = "-" if amount_minor < 0 else ""
    whole, part = divmod(abs(amount_minor), 10**exponent)
    return sign + str(whole) + (f".{part:0{exponent}d}" if exponent else "")
