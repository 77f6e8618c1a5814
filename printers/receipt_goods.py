"""The goods of a receipt: each item with its quantity (or its share of a split bill), its
menu price, each modifier on its own line with its price, and its discounts, in the paper's
languages. Pure: a document line in, rows on the sheet out.

Every amount printed here is a row of pos_app/billing/invoice_lines.py: the item (quantity ×
menu price), each modifier (quantity × its price; a free one, "No onion", prints without an
amount) and each discount; a line's rows add up to its amount, the lines to the subtotal.
On bilingual paper the amounts print once, on the English rows; Arabic-only paper prints them
on the Arabic rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pos_app.billing.invoice_lines import line_rows
from printers.fonts import ArLine

if TYPE_CHECKING:
    from printers.receipts import Sheet

AR_INDENT = 36  # dots: modifiers and adjustments under an item's Arabic name
AR_SEP = ": "  # between an Arabic label and its amount (printers/bidi.py orders the two)


def print_line(sheet: Sheet, line: dict) -> None:
    """'2 x Name  78.00', its '@ price', modifiers and discounts, and their Arabic."""
    name, name_ar = line.get("name") or "", line.get("name_ar") or ""
    count, count_ar = counts(line)
    rows = line_rows(line)
    name_en = sheet.english(name, name_ar)
    en = sheet.rows(f"{count} {name_en}", sheet.amount(rows[0]), bold=True) if name_en else []
    solo_ar = not sheet.shows_english(bool(en))
    head = f"{count_ar} {name_ar or name}"
    ar = [ArLine(head + (AR_SEP + sheet.amount(rows[0], locale="ar") if solo_ar else ""))]
    price = line.get("item_price_minor", line.get("unit_price_minor"))
    if line.get("quantity") != 1 and not line.get("share") and price is not None:
        en.append((f"  @ {sheet.amount(price)}", {}))
        ar.append(ArLine("السعر" + AR_SEP + sheet.amount(price, locale="ar"), indent=AR_INDENT))
    _modifiers(sheet, line, en, ar, solo_ar)
    _adjustments(sheet, line.get("adjustments") or [], en, ar, solo_ar)
    sheet.pair(en, ar)


def counts(line: dict) -> tuple[str, str]:
    """'2 x', or for a share '1/2 x' (one item) and '1/2 of 3 x'; and their Arabic."""
    quantity, share = line.get("quantity") or 0, line.get("share")
    if not share:
        return f"{quantity} x", f"{quantity} ×"
    part = share_text(share)
    if quantity == 1:
        return f"{part} x", f"{part} ×"
    return f"{part} of {quantity} x", f"{part} من {quantity} ×"


def share_text(share: dict) -> str:
    """'1/2'; a fraction too long to read (a split by odd amounts) as a percentage."""
    num, den = int(share["num"]), int(share["den"])
    if den <= 100:
        return f"{num}/{den}"
    tenths = (num * 2000 // den + 1) // 2  # the percentage to one decimal, half up
    return f"{tenths // 10}.{tenths % 10}%"


def names(item) -> tuple[str, str]:
    """(English, Arabic) of a modifier given as a name or as {name, name_ar}."""
    if isinstance(item, str):
        return ("", item) if re.search("[\u0600-\u06ff]", item) else (item, "")
    return item.get("name") or "", item.get("name_ar") or ""


def _modifiers(sheet: Sheet, line: dict, en: list, ar: list, solo_ar: bool) -> None:
    """Each modifier, indented: '+ 2 x Cheese slice  6.00'; a free one by its name only."""
    quantity, share = line.get("quantity") or 0, line.get("share")
    for mod in line.get("modifiers") or []:
        mod_en, mod_ar = names(mod)
        amount = mod.get("amount_minor") if isinstance(mod, dict) else None
        sign = "+ " if amount and amount > 0 else ""
        times = quantity if amount and quantity > 1 and not share else None
        label_en = sheet.english(mod_en, mod_ar)
        if label_en:
            text = f"  {sign}{f'{times} x ' if times else ''}{label_en}"
            en += sheet.rows(text, sheet.amount(amount)) if amount else [(text, {})]
        if mod_ar or solo_ar:
            text = f"{sign}{f'{times} × ' if times else ''}{mod_ar or mod_en}"
            if amount and solo_ar:
                text += AR_SEP + sheet.amount(amount, locale="ar")
            ar.append(ArLine(text, indent=AR_INDENT))


def _adjustments(sheet: Sheet, adjustments: list, en: list, ar: list, solo_ar: bool) -> None:
    """A line's discounts and promotions with their amounts, indented."""
    for adj in adjustments:
        label, label_ar = adj.get("label") or "", adj.get("label_ar") or adj.get("label") or ""
        if sheet.english(label, label_ar):
            en += sheet.rows(
                f"  {sheet.english(label, label_ar)}", sheet.amount(adj["amount_minor"])
            )
        amount = AR_SEP + sheet.amount(adj["amount_minor"], locale="ar") if solo_ar else ""
        ar.append(ArLine(label_ar + amount, indent=AR_INDENT))
