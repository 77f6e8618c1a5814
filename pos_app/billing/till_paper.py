"""The X or Z report document as screens show it and printers/reports.py prints it (pure):
bilingual sections of rows from the till's figures, and per tender expected against counted.
"""

from __future__ import annotations

from datetime import date, datetime

from pos_app.billing.models import TENDERS

TENDER_LABELS = {
    "cash": ("Cash", "نقدًا"),
    "card": ("Card", "بطاقة"),
    "wallet": ("Mobile wallet", "محفظة إلكترونية"),
    "voucher": ("Voucher", "قسيمة"),
}


def _percent(rate_bp: int) -> str:
    whole, part = divmod(rate_bp, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def _row(label: str, label_ar: str, amount: int | None = None, value=None, bold=False) -> dict:
    row = {"label": label, "label_ar": label_ar}
    row.update({"amount_minor": amount} if value is None else {"value": str(value)})
    return {**row, "bold": True} if bold else row


def _section(title: str, title_ar: str, rows: list[dict]) -> dict:
    return {"title": title, "title_ar": title_ar, "rows": rows}


def _span(first: str | None, last: str | None) -> str:
    return f"{first} .. {last}" if first else "-"


def _sales_sections(f: dict) -> list[dict]:
    """Sales, credit notes, what is left of them, and VAT per rate (when any)."""
    out = [
        _section("Sales", "المبيعات", _sales_rows(f)),
        _section("Credit notes", "الإشعارات الدائنة", _credit_note_rows(f)),
        _section("Net of refunds", "الصافي بعد المرتجعات", _net_rows(f)),
    ]
    vat = [row for r in f["vat_by_rate"] for row in _vat_rows(r)]
    if vat:
        out.append(_section("VAT by rate", "الضريبة حسب النسبة", vat))
    return out


def _sales_rows(f: dict) -> list[dict]:
    return [
        _row("Invoices", "عدد الفواتير", value=f["invoices"]),
        _row(
            "Invoice numbers", "أرقام الفواتير", value=_span(f["first_invoice"], f["last_invoice"])
        ),
        _row("Gross sales incl. VAT", "إجمالي المبيعات شامل الضريبة", f["gross_sales_minor"]),
        _row("Discounts", "الخصومات", -f["discounts_minor"]),
        _row("Service charge", "رسوم الخدمة", f["service_charge_minor"]),
    ]


def _credit_note_rows(f: dict) -> list[dict]:
    return [
        _row("Credit notes", "عدد الإشعارات الدائنة", value=f["credit_notes"]),
        _row(
            "Credit note numbers",
            "أرقام الإشعارات الدائنة",
            value=_span(f["first_credit_note"], f["last_credit_note"]),
        ),
        _row("Refunds incl. VAT", "المرتجعات شاملة الضريبة", -f["refunds_minor"]),
    ]


def _net_rows(f: dict) -> list[dict]:
    return [
        _row(
            "Sales after refunds incl. VAT",
            "المبيعات بعد المرتجعات شاملة الضريبة",
            f["sales_after_refunds_minor"],
        ),
        _row(
            "Net sales excl. VAT",
            "صافي المبيعات غير شامل الضريبة",
            f["net_sales_excl_vat_minor"],
            bold=True,
        ),
        _row("VAT", "ضريبة القيمة المضافة", f["vat_due_minor"], bold=True),
    ]


def _vat_rows(r: dict) -> list[dict]:
    """One VAT rate: sales and (when any) credit notes excluding VAT, and the VAT due."""
    rate = _percent(r["rate_bp"])
    rows = [
        _row(f"Sales excl. VAT {rate}", f"المبيعات غير شاملة الضريبة {rate}", r["sales_net_minor"])
    ]
    if r["refunds_gross_minor"]:
        rows.append(
            _row(
                f"Credit notes excl. VAT {rate}",
                f"الإشعارات الدائنة غير شاملة الضريبة {rate}",
                -r["refunds_net_minor"],
            )
        )
    rows.append(_row(f"VAT {rate}", f"ضريبة القيمة المضافة {rate}", r["vat_minor"], bold=True))
    return rows


def _tips_section(f: dict) -> dict | None:
    if not f["tips_minor"]:
        return None
    rows = [
        _row(f"Tips: {TENDER_LABELS[t][0]}", f"إكراميات: {TENDER_LABELS[t][1]}", minor)
        for t, minor in f["tips_by_tender"].items()
    ]
    rows.append(
        _row("Tips total (not sales)", "مجموع الإكراميات (ليست مبيعات)", f["tips_minor"], bold=True)
    )
    rows += [
        _row(f"Waiter: {w['name']}", f"نادل: {w['name']}", w["tips_minor"])
        for w in f["tips_by_waiter"]
    ]
    return _section("Tips", "الإكراميات", rows)


def _drawer_section(f: dict) -> dict:
    c = f["cash"]
    return _section(
        "Cash drawer",
        "درج النقود",
        [
            _row("Opening float", "الرصيد الافتتاحي", c["float_minor"]),
            _row("Cash sales", "المبيعات النقدية", c["sales_minor"]),
            _row("Cash tips", "الإكراميات النقدية", c["tips_minor"]),
            _row("Cash refunds", "الاسترداد النقدي", -c["refunds_minor"]),
            _row("Cash in", "إيداع نقدي", c["in_minor"]),
            _row("Cash out", "سحب نقدي", -c["out_minor"]),
            _row("Expected in the drawer", "المتوقع في الدرج", c["expected_minor"], bold=True),
            _row("Drawer opened without sale", "فتح الدرج بدون بيع", value=f["no_sales"]),
        ],
    )


def _tender_rows(figures: dict, counted: dict | None) -> list[dict]:
    rows = []
    for tender in TENDERS:
        expected = figures["expected"][tender]
        got = None if counted is None else counted.get(tender)
        if expected == 0 and got in (None, 0):
            continue
        label, label_ar = TENDER_LABELS[tender]
        rows.append(
            {
                "tender": tender,
                "label": label,
                "label_ar": label_ar,
                "expected_minor": expected,
                "counted_minor": got,
                "difference_minor": None if got is None else got - expected,
            }
        )
    return rows


def report_document(
    kind: str,
    figures: dict,
    counted: dict | None,
    *,
    number: int | None,
    day: date,
    printed_by: str,
    header: dict,
    currency: str,
    exponent: int,
    to: datetime,
) -> dict:
    """The X or Z report as screens show it and printers/reports.py prints it (pure)."""
    since = figures.get("since")
    sections = _sales_sections(figures)
    tips = _tips_section(figures)
    sections += ([tips] if tips else []) + [_drawer_section(figures)]
    return {
        "kind": kind,
        "branch": header,
        "number": number,
        "business_day": day.isoformat(),
        "from": since.isoformat() if since else None,
        "to": to.isoformat(),
        "currency": currency,
        "exponent": exponent,
        "sections": sections,
        "tenders": _tender_rows(figures, counted),
        "printed_by": printed_by,
        "figures": {k: v for k, v in figures.items() if k != "since"},
    }
