"""Station printer tickets as ESC/POS bytes: kitchen chits, item labels, test pages.

Pure: data in, bytes out; no database, no network, no clock unless none is given. Latin text
goes as text in the printer's explicit code page; Arabic goes as right-aligned raster images
(see printers/fonts.py), or is left out on a printer without raster text (`raster_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from printers.escpos_text import decode_escpos, raster_images
from printers.fonts import BIG, HUGE, LARGE, TALL, ArLine, TicketDoc, has_arabic

__all__ = [
    "PaperLayout",
    "decode_escpos",
    "labels_for",
    "raster_images",
    "render_kitchen_chit",
    "render_label",
    "render_test_page",
]

TYPES = {
    "dine_in": ("DINE IN", "محلي"),
    "takeaway": ("TAKEAWAY", "سفري"),
    "delivery": ("DELIVERY", "توصيل"),
    "pickup": ("PICKUP", "استلام"),
}
MARKS_AR = {"REPRINT": "إعادة طباعة", "TEST": "طباعة تجريبية"}


@dataclass(frozen=True)
class PaperLayout:
    """What a printer's paper and fonts allow, and which languages the staff read."""

    width_mm: int = 80
    chars_per_line: int = 48
    dots: int = 576
    codepage: str = "cp437"
    raster_text: bool = True  # Arabic as raster images; False: the printer gets no Arabic
    bilingual: bool = True  # item names (and alerts) in both languages
    language: str = "en"  # "en" or "ar": the labels' language and the first of the two
    codepage_number: int | None = None  # ESC t number when the printer's differs from Epson's
    partial_cut: bool = False

    @classmethod
    def for_paper(cls, width_mm: int = 80, **options) -> PaperLayout:
        """80 mm: 48 characters, 576 dots; 58 mm: 32 characters, 384 dots."""
        wide = width_mm >= 80
        return cls(width_mm, 48 if wide else 32, 576 if wide else 384, **options)

    @classmethod
    def for_printer(cls, printer, **options) -> PaperLayout:
        """From a printers.models.Printer (or anything with the same attributes)."""
        base = cls.for_paper(printer.paper_width_mm)
        for name in ("bilingual", "language", "partial_cut"):
            if getattr(printer, name, None) is not None:
                options.setdefault(name, getattr(printer, name))
        return cls(
            width_mm=base.width_mm,
            chars_per_line=printer.chars_per_line or base.chars_per_line,
            dots=base.dots,
            codepage=printer.codepage or "cp437",
            raster_text=printer.raster_text,
            **options,
        )


def local_time(printed_at: str | datetime | None, time_zone: str | None) -> datetime:
    """The moment in the branch's time zone (a naive moment is taken as UTC)."""
    moment = printed_at or datetime.now(UTC)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(time_zone or "Asia/Riyadh"))


def _mark_texts(mark: str) -> tuple[str, str]:
    if mark.upper().startswith("BACKUP FROM"):
        return mark, f"الطابعة الاحتياطية: {mark[len('BACKUP FROM') :].strip()}"
    return mark, MARKS_AR.get(mark.upper(), mark)


def _mods(mods, indent="  ") -> tuple[list[tuple[str, dict]], list[ArLine]]:
    mods = mods or []
    en = [(f"{indent}{m.get('name') or m.get('name_ar', '')}", {}) for m in mods]
    ar = [ArLine(m.get("name_ar") or m.get("name", ""), indent=36) for m in mods]
    return en, ar


def _names(mods, key: str, other: str) -> str:
    comma = "، " if key == "name_ar" else ", "
    return comma.join(m.get(key) or m.get(other, "") for m in mods or []) or "-"


