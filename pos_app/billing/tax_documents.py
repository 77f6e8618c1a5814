"""Issuing tax documents: the one path by which simplified invoices and credit notes get their
gapless number, their date, their ZATCA QR code, their row, their outbox event and their paper.

What differs between the two (the paper's lines, the sums, the row's own columns, whether cash
went back through the drawer) is passed in as a `Draft`; everything else is done here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pos_app.auth.actor import Actor
from pos_app.billing import zatca
from pos_app.billing.models import Invoice
from pos_app.branch.models import Branch
from pos_app.branch.services import business_day
from pos_app.clock import utcnow
from pos_app.counters import next_value
from pos_app.outbox import record_event
from pos_app.reports import sources as report_sources
from pos_app.signals import document_printing


@dataclass(frozen=True)
class Series:
    """A gapless series of tax documents: its kind, its counter and its number's prefix."""

    kind: str
    counter: str
    prefix: str

    def display(self, number: int) -> str:
        """The number as printed: 'INV-000012'."""
        return f"{self.prefix}-{number:06d}"


INVOICES = Series("invoice", "invoice-number", "INV")
CREDIT_NOTES = Series("credit_note", "credit-note-number", "CN")


@dataclass(frozen=True)
class Draft:
    """A tax document before it is numbered: what an invoice and a credit note do not share.

    `paper` is the receipt document (printers/receipts.py) with every key already in place;
    its number, date, sums and QR code are filled in when it is issued. `columns` are the
    row's own fields (`order_id`, `part_id`, `currency`, and the kind's: the discounts and
    service charge of an invoice, the reference, reason and approver of a credit note)."""

    series: Series
    paper: dict
    total_minor: int
    vat_minor: int
    net_minor: int
    columns: dict = field(default_factory=dict)
    print_it: bool = True
    cash_back: bool = False  # money paid back in cash: the drawer opens before the paper prints


def issue_document(session: Session, actor: Actor, branch: Branch, draft: Draft) -> Invoice:
    """Number, date and sign (QR) an invoice or credit note, keep it, queue its outbox event
    and print it; in the caller's transaction, so a rollback leaves no gap in the series."""
    number = next_value(session, draft.series.counter)
    issued_at = utcnow().replace(microsecond=0)
    qr = zatca.simplified_invoice_qr(
        branch.name,
        branch.vat_number,
        issued_at,
        draft.total_minor,
        draft.vat_minor,
        branch.currency_exponent,
    )
    document = _signed_paper(draft, draft.series.display(number), issued_at, qr)
    row = Invoice(
        kind=draft.series.kind,
        number=number,
        display_number=document["number"],
        issued_at=issued_at,
        business_day=business_day(branch, issued_at),
        total_minor=draft.total_minor,
        vat_minor=draft.vat_minor,
        net_minor=draft.net_minor,
        qr=qr,
        document=document,
        actor_id=actor.staff_id,
        **draft.columns,
    )
    session.add(row)
    session.flush()
    record_event(session, f"{row.kind}.issued", "invoice", row.display_number, invoice_event(row))
    report_sources.sale_of_document(session, row)
    _print(session, draft, row)
    return row


def _signed_paper(draft: Draft, display: str, issued_at, qr: str) -> dict:
    """The draft's paper with its number, date, sums and QR code (the paper's key order kept:
    every one of them is already there)."""
    return {
        **draft.paper,
        "number": display,
        "issued_at": issued_at.isoformat(),
        "net_minor": draft.net_minor,
        "vat_minor": draft.vat_minor,
        "total_minor": draft.total_minor,
        "qr": qr,
    }


def _print(session: Session, draft: Draft, row: Invoice) -> None:
    """The drawer first when cash went back, then the paper (unless the cashier said not)."""
    if draft.cash_back:
        ref = f"refund:{row.display_number}"
        document_printing.send(session, kind="drawer", document={}, ref=ref)
    if draft.print_it:
        ref = f"invoice:{row.id}"
        document_printing.send(session, kind="receipt", document=row.document, ref=ref)


def invoice_event(invoice: Invoice) -> dict:
    """What the cloud needs of an invoice or credit note."""
    return {
        "kind": invoice.kind,
        "number": invoice.display_number,
        "order_id": invoice.order_id,
        "issued_at": invoice.issued_at.isoformat(),
        "business_day": invoice.business_day.isoformat(),
        "currency": invoice.currency,
        "total_minor": invoice.total_minor,
        "vat_minor": invoice.vat_minor,
        "net_minor": invoice.net_minor,
        "discount_minor": invoice.discount_minor,
        "references": invoice.document.get("references"),
        "lines": invoice.document.get("lines", []),
        "payments": invoice.document.get("payments", []),
        "restock": invoice.restock,
        "reason": invoice.reason,
    }
