"""X and Z reports on receipt paper as ESC/POS bytes: the day so far, or the day closed.

Pure: data in, bytes out, on the money sheet of printers/receipts.py (its rows, languages and
branch header). Money is int minor units in the report's currency exponent; times come in UTC
and print in the branch's time zone.
"""

from __future__ import annotations

from printers.fonts import NORMAL_SIZE, ArLine
from printers.receipts import TENDERS, Sheet, branch_header
from printers.render import PaperLayout, _mark_texts, local_time

__all__ = ["render_report"]


def _report_title(doc: dict) -> tuple[str, str]:
    number = doc.get("number")
    if doc.get("kind") == "z_report":
        if number is None:
            return "Z REPORT - DAY CLOSED", "تقرير Z - إغلاق اليوم"
        return f"Z REPORT #{number} - DAY CLOSED", f"تقرير Z رقم {number} - إغلاق اليوم"
    if doc.get("kind") == "x_report":
        return "X REPORT (not closing)", "تقرير X (دون إغلاق اليوم)"
    raise ValueError(f"not a report: {doc.get('kind')!r}")


def _sections(sheet: Sheet, sections: list[dict]) -> None:
    """Each section's title, then its rows: an amount or a text value, flush right (bold when
    the row says so)."""
    for section in sections:
        sheet.rule()
        title = section.get("title") or ""
        sheet.heading(title, section.get("title_ar") or title, NORMAL_SIZE)
        for row in section.get("rows") or []:
            label, label_ar = row.get("label") or "", row.get("label_ar") or ""
            bold = bool(row.get("bold"))  # a total: what the drawer should hold, VAT due
            if row.get("amount_minor") is not None:
                sheet.money(label, label_ar, row["amount_minor"], bold=bold)
            else:
                sheet.value(label, label_ar, row.get("value"), bold=bold)


def _tenders(sheet: Sheet, tenders: list[dict]) -> None:
    """Per tender: expected, counted, and over (+) or short (-)."""
    sheet.rule()
    sheet.heading("Payments", "الدفع", NORMAL_SIZE)
    for row in tenders:
        en, ar = TENDERS.get(row.get("tender") or "", (row.get("tender") or "", ""))
        label, label_ar = row.get("label") or en, row.get("label_ar") or ar or en
        sheet.pair([(sheet.english(label, label_ar), {"bold": True})], [ArLine(label_ar)])
        sheet.money("Expected", "المتوقع", row["expected_minor"], indent=2)
        if row.get("counted_minor") is not None:
            sheet.money("Counted", "المعدود", row["counted_minor"], indent=2)
        difference = row.get("difference_minor")
        if difference is not None:
            sign = "+" if difference > 0 else ""
            text = sign + sheet.amount(difference)
            sheet.value("Over/short", "الفرق", text, f"\u2066{text}\u2069", indent=2)


def render_report(doc: dict, layout: PaperLayout) -> bytes:
    """An X report (the day so far) or a Z report (the day closed), for the receipt printer."""
    title = _report_title(doc)
    sheet = Sheet(layout, doc)
    marks = [_mark_texts(m) for m in doc.get("marks") or []]
    for en, ar in marks:
        sheet.alert(en, ar)
    branch = doc.get("branch") or {}
    branch_header(sheet, branch)
    sheet.heading(*title)
    zone = branch.get("time_zone")
    sheet.field("Business day", "يوم العمل", doc.get("business_day"), bold=True)
    for label, label_ar, key in (("From", "من", "from"), ("To", "إلى", "to")):
        if doc.get(key):
            sheet.field(label, label_ar, local_time(doc[key], zone).strftime("%Y-%m-%d %H:%M"))
    sheet.field("Printed by", "طُبع بواسطة", doc.get("printed_by"))
    sheet.field("Currency", "العملة", sheet.currency)
    _sections(sheet, doc.get("sections") or [])
    if doc.get("tenders"):
        _tenders(sheet, doc["tenders"])
    sheet.rule("=")
    for en, ar in marks:
        sheet.alert(en, ar)
    sheet.out.cut(partial=layout.partial_cut)
    return sheet.out.getvalue()
