"""The bill of an order: computed from its lines, promotions, discounts, service charge and
VAT (never stored); its parts when split or paid; the bill as screens show it.

Services take the session and an explicit Actor and never commit. The money rules live in the
pure modules tax, pricing, promotions and split.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import FLOOR_STAFF
from pos_app.billing import pricing, promotions, split, tax
from pos_app.billing.models import BillPart, Discount, Invoice, Payment, Promotion, Shift
from pos_app.branch.models import Branch
from pos_app.branch.services import current_branch
from pos_app.clock import utcnow
from pos_app.errors import Conflict, ValidationFailed
from pos_app.menu.models import MenuItem
from pos_app.orders.models import Order, OrderStatus, OrderType
from pos_app.orders.services import lock_order
from pos_app.outbox import record_event


def tax_rule(branch: Branch | None) -> tax.TaxRule:
    """The branch's VAT rate and whether menu prices include it."""
    if branch is None:
        return tax.TaxRule(0, True)
    return tax.TaxRule(branch.vat_rate_bp, branch.prices_include_vat)


def _promotion_spec(p: Promotion) -> promotions.PromotionSpec:
    return promotions.PromotionSpec(
        id=p.id,
        name=p.name,
        name_ar=p.name_ar or p.name,
        kind=p.kind,
        percent_bp=p.percent_bp,
        weekdays=tuple(p.weekdays or ()),
        start=p.start_time or "",
        end=p.end_time or "",
        item_ids=tuple(p.item_ids or ()),
        category_ids=tuple(p.category_ids or ()),
        buy_quantity=p.buy_quantity,
        get_quantity=p.get_quantity,
        combo_price_minor=p.combo_price_minor,
    )


def _discount_spec(d: Discount) -> pricing.DiscountSpec:
    return pricing.DiscountSpec(
        id=d.id,
        line_id=d.line_id,
        kind=d.kind,
        percent_bp=d.percent_bp,
        amount_minor=d.amount_minor,
        reason=d.reason,
    )


def active_discounts(session: Session, order_id: str) -> list[Discount]:
    """The order's discounts in force, oldest first."""
    return list(
        session.scalars(
            select(Discount)
            .where(Discount.order_id == order_id, Discount.active)
            .order_by(Discount.created_at, Discount.id)
        )
    )


def compute_bill(
    session: Session, order: Order, extra_discount: Discount | None = None
) -> pricing.Bill:
    """The order's bill now: its live lines, promotions, discounts, service charge and VAT."""
    branch = current_branch(session)
    zone = branch.zone if branch else None
    live = [line for line in order.lines if line.quantity > 0]
    categories = dict(
        session.execute(
            select(MenuItem.id, MenuItem.category_id).where(
                MenuItem.id.in_({line.item_id for line in live})
            )
        ).all()
    )
    lines = [
        pricing.PriceLine(
            id=line.id,
            item_id=line.item_id,
            category_id=categories.get(line.item_id),
            name=line.name,
            name_ar=line.name_ar or line.name,
            unit_price_minor=line.unit_price_minor,
            quantity=line.quantity,
            seat=line.seat,
            ordered_at_local=_local(line.created_at, zone),
        )
        for line in live
    ]
    discounts = [_discount_spec(d) for d in active_discounts(session, order.id)]
    if extra_discount is not None:
        discounts.append(_discount_spec(extra_discount))
    promotion_specs = [
        _promotion_spec(p)
        for p in session.scalars(select(Promotion).where(Promotion.active).order_by(Promotion.id))
    ]
    service_bp = branch.service_charge_bp if branch and order.type == OrderType.dine_in else 0
    try:
        return pricing.price_bill(lines, discounts, promotion_specs, tax_rule(branch), service_bp)
    except ValueError as err:
        raise ValidationFailed(str(err), {"discount": [str(err)]}) from err


def _local(at: datetime | None, zone) -> datetime:
    at = at or utcnow()
    return (at.astimezone(zone) if zone else at).replace(tzinfo=None)


def parts_of(session: Session, order_id: str) -> list[BillPart]:
    """The order's bill parts in number order (none until split or first paid)."""
    return list(
        session.scalars(
            select(BillPart).where(BillPart.order_id == order_id).order_by(BillPart.number)
        )
    )


def payments_of(session: Session, order_id: str) -> list[Payment]:
    """Payments and refunds of the order, oldest first."""
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.order_id == order_id)
            .order_by(Payment.created_at, Payment.id)
        )
    )


