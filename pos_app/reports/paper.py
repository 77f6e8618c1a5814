"""The printable monthly summary: a PDF of two A4 pages, English then Arabic (right to left,
shaped by Pillow's raqm with the packaged Noto Sans Arabic, which has Latin letters and
digits too: the same font and engine as the printers' Arabic). Drawn as images, so it needs
no PDF library and no font on the machine; it prints the same everywhere. Pure: no I/O."""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache

import fontpkg_noto_sans_arabic
from PIL import Image, ImageDraw, ImageFont

FONT = fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf"
DPI = 120
WIDTH, HEIGHT = round(8.27 * DPI), round(11.69 * DPI)  # A4
MARGIN = 60
MONTHS_AR = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Every label in both languages (printed pages do not follow the reader's screen language).
LABELS = {
    "title": ("Monthly summary", "الملخص الشهري"),
    "figure": ("Figure", "البند"),
    "this": ("This month", "هذا الشهر"),
    "before": ("Month before", "الشهر السابق"),
    "gross_minor": ("Gross sales", "إجمالي المبيعات"),
    "discount_minor": ("Discounts", "الخصومات"),
    "comp_minor": ("Comps", "الضيافة"),
    "service_minor": ("Service charge", "رسوم الخدمة"),
    "sales_minor": ("Sales", "المبيعات"),
    "refund_minor": ("Refunds", "المبالغ المستردة"),
    "net_minor": ("Net sales", "صافي المبيعات"),
    "vat_minor": ("VAT", "ضريبة القيمة المضافة"),
    "net_ex_vat_minor": ("Net excluding VAT", "الصافي دون الضريبة"),
    "tip_minor": ("Tips", "الإكراميات"),
    "orders": ("Orders", "الطلبات"),
    "average_ticket_minor": ("Average ticket", "متوسط الفاتورة"),
    "daily": ("Net sales by day", "صافي المبيعات حسب اليوم"),
    "items": ("Best sellers", "الأكثر مبيعًا"),
    "quantity": ("Quantity", "الكمية"),
    "item": ("Item", "الصنف"),
    "revenue": ("Revenue", "الإيراد"),
    "staff": ("Staff", "الموظفون"),
    "payments": ("Payments", "طرق الدفع"),
    "vat": ("VAT summary", "ملخص ضريبة القيمة المضافة"),
    "vat_sales": (
        "Standard-rated sales, excl. VAT",
        "المبيعات الخاضعة للنسبة الأساسية دون الضريبة",
    ),
    "vat_due": ("VAT on sales", "ضريبة المبيعات"),
    "vat_adjust": ("Credit notes, excl. VAT", "الإشعارات الدائنة دون الضريبة"),
    "vat_net": ("Net VAT due", "صافي الضريبة المستحقة"),
    "adjust": ("Voids, comps, discounts, refunds", "الإلغاءات والضيافة والخصومات والاستردادات"),
    "imported": ("of which imported past sales", "منها مبيعات سابقة مستوردة"),
    "cash": ("Cash", "نقدًا"),
    "card": ("Card", "بطاقة"),
    "voucher": ("Voucher", "قسيمة"),
    "other": ("Other", "أخرى"),
    "void": ("Voids", "الأصناف الملغاة"),
    "comp": ("Comps", "الضيافة"),
    "discount": ("Discounts", "الخصومات"),
    "refund": ("Refunds", "الاستردادات"),
    "cancel": ("Cancelled orders", "الطلبات الملغاة"),
    "price": ("Price changes", "تغييرات السعر"),
}
CURRENCY_AR = {"SAR": "ر.س", "AED": "د.إ", "KWD": "د.ك", "BHD": "د.ب", "QAR": "ر.ق"}
HEADLINE = (
    "gross_minor",
    "discount_minor",
    "comp_minor",
    "service_minor",
    "sales_minor",
    "refund_minor",
    "net_minor",
    "vat_minor",
    "net_ex_vat_minor",
    "tip_minor",
    "orders",
    "average_ticket_minor",
)


def printable(text: str) -> str:
    """The text without what cannot be drawn: control and format characters, unpaired
    surrogates (names are typed by staff and may hold anything)."""
    return "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else " "
        for ch in str(text)
    )[:200]


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(FONT), size, layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_name("Bold" if bold else "Regular")
    return font


def monthly_pdf(data: dict, branch_label: str, month_first, currency: str, exponent: int) -> bytes:
    """The month's summary (`data`: the reports API's answer for the month) as a PDF."""
    pages = [_page(data, branch_label, month_first, currency, exponent, ar) for ar in (False, True)]
    out = io.BytesIO()
    pages[0].save(
        out,
        "PDF",
        resolution=DPI,
        save_all=True,
        append_images=pages[1:],
        title=f"{LABELS['title'][0]} {month_first:%Y-%m}",
        author="Restaurant POS",
    )
    return out.getvalue()


