"""Refunds: credit notes that reference the invoice, with a manager's approval and a reason,
never more than is left to refund."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.models import Staff
from pos_app.auth.roles import BACK_OFFICE, CASH_HANDLERS
from pos_app.billing import invoice_lines, tax
from pos_app.billing.approvals import check_approver
from pos_app.billing.bills import open_shift_now, payment_dict
from pos_app.billing.invoices import get_invoice
from pos_app.billing.models import Invoice, Payment
from pos_app.billing.payments import refuse_card_numbers
from pos_app.billing.tax_documents import CREDIT_NOTES, Draft, issue_document
from pos_app.branch.services import current_branch
from pos_app.errors import Conflict, ValidationFailed
from pos_app.locks import lock_key
from pos_app.outbox import record_event
from pos_app.reports import sources as report_sources


def refund(
    session: Session, actor: Actor, invoice_id, data: dict, approver: Staff | None = None
) -> Invoice:
    """Refund all or part of a paid invoice (by lines or by amount) with a reason and a
    manager's approval: a credit note referencing the invoice, the money paid back by a
    tender, audited. Never more than was paid and not yet refunded."""
    require_role(actor, CASH_HANDLERS, "refunds")
    refuse_card_numbers(data, ("reference", "reason"))
    approver_id = _approver_id(actor, approver)
    invoice = _refundable_invoice(session, invoice_id)
    amount = _checked_amount(invoice, data)
    vat = _credited_vat(session, invoice, amount)
    tender = data.get("tender") or _main_tender(invoice)
    shift = open_shift_now(session)
    if tender == "cash" and shift is None:
        raise Conflict("open a shift before paying cash back", code="no_open_shift")
    paid_back = _refund_payment(invoice, tender, amount, data.get("reference", ""))
    draft = _credit_draft(invoice, data, amount, vat, paid_back, approver_id)
    note = issue_document(session, actor, current_branch(session), draft)
    _record_refund(session, actor, note, shift, paid_back)
    _audit_refund(session, actor, invoice, note, paid_back, approver_id)
    if data.get("restock"):
        _restock(session, actor, invoice, data, note)
    return note


def _restock(session: Session, actor: Actor, invoice: Invoice, data: dict, note: Invoice):
    """The refunded goods come back to stock: the lines named, or every line of a whole
    refund (a refund by amount names no goods: nothing comes back)."""
    from pos_app.stock.moves import restock_refund

    if data.get("lines"):
        back = [(entry["line_id"], entry["quantity"]) for entry in data["lines"]]
    elif data.get("amount_minor") is None:
        back = [
            (line.get("line_id"), int(line.get("quantity") or 0))
            for line in (invoice.document or {}).get("lines", [])
            if line.get("line_id") and isinstance(line.get("quantity"), int)
        ]
    else:
        back = []
    restock_refund(session, actor, back, note.display_number, data["reason"])


def _approver_id(actor: Actor, approver: Staff | None) -> int:
    """Who approves: a manager or owner refunding, else the manager whose PIN came along."""
    if actor.role in BACK_OFFICE:
        return actor.staff_id
    return check_approver(actor, approver, "refund").id


def _refundable_invoice(session: Session, invoice_id) -> Invoice:
    """The invoice, locked so two refunds at once never exceed what was paid."""
    invoice = get_invoice(session, invoice_id)
    lock_key(session, "invoice", invoice.id)
    session.refresh(invoice)
    if invoice.kind != "invoice":
        raise Conflict("a credit note cannot be refunded", code="not_an_invoice")
    return invoice


def _checked_amount(invoice: Invoice, data: dict) -> int:
    """What this refund gives back: between 1 and what is left to refund."""
    refundable = invoice.total_minor - invoice.refunded_minor
    amount = _refund_amount(invoice, data, refundable)
    if amount <= 0 or amount > refundable:
        raise ValidationFailed(
            f"at most {refundable} can still be refunded on {invoice.display_number}",
            {"amount_minor": [f"between 1 and {refundable}"]},
            "refund_too_large",
        )
    return amount


def _credited_vat(session: Session, invoice: Invoice, amount: int) -> int:
    """The VAT of the refund: all that is left on the last refund (so the notes' VAT adds up
    to the invoice's exactly), else the amount's VAT at the invoice's rate, never more."""
    credited = sum(
        n.vat_minor
        for n in session.scalars(select(Invoice).where(Invoice.references_id == invoice.id))
    )
    left = invoice.vat_minor - credited
    if amount == invoice.total_minor - invoice.refunded_minor:
        return left
    return min(tax.vat_of_gross(amount, invoice.document.get("vat_rate_bp", 0)), left)


def _credit_draft(invoice, data, amount: int, vat: int, paid_back: dict, approver_id) -> Draft:
    """The credit note before it is numbered: the invoice's paper with the goods given back,
    the reason and how the money went back."""
    lines, adjustments = _credit_paper(invoice, data, amount, vat)
    paper = dict(invoice.document)
    paper.update(
        kind="credit_note",
        references=invoice.display_number,
        reason=data["reason"],
        lines=lines,
        adjustments=adjustments,
        payments=[paid_back],
    )
    columns = {
        "order_id": invoice.order_id,
        "part_id": invoice.part_id,
        "references_id": invoice.id,
        "currency": invoice.currency,
        "restock": bool(data.get("restock", False)),
        "reason": data["reason"],
        "approver_id": approver_id,
    }
    return Draft(
        CREDIT_NOTES,
        paper,
        total_minor=amount,
        vat_minor=vat,
        net_minor=amount - vat,
        columns=columns,
        print_it=data.get("print", True),
        cash_back=paid_back["tender"] == "cash",
    )


def _record_refund(session: Session, actor: Actor, note: Invoice, shift, paid_back: dict):
    """The money going back, as a payment of kind `refund` on the invoice's part; the cloud
    hears it as a payment like any (its kind says refund)."""
    payment = Payment(
        id=str(uuid.uuid4()),
        kind="refund",
        order_id=note.order_id,
        part_id=note.part_id,
        credit_note_id=note.id,
        shift_id=shift.id if shift else None,
        business_day=note.business_day,
        tender=paid_back["tender"],
        amount_minor=note.total_minor,
        tendered_minor=note.total_minor,
        actor_id=actor.staff_id,
        actor_name=actor.name,
        reference=paid_back["reference"],
        card_method=paid_back["card_method"],
        last4=paid_back["last4"],
    )
    session.add(payment)
    session.flush()
    record_event(session, "payment.recorded", "order", note.order_id, payment_dict(payment))
    report_sources.payment(session, payment)


def _audit_refund(session, actor, invoice: Invoice, note: Invoice, paid_back, approver_id):
    """Count the refund on the invoice and audit it, with its reason and its approver."""
    before = invoice.refunded_minor
    invoice.refunded_minor += note.total_minor
    record_audit(
        session,
        actor,
        "invoice.refunded",
        "invoice",
        invoice.display_number,
        {"refunded_minor": before},
        {
            "refunded_minor": invoice.refunded_minor,
            "credit_note": note.display_number,
            "tender": paid_back["tender"],
            "drawer_opened": paid_back["tender"] == "cash",
        },
        reason=note.reason,
        approver_id=approver_id,
    )
    report_sources.adjustment(
        session,
        "refund",
        actor,
        amount_minor=note.total_minor,
        reason=note.reason,
        doc=note.display_number,
        approver_id=approver_id,
    )


def _main_tender(invoice: Invoice) -> str:
    payments = invoice.document.get("payments") or []
    if not payments:
        return "cash"
    return max(payments, key=lambda p: p["amount_minor"])["tender"]


def _refund_amount(invoice: Invoice, data: dict, refundable: int) -> int:
    if data.get("lines"):
        lines = {line["line_id"]: line for line in invoice.document.get("lines", [])}
        total_lines = sum(line["amount_minor"] for line in lines.values()) or 1
        wanted = 0
        for entry in data["lines"]:
            line = lines.get(entry["line_id"])
            if line is None:
                raise ValidationFailed(
                    "that line is not on this invoice", {"lines": [f"unknown {entry['line_id']}"]}
                )
            if entry["quantity"] > line["quantity"]:
                raise ValidationFailed(
                    f"only {line['quantity']} × {line['name']} on this invoice",
                    {"lines": [f"at most {line['quantity']}"]},
                    "refund_too_large",
                )
            wanted += tax.round_half_up(line["amount_minor"] * entry["quantity"], line["quantity"])
        # Lines are before order-level charges and (exclusive) VAT: scale to the invoice total.
        return tax.round_half_up(wanted * invoice.total_minor, total_lines)
    if data.get("amount_minor") is not None:
        return data["amount_minor"]
    return refundable


def _credit_paper(invoice: Invoice, data: dict, amount: int, vat: int) -> tuple:
    """(lines, adjustments) of a credit note, positive like the invoice's: the units given
    back with their modifiers and discounts (every line for a whole refund), and their share
    of the order's discounts and service charge; a refund of an amount prints as one line."""
    doc = invoice.document
    base = amount if doc.get("prices_include_vat", True) else amount - vat
    sold = doc.get("lines") or []
    if data.get("lines"):
        by_id = {line["line_id"]: line for line in sold}
        lines = [
            invoice_lines.refunded_line(by_id[entry["line_id"]], entry["quantity"])
            for entry in data["lines"]
        ]
    elif amount == invoice.total_minor and sold:  # all of it, at once
        lines = [invoice_lines.refunded_line(line, line["quantity"]) for line in sold]
    else:
        return [_amount_line(invoice, base)], []
    back = sum(line["amount_minor"] for line in lines)
    total_sold = sum(line["amount_minor"] for line in sold)
    adjustments = doc.get("adjustments") or []
    return lines, invoice_lines.credit_adjustments(adjustments, back, total_sold, base)


def _amount_line(invoice: Invoice, base: int) -> dict:
    """The one line of a refund of an amount (not of goods)."""
    return {
        "line_id": None,
        "name": f"Refund on {invoice.display_number}",
        "name_ar": f"استرداد من الفاتورة {invoice.display_number}",
        "quantity": 1,
        "share": None,
        "unit_price_minor": base,
        "item_price_minor": base,
        "item_minor": base,
        "modifiers": [],
        "gross_minor": base,
        "adjustments": [],
        "amount_minor": base,
    }


def _refund_payment(invoice: Invoice, tender: str, amount: int, reference: str) -> dict:
    """How the money went back: the tender, the card it was paid with (method and last four
    digits, from the invoice) and the terminal's reference of the refund."""
    card = {}
    if tender == "card":
        paid = invoice.document.get("payments") or []
        card = next((p for p in paid if p.get("tender") == "card"), {})
    return {
        "tender": tender,
        "amount_minor": amount,
        "tendered_minor": None,
        "change_minor": None,
        "tip_minor": 0,
        "card_method": card.get("card_method") or "",
        "last4": card.get("last4") or "",
        "reference": reference,
    }
