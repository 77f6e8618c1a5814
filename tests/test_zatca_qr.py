"""The simplified tax invoice QR against published vectors, and what a malformed QR does."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pos_app.billing.zatca import decode_qr, minor_to_decimal, simplified_invoice_qr, tlv

VECTORS = json.loads((Path(__file__).parent / "data" / "zatca_qr_vectors.json").read_text())[
    "vectors"
]
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
AMOUNT = re.compile(r"-?\d+\.\d\d")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["source"] for v in VECTORS])
def test_published_vectors_round_trip(vector):
    fields = dict(enumerate(vector["fields"], 1))
    assert decode_qr(vector["base64"]) == fields
    assert base64.b64encode(tlv(list(fields.items()))).decode() == vector["base64"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["source"] for v in VECTORS])
def test_published_vectors_come_out_of_simplified_invoice_qr(vector):
    seller, vat_number, stamp, total, vat = vector["fields"]
    if not (STAMP.fullmatch(stamp) and AMOUNT.fullmatch(total) and AMOUNT.fullmatch(vat)):
        pytest.skip("this vector's fields are not in the form simplified_invoice_qr writes")
    issued_at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    qr = simplified_invoice_qr(
        seller, vat_number, issued_at, int(total.replace(".", "")), int(vat.replace(".", ""))
    )
    assert qr == vector["base64"]


def test_the_time_stamp_is_written_in_utc():
    riyadh = timezone(timedelta(hours=3))
    qr = simplified_invoice_qr(
        "مطعم", "310122393500003", datetime(2024, 5, 3, 1, 30, 15, 999, tzinfo=riyadh), 4500, 587
    )
    assert decode_qr(qr) == {
        1: "مطعم",
        2: "310122393500003",
        3: "2024-05-02T22:30:15Z",
        4: "45.00",
        5: "5.87",
    }


def test_amounts_are_written_from_minor_units_without_floats():
    assert minor_to_decimal(100000) == "1000.00"
    assert minor_to_decimal(5) == "0.05"
    assert minor_to_decimal(0) == "0.00"
    assert minor_to_decimal(-1234) == "-12.34"
    assert minor_to_decimal(12345, 3) == "12.345"
    assert minor_to_decimal(12345, 0) == "12345"
    with pytest.raises(TypeError):
        minor_to_decimal(10.5)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        simplified_invoice_qr("Shop", "310122393500003", datetime(2024, 5, 3), 100, 13)


def test_a_value_longer_than_255_utf8_bytes_is_refused():
    assert len(tlv([(1, "x" * 255)])) == 257
    with pytest.raises(ValueError, match="256 bytes"):
        tlv([(1, "x" * 256)])
    with pytest.raises(ValueError, match="256 bytes"):
        tlv([(1, "ع" * 128)])  # 128 two-byte letters
    with pytest.raises(ValueError, match="one byte"):
        tlv([(256, "x")])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not base64!", "not valid base64"),
        ("AQxCb2Jz", "12 bytes announced, 4 present"),  # tag 1 says 12 bytes, 4 follow
        (base64.b64encode(b"\x01").decode(), "header"),
        (base64.b64encode(b"\x01\x02\xff\xfe").decode(), "not UTF-8"),
        (base64.b64encode(b"\x01\x01a\x01\x01b").decode(), "twice"),
        ("", "empty"),
        ("AQxCb2JzIFJlY29yZHM", "not valid base64"),  # padding missing
    ],
)
def test_a_malformed_qr_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        decode_qr(text)
