"""The branch's report facts, made where each thing happens (in its transaction) and handed to
`facts.record`: a tax document, a payment, an adjustment, a bumped kitchen ticket, a closed
till. Each knows its business day; times are UTC, hours are the branch's local hours."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.reports import facts


def _branch(session: Session):
    from pos_app.branch.services import current_branch

    return current_branch(session)


def _day(session: Session, at: datetime) -> date:
    from pos_app.branch.services import business_day

    branch = _branch(session)
    return business_day(branch, at) if branch else at.date()


def _hour(session: Session, at: datetime) -> int:
    branch = _branch(session)
    return at.astimezone(branch.zone).hour if branch else at.hour


def _share_milli(quantity: int, share, part_number: int | None) -> int:
    """A line's units on this document, in thousandths. An equal split's part k of n takes
    floor(kQ/n) - floor((k-1)Q/n): the parts add up to the line exactly."""
    whole = quantity * 1000
    if not share:
        return whole
    num, den = int(share.get("num") or 1), int(share.get("den") or 1)
    if num == 1 and part_number and 1 <= part_number <= den:
        return whole * part_number // den - whole * (part_number - 1) // den
    return (whole * num + den // 2) // den


def sale_of_document(session: Session, invoice) -> None:
    """An invoice or credit note as a sale fact with its item rows (at a payment: the order,
    its lines and its part are in the session already, the categories in the menu snapshot)."""
    from pos_app.billing.models import BillPart, Discount, Invoice
    from pos_app.menu.cache import menu_snapshot
    from pos_app.orders.models import Order

    order = session.get(Order, invoice.order_id)
    doc = invoice.document or {}
    lines = doc.get("lines") or []
    items = menu_snapshot(session).items
    categories = {}
    for line in order.lines if order is not None else ():
        item = items.get(line.item_id)
        if item is not None:
            categories[line.id] = (item.category, item.category_ar)
    discounted = any(
        str(a.get("source", "")).startswith("discount:")
        for li in lines
        for a in li.get("adjustments") or ()
    )
    comp_ids = (
        set(
            session.scalars(
                select(Discount.id).where(
                    Discount.order_id == invoice.order_id, Discount.kind == "comp"
                )
            )
        )
        if discounted
        else set()
    )
    part_number = None
    if invoice.part_id:
        part = session.get(BillPart, invoice.part_id)
        part_number = part.number if part is not None else None
    credit = invoice.kind == "credit_note"
    sign = -1 if credit else 1
    day = invoice.business_day
    rows, comp_total = [], 0
    for n, li in enumerate(lines):
        comp = -sum(
            a.get("amount_minor", 0)
            for a in li.get("adjustments") or ()
            if str(a.get("source", "")).removeprefix("discount:") in comp_ids
        )
        other = -sum(a.get("amount_minor", 0) for a in li.get("adjustments") or ()) - comp
        comp_total += comp
        if not li.get("line_id"):
            continue  # a refund of an amount, not of items: counted in the sale's refund only
        category, category_ar = categories.get(li["line_id"], ("", ""))
        rows.append(
            {
                "doc": invoice.display_number,
                "n": n,
                "business_day": day.isoformat(),
                "item": li.get("name") or "",
                "item_ar": li.get("name_ar") or "",
                "category": category,
                "category_ar": category_ar,
                "qty_milli": sign
                * _share_milli(int(li.get("quantity") or 0), li.get("share"), part_number),
                "gross_minor": sign * int(li.get("gross_minor") or 0),
                "discount_minor": sign * other,
                "comp_minor": sign * comp,
                "amount_minor": sign * int(li.get("amount_minor") or 0),
            }
        )
    first = not credit and not session.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(
            Invoice.order_id == invoice.order_id,
            Invoice.kind == "invoice",
            Invoice.id < invoice.id,  # issued before this one (also when filled in later)
        )
    )
    sale = {
        "doc": invoice.display_number,
        "kind": invoice.kind,
        "order_id": invoice.order_id,
        "business_day": day.isoformat(),
        "at": invoice.issued_at.isoformat(),
        "hour": _hour(session, invoice.issued_at),
        "order_type": order.type.value if order is not None else "",
        "staff": order.waiter_name if order is not None else "",
        "orders": 1 if first else 0,
        "reason": invoice.reason or "",
    }
    if credit:
        sale.update(refund_minor=invoice.total_minor, refund_vat_minor=invoice.vat_minor)
    else:
        gross = sum(int(li.get("gross_minor") or 0) for li in lines)
        sale.update(
            gross_minor=gross,
            discount_minor=invoice.discount_minor - comp_total,
            comp_minor=comp_total,
            service_minor=invoice.service_charge_minor or 0,
            total_minor=invoice.total_minor,
            vat_minor=invoice.vat_minor,
            tip_minor=sum(int(p.get("tip_minor") or 0) for p in doc.get("payments") or ()),
        )
    facts.record(session, {"sales": [sale], "lines": rows})


def payment(session: Session, payment) -> None:
    """A payment taken or a refund paid back (negative), by tender."""
    sign = -1 if payment.kind == "refund" else 1
    facts.record(
        session,
        {
            "payments": [
                {
                    "payment_id": payment.id,
                    "business_day": payment.business_day.isoformat(),
                    "kind": payment.kind,
                    "tender": payment.tender,
                    "amount_minor": sign * payment.amount_minor,
                    "tip_minor": payment.tip_minor,
                    "staff": payment.actor_name,
                }
            ]
        },
    )


def adjustment(
    session: Session,
    kind: str,
    actor,
    *,
    amount_minor: int,
    reason: str = "",
    order_number: int = 0,
    item: str = "",
    quantity: int = 0,
    doc: str = "",
    approver_id: int | None = None,
) -> None:
    """A void, comp, discount, removed discount, price change, refund or cancelled order."""
    from pos_app.auth.models import Staff
    from pos_app.clock import utcnow

    approver = session.get(Staff, approver_id) if approver_id else None
    now = utcnow()
    facts.record(
        session,
        {
            "adjustments": [
                {
                    "id": str(uuid.uuid4()),
                    "business_day": _day(session, now).isoformat(),
                    "at": now.isoformat(),
                    "kind": kind,
                    "order_number": order_number,
                    "doc": doc,
                    "item": item,
                    "quantity": quantity,
                    "amount_minor": amount_minor,
                    "reason": reason,
                    "actor": actor.name if actor is not None else "system",
                    "approver": approver.name if approver is not None else "",
                }
            ]
        },
    )


def ticket(session: Session, ticket_id, station: str, fired_at, bumped_at, late_after_s, items):
    """A station's ticket bumped: its time from fired to done."""
    from pos_app.reports.models import LOCAL, ReportTicket

    if fired_at is None or bumped_at is None:
        return
    if session.get(ReportTicket, (LOCAL, str(ticket_id))) is not None:
        return  # recalled and bumped again: its time counts from the first bump
    seconds = max(0, int((bumped_at - fired_at).total_seconds()))
    facts.record(
        session,
        {
            "tickets": [
                {
                    "ticket_id": str(ticket_id),
                    "business_day": _day(session, fired_at).isoformat(),
                    "station": station,
                    "seconds": seconds,
                    "late": bool(late_after_s) and seconds > late_after_s,
                    "items": [str(i)[:120] for i in items][:50],
                }
            ]
        },
    )


