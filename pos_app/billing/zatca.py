"""The QR code of a ZATCA simplified tax invoice: TLV tags 1-5, base64 (pure: no I/O).

Tags: 1 seller name, 2 VAT number, 3 time stamp (UTC, `YYYY-MM-DDTHH:MM:SSZ`), 4 total with
VAT, 5 VAT total. Each field is one tag byte, one byte with the length of the UTF-8 value,
then the value; the QR holds the base64 of all the fields one after the other.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime


def tlv(fields: list[tuple[int, str]]) -> bytes:
    """Encode `(tag, value)` pairs as TLV; ValueError if a tag or a length does not fit a byte."""
    out = bytearray()
    for tag, value in fields:
        data = value.encode("utf-8")
        if not 0 <= tag <= 255:
            raise ValueError(f"tag {tag} does not fit in one byte")
        if len(data) > 255:
            raise ValueError(f"tag {tag}: value is {len(data)} bytes in UTF-8, at most 255")
        out += bytes((tag, len(data))) + data
    return bytes(out)


def simplified_invoice_qr(
    seller_name: str,
    vat_number: str,
    issued_at: datetime,
    total_minor: int,
    vat_minor: int,
    exponent: int = 2,
) -> str:
    """The base64 QR text of a simplified tax invoice; `issued_at` must be timezone-aware."""
    if issued_at.tzinfo is None or issued_at.utcoffset() is None:
        raise ValueError("issued_at must be timezone-aware (UTC)")
    stamp = issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = [
        (1, seller_name),
        (2, vat_number),
        (3, stamp),
        (4, minor_to_decimal(total_minor, exponent)),
        (5, minor_to_decimal(vat_minor, exponent)),
    ]
    return base64.b64encode(tlv(fields)).decode("ascii")


def minor_to_decimal(amount_minor: int, exponent: int = 2) -> str:
    """`100000, 2` -> '1000.00': a plain decimal string from int minor units, no float."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise TypeError("money is an int of minor units")
    if exponent < 0:
        raise ValueError("exponent must not be negative")
    sign = "-" if amount_minor < 0 else ""
    units, fraction = divmod(abs(amount_minor), 10**exponent)
    return f"{sign}{units}.{fraction:0{exponent}d}" if exponent else f"{sign}{units}"


def decode_qr(b64: str) -> dict[int, str]:
    """The fields of a TLV QR text by tag; ValueError if it is not well-formed."""
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"QR text is not valid base64: {exc}") from exc
    if not data:
        raise ValueError("QR text is empty")
    fields: dict[int, str] = {}
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise ValueError(f"QR data ends inside the header of a field at byte {at}")
        tag, length = data[at], data[at + 1]
        value = data[at + 2 : at + 2 + length]
        if len(value) < length:
            raise ValueError(f"tag {tag}: {length} bytes announced, {len(value)} present")
        if tag in fields:
            raise ValueError(f"tag {tag} appears twice")
        try:
            fields[tag] = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"tag {tag}: value is not UTF-8") from exc
        at += 2 + length
    return fields