class _Page:
    """Lines down an A4 page; in Arabic every x is mirrored and text runs right to left."""

    def __init__(self, ar: bool):
        self.ar = ar
        self.image = Image.new("L", (WIDTH, HEIGHT), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN

    def x(self, x: int) -> int:
        return WIDTH - x if self.ar else x

    def text(self, x: int, text: str, size=16, bold=False, end=False):
        """Text starting at x (its reading start), or ending at x when `end` (numbers)."""
        right = self.ar != end
        text = printable(text)
        try:
            self._draw(x, text, size, bold, right, end)
        except RuntimeError:  # raqm could not lay the text out: draw what it can
            self._draw(x, text.encode("ascii", "replace").decode(), size, bold, right, True)

    def _draw(self, x: int, text: str, size: int, bold: bool, right: bool, end: bool):
        self.draw.text(
            (self.x(x), self.y),
            text,
            font=_font(size, bold),
            fill=0,
            anchor="ra" if right else "la",
            direction="rtl" if self.ar and not end else None,
        )

    def row(self, cells, size=16, bold=False, gap=8):
        """cells: (x, text, is_number); numbers end at x, words start at x."""
        for x, text, number in cells:
            self.text(x, text, size, bold, end=number)
        self.y += size + gap

    def rule(self):
        self.draw.line((MARGIN, self.y, WIDTH - MARGIN, self.y), fill=160, width=1)
        self.y += 8

    def heading(self, text):
        self.y += 10
        self.row([(MARGIN, text, False)], size=20, bold=True, gap=16)
        self.rule()


def _page(data, branch_label, month_first, currency, exponent, ar: bool) -> Image.Image:
    lang = 1 if ar else 0
    p = _Page(ar)
    symbol = CURRENCY_AR.get(currency, currency) if ar else currency

    def money(minor: int) -> str:
        whole, part = divmod(abs(minor), 10**exponent)
        text = f"{whole:,}" + (f".{part:0{exponent}d}" if exponent else "")
        return ("-" if minor < 0 else "") + text + " " + symbol

    def label(key):
        return LABELS.get(key, (key, key))[lang]

    report = data["report"]
    month_name = (MONTHS_AR if ar else MONTHS_EN)[month_first.month - 1]
    p.row([(MARGIN, f"{label('title')} · {month_name} {month_first.year}", False)], 28, True, 14)
    p.row([(MARGIN, branch_label, False)], 18, False, 4)
    p.row([(MARGIN, f"{report['period']['from']} – {report['period']['to']}", False)], 14)
    p.rule()
    col1, col2 = WIDTH - MARGIN - 200, WIDTH - MARGIN
    p.row(
        [
            (MARGIN, label("figure"), False),
            (col1, label("this"), True),
            (col2, label("before"), True),
        ],
        15,
        True,
    )
    before = report.get("previous", {}).get("sales", {})
    for key in HEADLINE:
        now, was = report["sales"][key], before.get(key, 0)
        shown = (str(now), str(was)) if key == "orders" else (money(now), money(was))
        p.row(
            [(MARGIN, label(key), False), (col1, shown[0], True), (col2, shown[1], True)],
            16,
            key == "net_minor",
        )
    if report.get("imported_minor"):
        p.row(
            [
                (MARGIN + 20, label("imported"), False),
                (col1, money(report["imported_minor"]), True),
            ],
            14,
        )
    _bars(p, data.get("series", []), label("daily"))
    p.heading(label("items"))
    p.row(
        [
            (MARGIN, label("item"), False),
            (col1, label("quantity"), True),
            (col2, label("revenue"), True),
        ],
        15,
        True,
    )
    for item in report["by_item"][:12]:
        name = (item.get("label_ar") or item["key"]) if ar else item["key"]
        p.row(
            [
                (MARGIN, name[:48], False),
                (col1, f"{item['quantity']:g}", True),
                (col2, money(item["revenue_minor"]), True),
            ],
            15,
            gap=6,
        )
    p.heading(label("staff"))
    for person in report["by_staff"][:8]:
        p.row(
            [
                (MARGIN, person["staff"][:40], False),
                (col1, str(person["orders"]), True),
                (col2, money(person["net_minor"]), True),
            ],
            15,
            gap=6,
        )
    p.heading(label("payments"))
    for tender in report["by_tender"]:
        p.row(
            [(MARGIN, label(tender["tender"]), False), (col2, money(tender["amount_minor"]), True)],
            15,
            gap=6,
        )
    p.heading(label("vat"))
    vat = report["vat"]
    for key, value in (
        ("vat_sales", vat["standard_sales_ex_vat_minor"]),
        ("vat_due", vat["standard_sales_vat_minor"]),
        ("vat_adjust", vat["adjustments_ex_vat_minor"]),
        ("vat_net", vat["net_vat_minor"]),
    ):
        p.row([(MARGIN, label(key), False), (col2, money(value), True)], 15, gap=6)
    if report["adjustments"]:
        p.heading(label("adjust"))
        for a in report["adjustments"]:
            p.row(
                [
                    (MARGIN, label(a["kind"]), False),
                    (col1, str(a["count"]), True),
                    (col2, money(a["amount_minor"]), True),
                ],
                15,
                gap=6,
            )
    return p.image


def _bars(p: _Page, series: list, title: str) -> None:
    """Net sales per day as bars (the first day at the reading start)."""
    p.heading(title)
    top, height = p.y + 4, 120
    if series:
        peak = max(max(d["net_minor"] for d in series), 1)
        width = (WIDTH - 2 * MARGIN) / max(len(series), 1)
        for n, day in enumerate(series):
            h = max(0, round(height * day["net_minor"] / peak))
            x0 = MARGIN + n * width
            x1 = x0 + max(width - 2, 1)
            left, right = sorted((p.x(round(x0)), p.x(round(x1))))
            p.draw.rectangle((left, top + height - h, right, top + height), fill=90)
    p.draw.line((MARGIN, top + height, WIDTH - MARGIN, top + height), fill=0)
    p.y = top + height + 12
