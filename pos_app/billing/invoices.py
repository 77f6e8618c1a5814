"""Simplified tax invoices: gapless numbers, the QR code, the receipt document (a snapshot of
what was printed), pre-bills and reprints."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import FLOOR_STAFF
from pos_app.billing import invoice_lines, pricing
from pos_app.billing.bills import (
    bill_dict,
    compute_bill,
    order_for_billing,
    parts_of,
    payment_dict,
)
from pos_app.billing.models import BillPart, Invoice, Payment
from pos_app.billing.tax_documents import INVOICES, Draft, issue_document
from pos_app.branch.models import Branch
from pos_app.branch.services import current_branch
from pos_app.clock import utcnow
from pos_app.errors import NotFound
from pos_app.orders.models import Order
from pos_app.signals import document_printing


def goods_of(bill: pricing.Bill, order: Order) -> list[invoice_lines.Goods]:
    """The bill's lines as printed goods, each with the modifiers the guest chose."""
    return invoice_lines.goods_of(bill, {line.id: line.modifiers for line in order.lines})


def order_adjustments(bill: pricing.Bill) -> list[dict]:
    return [invoice_lines.adjustment_dict(a) for a in bill.order_adjustments]


def whole_lines(bill: pricing.Bill, order: Order) -> list[dict]:
    """Every line of the bill with its modifiers, their prices and its discounts."""
    return invoice_lines.whole_paper(goods_of(bill, order), [])[0]


def part_view(part: BillPart, inclusive: bool) -> invoice_lines.PartView:
    return invoice_lines.PartView(
        number=part.number,
        kind=part.split_kind,
        lines=tuple(part.lines or ()),
        base_minor=part.total_minor if inclusive else part.net_minor,
        total_minor=part.total_minor,
    )


def part_paper(session, part: BillPart, bill: pricing.Bill, order: Order) -> tuple:
    """(lines, adjustments) of the part's invoice: the goods it covers (its items, or its
    share of every item) and its share of the order's discounts and service charge."""
    parts = [part_view(p, bill.rule.inclusive) for p in parts_of(session, order.id)]
    if not any(p.number == part.number for p in parts):
        parts = [part_view(part, bill.rule.inclusive)]
    return invoice_lines.part_paper(
        goods_of(bill, order), order_adjustments(bill), parts, part.number
    )


def paper_header(branch: Branch) -> dict:
    """Who issues the paper: the branch's names, address, VAT number and time zone, and the
    header and footer texts its receipts carry (kept with the paper, so a reprint is the same)."""
    return {
        "name": branch.name,
        "name_ar": branch.name_ar or branch.name,
        "address": branch.address,
        "address_ar": branch.address_ar,
        "vat_number": branch.vat_number,
        "time_zone": branch.time_zone,
        "header": branch.receipt_header,
        "header_ar": branch.receipt_header_ar,
        "footer": branch.receipt_footer,
        "footer_ar": branch.receipt_footer_ar,
    }


def _part_heading(part: BillPart | None) -> dict | None:
    """Which part of a split bill the paper is: 'Seat 2 (2/4)', 'Split equally (1/2)'."""
    if part is None or part.of == 1:
        return None
    label, label_ar = part.label, part.label_ar
    if part.split_kind == "equal":  # its own label is the bare '1/2'
        label, label_ar = "Split equally", "تقسيم بالتساوي"
    return {"number": part.number, "of": part.of, "label": label, "label_ar": label_ar}


def receipt_document(branch, order, kind, part, issued_at, lines, bill) -> dict:
    """The receipt document (see printers/receipts.py) common to invoices, notes, pre-bills;
    a tax document's `issued_at` is None here: it is dated when it is numbered."""
    return {
        "kind": kind,
        "branch": paper_header(branch),
        "number": None,
        "references": None,
        "reason": "",
        "order": {
            "number": order.number,
            "type": order.type.value,
            "table": order.table_label,
            "waiter": order.waiter_name,
            "guests": order.guests,
        },
        "part": _part_heading(part),
        "issued_at": issued_at.isoformat() if issued_at else None,
        "currency": branch.currency,
        "exponent": branch.currency_exponent,
        "lines": lines,
        "adjustments": [],
        "prices_include_vat": bill.rule.inclusive,
        "vat_rate_bp": bill.rule.rate_bp,
        "net_minor": 0,
        "vat_minor": 0,
        "total_minor": 0,
        "payments": [],
        "qr": None,
    }


