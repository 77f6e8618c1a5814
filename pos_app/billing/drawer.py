"""The cash drawer: shifts with a float, cash in and out, opening the drawer without a sale,
the X report (any time, closes nothing) and the Z report (closes the till).

The till model: every payment, refund, invoice, cash movement and shift belongs to no Z
report until a Z report takes all of them; the Z is filed under the business day it closes.
So a Z never misses a sale made after the previous Z, whatever the clock says.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.billing.bills import CASH_HANDLERS, open_shift_now
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
    "wallet": ("Mobile wallet", "محفظة جوال"),
    "voucher": ("Voucher", "قسيمة"),
}


def _branch(session: Session):
    branch = current_branch(session)
    if branch is None:
        raise Conflict("the branch is not set up yet", code="no_branch")
    return branch


def shift_dict(shift: Shift | None) -> dict | None:
    """A shift as the API shows it."""
    if shift is None:
        return None
    return {
        "id": shift.id,
        "status": shift.status,
        "business_day": shift.business_day.isoformat(),
        "float_minor": shift.float_minor,
        "opened_by": shift.opened_by_name,
        "opened_at": shift.opened_at.isoformat(),
        "closed_at": shift.closed_at.isoformat() if shift.closed_at else None,
        "counted": shift.counted,
        "expected": shift.expected,
    }


def open_shift(session: Session, actor: Actor, float_minor: int) -> Shift:
    """Open the drawer with a float; one open shift at a time."""
    require_role(actor, CASH_HANDLERS, "opening a shift")
    lock_key(session, "till")  # two tills opening at once: one shift, one 409
    if open_shift_now(session) is not None:
        raise Conflict("a shift is already open: close it first", code="shift_open")
    branch = _branch(session)
    shift = Shift(
        status="open",
        business_day=business_day(branch, utcnow()),
        float_minor=float_minor,
        opened_by_id=actor.staff_id,
        opened_by_name=actor.name,
        opened_at=utcnow(),
    )
    session.add(shift)
    session.flush()
    record_audit(session, actor, "shift.opened", "shift", shift.id, None, {"float": float_minor})
    record_event(session, "shift.opened", "shift", shift.id, shift_dict(shift))
    document_printing.send(session, kind="drawer", document={}, ref=f"shift:{shift.id}")
    return shift


def _current_shift(session: Session) -> Shift:
    lock_key(session, "till")  # no cash moves while a Z report closes the shift
    shift = open_shift_now(session)
    if shift is None:
        raise Conflict("no shift is open: open one with a float first", code="no_open_shift")
    return shift


def move_cash(session: Session, actor: Actor, kind: str, amount: int, reason: str) -> CashMovement:
    """Cash put in (`in`) or taken out (`out`, e.g. paying a supplier) with a reason; audited,
    and the drawer opens."""
    require_role(actor, CASH_HANDLERS, "moving cash")
    shift = _current_shift(session)
    movement = CashMovement(
        shift_id=shift.id,
        kind=kind,
        amount_minor=amount,
        reason=reason,
        actor_id=actor.staff_id,
        actor_name=actor.name,
    )
    session.add(movement)
    session.flush()
    record_audit(
        session, actor, f"drawer.cash_{kind}", "shift", shift.id, None, {"amount": amount}, reason
    )
    record_event(
        session, f"cash.{kind}", "shift", shift.id, {"amount_minor": amount, "reason": reason}
    )
    document_printing.send(session, kind="drawer", document={}, ref=f"cash:{movement.id}")
    return movement


def open_drawer(session: Session, actor: Actor, reason: str) -> CashMovement:
    """Open the drawer without a sale (no sale): audited with the reason."""
    require_role(actor, CASH_HANDLERS, "opening the drawer")
    shift = _current_shift(session)
    movement = CashMovement(
        shift_id=shift.id,
        kind="no_sale",
        amount_minor=0,
        reason=reason,
        actor_id=actor.staff_id,
        actor_name=actor.name,
    )
    session.add(movement)
    session.flush()
    record_audit(session, actor, "drawer.opened", "shift", shift.id, None, None, reason)
    document_printing.send(session, kind="drawer", document={}, ref=f"no-sale:{movement.id}")
    return movement


# --- reports -----------------------------------------------------------------------------------


def _unreported(session: Session, model):
    return list(session.scalars(select(model).where(model.z_report_id.is_(None))))


def till_figures(session: Session) -> dict:
    """Everything since the last Z: sales, VAT, discounts, refunds, tips and, per tender, what
    the drawer or the terminal should hold."""
    invoices = _unreported(session, Invoice)
    payments = _unreported(session, Payment)
    movements = _unreported(session, CashMovement)
    shifts = _unreported(session, Shift)
    sales = [i for i in invoices if i.kind == "invoice"]
    notes = [i for i in invoices if i.kind == "credit_note"]
    by_tender: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in payments:
        figures = by_tender[p.tender]
        if p.kind == "refund":
            figures["refunds"] += p.amount_minor
        else:
            figures["payments"] += p.amount_minor
            figures["tips"] += p.tip_minor
            figures["count"] += 1
    cash = by_tender["cash"]
    cash["float"] = sum(s.float_minor for s in shifts)
    cash["in"] = sum(m.amount_minor for m in movements if m.kind == "in")
    cash["out"] = sum(m.amount_minor for m in movements if m.kind == "out")
    expected = {}
    for tender in TENDERS:
        f = by_tender.get(tender, {})
        expected[tender] = (
            f.get("float", 0)
            + f.get("payments", 0)
            + f.get("tips", 0)
            - f.get("refunds", 0)
            + f.get("in", 0)
            - f.get("out", 0)
        )
    numbers = sorted(i.number for i in sales)
    return {
        "invoices": len(sales),
        "first_invoice": f"INV-{numbers[0]:06d}" if numbers else None,
        "last_invoice": f"INV-{numbers[-1]:06d}" if numbers else None,
        "gross_sales_minor": sum(i.total_minor for i in sales),
        "vat_minor": sum(i.vat_minor for i in sales),
        "net_sales_minor": sum(i.net_minor for i in sales),
        "discounts_minor": sum(i.discount_minor for i in sales),
        "service_charge_minor": sum(i.service_charge_minor for i in sales),
        "credit_notes": len(notes),
        "refunds_minor": sum(i.total_minor for i in notes),
        "refunds_vat_minor": sum(i.vat_minor for i in notes),
        "tips_minor": sum(p.tip_minor for p in payments if p.kind == "payment"),
        "no_sales": sum(1 for m in movements if m.kind == "no_sale"),
        "cash_in_minor": cash["in"],
        "cash_out_minor": cash["out"],
        "float_minor": cash["float"],
        "tenders": {t: dict(by_tender.get(t, {})) for t in TENDERS},
        "expected": expected,
        "since": min((s.opened_at for s in shifts), default=None),
    }


def _report_document(kind: str, figures: dict, counted: dict | None, number, day, actor, branch):
    rows = [
        ("Invoices", "عدد الفواتير", None, str(figures["invoices"])),
        (
            "Invoice numbers",
            "أرقام الفواتير",
            None,
            f"{figures['first_invoice'] or '-'} .. {figures['last_invoice'] or '-'}",
        ),
        ("Gross sales", "إجمالي المبيعات", figures["gross_sales_minor"], None),
        ("Discounts", "الخصومات", -figures["discounts_minor"], None),
        ("Service charge", "رسوم الخدمة", figures["service_charge_minor"], None),
        ("Refunds (credit notes)", "المرتجعات (إشعارات دائنة)", -figures["refunds_minor"], None),
        (
            "Net sales",
            "صافي المبيعات",
            figures["gross_sales_minor"] - figures["refunds_minor"],
            None,
        ),
        (
            "VAT",
            "ضريبة القيمة المضافة",
            figures["vat_minor"] - figures["refunds_vat_minor"],
            None,
        ),
        ("Tips", "الإكراميات", figures["tips_minor"], None),
    ]
    cash_rows = [
        ("Opening float", "الرصيد الافتتاحي", figures["float_minor"], None),
        ("Cash in", "إيداع نقدي", figures["cash_in_minor"], None),
        ("Cash out", "سحب نقدي", -figures["cash_out_minor"], None),
        ("Drawer opened without sale", "فتح الدرج بدون بيع", None, str(figures["no_sales"])),
    ]

    def section(title, title_ar, entries):
        return {
            "title": title,
            "title_ar": title_ar,
            "rows": [
                {"label": a, "label_ar": b, **({"amount_minor": m} if v is None else {"value": v})}
                for a, b, m, v in entries
            ],
        }

    tenders = []
    for tender in TENDERS:
        expected = figures["expected"][tender]
        got = None if counted is None else counted.get(tender)
        if expected == 0 and got in (None, 0):
            continue
        label, label_ar = TENDER_LABELS[tender]
        tenders.append(
            {
                "tender": tender,
                "label": label,
                "label_ar": label_ar,
                "expected_minor": expected,
                "counted_minor": got,
                "difference_minor": None if got is None else got - expected,
            }
        )
    return {
        "kind": kind,
        "branch": paper_header(branch),
        "number": number,
        "business_day": day.isoformat(),
        "from": figures["since"].isoformat() if figures["since"] else None,
        "to": utcnow().isoformat(),
        "currency": branch.currency,
        "exponent": branch.currency_exponent,
        "sections": [
            section("Sales", "المبيعات", rows),
            section("Cash drawer", "درج النقد", cash_rows),
        ],
        "tenders": tenders,
        "printed_by": actor.name,
        "figures": {k: v for k, v in figures.items() if k != "since"},
    }


def x_report(session: Session, actor: Actor, print_it: bool = False) -> dict:
    """The till so far (closes nothing); printed on request."""
    require_role(actor, CASH_HANDLERS, "the X report")
    branch = _branch(session)
    day = business_day(branch, utcnow())
    doc = _report_document("x_report", till_figures(session), None, None, day, actor, branch)
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
    branch = _branch(session)
    day = day or business_day(branch, utcnow())
    open_orders = session.scalars(
        select(Order.number).where(Order.status.in_(OPEN_STATUSES), Order.business_day <= day)
    ).all()
    if open_orders:
        raise Conflict(
            f"{len(open_orders)} order(s) are still open: pay or cancel them first",
            {"orders": [f"#{n}" for n in sorted(open_orders)]},
            "orders_open",
        )
    figures = till_figures(session)
    number = next_value(session, Z_COUNTER)
    doc = _report_document("z_report", figures, counted, number, day, actor, branch)
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
    for model in (Invoice, Payment, CashMovement, Shift):
        for row in _unreported(session, model):
            row.z_report_id = report.id
    for shift in session.scalars(select(Shift).where(Shift.z_report_id == report.id)):
        if shift.status == "open":
            shift.status, shift.closed_at, shift.closed_by_name = "closed", utcnow(), actor.name
        shift.counted = dict(counted)
        shift.expected = dict(figures["expected"])
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


def get_z_report(session: Session, number: int) -> ZReport:
    """A Z report by number."""
    report = session.scalar(select(ZReport).where(ZReport.number == number))
    if report is None:
        raise NotFound(f"no Z report {number}")
    return report
