"""Importing past sales from another POS (a documented CSV: docs/reports.md, "Importing past
sales"), so a restaurant keeps its history in its reports.

One row is one item line of a past receipt; rows with the same `receipt` are one sale. The
whole file is checked first: one bad row and nothing is imported (422, every bad row named
with its line and column). Imported sales are report facts of kind `imported`: counted in
sales and marked as such, never tax invoices (no number, no QR, no paper), sent to the cloud
like every fact. A receipt imported once is refused the second time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.errors import ValidationFailed
from pos_app.locks import lock_key
from pos_app.menu.csv_io import parse_amount, read_rows
from pos_app.reports import facts
from pos_app.reports.models import LOCAL, ReportSale

COLUMNS = (
    "receipt",
    "business_day",
    "hour",
    "order_type",
    "staff",
    "item",
    "item_ar",
    "category",
    "category_ar",
    "quantity",
    "amount",
    "vat",
    "payment",
)
REQUIRED = ("receipt", "business_day", "item", "quantity", "amount")
MAX_ROWS = 100_000
ORDER_TYPES = ("dine_in", "takeaway", "delivery")
PAYMENTS = ("cash", "card", "voucher", "other")
PREFIX = "IMP-"
BATCH = 200  # receipts per outbox event (the cloud takes events of a bounded size)
MAX_ERRORS = 100
MAX_LINES = 500  # per receipt


def import_sales(session: Session, actor, text: str, apply: bool, today: date) -> dict:
    """Check the file; with `apply`, keep every sale of it (or none). Returns what it holds."""
    from pos_app.audit import record_audit
    from pos_app.branch.services import current_branch

    rows = read_rows(text, COLUMNS, REQUIRED, MAX_ROWS, "a past sales file's", "lines")
    if not rows:
        raise ValidationFailed("the file has no lines", {"csv": ["no lines"]})
    if apply:
        lock_key(session, "sales-import")  # twins queue: the second finds the receipts held
    branch = current_branch(session)
    exponent = branch.currency_exponent if branch else 2
    rate = branch.vat_rate_bp if branch else 1500
    sales: dict[str, dict] = {}
    lines: dict[str, list] = defaultdict(list)
    errors: list[dict] = []
    for line, raw in rows:
        problems, sale, item = _check(raw, exponent, rate, today)
        receipt = sale.get("receipt")
        if receipt and receipt in sales and not problems:
            held = sales[receipt]
            for key in ("business_day", "order_type", "staff", "hour"):
                if sale[key] != held[key]:
                    problems[key] = f"differs from this receipt's first line ({held[key]})"
        if problems:
            errors.extend({"line": line, "column": k, "message": v} for k, v in problems.items())
            continue
        if len(lines[receipt]) >= MAX_LINES:
            errors.append(
                {"line": line, "column": "receipt", "message": f"more than {MAX_LINES} lines"}
            )
            continue
        sales.setdefault(receipt, sale)
        lines[receipt].append(item)
    held = _already_held(session, list(sales))
    for receipt in held:
        errors.append({"line": 0, "column": "receipt", "message": f"{receipt} was imported before"})
    if errors:
        raise ValidationFailed(
            f"{len(errors)} problems: nothing was imported",
            {
                "csv": [
                    f"line {e['line']}, {e['column']}: {e['message']}" for e in errors[:MAX_ERRORS]
                ]
            },
            "bad_rows",
        )
    summary = _summary(sales, lines)
    if apply:
        receipts = list(sales)
        for start in range(0, len(receipts), BATCH):
            chunk = receipts[start : start + BATCH]
            facts.record(session, _facts(chunk, sales, lines), now=True)
        record_audit(
            session,
            actor,
            "sales.imported",
            "report",
            None,
            None,
            {k: summary[k] for k in ("sales", "lines", "total_minor", "first_day", "last_day")},
            reason="past sales imported from another POS",
        )
    return {"applied": apply, **summary}


def _check(raw: dict, exponent: int, rate: int, today: date) -> tuple[dict, dict, dict]:
    """(problems by column, the sale's values, the line's values) of one row."""
    from pos_app.menu.csv_io import _unsafe

    problems: dict[str, str] = {}
    if "_extra" in raw:
        problems["csv"] = "more cells than columns"
    cell = {k: _unsafe((raw.get(k) or "").strip()) for k in COLUMNS}
    receipt = cell["receipt"]
    if not receipt or len(receipt) > 30 or "\x00" in receipt:
        problems["receipt"] = "a receipt number of 1 to 30 characters"
    try:
        day = date.fromisoformat(cell["business_day"]) if len(cell["business_day"]) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems["business_day"] = "a date like 2025-06-30"
    elif day >= today:
        problems["business_day"] = "before today's business day (today's sales are the POS's own)"
    elif day.year < 2000:
        problems["business_day"] = "from the year 2000 on"
    hour = 12
    if cell["hour"]:
        hour = int(cell["hour"]) if cell["hour"].isdigit() and int(cell["hour"]) < 24 else -1
        if hour < 0:
            problems["hour"] = "an hour from 0 to 23"
    order_type = cell["order_type"] or "takeaway"
    if order_type not in ORDER_TYPES:
        problems["order_type"] = "one of " + ", ".join(ORDER_TYPES)
    payment = cell["payment"] or ""
    if payment and payment not in PAYMENTS:
        problems["payment"] = "empty or one of " + ", ".join(PAYMENTS)
    for column, limit in (
        ("staff", 120),
        ("item", 120),
        ("item_ar", 120),
        ("category", 120),
        ("category_ar", 120),
    ):
        if len(cell[column]) > limit or "\x00" in cell[column]:
            problems[column] = f"at most {limit} characters"
    if not cell["item"]:
        problems["item"] = "the item's name"
    quantity = _quantity(cell["quantity"])
    if quantity is None:
        problems["quantity"] = "a quantity above 0, like 2 or 0.5 (at most 3 decimals, 10000)"
    amount = parse_amount(cell["amount"], exponent)
    if amount is None:
        problems["amount"] = "the line's amount with VAT, like 37.50"
    vat = None
    if cell["vat"]:
        vat = parse_amount(cell["vat"], exponent)
        if vat is None or (amount is not None and vat > amount):
            problems["vat"] = "the line's VAT, like 4.89, not above its amount"
    elif amount is not None:
        vat = (amount * rate * 2 + (10_000 + rate)) // (2 * (10_000 + rate))  # half up
    sale = {
        "receipt": receipt,
        "business_day": day,
        "hour": hour,
        "order_type": order_type,
        "staff": cell["staff"],
        "payment": payment,
    }
    item = {
        "item": cell["item"],
        "item_ar": cell["item_ar"],
        "category": cell["category"],
        "category_ar": cell["category_ar"],
        "qty_milli": quantity,
        "amount_minor": amount,
        "vat_minor": vat,
    }
    return problems, sale, item


def _quantity(text: str) -> int | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > 10_000 or value.as_tuple().exponent < -3:
        return None
    return int(value * 1000)


def _already_held(session: Session, receipts: list[str]) -> list[str]:
    held = []
    for start in range(0, len(receipts), 500):
        docs = [PREFIX + r for r in receipts[start : start + 500]]
        held += session.scalars(
            select(ReportSale.doc).where(ReportSale.branch_id == LOCAL, ReportSale.doc.in_(docs))
        )
    return [d.removeprefix(PREFIX) for d in held]


def _summary(sales: dict, lines: dict) -> dict:
    days = sorted(s["business_day"] for s in sales.values())
    return {
        "sales": len(sales),
        "lines": sum(len(v) for v in lines.values()),
        "total_minor": sum(li["amount_minor"] for v in lines.values() for li in v),
        "first_day": days[0].isoformat() if days else None,
        "last_day": days[-1].isoformat() if days else None,
    }


def _facts(receipts: list[str], sales: dict, lines: dict) -> dict:
    out = {"sales": [], "lines": [], "payments": []}
    for receipt in receipts:
        sale, items = sales[receipt], lines[receipt]
        doc, day = PREFIX + receipt, sale["business_day"].isoformat()
        total = sum(li["amount_minor"] for li in items)
        out["sales"].append(
            {
                "doc": doc,
                "kind": "imported",
                "business_day": day,
                "hour": sale["hour"],
                "order_type": sale["order_type"],
                "staff": sale["staff"],
                "orders": 1,
                "gross_minor": total,
                "total_minor": total,
                "vat_minor": sum(li["vat_minor"] for li in items),
            }
        )
        out["lines"] += [
            {
                "doc": doc,
                "n": n,
                "business_day": day,
                "item": li["item"],
                "item_ar": li["item_ar"],
                "category": li["category"],
                "category_ar": li["category_ar"],
                "qty_milli": li["qty_milli"],
                "gross_minor": li["amount_minor"],
                "amount_minor": li["amount_minor"],
            }
            for n, li in enumerate(items)
        ]
        if sale["payment"]:
            out["payments"].append(
                {
                    "payment_id": doc,
                    "business_day": day,
                    "kind": "payment",
                    "tender": sale["payment"],
                    "amount_minor": total,
                    "staff": sale["staff"],
                }
            )
    return out
