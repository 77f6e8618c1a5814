"""The X report (the till so far, closes nothing) and the Z report (closes the till): the
figures since the last Z and the report document that screens show and paper prints.

Everything not yet in a Z (payments, refunds, invoices, credit notes, cash movements, shifts)
is in the next one, which is filed under the business day it closes. Sales and VAT come from
the invoices and credit notes (VAT per rate, as each was issued); what each tender should hold
comes from how the money moved (billing/tender.py): tips are counted with their tender but
never as sales.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import CASH_HANDLERS
from pos_app.billing import tender as till
from pos_app.billing.invoices import paper_header
from pos_app.billing.models import TENDERS, CashMovement, Invoice, Payment, Shift, ZReport
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.counters import next_value
from pos_app.errors import Conflict, NotFound
from pos_app.locks import lock_key
from pos_app.orders.models import OPEN_STATUSES, Order
from pos_app.outbox import record_event
from pos_app.signals import document_printing

Z_COUNTER = "z-report-number"
TENDER_LABELS = {
    "cash": ("Cash", "نقدًا"),
    "card": ("Card", "بطاقة"),
    "wallet": ("Mobile wallet", "محفظة إلكترونية"),
    "voucher": ("Voucher", "قسيمة"),
}


def _branch(session: Session):
    branch = current_branch(session)
    if branch is None:
        raise Conflict("the branch is not set up yet", code="no_branch")
    return branch


def _unreported(session: Session, model):
    return list(
        session.scalars(select(model).where(model.z_report_id.is_(None)).order_by(model.id))
    )


def _range(notes: list[Invoice]) -> tuple[str | None, str | None]:
    """The first and last number of a series (display numbers, by number)."""
    ordered = sorted(notes, key=lambda i: i.number)
    return (ordered[0].display_number, ordered[-1].display_number) if ordered else (None, None)


def vat_by_rate(sales: list[Invoice], notes: list[Invoice]) -> list[dict]:
    """Per VAT rate (as each invoice was issued): sales and credit notes excluding VAT, their
    VAT, and what is left of both after the credit notes."""
    rows: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for kind, docs in (("sales", sales), ("refunds", notes)):
        for i in docs:
            row = rows[int((i.document or {}).get("vat_rate_bp") or 0)]
            row[f"{kind}_net_minor"] += i.net_minor
            row[f"{kind}_vat_minor"] += i.vat_minor
            row[f"{kind}_gross_minor"] += i.total_minor
    out = []
    for rate in sorted(rows):
        r = rows[rate]
        out.append(
            {
                "rate_bp": rate,
                **{
                    k: r[k]
                    for k in (
                        "sales_net_minor",
                        "sales_vat_minor",
                        "sales_gross_minor",
                        "refunds_net_minor",
                        "refunds_vat_minor",
                        "refunds_gross_minor",
                    )
                },
                "net_minor": r["sales_net_minor"] - r["refunds_net_minor"],
                "vat_minor": r["sales_vat_minor"] - r["refunds_vat_minor"],
                "gross_minor": r["sales_gross_minor"] - r["refunds_gross_minor"],
            }
        )
    return out


def _tips_by_waiter(session: Session, payments: list[Payment]) -> list[dict]:
    """Tips per waiter of the order (who shares them out), biggest first."""
    tipped = [p for p in payments if p.kind == "payment" and p.tip_minor]
    if not tipped:
        return []
    waiters = dict(
        session.execute(
            select(Order.id, Order.waiter_name).where(Order.id.in_({p.order_id for p in tipped}))
        ).all()
    )
    by_name: dict[str, int] = defaultdict(int)
    for p in tipped:
        by_name[waiters.get(p.order_id) or "-"] += p.tip_minor
    return [
        {"name": name, "tips_minor": tips}
        for name, tips in sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def till_figures(session: Session) -> dict:
    """Everything since the last Z: sales, credit notes, VAT per rate, tips, the drawer and,
    per tender, what the drawer or the terminal should hold."""
    invoices = _unreported(session, Invoice)
    payments = _unreported(session, Payment)
    movements = _unreported(session, CashMovement)
    shifts = _unreported(session, Shift)
    totals = till.totals_by_tender(
        till.Movement(
            p.tender, p.kind, p.amount_minor, p.tip_minor, p.tendered_minor, p.change_minor
        )
        for p in payments
    )
    drawer = till.Drawer(
        float_minor=sum(s.float_minor for s in shifts),
        cash_in=sum(m.amount_minor for m in movements if m.kind == "in"),
        cash_out=sum(m.amount_minor for m in movements if m.kind == "out"),
    )
    expected = till.expected(totals, drawer, TENDERS)
    return {
        **_sales_figures(invoices),
        "tips_minor": sum(t.tips for t in totals.values()),
        "tips_by_tender": {t: totals[t].tips for t in TENDERS if t in totals and totals[t].tips},
        "tips_by_waiter": _tips_by_waiter(session, payments),
        "no_sales": sum(1 for m in movements if m.kind == "no_sale"),
        "cash_in_minor": drawer.cash_in,
        "cash_out_minor": drawer.cash_out,
        "float_minor": drawer.float_minor,
        "cash": _cash_figures(totals.get(till.CASH, till.TenderTotals()), drawer, expected),
        "tenders": _tender_figures(totals),
        "expected": expected,
        "since": min((s.opened_at for s in shifts), default=None),
    }


def _sums(docs: list[Invoice]) -> tuple[int, int, int]:
    """Total, net and VAT of invoices or credit notes."""
    return tuple(
        sum(getattr(i, k) for i in docs) for k in ("total_minor", "net_minor", "vat_minor")
    )


def _sales_figures(invoices: list[Invoice]) -> dict:
    """Sales and credit notes: how many, their numbers, their sums and what is left of them
    after the credit notes, with VAT per rate."""
    sales = [i for i in invoices if i.kind == "invoice"]
    notes = [i for i in invoices if i.kind == "credit_note"]
    first_invoice, last_invoice = _range(sales)
    first_note, last_note = _range(notes)
    gross, net, vat = _sums(sales)
    refunds, refunds_net, refunds_vat = _sums(notes)
    return {
        "invoices": len(sales),
        "first_invoice": first_invoice,
        "last_invoice": last_invoice,
        "gross_sales_minor": gross,
        "vat_minor": vat,
        "net_sales_minor": net,
        "discounts_minor": sum(i.discount_minor for i in sales),
        "service_charge_minor": sum(i.service_charge_minor for i in sales),
        "credit_notes": len(notes),
        "first_credit_note": first_note,
        "last_credit_note": last_note,
        "refunds_minor": refunds,
        "refunds_vat_minor": refunds_vat,
        "refunds_net_minor": refunds_net,
        "sales_after_refunds_minor": gross - refunds,
        "net_sales_excl_vat_minor": net - refunds_net,
        "vat_due_minor": vat - refunds_vat,
        "vat_by_rate": vat_by_rate(sales, notes),
    }


def _cash_figures(cash: till.TenderTotals, drawer: till.Drawer, expected: dict) -> dict:
    """How the cash drawer got to what it should hold."""
    return {
        "float_minor": drawer.float_minor,
        "sales_minor": cash.applied,
        "tips_minor": cash.tips,
        "tendered_minor": cash.tendered,
        "change_minor": cash.change,
        "refunds_minor": cash.refunds,
        "in_minor": drawer.cash_in,
        "out_minor": drawer.cash_out,
        "expected_minor": expected[till.CASH],
    }


def _tender_figures(totals: dict) -> dict:
    """Per tender that moved: how many payments, what they paid, tips, change, refunds."""
    return {
        t: {
            "count": totals[t].count,
            "payments": totals[t].applied,
            "tips": totals[t].tips,
            "tendered": totals[t].tendered,
            "change": totals[t].change,
            "refunds": totals[t].refunds,
        }
        for t in TENDERS
        if t in totals
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


def _document(session, kind, figures, counted, number, day, actor) -> dict:
    branch = _branch(session)
    return report_document(
        kind,
        figures,
        counted,
        number=number,
        day=day,
        printed_by=actor.name,
        header=paper_header(branch),
        currency=branch.currency,
        exponent=branch.currency_exponent,
        to=utcnow(),
    )


def x_report(session: Session, actor: Actor, print_it: bool = False) -> dict:
    """The till so far (closes nothing); printed on request."""
    require_role(actor, CASH_HANDLERS, "the X report")
    day = business_day(_branch(session), utcnow())
    doc = _document(session, "x_report", till_figures(session), None, None, day, actor)
    if print_it:
        record_audit(session, actor, "report.x_printed", "till", day.isoformat())
        document_printing.send(session, kind="report", document=doc, ref=f"x:{day}")
    return doc


def z_report(
    session: Session, actor: Actor, counted: dict, day: date | None = None, print_it=True
) -> ZReport:
    """Close the till: count each tender against what is expected, close the open shift,
    number the report (gapless), print it. Refused while an order with something to pay is
    still open on the business day."""
    require_role(actor, CASH_HANDLERS, "the Z report")
    lock_key(session, "till")  # one Z report closes the till, a twin finds it closed
    day = day or business_day(_branch(session), utcnow())
    _refuse_open_orders(session, day)
    figures = till_figures(session)
    number = next_value(session, Z_COUNTER)
    doc = _document(session, "z_report", figures, counted, number, day, actor)
    report = ZReport(
        number=number,
        business_day=day,
        period_start=figures["since"],
        closed_at=utcnow(),
        closed_by_name=actor.name,
        document=doc,
    )
    session.add(report)
    session.flush()
    _file_under(session, report, figures["expected"], counted, actor)
    record_audit(
        session,
        actor,
        "report.z_closed",
        "z_report",
        number,
        None,
        {"expected": figures["expected"], "counted": counted},
    )
    record_event(session, "z_report.closed", "z_report", number, doc)
    if print_it:
        document_printing.send(session, kind="report", document=doc, ref=f"z:{number}")
    return report


def _refuse_open_orders(session: Session, day: date) -> None:
    """No Z while an order of the day (or before) is still open: pay or cancel it first."""
    open_orders = session.scalars(
        select(Order.number).where(Order.status.in_(OPEN_STATUSES), Order.business_day <= day)
    ).all()
    if open_orders:
        raise Conflict(
            f"{len(open_orders)} order(s) are still open: pay or cancel them first",
            {"orders": [f"#{n}" for n in sorted(open_orders)]},
            "orders_open",
        )


def _file_under(session: Session, report: ZReport, expected: dict, counted: dict, actor) -> None:
    """Everything not yet in a Z goes into this one; its shifts close with what was counted."""
    for model in (Invoice, Payment, CashMovement, Shift):
        for row in _unreported(session, model):
            row.z_report_id = report.id
    for shift in session.scalars(select(Shift).where(Shift.z_report_id == report.id)):
        if shift.status == "open":
            shift.status, shift.closed_at, shift.closed_by_name = "closed", utcnow(), actor.name
        shift.counted = dict(counted)
        shift.expected = dict(expected)


def get_z_report(session: Session, number: int) -> ZReport:
    """A Z report by number."""
    report = session.scalar(select(ZReport).where(ZReport.number == number))
    if report is None:
        raise NotFound(f"no Z report {number}")
    return report
