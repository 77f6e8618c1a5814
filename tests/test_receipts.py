"""Receipt printer paper (printers/receipts.py): invoices, credit notes, pre-bills, X/Z reports
and the drawer kick as golden bytes and as the text a customer or a manager reads; and the
`document_printing` receiver that queues them on the receipt printers.

Golden files live in tests/golden/ (see tests/test_render.py for rewriting them).
"""

from __future__ import annotations

import base64
import copy
import logging
import re
from datetime import UTC, datetime

import pytest
from escpos.printer import Dummy
from sqlalchemy import select
from test_render import check_golden, image_after, ink_columns, save_images, styled_lines

from pos_app.billing import invoice_lines, pricing, split, tax, zatca
from pos_app.signals import document_printing
from printers import documents
from printers.escpos_text import qr_payloads
from printers.fonts import ArLine, arabic_block
from printers.models import Printer, PrinterRole, PrintJob
from printers.receipts import (
    qr_module_size,
    render_drawer_kick,
    render_receipt,
)
from printers.render import PaperLayout, decode_escpos, raster_images
from printers.reports import render_report

ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
PAN = "4111111111111234"


def tlv(tag: int, value: str) -> bytes:
    raw = value.encode("utf-8")
    return bytes([tag, len(raw)]) + raw


# The invoice QR of a simplified tax invoice: seller, VAT number, time, total, VAT (TLV).
QR = base64.b64encode(
    tlv(1, "Mashawi Riyadh")
    + tlv(2, "300000000000003")
    + tlv(3, "2026-11-25T18:02:03Z")
    + tlv(4, "100.00")
    + tlv(5, "13.04")
).decode()

BRANCH = {
    "name": "Mashawi Riyadh",
    "name_ar": "مشاوي الرياض",
    "address": "King Fahd Rd, Olaya, Riyadh 12214",
    "address_ar": "طريق الملك فهد، العليا، الرياض",
    "vat_number": "300000000000003",
    "time_zone": "Asia/Riyadh",
}


def adj(label, label_ar, amount_minor):
    return {"label": label, "label_ar": label_ar, "amount_minor": amount_minor}


def mod(name, name_ar, price_delta_minor=0):
    return {"name": name, "name_ar": name_ar, "price_delta_minor": price_delta_minor}


def item(name, name_ar, quantity, item_price_minor, modifiers=(), adjustments=()):
    """A bill line as pos_app.billing makes it: the item, each modifier with its price for
    the quantity, the line's adjustments, and amount_minor after them."""
    mods = [{**m, "amount_minor": quantity * m["price_delta_minor"]} for m in modifiers]
    unit = item_price_minor + sum(m["price_delta_minor"] for m in modifiers)
    return {
        "line_id": None,
        "name": name,
        "name_ar": name_ar,
        "quantity": quantity,
        "share": None,
        "unit_price_minor": unit,
        "item_price_minor": item_price_minor,
        "item_minor": quantity * item_price_minor,
        "modifiers": mods,
        "gross_minor": quantity * unit,
        "adjustments": list(adjustments),
        "amount_minor": quantity * unit + sum(a["amount_minor"] for a in adjustments),
    }


def pay(tender, amount_minor, **extra):
    return {
        "tender": tender,
        "amount_minor": amount_minor,
        "tendered_minor": None,
        "change_minor": None,
        "tip_minor": 0,
        "card_method": None,
        "last4": None,
        "reference": "",
        **extra,
    }


def make_invoice(**changes) -> dict:
    """Order 12 at table T4, 100.00 SAR VAT included, paid 60.00 cash and 40.00 by mada."""
    doc = {
        "kind": "invoice",
        "branch": BRANCH,
        "number": "INV-000123",
        "references": None,
        "reason": "",
        "order": {"number": 12, "type": "dine_in", "table": "T4", "waiter": "Sara", "guests": 4},
        "part": None,
        "issued_at": "2026-11-25T18:02:03+00:00",
        "currency": "SAR",
        "exponent": 2,
        "lines": [
            item(
                "Mixed grill",
                "مشاوي مشكلة",
                2,
                4500,
                [mod("Well done", "كامل الاستواء"), mod("Saffron rice", "أرز بالزعفران")],
                [adj("Happy hour 10%", "عرض الساعة السعيدة 10%", -900)],
            ),
            item("Hummus", "حمص", 1, 1900),
        ],
        "adjustments": [adj("Discount 10%", "خصم 10%", -1000), adj("Service", "رسوم الخدمة", 1000)],
        "prices_include_vat": True,
        "vat_rate_bp": 1500,
        "net_minor": 8696,
        "vat_minor": 1304,
        "total_minor": 10000,
        "payments": [
            pay("cash", 6000, tendered_minor=10000, change_minor=4000),
            pay("card", 4000, card_method="mada", last4="1234", tip_minor=500),
        ],
        "qr": QR,
        "marks": [],
    }
    doc.update(changes)
    return doc


def make_credit_note(**changes) -> dict:
    """A refund of the hummus of INV-000123, in cash, as pos_app.billing.refunds makes it."""
    hummus = item("Hummus", "حمص", 1, 1900)
    doc = make_invoice(
        kind="credit_note",
        number="CN-000007",
        references="INV-000123",
        reason="cold dish",
        lines=[hummus],
        adjustments=[],
        net_minor=1652,
        vat_minor=248,
        total_minor=1900,
        payments=[pay("cash", 1900)],
        qr=qr_of(1900, 248),
    )
    doc.update(changes)
    return doc