def till_closed(
    session: Session, number: int, day: date, shifts, expected: dict, counted: dict, actor
) -> None:
    """A Z report: the cash expected and counted (over or short) for its shifts."""
    from pos_app.clock import utcnow

    facts.record(
        session,
        {
            "shifts": [
                {
                    "shift_id": f"Z{number}",
                    "business_day": day.isoformat(),
                    "opened_by": ", ".join(sorted({s.opened_by_name for s in shifts}))[:120],
                    "closed_by": actor.name,
                    "closed_at": utcnow().isoformat(),
                    "expected_cash_minor": int(expected.get("cash", 0)),
                    "counted_cash_minor": int(counted.get("cash", 0)),
                }
            ]
        },
    )


def backfill(session: Session) -> dict:
    """The facts of tax documents and payments made before the reports existed (an upgraded
    branch): those not held yet, oldest first. Voids, comps and kitchen times of that time
    are not rebuilt (their details were not kept)."""
    from pos_app.billing.models import Invoice, Payment
    from pos_app.reports.models import LOCAL, ReportPayment, ReportSale

    held_docs = set(session.scalars(select(ReportSale.doc).where(ReportSale.branch_id == LOCAL)))
    held_payments = set(
        session.scalars(select(ReportPayment.payment_id).where(ReportPayment.branch_id == LOCAL))
    )
    from pos_app.pipeline import pending

    done = {"documents": 0, "payments": 0}
    for invoice in session.scalars(select(Invoice).order_by(Invoice.id)).all():
        if invoice.display_number not in held_docs:
            sale_of_document(session, invoice)
            done["documents"] += 1
            if done["documents"] % 200 == 0:  # events of a bounded size for the cloud
                facts.write_pending(session, pending(session))
    for paid in session.scalars(select(Payment).order_by(Payment.created_at)).all():
        if paid.id not in held_payments:
            payment(session, paid)
            done["payments"] += 1
            if done["payments"] % 500 == 0:
                facts.write_pending(session, pending(session))
    return done
