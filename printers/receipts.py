"""Receipt printer paper as ESC/POS bytes: invoice, credit note and pre-bill receipts, the
cash drawer kick, and the money sheet and branch header that X and Z reports share with them
(printers/reports.py).

Pure: data in, bytes out, as printers/render.py (whose paper layout, Arabic raster and marks
this shares). Money is int minor units in the document's currency exponent, printed with
pos_app.money.format_minor and never through a float; times come in UTC and print in the
branch's time zone. The documents' shape is in the `document_printing` signal's brief.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

import qrcode

from pos_app.money import format_minor
from printers.bidi import isolate_runs
from printers.escpos_text import ESC
from printers.fonts import (
    BIG,
    HUGE,
    LARGE,
    MARGIN,
    NORMAL,
    NORMAL_SIZE,
    TALL,
    ArLine,
    TicketDoc,
    arabic_font,
    latin,
)
from printers.receipt_goods import AR_INDENT, AR_SEP, print_line
from printers.render import TYPES, PaperLayout, _mark_texts, local_time

__all__ = [
    "DRAWER_KICK",
    "TENDERS",
    "Sheet",
    "branch_header",
    "qr_module_size",
    "render_drawer_kick",
    "render_receipt",
]

# ESC @, then ESC p 0 25 250: pulse pin 2 (the drawer) 50 ms on, 500 ms off.
DRAWER_KICK = ESC + b"@" + ESC + b"p" + bytes([0, 25, 250])

TITLES = {
    "invoice": ("Simplified Tax Invoice", "فاتورة ضريبية مبسطة"),
    "credit_note": ("Credit Note", "إشعار دائن"),
    # An ASCII dash: the code pages have no em dash (it would print as "?").
    "pre_bill": ("PRE-BILL - NOT A TAX INVOICE", "فاتورة مبدئية - ليست فاتورة ضريبية"),
}
NUMBERS = {
    "invoice": ("Invoice No.", "رقم الفاتورة"),
    "credit_note": ("Credit note No.", "رقم الإشعار الدائن"),
    "pre_bill": ("Bill No.", "رقم الفاتورة"),
}
TENDERS = {
    "cash": ("Cash", "نقدًا"),
    "card": ("Card", "بطاقة"),
    "wallet": ("Wallet", "محفظة إلكترونية"),
    "voucher": ("Voucher", "قسيمة"),
}
QR_CAPTIONS = {
    "invoice": ("Scan to verify this invoice", "امسح الرمز للتحقق من الفاتورة"),
    "credit_note": ("Scan to verify this credit note", "امسح الرمز للتحقق من الإشعار الدائن"),
}
ORIGINAL_INVOICE = ("Original invoice", "الفاتورة الأصلية")
CARD_METHODS_AR = {"mada": "مدى"}
_CARD_NUMBER = re.compile(r"\b\d(?:[ -]?\d){11,18}\b")  # 12 to 19 digits: maybe a card number


class Sheet(TicketDoc):
    """A TicketDoc with money: the label on the left, the amount flush right."""

    def __init__(self, layout: PaperLayout, doc: dict):
        super().__init__(layout)
        exponent = doc.get("exponent")
        self.currency, self.exponent = (
            doc.get("currency") or "SAR",
            2 if exponent is None else exponent,
        )

    def amount(self, minor: int, *, unit: bool = False, locale: str = "en") -> str:
        """'1,234.50' ('1,234.50 SAR' with the unit; '1,234.50 ر.س' in Arabic)."""
        number, symbol = format_minor(minor, self.currency, self.exponent, locale).split(" ", 1)
        return f"{number} {symbol}" if unit else number

    def rows(self, left: str, right: str, size=NORMAL_SIZE, bold=False) -> list[tuple[str, dict]]:
        """`left` wrapped to the line, `right` flush right on its last line."""
        width, left = self.layout.chars_per_line // size[0], latin(left)
        room = width - len(right) - 1
        indent = " " * (len(left) - len(left.lstrip(" ")) + 2)
        chunks = textwrap.wrap(left, room if room >= 8 else width, subsequent_indent=indent)
        chunks = chunks or [""]
        if len(chunks[-1]) + 1 + len(right) > width:
            chunks.append("")
        chunks[-1] += right.rjust(width - len(chunks[-1]))
        return [(chunk, {"size": size, "bold": bold}) for chunk in chunks]

    def shows_english(self, has_en: bool = True) -> bool:
        """Whether pair() prints the English lines next to some Arabic."""
        lay = self.layout
        if lay.language == "ar":
            return has_en and (lay.bilingual or not lay.raster_text)
        return has_en or not lay.raster_text

    def english(self, text: str, arabic: str) -> str:
        """The English text, or the Arabic in the code page when Arabic cannot be raster."""
        return text or ("" if self.layout.raster_text else latin(arabic))

    def money(self, label, label_ar, minor, *, indent=0, size=NORMAL_SIZE, bold=False, unit=False):
        """A money row in the layout's languages; the Arabic line carries the amount too."""
        amount, amount_ar = (
            self.amount(minor, unit=unit),
            self.amount(minor, unit=unit, locale="ar"),
        )
        self.value(label, label_ar, amount, amount_ar, indent=indent, size=size, bold=bold)

    def value(
        self, label, label_ar, value, value_ar=None, *, indent=0, size=NORMAL_SIZE, bold=False
    ):
        """A row with its value flush right; in Arabic 'label: value'."""
        if value in (None, ""):
            return
        en = self.english(label, label_ar)
        rows = self.rows(" " * indent + en, latin(str(value)), size, bold) if en else []
        text = (label_ar or label) + AR_SEP + str(value if value_ar is None else value_ar)
        ar_size = NORMAL
        if size[1] > 1 and self.fits(text, LARGE):
            ar_size = LARGE
        self.pair(rows, [ArLine(text, ar_size, indent=AR_INDENT if indent else 0)])

    def fits(self, text: str, size: int) -> bool:
        """Whether an Arabic text takes one line of the paper at `size` pixels."""
        length = arabic_font(size).getlength(isolate_runs(text), direction="rtl", language="ar")
        return length <= self.layout.dots - MARGIN

    def info(self, label: str, label_ar: str, value, **style) -> None:
        """'Label: value' in both languages when the layout is bilingual (the invoice's facts)."""
        if value not in (None, ""):
            self.pair([(f"{label}: {value}", style)], [ArLine(f"{label_ar}: {value}")])

    def heading(self, en: str, ar: str, size=TALL) -> None:
        """A centred bold title and its Arabic."""
        style = {"size": size, "bold": True, "align": "center"}
        self.pair([(en, style)], [ArLine(ar, LARGE if size[1] > 1 else NORMAL)])