def make_card_credit_note() -> dict:
    """One of two cappuccinos with oat milk given back on the card they were paid with: the
    line's rows as pos_app.billing.refunds makes them, and the terminal's reference."""
    coffees = item(
        "Cappuccino",
        "كابتشينو",
        2,
        1600,
        [mod("Oat milk", "حليب الشوفان", 300), mod("Less sugar", "سكر قليل")],
    )
    total = 1900
    vat = tax.vat_of_gross(total, 1500)
    return make_credit_note(
        lines=[invoice_lines.refunded_line(coffees, 1)],
        net_minor=total - vat,
        vat_minor=vat,
        total_minor=total,
        payments=[pay("card", total, card_method="mada", last4="4242", reference="RF-88127")],
        qr=qr_of(total, vat),
    )


def qr_of(total_minor: int, vat_minor: int) -> str:
    issued = datetime(2026, 11, 25, 18, 2, 3, tzinfo=UTC)
    return zatca.simplified_invoice_qr(
        BRANCH["name"], BRANCH["vat_number"], issued, total_minor, vat_minor
    )


# The order, priced by pos_app.billing: "1 x Caesar salad 43.00" printed without the
# Shrimp (+15.00) that made it so; oat milk, cheese slice and jalapeño missing.
SALAD = ("c1", "Caesar salad", "سلطة سيزر", 2800, 1, [("Shrimp", "روبيان", 1500)])
BURGERS = (
    "b2",
    "Classic beef burger",
    "برجر لحم كلاسيك",
    3900,
    2,
    [
        ("Medium", "متوسط الاستواء", 0),
        ("Cheese slice", "شريحة جبن", 300),
        ("Jalapeño", "هالابينو", 200),
        ("No onion", "بدون بصل", 0),
    ],
)
COFFEE = ("k3", "Cappuccino", "كابتشينو", 1600, 1, [("Oat milk", "حليب الشوفان", 300)])
GRILL = ("g4", "Mixed grill", "مشاوي مشكلة", 7900, 1, [("Saffron rice", "أرز بالزعفران", 0)])
HUMMUS = ("h5", "Hummus", "حمص", 1800, 3, [])


def priced(lines, discounts=(), service_bp=0, inclusive=True):
    """(bill, goods) of `lines` as pos_app.billing prices them (VAT 15 %)."""
    price_lines, mods = [], {}
    for line_id, name, name_ar, price, quantity, modifiers in lines:
        chosen = [{"name": n, "name_ar": a, "price_delta_minor": d} for n, a, d in modifiers]
        unit = price + sum(m["price_delta_minor"] for m in chosen)
        when = datetime(2026, 11, 25, 21, 0)
        price_lines.append(
            pricing.PriceLine(line_id, 1, None, name, name_ar, unit, quantity, None, when)
        )
        mods[line_id] = chosen
    rule = tax.TaxRule(1500, inclusive)
    bill = pricing.price_bill(price_lines, list(discounts), [], rule, service_bp)
    return bill, invoice_lines.goods_of(bill, mods)


def invoice_of(bill, lines, adjustments, total, vat, net, **changes) -> dict:
    return make_invoice(
        lines=lines,
        adjustments=adjustments,
        prices_include_vat=bill.rule.inclusive,
        net_minor=net,
        vat_minor=vat,
        total_minor=total,
        payments=[pay("card", total, card_method="mada", last4="1234")],
        qr=qr_of(total, vat),
        **changes,
    )


def make_modifier_invoice() -> dict:
    bill, goods = priced([SALAD, BURGERS, COFFEE])
    lines, adjustments = invoice_lines.whole_paper(goods, [])
    return invoice_of(bill, lines, adjustments, bill.total_minor, bill.vat_minor, bill.net_minor)


def make_split_invoice(kind="equal", number=2, count=2, lines=(GRILL,), **pricing_options):
    """Part `number` of the bill of `lines` split `kind` ("equal" in `count`, or "items":
    one unit of each line per part), as pos_app.billing.invoices makes its invoice."""
    bill, goods = priced(lines, **pricing_options)
    if kind == "equal":
        parts = split.equally(bill, count)
        label = ("Split equally", "تقسيم بالتساوي")
    else:
        units = [[(g.line_id, 1)] for g in goods for _ in range(g.quantity)]
        parts = split.by_items(bill, units)
        label = (parts[number - 1].label, parts[number - 1].label_ar)
    views = [
        invoice_lines.PartView(
            p.number,
            kind,
            tuple(
                {"line_id": pl.line_id, "quantity": pl.quantity, "amount_minor": pl.amount_minor}
                for pl in p.lines
            ),
            p.total_minor if bill.rule.inclusive else p.net_minor,
            p.total_minor,
        )
        for p in parts
    ]
    paper_lines, adjustments = invoice_lines.part_paper(
        goods, [invoice_lines.adjustment_dict(a) for a in bill.order_adjustments], views, number
    )
    part = parts[number - 1]
    heading = {"number": number, "of": len(parts), "label": label[0], "label_ar": label[1]}
    return invoice_of(
        bill,
        paper_lines,
        adjustments,
        part.total_minor,
        part.vat_minor,
        part.net_minor,
        part=heading,
    )