def save_parts(session: Session, order: Order, kind: str, parts: list[split.Part]) -> list:
    for old in parts_of(session, order.id):
        session.delete(old)
    session.flush()
    rows = [
        BillPart(
            order_id=order.id,
            number=p.number,
            of=len(parts),
            split_kind=kind,
            label=p.label,
            label_ar=p.label_ar,
            seat=p.seat,
            lines=[
                {
                    "line_id": pl.line_id,
                    "name": pl.name,
                    "name_ar": pl.name_ar,
                    "quantity": pl.quantity,
                    "amount_minor": pl.amount_minor,
                }
                for pl in p.lines
            ],
            total_minor=p.total_minor,
            vat_minor=p.vat_minor,
            net_minor=p.net_minor,
        )
        for p in parts
    ]
    session.add_all(rows)
    session.flush()
    return rows


def on_order_changed(
    session: Session, order: Order, bill_checked=False, created=False, **_kw
) -> None:
    """Receiver of `order_changed`: a split no longer matching the bill is dropped while
    nothing is paid; once something is paid the bill may not change. Billing's own changes
    say `bill_checked` and are not checked again; a just-opened order has no split yet."""
    if bill_checked or created:
        return
    parts = parts_of(session, order.id)
    if not parts or order.status == OrderStatus.cancelled:
        return
    bill = compute_bill(session, order)
    if bill.total_minor == sum(p.total_minor for p in parts):
        return
    if any(p.paid_minor for p in parts):
        raise Conflict(
            f"order {order.number} is being paid: its bill cannot change now",
            code="order_in_payment",
        )
    for part in parts:
        session.delete(part)


def dump_adjustment(a) -> dict:
    return {"label": a.label, "label_ar": a.label_ar, "amount_minor": a.amount_minor}


def bill_dict(session: Session, order: Order, bill: pricing.Bill | None = None) -> dict:
    """The bill as the screens and the API show it (`bill` when the caller has it)."""
    bill = bill or compute_bill(session, order)
    branch = current_branch(session)
    parts = parts_of(session, order.id)
    invoices = _invoices_by_id(session, order.id)
    paid = sum(p.paid_minor for p in parts)
    return {
        **_order_heading(order),
        "currency": branch.currency if branch else "SAR",
        "exponent": branch.currency_exponent if branch else 2,
        "tip_suggestions_bp": _tip_suggestions(branch),
        "prices_include_vat": bill.rule.inclusive,
        "vat_rate_bp": bill.rule.rate_bp,
        "lines": [_bill_line(b) for b in bill.lines],
        "adjustments": [dump_adjustment(a) for a in bill.order_adjustments],
        "discounts": [_discount_dict(d) for d in active_discounts(session, order.id)],
        "subtotal_minor": bill.subtotal_minor,
        "service_charge_minor": bill.service_charge_minor,
        "net_minor": bill.net_minor,
        "vat_minor": bill.vat_minor,
        "total_minor": bill.total_minor,
        "paid_minor": paid,
        "remaining_minor": max(bill.total_minor - paid, 0) if not parts else _remaining(parts),
        "split": parts[0].split_kind if parts else "none",
        "parts": [_part_dict(p, invoices.get(p.invoice_id)) for p in parts],
        "payments": [payment_dict(p) for p in payments_of(session, order.id)],
    }


def _tip_suggestions(branch) -> list[int]:
    """The tips the till offers as buttons (basis points of what is paid)."""
    text = branch.tip_suggestions if branch else ""
    return [int(part) for part in text.split(",") if part.strip()]


def _invoices_by_id(session: Session, order_id: str) -> dict[int, Invoice]:
    """The order's invoices (not its credit notes) by id."""
    return {
        i.id: i
        for i in session.scalars(select(Invoice).where(Invoice.order_id == order_id))
        if i.kind == "invoice"
    }


def _order_heading(order: Order) -> dict:
    """Which order the bill is: number, status, version, type, table, guests."""
    return {
        "order_id": order.id,
        "order_number": order.number,
        "order_status": order.status.value,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "order_version": order.version,
        "type": order.type.value,
        "table": order.table_label,
        "guests": order.guests,
    }


