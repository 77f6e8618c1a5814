"""The X report (the till so far, closes nothing) and the Z report (closes the till, filed
under the business day it closes): billing/till_figures.py counts, billing/till_paper.py
lays the report out.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import CASH_HANDLERS
from pos_app.billing.invoices import paper_header
from pos_app.billing.models import CashMovement, Invoice, Payment, Shift, ZReport
from pos_app.billing.till_figures import till_figures, unreported
from pos_app.billing.till_paper import report_document
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.counters import next_value
from pos_app.errors import Conflict, NotFound
from pos_app.locks import lock_key
from pos_app.orders.models import OPEN_STATUSES, Order
from pos_app.outbox import record_event
from pos_app.reports import sources as report_sources
from pos_app.signals import document_printing

Z_COUNTER = "z-report-number"


def _branch(session: Session):
    branch = current_branch(session)
    if branch is None:
        raise Conflict("the branch is not set up yet", code="no_branch")
    return branch


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
    shifts = session.scalars(select(Shift).where(Shift.z_report_id == report.id)).all()
    report_sources.till_closed(session, number, day, shifts, figures["expected"], counted, actor)
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
        for row in unreported(session, model):
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