def make_equal_split_invoice() -> dict:
    """The issue's equal split: order 1, a mixed grill (79.00) and three hummus, two ways."""
    return make_split_invoice("equal", 2, 2, (GRILL, HUMMUS))


def make_pre_bill() -> dict:
    part = {"number": 1, "of": 4, "label": "Seat 1", "label_ar": "مقعد 1"}
    return make_invoice(kind="pre_bill", number=None, part=part, payments=[], qr=None)


def make_z_report(**changes) -> dict:
    doc = {
        "kind": "z_report",
        "branch": BRANCH,
        "number": 7,
        "business_day": "2026-11-25",
        "from": "2026-11-25T05:00:00+00:00",
        "to": "2026-11-25T23:10:00+00:00",
        "currency": "SAR",
        "exponent": 2,
        "sections": [
            {
                "title": "Sales",
                "title_ar": "المبيعات",
                "rows": [
                    {"label": "Orders", "label_ar": "الطلبات", "value": "57"},
                    {"label": "Gross sales", "label_ar": "المبيعات", "amount_minor": 1234550},
                    {"label": "Discounts", "label_ar": "خصم", "amount_minor": -25000},
                    {
                        "label": "VAT 15%",
                        "label_ar": "ضريبة القيمة المضافة",
                        "amount_minor": 157767,
                    },
                ],
            }
        ],
        "tenders": [
            {
                "tender": "cash",
                "label": "Cash",
                "label_ar": "نقدًا",
                "expected_minor": 400000,
                "counted_minor": 399000,
                "difference_minor": -1000,
            },
            {
                "tender": "card",
                "label": "Card",
                "label_ar": "بطاقة",
                "expected_minor": 809550,
                "counted_minor": None,
                "difference_minor": None,
            },
        ],
        "printed_by": "Lina",
    }
    doc.update(changes)
    return doc


def layout(width, **options) -> PaperLayout:
    return PaperLayout.for_paper(width, **options)


def lines_of(data: bytes) -> list[str]:
    return decode_escpos(data).splitlines()


def row(lines: list[str], label: str) -> str:
    """The first text line that starts with `label`."""
    return next(t for t in lines if t.startswith(label))


_AMOUNT = re.compile(r" (-?[0-9][0-9,]*\.[0-9]+)(?: [A-Z]{3})?$")


def minor(text: str) -> int | None:
    """The amount a printed row ends with, in minor units ('  + Shrimp   15.00' -> 1500)."""
    found = _AMOUNT.search(text)
    return None if found is None else int(found.group(1).replace(",", "").replace(".", ""))


def assert_adds_up(lines: list[str], doc: dict) -> None:
    """What an auditor checks on paper: the goods rows (items, modifiers, line discounts) add
    up to the subtotal; the subtotal and the order's rows to the total (or, where prices
    exclude VAT, to the total without VAT); that and the VAT to the total."""
    rules = [i for i, t in enumerate(lines) if t and set(t) == {"-"}]
    goods = lines[rules[0] + 1 : rules[1]]
    totals = lines[rules[1] + 1 : rules[2] if len(rules) > 2 else len(lines)]
    printed = [minor(t) for t in goods if not t.lstrip().startswith("@ ")]
    rows = [(t, minor(t)) for t in totals if minor(t) is not None]
    labels = [t for t, _ in rows]
    subtotal, net = rows[0][1], rows[labels.index(row(labels, "Total excl. VAT"))][1]
    assert labels[0].startswith("Subtotal"), labels
    order_rows = [amount for _, amount in rows[1 : labels.index(row(labels, "Total excl. VAT"))]]
    vat, total = minor(row(labels, "VAT ")), minor(row(labels, "TOTAL"))
    assert sum(a for a in printed if a is not None) == subtotal, (goods, subtotal)
    base = total if doc.get("prices_include_vat", True) else net
    assert subtotal + sum(order_rows) == base, (labels, base)
    assert net + vat == total == doc["total_minor"] and vat == doc["vat_minor"]


# --- golden bytes ---------------------------------------------------------------------------