def _item(doc: TicketDoc, line: dict) -> None:
    kind, qty = line.get("kind", "add"), int(line.get("quantity") or 0)
    voided = int(line.get("voided_quantity") or 0)
    name = line.get("name") or line.get("name_ar", "")
    name_ar = line.get("name_ar") or line.get("name", "")
    bold_tall = {"size": TALL, "bold": True}
    if kind == "void" or voided:
        gone = qty if kind == "void" else voided
        doc.pair(
            [(f"VOID {gone} x {name}", {**bold_tall, "invert": True})],
            [ArLine(f"إلغاء صنف {gone} × {name_ar}", LARGE, invert=True)],
        )
        doc.field("  Reason", "السبب", line.get("void_reason"), bold=True)
        if kind == "void" or voided >= qty:
            return
    if kind == "change":
        old_qty = int(line.get("old_quantity") or qty)
        count = f"{old_qty} -> {qty}" if old_qty != qty else f"{qty}"
        old, new = line.get("old_modifiers") or [], line.get("modifiers") or []
        doc.pair(
            [
                (f"CHANGE {count} x {name}", bold_tall),
                (f"  was: {_names(old, 'name', 'name_ar')}", {}),
                (f"  now: {_names(new, 'name', 'name_ar')}", {"bold": True}),
            ],
            [
                ArLine(f"تعديل {qty} × {name_ar}", LARGE),
                *(
                    [ArLine(f"الكمية: كان {old_qty}، أصبح {qty}", indent=36)]
                    if old_qty != qty
                    else []
                ),
                ArLine(f"كان: {_names(old, 'name_ar', 'name')}", indent=36),
                ArLine(f"أصبح: {_names(new, 'name_ar', 'name')}", indent=36),
            ],
        )
    else:
        left = qty - voided
        en_mods, ar_mods = _mods(line.get("modifiers"))
        doc.pair(
            [(f"{left} x {name}", bold_tall), *en_mods],
            [ArLine(f"{left} × {name_ar}", LARGE), *ar_mods],
        )
    doc.field("  Note", "ملاحظة", line.get("note"), bold=True)
    allergy = line.get("allergy")
    if allergy:  # an allergy written in Arabic goes as raster alone, never left out
        arabic_only = has_arabic(allergy) and doc.layout.raster_text
        en = [] if arabic_only else [(f"ALLERGY: {allergy}", {"bold": True, "invert": True})]
        doc.pair(en, [ArLine(f"حساسية: {allergy}", invert=True)])


def _seat_groups(lines: list[dict]) -> list[tuple[object, list[dict]]]:
    """Lines without a seat first, then seat by seat; each keeps the ticket's order."""
    seats = sorted({line.get("seat") for line in lines} - {None, ""}, key=str)
    groups = [(None, [li for li in lines if li.get("seat") in (None, "")])]
    groups += [(seat, [li for li in lines if li.get("seat") == seat]) for seat in seats]
    return [(seat, group) for seat, group in groups if group]


def _order_lines(doc: TicketDoc, header: dict, printed: datetime) -> None:
    """Order number and time, table or type, customer, guests, waiter."""
    half = doc.layout.chars_per_line // 2
    number, clock = f"#{header.get('number', '')}", printed.strftime("%H:%M")
    doc.out.line(number.ljust(half - len(clock)) + clock, size=BIG, bold=True)
    kind = header.get("type") or "dine_in"
    if kind == "dine_in" and header.get("table"):
        en, ar = f"Table {header['table']}", f"طاولة {header['table']}"
    else:
        en, ar = TYPES.get(kind, (kind.upper(), kind))
    doc.pair([(en, {"size": TALL, "bold": True})], [ArLine(ar, LARGE)])
    doc.field("", "", header.get("customer"), size=TALL, bold=True)
    doc.field("Guests", "عدد الضيوف", header.get("guests"))
    doc.field("Waiter", "نادل", header.get("waiter"))
    doc.field("Time", "التاريخ والوقت", printed.strftime("%Y-%m-%d %H:%M"))