@lru_cache(maxsize=64)
def qr_module_size(payload: str, dots: int, largest: int = 6) -> int:
    """Dots per QR module so the code (with its quiet zone) fits the paper: `largest` at most."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return max(1, min(largest, dots // (code.modules_count + 8)))


def branch_header(sheet: Sheet, branch: dict) -> None:
    """Name (big), address and VAT number, centred; their Arabic as raster."""
    sheet.pair(
        [(branch.get("name") or "", {"size": BIG, "bold": True, "align": "center"})],
        [ArLine(branch.get("name_ar") or "", HUGE)],
    )
    if branch.get("address") or branch.get("address_ar"):
        sheet.pair(
            [(branch.get("address") or "", {"align": "center"})],
            [ArLine(branch.get("address_ar") or "")],
        )
    sheet.info("VAT No.", "الرقم الضريبي", branch.get("vat_number"), align="center")
    sheet.rule("=")


def branch_words(sheet: Sheet, branch: dict, which: str) -> None:
    """The branch's own receipt header or footer ("Thank you", opening hours, Wi-Fi), line by
    line, centred, the Arabic as raster; each language's text stands alone, so a branch may
    write only one of them."""
    en_lines = [line.strip() for line in (branch.get(which) or "").splitlines()]
    ar_lines = [line.strip() for line in (branch.get(f"{which}_ar") or "").splitlines()]
    en_lines, ar_lines = [x for x in en_lines if x], [x for x in ar_lines if x]
    if not en_lines and not ar_lines:
        return
    sheet.pair(
        [(line, {"align": "center"}) for line in en_lines], [ArLine(line) for line in ar_lines]
    )
    if which == "header":
        sheet.rule()


def _heading(sheet: Sheet, doc: dict, kind: str) -> None:
    """Title, number, reference and reason (credit note), local date and time."""
    en, ar = TITLES[kind]
    if kind == "pre_bill":  # white on black: no one takes it for a tax invoice
        sheet.alert(en, ar)
    else:
        sheet.heading(en, ar)
    sheet.info(*NUMBERS[kind], doc.get("number"), bold=True)
    if kind == "credit_note":
        sheet.info(*ORIGINAL_INVOICE, doc.get("references"), bold=True)
        sheet.field("Reason", "السبب", doc.get("reason"))
    zone = (doc.get("branch") or {}).get("time_zone")
    issued = local_time(doc.get("issued_at"), zone)
    sheet.info("Date", "التاريخ والوقت", issued.strftime("%Y-%m-%d %H:%M:%S"))


def _order(sheet: Sheet, doc: dict) -> None:
    """Order number and type, table, waiter, guests, and which part of a split bill."""
    order = doc.get("order") or {}
    kind = order.get("type") or "dine_in"
    type_en, type_ar = TYPES.get(kind, (kind.upper(), kind))
    if order.get("number") not in (None, ""):
        sheet.pair(
            [(f"Order #{order['number']}  {type_en}", {"bold": True})],
            [ArLine(f"رقم الطلب {order['number']} · {type_ar}")],
        )
    sheet.field("Table", "طاولة", order.get("table"))
    sheet.field("Waiter", "نادل", order.get("waiter"))
    sheet.field("Guests", "عدد الضيوف", order.get("guests") or None)
    part = doc.get("part")
    if part:
        count = f"({part.get('number')}/{part.get('of')})"
        label = part.get("label") or "Part"
        sheet.pair(
            [(f"{label} {count}", {"bold": True})],
            [ArLine(f"{part.get('label_ar') or label} {count}")],
        )


def _percent(basis_points) -> str:
    whole, part = divmod(int(basis_points or 0), 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def _lines(doc: dict, kind: str) -> list[dict]:
    """The document's lines; a credit note's as positive as its totals (notes issued before
    the sign was fixed kept each line's amount negative)."""
    lines = doc.get("lines") or []
    if kind != "credit_note" or doc.get("total_minor", 0) < 0:
        return lines
    return [_given_back(line) if line["amount_minor"] < 0 else line for line in lines]


def _given_back(line: dict) -> dict:
    amount = -line["amount_minor"]
    return {
        **line,
        "amount_minor": amount,
        "gross_minor": amount,
        "item_minor": amount,
        "adjustments": [],
        "modifiers": [m for m in line.get("modifiers") or [] if isinstance(m, str)],
    }


def _totals(sheet: Sheet, doc: dict, lines: list[dict]) -> None:
    """Subtotal, order discounts and service charge, net, VAT, and the total (big)."""
    subtotal = doc.get("subtotal_minor")
    if subtotal is None:  # the lines after their own discounts
        subtotal = sum(line["amount_minor"] for line in lines)
    sheet.money("Subtotal", "المجموع الفرعي", subtotal)
    for adj in doc.get("adjustments") or []:
        sheet.money(adj.get("label") or "", adj.get("label_ar") or "", adj["amount_minor"])
    sheet.money("Total excl. VAT", "الإجمالي غير شامل الضريبة", doc["net_minor"])
    rate = _percent(doc.get("vat_rate_bp"))
    sheet.money(f"VAT {rate}", f"ضريبة القيمة المضافة {rate}", doc["vat_minor"])
    total = sheet.amount(doc["total_minor"], unit=True)
    size = BIG if len(total) + 6 <= sheet.layout.chars_per_line // 2 else TALL
    sheet.money(
        "TOTAL", "الإجمالي شامل الضريبة", doc["total_minor"], size=size, bold=True, unit=True
    )


def _masked(text: str) -> str:
    return _CARD_NUMBER.sub(lambda m: "**** " + re.sub(r"\D", "", m.group(0))[-4:], text or "")


def _tender_names(pay: dict) -> tuple[str, str]:
    """'Card (mada) **** 1234' and its Arabic."""
    tender = pay.get("tender") or ""
    en, ar = TENDERS.get(tender, (tender.title(), tender))
    method = pay.get("card_method")
    if method:
        en, ar = f"{en} ({method})", f"{ar} {CARD_METHODS_AR.get(method.lower(), method)}"
    last4 = re.sub(r"\D", "", str(pay.get("last4") or ""))[-4:]
    if last4:
        en, ar = f"{en} **** {last4}", f"{ar} **** {last4}"
    return en, ar


def _refunds(sheet: Sheet, doc: dict) -> None:
    """How a credit note's money went back: the tender, the card, the terminal's reference."""
    for pay in doc.get("payments") or []:
        en, ar = _tender_names(pay)
        sheet.money(f"Refund: {en}", f"استرداد: {ar}", pay["amount_minor"], bold=True)
        if pay.get("reference"):
            sheet.field("  Ref", "المرجع", _masked(str(pay["reference"])))


def _payments(sheet: Sheet, doc: dict) -> None:
    """Each tender: card method and last four digits, cash tendered and change, tip."""
    for pay in doc.get("payments") or []:
        en, ar = _tender_names(pay)
        sheet.money(en, ar, pay["amount_minor"], bold=True)
        # In the order that adds up: bill + tip, then what was handed over and the change.
        if pay.get("tip_minor"):
            sheet.money("Tip", "إكرامية", pay["tip_minor"], indent=2)
        if pay.get("tender") == "cash" and pay.get("tendered_minor") is not None:
            sheet.money("Amount paid", "المبلغ المدفوع", pay["tendered_minor"], indent=2)
            sheet.money("Change", "الباقي", pay.get("change_minor") or 0, indent=2)
        if pay.get("reference"):
            sheet.field("  Ref", "المرجع", _masked(str(pay["reference"])))


def _qr(sheet: Sheet, payload: str | None, kind: str) -> None:
    if payload:
        en, ar = QR_CAPTIONS.get(kind, QR_CAPTIONS["invoice"])
        sheet.out.feed(1)
        sheet.out.qr(payload, qr_module_size(payload, sheet.layout.dots))
        sheet.pair([(en, {"align": "center"})], [ArLine(ar)])


def render_receipt(doc: dict, layout: PaperLayout) -> bytes:
    """An invoice or credit note receipt, or a pre-bill (doc["kind"]), for the receipt printer."""
    kind = doc.get("kind") or "invoice"
    if kind not in TITLES:
        raise ValueError(f"not a receipt: {kind!r}")
    sheet = Sheet(layout, doc)
    marks = [_mark_texts(m) for m in doc.get("marks") or []]
    for en, ar in marks:
        sheet.alert(en, ar)
    branch_header(sheet, doc.get("branch") or {})
    branch_words(sheet, doc.get("branch") or {}, "header")
    _heading(sheet, doc, kind)
    _order(sheet, doc)
    sheet.rule()
    lines = _lines(doc, kind)
    for line in lines:
        print_line(sheet, line)
    sheet.rule()
    _totals(sheet, doc, lines)
    if doc.get("payments"):
        sheet.rule()
        (_refunds if kind == "credit_note" else _payments)(sheet, doc)
    _qr(sheet, doc.get("qr"), kind)
    branch_words(sheet, doc.get("branch") or {}, "footer")
    for en, ar in marks:
        sheet.alert(en, ar)
    sheet.out.cut(partial=layout.partial_cut)
    return sheet.out.getvalue()


def render_drawer_kick() -> bytes:
    """Open the cash drawer on the receipt printer's kick-out connector (nothing printed)."""
    return DRAWER_KICK