ARABIC_ONLY = {"language": "ar", "bilingual": False}
GOLDEN_CASES = {
    "receipt-80-invoice": (render_receipt, make_invoice, layout(80)),
    "receipt-58-invoice": (render_receipt, make_invoice, layout(58)),
    "receipt-80-credit-note": (render_receipt, make_credit_note, layout(80)),
    "receipt-80-pre-bill": (render_receipt, make_pre_bill, layout(80)),
    "report-80-z": (render_report, make_z_report, layout(80)),
    # Issue 15: priced modifiers (6), an equal split's goods (7), credit notes (8), each in
    # English with Arabic, and on Arabic paper (10).
    "receipt-80-modifiers": (render_receipt, make_modifier_invoice, layout(80)),
    "receipt-80-modifiers-ar": (render_receipt, make_modifier_invoice, layout(80, **ARABIC_ONLY)),
    "receipt-58-modifiers-ar-first": (
        render_receipt,
        make_modifier_invoice,
        layout(58, language="ar"),
    ),
    "receipt-80-equal-split": (render_receipt, make_equal_split_invoice, layout(80)),
    "receipt-80-equal-split-ar": (
        render_receipt,
        make_equal_split_invoice,
        layout(80, **ARABIC_ONLY),
    ),
    "receipt-80-credit-note-card": (render_receipt, make_card_credit_note, layout(80)),
    "receipt-80-credit-note-card-ar": (
        render_receipt,
        make_card_credit_note,
        layout(80, **ARABIC_ONLY),
    ),
    "receipt-80-pre-bill-ar": (render_receipt, make_pre_bill, layout(80, **ARABIC_ONLY)),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_receipt_matches_golden(name):
    render, make, paper = GOLDEN_CASES[name]
    check_golden(name, render(make(), paper))


# --- what the customer reads ----------------------------------------------------------------


@pytest.mark.parametrize("width,cols", [(80, 48), (58, 32)])
def test_invoice_reads_right(width, cols):
    data = render_receipt(make_invoice(), layout(width))
    lines = lines_of(data)
    assert lines[0] == "Mashawi Riyadh" and "VAT No.: 300000000000003" in lines
    assert "Simplified Tax Invoice" in lines and "Invoice No.: INV-000123" in lines
    assert "Date: 2026-11-25 21:02:03" in lines, "printed in Riyadh time (UTC+3)"
    assert "Order #12  DINE IN" in lines and "Table: T4" in lines and "Waiter: Sara" in lines
    assert "Guests: 4" in lines
    amounts = {
        "2 x Mixed grill": "90.00",
        "  Happy hour 10%": "-9.00",
        "1 x Hummus": "19.00",
        "Subtotal": "100.00",
        "Discount 10%": "-10.00",
        "Service": "10.00",
        "Total excl. VAT": "86.96",
        "VAT 15%": "13.04",
        "Cash": "60.00",
        "  Amount paid": "100.00",
        "  Change": "40.00",
        "Card (mada) **** 1234": "40.00",
        "  Tip": "5.00",
    }
    for label, amount in amounts.items():
        text = row(lines, label)
        assert len(text) == cols and text.endswith(f" {amount}"), text
    assert "  @ 45.00" in lines and "  Well done" in lines and "  Saffron rice" in lines
    total = row(lines, "TOTAL")
    assert total.endswith(" 100.00 SAR") and len(total) == cols // 2
    assert dict(styled_lines(data))[total] == {"bold": 1, "size": 0x11, "invert": 0, "align": 0}
    assert lines.index(f"[QR {QR}]") + 1 == lines.index("Scan to verify this invoice")
    assert lines[-2].startswith("[image ") and lines[-1] == "--- cut ---", "caption in Arabic"
    assert "?" not in decode_escpos(data) and not ARABIC.search(decode_escpos(data))


def test_gross_of_a_line_is_worked_back_from_its_adjustments():
    doc = make_invoice()
    bare = copy.deepcopy(doc)
    for line in bare["lines"]:
        del line["gross_minor"], line["item_minor"]
    assert render_receipt(bare, layout(80)) == render_receipt(doc, layout(80))


def test_invoices_issued_before_modifiers_had_prices_still_print():
    """A reprint of an older invoice: modifiers as names, no item or modifier amounts."""
    old = make_invoice()
    old["lines"][0].update(
        modifiers=["Well done", "Saffron rice"], unit_price_minor=4500, share=None
    )
    for line in old["lines"]:
        del line["item_minor"], line["item_price_minor"], line["share"]
    lines = lines_of(render_receipt(old, layout(80)))
    assert row(lines, "2 x Mixed grill").endswith(" 90.00") and "  Well done" in lines
    assert "  @ 45.00" in lines and row(lines, "Subtotal").endswith(" 100.00")


def test_qr_code_is_native_centred_and_gives_back_the_payload():
    data = render_receipt(make_invoice(), layout(80))
    assert qr_payloads(data) == [QR]
    at = data.index(b"\x1d(k")
    assert data[:at].rindex(b"\x1ba\x01") > data[:at].rindex(b"\n"), "centred"
    assert b"\x1d(k\x04\x001A2\x00" in data, "model 2"
    assert b"\x1d(k\x03\x001C\x06" in data, "module 6 dots"
    assert b"\x1d(k\x03\x001E1" in data, "error correction M"
    assert b"\x1d(k\x03\x001Q0" in data, "printed"
    assert qr_payloads(render_receipt(make_invoice(qr=None), layout(80))) == []


def test_qr_code_fits_narrow_paper():
    long_payload = base64.b64encode(bytes(range(256)) * 2).decode()  # a phase-2 sized QR
    size = qr_module_size(long_payload, 384)
    assert 1 <= size < 6
    data = render_receipt(make_invoice(qr=long_payload), layout(58))
    assert b"\x1d(k\x03\x001C" + bytes([size]) in data
    assert qr_payloads(data) == [long_payload]


def test_no_card_number_beyond_the_last_four_digits():
    card = pay("card", 10000, card_method="visa", last4=PAN, reference=f"auth 0042 {PAN}")
    data = render_receipt(make_invoice(payments=[card]), layout(80))
    text = decode_escpos(data)
    assert PAN.encode() not in data and PAN[:-4] not in text and "411111" not in text
    assert "Card (visa) **** 1234" in text and "  Ref: auth 0042 **** 1234" in text


def test_arabic_names_are_rasters_of_the_paper_width():
    for width, dots in ((80, 576), (58, 384)):
        data = render_receipt(make_invoice(), layout(width))
        images = save_images(f"receipt-{width}", data)
        assert images and all(img.width <= dots for img in images)
        assert all(8 <= img.height <= 300 for img in images)
        grill = image_after(data, "2 x Mixed grill")  # "2 × مشاوي مشكلة", price, offer
        assert grill.width <= dots and 60 <= grill.height <= 250
        cols = ink_columns(grill)
        assert cols[-1] >= dots - 12, "right to left: starts at the right edge"
        hummus = image_after(data, "1 x Hummus")
        assert 20 <= hummus.height <= 60 and ink_columns(hummus)[0] > dots // 2
        branch = image_after(data, "Mashawi Riyadh")
        assert 40 <= branch.height <= 120, "the branch's Arabic name, big"


def test_labels_follow_the_layout_languages():
    english = render_receipt(make_invoice(), layout(80, bilingual=False))
    assert raster_images(english) == [], "English paper: no Arabic at all"
    arabic = lines_of(render_receipt(make_invoice(), layout(80, language="ar", bilingual=False)))
    assert not any(t.startswith(("Subtotal", "TOTAL", "2 x Mixed")) for t in arabic)
    assert f"[QR {QR}]" in arabic and arabic[-1] == "--- cut ---"
    first = lines_of(render_receipt(make_invoice(), layout(80, language="ar")))
    at = first.index(row(first, "Subtotal"))
    assert first[at - 1].startswith("[image 576x"), "Arabic first, then the English"


def test_without_raster_text_no_arabic_and_no_question_marks():
    dates = item("", "طبق تمور", 1, 1500)
    doc = make_invoice(lines=[*make_invoice()["lines"], dates])
    data = render_receipt(doc, layout(80, raster_text=False, language="ar"))
    text = decode_escpos(data)
    assert raster_images(data) == [] and b"\x1dv0" not in data
    assert "?" not in text and not ARABIC.search(text)
    assert row(text.splitlines(), "1 x [ar]").endswith(" 15.00"), "the price still prints"
    assert qr_payloads(data) == [QR]


def test_amounts_follow_the_currency_exponent():
    doc = make_invoice(currency="KWD", exponent=3, total_minor=12345, net_minor=10735)
    lines = lines_of(render_receipt(doc, layout(80, bilingual=False)))
    assert row(lines, "TOTAL").endswith(" 12.345 KWD")
    assert row(lines, "Total excl. VAT").endswith(" 10.735")
    with pytest.raises(TypeError):
        render_receipt(make_invoice(total_minor=100.0), layout(80))


def test_credit_note():
    data = render_receipt(make_credit_note(), layout(80))
    lines = lines_of(data)
    assert "Credit Note" in lines and "Simplified Tax Invoice" not in lines
    assert "Credit note No.: CN-000007" in lines and "Original invoice: INV-000123" in lines
    assert "Reason: cold dish" in lines
    assert row(lines, "Refund: Cash").endswith(" 19.00")
    assert row(lines, "TOTAL").endswith(" 19.00 SAR")
    assert "Scan to verify this credit note" in lines and "Scan to verify this invoice" not in lines
    assert not any(t.startswith(("  Amount paid", "  Change", "  Tip")) for t in lines)


@pytest.mark.parametrize("make", [make_credit_note, make_card_credit_note])
def test_a_credit_note_has_one_sign_on_every_line(make):
    """The issue: 'Subtotal -10.00, Total excl. VAT 8.70, VAT 1.30, TOTAL 10.00'."""
    doc = make()
    lines = lines_of(render_receipt(doc, layout(80, bilingual=False)))
    amounts = [minor(t) for t in lines if minor(t) is not None]
    assert amounts and all(a >= 0 for a in amounts), lines
    assert_adds_up(lines, doc)


def test_a_card_refund_prints_the_card_and_the_terminal_reference():
    data = render_receipt(make_card_credit_note(), layout(80))
    lines = lines_of(data)
    assert row(lines, "Refund: Card (mada) **** 4242").endswith(" 19.00")
    assert "  Ref: RF-88127" in lines
    assert "1 x Cappuccino" in row(lines, "1 x Cappuccino") and "  + Oat milk" in "\n".join(lines)
    assert not any("Amount paid" in t or "Change" in t for t in lines)


def test_a_credit_note_issued_with_negative_lines_prints_them_positive():
    """Credit notes made before the fix kept a line's amount negative: a reprint fixes it."""
    old = make_credit_note()
    old["lines"] = [{**old["lines"][0], "amount_minor": -1900}]
    del old["lines"][0]["item_minor"]
    lines = lines_of(render_receipt(old, layout(80)))
    assert row(lines, "1 x Hummus").endswith(" 19.00")
    assert row(lines, "Subtotal").endswith(" 19.00")


def test_priced_modifiers_print_on_their_own_lines_with_their_prices():
    """The issue: '1 x Caesar salad 43.00' (menu 28.00, Shrimp +15.00 not shown); oat milk,
    cheese slice and jalapeño missing. Now each modifier has its line and its price."""
    doc = make_modifier_invoice()
    lines = lines_of(render_receipt(doc, layout(80)))
    expected = {
        "1 x Caesar salad": "28.00",
        "  + Shrimp": "15.00",
        "2 x Classic beef burger": "78.00",
        "  + 2 x Cheese slice": "6.00",
        "  + 2 x Jalapeño": "4.00",
        "1 x Cappuccino": "16.00",
        "  + Oat milk": "3.00",
        "Subtotal": "150.00",
    }
    for label, amount in expected.items():
        text = row(lines, label)
        assert len(text) == 48 and text.endswith(f" {amount}"), text
    for free in ("  Medium", "  No onion"):  # free choices show, without a price
        assert free in lines
    burger = lines.index(row(lines, "2 x Classic beef burger"))
    assert lines[burger + 1] == "  @ 39.00", "the menu price of one burger"
    assert_adds_up(lines, doc)


def test_priced_modifiers_on_58_mm_and_in_arabic():
    doc = make_modifier_invoice()
    narrow = lines_of(render_receipt(doc, layout(58, bilingual=False)))
    assert row(narrow, "  + 2 x Cheese slice").endswith(" 6.00") and len(narrow[0]) <= 32
    assert_adds_up(narrow, doc)
    arabic = render_receipt(doc, layout(80, **ARABIC_ONLY))
    block = [
        ArLine("2 × برجر لحم كلاسيك: 78.00"),
        ArLine("السعر: 39.00", indent=36),
        ArLine("متوسط الاستواء", indent=36),
        ArLine("+ 2 × شريحة جبن: 6.00", indent=36),
        ArLine("+ 2 × هالابينو: 4.00", indent=36),
        ArLine("بدون بصل", indent=36),
    ]
    assert printed_arabic(arabic, block), "the burger, its price and choices, in Arabic"


def printed_arabic(data: bytes, lines: list) -> bool:
    """Whether the ticket prints exactly this Arabic block."""
    want = arabic_block(lines, 576)
    return any(img.tobytes() == want.tobytes() for img in raster_images(data))


def test_an_equal_split_invoice_names_the_goods_it_covers():
    """The issue: '1 x Share 2/2 of order 1 39.50' named no goods."""
    doc = make_equal_split_invoice()
    lines = lines_of(render_receipt(doc, layout(80)))
    assert "Split equally (2/2)" in lines and not any("Share" in t for t in lines)
    assert row(lines, "1/2 x Mixed grill").endswith(" 39.50")
    assert "  Saffron rice" in lines
    assert row(lines, "1/2 of 3 x Hummus").endswith(" 27.00")
    assert row(lines, "TOTAL").endswith(" 66.50 SAR")
    assert_adds_up(lines, doc)
    arabic = render_receipt(doc, layout(80, **ARABIC_ONLY))
    assert printed_arabic(arabic, [ArLine("1/2 من 3 × حمص: 27.00")])
    assert printed_arabic(arabic, [ArLine("تقسيم بالتساوي (2/2)")])


def test_three_ways_with_a_discount_and_service_still_adds_up():
    discount = pricing.DiscountSpec("d1", None, "percent", percent_bp=1000)
    for number in (1, 2, 3):
        doc = make_split_invoice(
            "equal", number, 3, (GRILL, BURGERS, COFFEE), discounts=[discount], service_bp=1000
        )
        lines = lines_of(render_receipt(doc, layout(80, bilingual=False)))
        assert row(lines, "1/3 x Mixed grill") and row(lines, "  + Oat milk")
        assert row(lines, "Discount 10%") and row(lines, "Service charge 10%")
        assert_adds_up(lines, doc)


def test_a_split_by_items_lists_its_items():
    for number, name in ((1, "1 x Mixed grill"), (2, "1 x Hummus"), (4, "1 x Hummus")):
        doc = make_split_invoice("items", number, lines=(GRILL, HUMMUS))
        lines = lines_of(render_receipt(doc, layout(80, bilingual=False)))
        goods = [t for t in lines if re.match(r"\d+ x ", t)]
        assert [g.split("  ")[0] for g in goods] == [name], lines
        assert_adds_up(lines, doc)


def test_pre_bill_is_not_a_tax_invoice():
    data = render_receipt(make_pre_bill(), layout(80))
    lines = lines_of(data)
    assert " PRE-BILL - NOT A TAX INVOICE " in lines and "Simplified Tax Invoice" not in lines
    assert dict(styled_lines(data))[" PRE-BILL - NOT A TAX INVOICE "]["invert"] == 1
    assert "Seat 1 (1/4)" in lines and not any(t.startswith("Bill No.") for t in lines)
    assert lines[lines.index("Seat 1 (1/4)") + 1].startswith("[image ")
    assert qr_payloads(data) == [] and not any(t.startswith(("Cash", "Card")) for t in lines)
    assert row(lines, "TOTAL").endswith(" 100.00 SAR")


def test_reprint_marks_at_top_and_bottom():
    lines = lines_of(render_receipt(make_invoice(marks=["REPRINT"]), layout(80)))
    assert lines[0] == " REPRINT " and lines.count(" REPRINT ") == 2
    assert lines[-2].startswith("[image 576x"), "and in Arabic"


# --- reports --------------------------------------------------------------------------------


def test_z_report():
    data = render_report(make_z_report(), layout(80))
    lines = lines_of(data)
    assert "Z REPORT #7 - DAY CLOSED" in lines and "Business day: 2026-11-25" in lines
    assert "From: 2026-11-25 08:00" in lines and "To: 2026-11-26 02:10" in lines
    assert "Printed by: Lina" in lines and "Sales" in lines
    assert row(lines, "Orders").endswith(" 57") and row(lines, "Gross sales").endswith(" 12,345.50")
    assert row(lines, "Discounts").endswith(" -250.00")
    cash = lines.index("Cash")
    assert lines[cash + 2].startswith("  Expected") and lines[cash + 2].endswith(" 4,000.00")
    assert lines[cash + 4].startswith("  Counted") and lines[cash + 4].endswith(" 3,990.00")
    assert lines[cash + 6].startswith("  Over/short") and lines[cash + 6].endswith(" -10.00")
    card = lines[lines.index("Card") :]
    assert not any(t.startswith("  Counted") for t in card), "not counted: no row"
    assert lines[-1] == "--- cut ---" and all(len(t) <= 48 for t in lines if "[" not in t)


def test_x_report_and_58_mm():
    tenders = copy.deepcopy(make_z_report()["tenders"])
    tenders[0].update(counted_minor=None, difference_minor=None)
    doc = make_z_report(kind="x_report", number=None, tenders=tenders)
    data = render_report(doc, layout(58))
    lines = lines_of(data)
    assert "X REPORT (not closing)" in lines and "DAY CLOSED" not in "".join(lines)
    assert not any("Counted" in t or "Over/short" in t for t in lines)
    assert all(len(t) <= 32 for t in lines if not t.startswith("["))
    assert {img.width for img in raster_images(data)} == {384}
    with pytest.raises(ValueError):
        render_report({**doc, "kind": "invoice"}, layout(80))


def test_over_is_signed():
    tenders = [{**make_z_report()["tenders"][0], "counted_minor": 401000, "difference_minor": 1000}]
    lines = lines_of(render_report(make_z_report(tenders=tenders), layout(80)))
    assert row(lines, "  Over/short").endswith(" +10.00")


# --- drawer and decoder ---------------------------------------------------------------------


def test_drawer_kick():
    data = render_drawer_kick()
    assert data == b"\x1b@\x1bp\x00\x19\xfa", "initialise, pulse pin 2 for 50 ms"
    assert decode_escpos(data) == "[DRAWER]\n"


def test_decoder_reads_python_escpos_native_qr_and_cash_drawer():
    printer = Dummy(profile="TM-T20II")
    printer.textln("Total 12.00")
    printer.qr("https://example.com/r/42", native=True, size=5)
    printer.cashdraw(2)
    printer.textln("after")
    text = decode_escpos(printer.output)
    assert text == "Total 12.00\n[QR https://example.com/r/42]\n[DRAWER]\nafter\n"
    assert qr_payloads(printer.output) == ["https://example.com/r/42"]


# --- the document_printing receiver ---------------------------------------------------------


def receipt_jobs(db) -> list[PrintJob]:
    with db(write=False) as s:
        return list(s.scalars(select(PrintJob).order_by(PrintJob.id)))


def test_document_printing_queues_on_the_receipt_printer(demo, db):
    with db() as s:
        document_printing.send(
            s, kind="receipt", document=make_invoice(), ref="invoice:123", reprint=True
        )
        document_printing.send(s, kind="drawer", document={}, ref="invoice:123")
    receipt, drawer = receipt_jobs(db)
    with db(write=False) as s:
        printer = s.get(Printer, receipt.printer_id)
        assert printer.role == PrinterRole.receipt and drawer.printer_id == printer.id
        assert (receipt.kind, receipt.source, receipt.marks) == (
            "receipt",
            "invoice:123",
            ["REPRINT"],
        )
        assert receipt.station_id is None and (drawer.kind, drawer.marks) == ("drawer", [])
        data = documents.render_job(receipt, printer)
        kick = documents.render_job(drawer, printer)
    lines = lines_of(data)
    assert lines[0] == " REPRINT " and "Invoice No.: INV-000123" in lines
    assert qr_payloads(data) == [QR]
    assert kick == render_drawer_kick()


def test_pre_bill_and_report_jobs_render(demo, db):
    with db() as s:
        document_printing.send(s, kind="pre_bill", document=make_pre_bill(), ref="order:12")
        document_printing.send(s, kind="report", document=make_z_report(), ref="z_report:7")
    pre_bill, report = receipt_jobs(db)
    with db(write=False) as s:
        printer = s.get(Printer, pre_bill.printer_id)
        pre_bill_text = decode_escpos(documents.render_job(pre_bill, printer))
        report_text = decode_escpos(documents.render_job(report, printer))
    assert " PRE-BILL - NOT A TAX INVOICE " in pre_bill_text and "REPRINT" not in pre_bill_text
    assert "Z REPORT #7 - DAY CLOSED" in report_text


def test_no_receipt_printer_logs_and_queues_nothing(demo, db, caplog):
    with db() as s:
        for printer in s.scalars(select(Printer).where(Printer.role == PrinterRole.receipt)):
            printer.active = False
    with caplog.at_level(logging.WARNING, logger="printers.documents"), db() as s:
        document_printing.send(s, kind="receipt", document=make_invoice(), ref="invoice:123")
    assert receipt_jobs(db) == []
    assert "no active receipt printer" in caplog.text


def test_a_drawer_kick_is_not_reprinted(demo, db, client, auth):
    with db() as s:
        document_printing.send(s, kind="drawer", document={}, ref="shift:3")
    (job,) = receipt_jobs(db)
    response = client.post(f"/api/v1/print-jobs/{job.id}/reprint", json={}, headers=auth("manager"))
    assert response.status_code == 422, response.get_json()
    assert len(receipt_jobs(db)) == 1


def test_two_receipt_printers_print_a_receipt_once_and_kick_the_drawer_they_have(demo, db):
    with db() as s:
        first = s.scalars(select(Printer).where(Printer.role == PrinterRole.receipt)).one()
        first.cash_drawer = False
        bar_till = Printer(
            name="Bar till printer",
            connection=first.connection,
            host="127.0.0.1",
            port=9199,
            role=PrinterRole.receipt,
            cash_drawer=True,
            language="ar",
        )
        s.add(bar_till)
        s.flush()
        first_id, till_id = first.id, bar_till.id
        document_printing.send(s, kind="receipt", document=make_invoice(), ref="invoice:1")
        document_printing.send(s, kind="drawer", document={}, ref="no-sale:1")
    receipt, drawer = receipt_jobs(db)
    assert receipt.printer_id == first_id  # once, on the branch's receipt printer
    assert drawer.printer_id == till_id  # the drawer is wired to the other one
    with db(write=False) as s:
        arabic_first = documents.layout_of(s.get(Printer, till_id))
    assert arabic_first.language == "ar"


# --- Arabic paper ---------------------------------------------------------------------------


def test_arabic_paper_prints_every_label_in_arabic_in_reading_order():
    """The issue: the seat line printed 'مقعد 1/4) 1)'; table, waiter and guests only in
    English. The Arabic receipt prints each in Arabic; tests/test_render.py checks that such
    a line comes out in reading order."""
    data = render_receipt(make_pre_bill(), layout(80, **ARABIC_ONLY))
    text = decode_escpos(data)
    assert not re.search("[A-Za-z]{3}", text.replace("[image", "").replace("cut", "")), text
    for line in (
        "مقعد 1 (1/4)",
        "طاولة: T4",
        "نادل: Sara",
        "عدد الضيوف: 4",
        "رقم الطلب 12 · محلي",
        "خصم 10%: -10.00",
    ):
        assert printed_arabic(data, [ArLine(line)]), line


def test_bilingual_paper_prints_each_label_in_both_languages():
    data = render_receipt(make_card_credit_note(), layout(80))
    lines = lines_of(data)
    for english in ("Table: T4", "Waiter: Sara", "Guests: 4", "Original invoice: INV-000123"):
        assert lines[lines.index(english) + 1].startswith("[image "), english
    assert printed_arabic(data, [ArLine("الفاتورة الأصلية: INV-000123")])
    assert printed_arabic(data, [ArLine("استرداد: بطاقة مدى **** 4242: 19.00")])
    assert printed_arabic(data, [ArLine("المرجع: RF-88127")])


def test_the_branch_header_and_footer_print_in_both_languages_where_written():
    branch = {
        **BRANCH,
        "header": "Open daily 12:00-01:00",
        "header_ar": "",
        "footer": "Thank you for your visit\nWi-Fi: mashawi-guest",
        "footer_ar": "شكراً لزيارتكم",
    }
    data = render_receipt(make_invoice(branch=branch), layout(80))
    lines = lines_of(data)
    head = lines.index("Open daily 12:00-01:00")
    assert lines.index("VAT No.: 300000000000003") < head < lines.index("Simplified Tax Invoice")
    thanks = lines.index("Thank you for your visit")
    assert lines[thanks + 1] == "Wi-Fi: mashawi-guest"
    assert lines.index("Scan to verify this invoice") < thanks
    assert lines[thanks + 2].startswith("[image 576x"), "the Arabic footer, as raster"
    arabic_only = lines_of(render_receipt(make_invoice(branch=branch), layout(80, **ARABIC_ONLY)))
    assert "Thank you for your visit" not in arabic_only, "Arabic paper: the Arabic footer"
    assert "Open daily 12:00-01:00" in arabic_only, "no Arabic header written: the English"
    # None written: the paper is as before (the golden receipts have no header or footer).
    assert render_receipt(make_invoice(), layout(80)) == render_receipt(
        make_invoice(branch={**BRANCH, "header": " ", "footer": "\n"}), layout(80)
    )


def test_typed_text_never_reaches_the_printer_as_a_command():
    """A footer (or a dish, a note) with ESC @ or GS V in it prints as text: no reset, no cut."""
    branch = {**BRANCH, "footer": "Thanks\x1b@ bye\x1dVA\x0c\x9b"}
    data = render_receipt(make_invoice(branch=branch), layout(80))
    assert b"Thanks@ bye\nVA\n" in data  # (GS and FF also end a line for str.splitlines)
    assert b"Thanks\x1b" not in data and b"\x1dVA" not in data and data.count(b"\x1dV") == 1
