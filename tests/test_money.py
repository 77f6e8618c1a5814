"""Money formatting: integer minor units, Western digits, the currency after the amount."""

import pytest

from pos_app.money import format_minor


@pytest.mark.parametrize(
    "amount, currency, exponent, locale, text",
    [
        (4500, "SAR", 2, "en", "45.00 SAR"),
        (4500, "SAR", 2, "ar", "45.00 ر.س"),
        (5, "SAR", 2, "en", "0.05 SAR"),
        (-1250, "SAR", 2, "en", "-12.50 SAR"),
        (123456789, "SAR", 2, "en", "1,234,567.89 SAR"),
        (1500, "KWD", 3, "ar", "1.500 د.ك"),
        (700, "JPY", 0, "en", "700 JPY"),
    ],
)
def test_amounts_are_written_the_way_receipts_write_them(amount, currency, exponent, locale, text):
    assert format_minor(amount, currency, exponent, locale) == text


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        format_minor(45.0)