def render_kitchen_chit(chit: dict, layout: PaperLayout) -> bytes:
    """A station's kitchen ticket (chit), ready for the printer."""
    doc = TicketDoc(layout)
    header = chit.get("header") or {}
    marks = [_mark_texts(m) for m in chit.get("marks") or []]
    for en, ar in marks:
        doc.alert(en, ar)
    if header.get("cancelled"):
        doc.alert("CANCELLED", "الطلب ملغى")
    if header.get("rush") or chit.get("rush"):
        doc.alert("RUSH", "مستعجل")
    if chit.get("is_change"):
        doc.alert("CHANGE", "تعديل")
    if chit.get("held"):
        doc.alert("HOLD", "تعليق", invert=False)
    if chit.get("fire"):
        doc.alert(f"FIRE COURSE {chit.get('course')}", f"إرسال المرحلة {chit.get('course')}")
    station = chit.get("station") or {}
    doc.pair(
        [(station.get("name", ""), {"size": BIG, "bold": True, "align": "center"})],
        [ArLine(station.get("name_ar", ""), HUGE)],
    )
    doc.rule("=")
    _order_lines(doc, header, local_time(chit.get("printed_at"), chit.get("time_zone")))
    doc.field("Note", "ملاحظة", header.get("notes"), bold=True)
    if chit.get("course"):
        course = chit["course"]
        doc.rule()
        doc.pair(
            [(f"Course {course}", {"size": TALL, "bold": True})],
            [ArLine(f"مرحلة التقديم {course}", LARGE)],
        )
    doc.rule()
    for seat, group in _seat_groups(chit.get("lines") or []):
        if seat is not None:
            doc.pair(
                [(f"Seat {seat}", {"bold": True, "invert": True})],
                [ArLine(f"مقعد {seat}", invert=True)],
            )
        for line in group:
            _item(doc, line)
    doc.rule("=")
    for en, ar in marks:
        doc.alert(en, ar)
    doc.out.cut(partial=layout.partial_cut)
    return doc.out.getvalue()


def labels_for(chit: dict) -> list[dict]:
    """One label per unit of each line that is still to make (voids and changes excluded)."""
    units = []
    for line in chit.get("lines") or []:
        if line.get("kind", "add") == "add":
            units += [line] * max(
                int(line.get("quantity") or 0) - int(line.get("voided_quantity") or 0), 0
            )
    keep = ("header", "printed_at", "time_zone", "marks")
    return [
        {**{k: chit.get(k) for k in keep}, "line": line, "index": i, "count": len(units)}
        for i, line in enumerate(units, start=1)
    ]


def render_label(label: dict, layout: PaperLayout) -> bytes:
    """One item's label: {header, line, index, count, printed_at, time_zone, marks?}."""
    doc = TicketDoc(layout)
    header, line = label.get("header") or {}, label.get("line") or {}
    for en, ar in (_mark_texts(m) for m in label.get("marks") or []):
        doc.alert(en, ar)
    half = layout.chars_per_line // 2
    number, count = (
        f"#{header.get('number', '')}",
        f"{label.get('index', 1)}/{label.get('count', 1)}",
    )
    doc.out.line(number.ljust(half - len(count)) + count, size=BIG, bold=True)
    en, ar = TYPES.get(header.get("type") or "takeaway", ("", ""))
    doc.pair([(en, {"bold": True})], [ArLine(ar)])
    doc.field("", "", header.get("customer"), size=TALL, bold=True)
    doc.rule()
    _item(doc, {**line, "quantity": 1, "voided_quantity": 0, "kind": "add"})
    doc.rule()
    doc.out.line(
        local_time(label.get("printed_at"), label.get("time_zone")).strftime("%Y-%m-%d %H:%M")
    )
    doc.out.cut(partial=layout.partial_cut)
    return doc.out.getvalue()


def render_test_page(
    printer_name: str,
    layout: PaperLayout,
    printed_at: str | datetime | None = None,
    time_zone: str = "Asia/Riyadh",
) -> bytes:
    """A test print: the printer's name, its paper, a ruler, a line of Arabic, the time."""
    doc = TicketDoc(layout)
    doc.alert("TEST PRINT", "طباعة تجريبية")
    doc.field("", "", printer_name, size=TALL, bold=True, align="center")
    doc.rule("=")
    cols = layout.chars_per_line
    doc.text(f"{layout.width_mm} mm, {layout.dots} dots, {cols} chars")
    doc.text(f"Code page: {layout.codepage}")
    doc.text(f"Arabic as image: {'yes' if layout.raster_text else 'no'}")
    doc.out.line("".join(str(i % 10) for i in range(1, cols + 1)))
    doc.out.line(
        "".join("|" if i % 10 == 0 else "+" if i % 5 == 0 else "." for i in range(1, cols + 1))
    )
    doc.arabic([ArLine("طباعة تجريبية: الطابعة تعمل"), ArLine("مشاوي مشكلة · أرز بالزعفران · حمص")])
    doc.text("Bold", bold=True)
    doc.text("Double height", size=TALL)
    doc.text("White on black", invert=True)
    doc.rule()
    doc.text(local_time(printed_at, time_zone).strftime("%Y-%m-%d %H:%M ") + time_zone)
    doc.out.cut(partial=layout.partial_cut)
    return doc.out.getvalue()