def issue_invoice(session, actor, order, part, bill, branch, print_it: bool = True) -> Invoice:
    """Issue the paid part's simplified tax invoice (numbered, with its QR, printed)."""
    lines, adjustments = part_paper(session, part, bill, order)
    paper = receipt_document(branch, order, "invoice", part, None, lines, bill)
    paper.update(adjustments=adjustments, payments=_payments_of_part(session, part))
    discount, service = _discount_and_service(lines, adjustments)
    draft = Draft(
        INVOICES,
        paper,
        total_minor=part.total_minor,
        vat_minor=part.vat_minor,
        net_minor=part.net_minor,
        columns={
            "order_id": order.id,
            "part_id": part.id,
            "currency": branch.currency,
            "discount_minor": discount,
            "service_charge_minor": service,
        },
        print_it=print_it,
    )
    invoice = issue_document(session, actor, branch, draft)
    part.invoice_id = invoice.id
    return invoice


def _payments_of_part(session: Session, part: BillPart) -> list[dict]:
    """The part's payments as its invoice prints them, oldest first."""
    paid = select(Payment).where(Payment.part_id == part.id).order_by(Payment.created_at)
    return [payment_dict(p) for p in session.scalars(paid)]


def _discount_and_service(lines: list[dict], adjustments: list[dict]) -> tuple[int, int]:
    """What the invoice took off (discounts, as a positive sum: not the rounding, not the
    service charge) and what it added as service charge, over its lines and the order's."""
    rows = adjustments + [a for line in lines for a in line["adjustments"]]
    discounts = -sum(
        a["amount_minor"]
        for a in rows
        if a["amount_minor"] < 0 and a.get("source") not in ("rounding", "service_charge")
    )
    service = sum(a["amount_minor"] for a in rows if a.get("source") == "service_charge")
    return discounts, service


def invoice_dict(invoice: Invoice) -> dict:
    """An invoice or credit note as the API shows it."""
    return {
        "id": invoice.id,
        "kind": invoice.kind,
        "number": invoice.display_number,
        "order_id": invoice.order_id,
        "issued_at": invoice.issued_at.isoformat(),
        "business_day": invoice.business_day.isoformat(),
        "total_minor": invoice.total_minor,
        "vat_minor": invoice.vat_minor,
        "net_minor": invoice.net_minor,
        "refunded_minor": invoice.refunded_minor,
        "reason": invoice.reason,
        "qr": invoice.qr,
        "document": invoice.document,
    }


def get_invoice(session: Session, invoice_id: int | str) -> Invoice:
    """An invoice or credit note by id or by number ("INV-000012")."""
    if isinstance(invoice_id, str) and not (invoice_id.isascii() and invoice_id.isdigit()):
        invoice = session.scalar(
            select(Invoice).where(Invoice.display_number == invoice_id.upper()[:40])
        )
    elif len(str(invoice_id)) > 10 or int(invoice_id) > 2**31 - 1:  # past every id column
        invoice = None
    else:
        invoice = session.get(Invoice, int(invoice_id))
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}")
    return invoice


def reprint_invoice(session: Session, actor: Actor, invoice_id) -> Invoice:
    """Print an invoice or credit note again, marked REPRINT; audited."""
    require_role(actor, FLOOR_STAFF, "reprinting receipts")
    invoice = get_invoice(session, invoice_id)
    record_audit(
        session, actor, "invoice.reprinted", "invoice", invoice.display_number, reason="reprint"
    )
    document_printing.send(
        session,
        kind="receipt",
        document=invoice.document,
        ref=f"invoice:{invoice.id}",
        reprint=True,
    )
    return invoice


def print_pre_bill(session: Session, actor: Actor, order_id: str) -> dict:
    """Print the pre-bill (not a tax invoice) on the receipt printer; answers the bill."""
    order = order_for_billing(session, actor, order_id)
    bill = compute_bill(session, order)
    branch = current_branch(session)
    lines = whole_lines(bill, order)
    doc = receipt_document(branch, order, "pre_bill", None, utcnow(), lines, bill)
    doc.update(
        total_minor=bill.total_minor,
        vat_minor=bill.vat_minor,
        net_minor=bill.net_minor,
        adjustments=order_adjustments(bill),
    )
    document_printing.send(session, kind="pre_bill", document=doc, ref=f"order:{order.id}")
    return bill_dict(session, order)
