"""Payments: one tender on a bill part; a part paid in full gets its invoice and the last
one closes the order (or, for a takeaway or delivery paid first, marks it paid)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import FLOOR_STAFF
from pos_app.billing import split
from pos_app.billing import tender as tender_rules
from pos_app.billing.bills import (
    bill_dict,
    compute_bill,
    open_shift_now,
    order_for_billing,
    parts_of,
    payment_dict,
    save_parts,
)
from pos_app.billing.invoices import issue_invoice
from pos_app.billing.models import BillPart, Payment
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.errors import Conflict, ValidationFailed
from pos_app.orders.models import HANDED_OVER, OrderStatus, OrderType
from pos_app.orders.services import lock_order, touch_order
from pos_app.outbox import record_event
from pos_app.reports import sources as report_sources
from pos_app.signals import document_printing

CASH = tender_rules.CASH

# 13-19 digits in a row (spaces and dashes allowed between them) look like a card number.
_PAN = re.compile(r"(?:\d[ -]?){12,18}\d")


def pay(session: Session, actor: Actor, order_id: str, data: dict) -> dict:
    """Record one tender on a bill part (the first open one unless `part` is given), with the
    guest's tip: tendered = applied + tip + change (billing/tender.py). Cash may be handed over
    in excess and gets change, and opens the drawer; other tenders charge the amount plus the
    tip. A part paid in full gets its tax invoice (numbered, with QR, printed); the last one
    closes the order. Audited and sent to the outbox. Idempotent on the payment's id: a twin
    neither pays nor opens the drawer again."""
    require_role(actor, FLOOR_STAFF, "taking payments")
    payment_id = data["id"].lower()
    # The order's lock first, then the twin check: a retry racing the first try waits for it
    # and answers the bill it left, instead of failing on the payment's primary key.
    order = lock_order(session, order_id)
    if session.get(Payment, payment_id) is not None:
        return bill_dict(session, order)
    order = order_for_billing(session, actor, order_id)
    bill = compute_bill(session, order)
    parts = parts_of(session, order.id) or save_parts(session, order, "whole", split.whole(bill))
    part = _pick_part(parts, data.get("part"))
    money = _settle(data["tender"], data, part.total_minor - part.paid_minor)
    _check_tender_fields(data)
    shift = open_shift_now(session)
    if data["tender"] == CASH and shift is None:
        raise Conflict("open a shift (the cash drawer) before taking cash", code="no_open_shift")
    branch = current_branch(session)
    payment = _payment_row(payment_id, order, part, shift, branch, money, data, actor)
    session.add(payment)
    part.paid_minor += money.applied_minor
    session.flush()
    _announce_payment(session, actor, order, part, payment)
    if part.paid_minor == part.total_minor:
        part.status = "paid"
        issue_invoice(session, actor, order, part, bill, branch, data.get("print", True))
    _close_if_paid(session, actor, order, parts, payment.created_at)
    return bill_dict(session, order, bill)


def refuse_card_numbers(data: dict, names=("reference", "voucher_code", "card_method")) -> None:
    """422 `card_number_refused` when a free-text field holds what looks like a card number:
    payments and refunds keep the terminal's reference and the last four digits only."""
    for field in names:
        if _PAN.search(data.get(field) or ""):
            raise ValidationFailed(
                "that looks like a card number: record only the terminal's reference and the "
                "last four digits",
                {field: ["card numbers are never stored"]},
                "card_number_refused",
            )


def _check_tender_fields(data: dict) -> None:
    """No card number anywhere; a card says which, a voucher gives its code."""
    refuse_card_numbers(data)
    if data["tender"] == "card" and not data.get("card_method"):
        raise ValidationFailed("say which card (mada, visa, ...)", {"card_method": ["required"]})
    if data["tender"] == "voucher" and not data.get("voucher_code"):
        raise ValidationFailed("enter the voucher's code", {"voucher_code": ["required"]})


def _payment_row(payment_id, order, part, shift, branch, money, data, actor) -> Payment:
    """The payment as stored: what was applied, tipped, handed over and given back, and only
    the fields of its tender (a card's method and last four digits, a voucher's code)."""
    tender, now = data["tender"], utcnow()
    return Payment(
        id=payment_id,
        kind="payment",
        order_id=order.id,
        part_id=part.id,
        shift_id=shift.id if shift else None,
        business_day=business_day(branch, now),
        tender=tender,
        amount_minor=money.applied_minor,
        tendered_minor=money.tendered_minor,
        change_minor=money.change_minor,
        tip_minor=money.tip_minor,
        card_method=data.get("card_method", "") if tender == "card" else "",
        reference=data.get("reference", ""),
        last4=data.get("last4", "") if tender == "card" else "",
        voucher_code=data.get("voucher_code", "") if tender == "voucher" else "",
        actor_id=actor.staff_id,
        actor_name=actor.name,
        created_at=now,
    )


def _announce_payment(session, actor, order, part: BillPart, payment: Payment) -> None:
    """The payment to the outbox and the audit log; cash opens the drawer."""
    recorded = payment_dict(payment)
    cash = payment.tender == CASH
    record_event(session, "payment.recorded", "order", order.id, recorded)
    report_sources.payment(session, payment)
    record_audit(
        session,
        actor,
        "payment.recorded",
        "order",
        order.id,
        None,
        {**recorded, "part": part.number, "drawer_opened": cash},
    )
    if cash:  # the change comes out of the drawer: open it before the receipt prints
        document_printing.send(session, kind="drawer", document={}, ref=f"payment:{payment.id}")


def _close_if_paid(session, actor, order, parts: list[BillPart], now) -> None:
    """The last part paid marks the order paid (and closes it when the guests have it);
    every screen showing the bill hears of the payment either way."""
    if all(p.status == "paid" for p in parts):
        order.paid_at = now
        # Dine-in guests pay at the end; a takeaway or delivery paid first stays open for the
        # kitchen and closes when it is handed over.
        if order.type == OrderType.dine_in or order.status in HANDED_OVER.values():
            order.status, order.closed_at = OrderStatus.paid, now
        touch_order(session, order, "order.paid", actor, bill_checked=True)
    else:
        touch_order(session, order, "order.part_paid", actor, bill_checked=True)


def _pick_part(parts: list[BillPart], number: int | None) -> BillPart:
    if number is None:
        part = next((p for p in parts if p.status == "open"), None)
        if part is None:
            raise Conflict("every part of this bill is paid", code="order_paid")
        return part
    part = next((p for p in parts if p.number == number), None)
    if part is None:
        raise ValidationFailed(f"the bill has no part {number}", {"part": ["unknown part"]})
    if part.status == "paid":
        raise Conflict(f"part {number} is already paid", code="part_paid")
    return part


def _settle(tender: str, data: dict, remaining: int) -> tender_rules.Settlement:
    """Applied, tip, tendered and change of this tender against what remains due."""
    try:
        return tender_rules.settle(
            tender,
            remaining,
            amount_minor=data.get("amount_minor"),
            tendered_minor=data.get("tendered_minor"),
            tip_minor=data.get("tip_minor", 0),
        )
    except tender_rules.TenderRefused as err:
        raise ValidationFailed(str(err), {err.field_name: [err.detail]}, err.code) from err