def _bill_line(b: pricing.BilledLine) -> dict:
    return {
        "line_id": b.line.id,
        "name": b.line.name,
        "name_ar": b.line.name_ar,
        "quantity": b.line.quantity,
        "unit_price_minor": b.line.unit_price_minor,
        "seat": b.line.seat,
        "gross_minor": b.gross_minor,
        "adjustments": [dump_adjustment(a) for a in b.adjustments],
        "amount_minor": b.amount_minor,
    }


def _discount_dict(d: Discount) -> dict:
    return {
        "id": d.id,
        "line_id": d.line_id,
        "kind": d.kind,
        "percent_bp": d.percent_bp,
        "amount_minor": d.amount_minor,
        "reason": d.reason,
        "by": d.actor_name,
        "approved_by": d.approver_name,
    }


def _part_dict(p: BillPart, invoice: Invoice | None) -> dict:
    """A part of the bill with what is paid and, once paid in full, its invoice."""
    return {
        "number": p.number,
        "of": p.of,
        "label": p.label,
        "label_ar": p.label_ar,
        "seat": p.seat,
        "lines": p.lines,
        "total_minor": p.total_minor,
        "vat_minor": p.vat_minor,
        "net_minor": p.net_minor,
        "paid_minor": p.paid_minor,
        "remaining_minor": p.total_minor - p.paid_minor,
        "status": p.status,
        "invoice_id": p.invoice_id,
        "invoice_number": invoice.display_number if invoice else None,
        "qr": invoice.qr if invoice else None,
    }


def _remaining(parts: list[BillPart]) -> int:
    return sum(p.total_minor - p.paid_minor for p in parts)


def payment_dict(p: Payment) -> dict:
    return {
        "id": p.id,
        "kind": p.kind,
        "part": None,
        "tender": p.tender,
        "amount_minor": p.amount_minor,
        "tendered_minor": p.tendered_minor,
        "change_minor": p.change_minor,
        "tip_minor": p.tip_minor,
        "card_method": p.card_method,
        "last4": p.last4,
        "reference": p.reference,
        "by": p.actor_name,
        "at": p.created_at.isoformat() if p.created_at else None,
    }


def order_for_billing(session: Session, actor: Actor, order_id: str) -> Order:
    """The order, locked until the transaction ends (one payment, split or discount at a
    time), if it may still be billed (not cancelled, not yet paid)."""
    require_role(actor, FLOOR_STAFF, "billing")
    order = lock_order(session, order_id)
    if order.status == OrderStatus.cancelled:
        raise Conflict(f"order {order.number} was cancelled", code="order_cancelled")
    if order.status in (OrderStatus.paid, OrderStatus.closed) or order.paid_at is not None:
        raise Conflict(f"order {order.number} is already paid", code="order_paid")
    return order


def split_bill(session: Session, actor: Actor, order_id: str, data: dict) -> dict:
    """Split the bill by items, by seat, equally in N or by amounts (replacing an unpaid
    split); refused once a part is paid."""
    order = order_for_billing(session, actor, order_id)
    parts = parts_of(session, order.id)
    if any(p.paid_minor for p in parts):
        raise Conflict("a part is already paid: the split cannot change", code="order_in_payment")
    bill = compute_bill(session, order)
    if not bill.lines:
        raise ValidationFailed("nothing to split: the order has no lines", {"kind": ["empty"]})
    kind = data["kind"]
    try:
        if kind == "items":
            assignment = [[(e["line_id"], e["quantity"]) for e in part] for part in data["parts"]]
            made = split.by_items(bill, assignment)
        elif kind == "seats":
            made = split.by_seat(bill)
        elif kind == "equal":
            made = split.equally(bill, data["count"])
        elif kind == "amounts":
            made = split.by_amounts(bill, data["amounts"])
        else:  # "none": back to one bill
            made, kind = split.whole(bill), "whole"
    except ValueError as err:
        field = {"items": "parts", "equal": "count", "amounts": "amounts"}.get(kind, "kind")
        raise ValidationFailed(str(err), {field: [str(err)]}) from err
    save_parts(session, order, kind, made)
    record_event(
        session,
        "order.split",
        "order",
        order.id,
        {"kind": kind, "parts": [p.total_minor for p in made]},
    )
    return bill_dict(session, order)


def open_shift_now(session: Session) -> Shift | None:
    """The branch's open cash-drawer shift, if any."""
    return session.scalar(select(Shift).where(Shift.status == "open").order_by(Shift.id.desc()))
