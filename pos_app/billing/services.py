"""Bill services: the bill of an order, discounts and comps, splitting, payments, tax invoices
and credit notes.

Every service takes the session and an explicit Actor (and, where a manager must approve, the
approving Staff already identified by the caller), never commits, and writes its audit entry,
outbox event and paper in the caller's transaction. The money rules live in the pure modules
tax, pricing, split and zatca.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.models import Role, Staff
from pos_app.billing import pricing, split, tax, zatca
from pos_app.billing.models import BillPart, Discount, Invoice, Payment, Promotion, Shift
from pos_app.branch.models import Branch
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.counters import next_value
from pos_app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pos_app.menu.models import MenuItem
from pos_app.orders.models import HANDED_OVER, Order, OrderStatus, OrderType
from pos_app.orders.services import ORDER_TAKERS, get_order, touch_order
from pos_app.outbox import record_event
from pos_app.signals import document_printing

MANAGERS = (Role.manager, Role.owner)
CASH_HANDLERS = (Role.cashier, Role.manager, Role.owner)
INVOICE_COUNTER = "invoice-number"
CREDIT_NOTE_COUNTER = "credit-note-number"
# 13-19 digits in a row (spaces and dashes allowed between them) look like a card number.
_PAN = re.compile(r"(?:\d[ -]?){12,18}\d")


# --- the bill ----------------------------------------------------------------------------------


def tax_rule(branch: Branch | None) -> tax.TaxRule:
    """The branch's VAT rate and whether menu prices include it."""
    if branch is None:
        return tax.TaxRule(0, True)
    return tax.TaxRule(branch.vat_rate_bp, branch.prices_include_vat)


def _promotion_spec(p: Promotion) -> pricing.PromotionSpec:
    return pricing.PromotionSpec(
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
    promotions = [
        _promotion_spec(p)
        for p in session.scalars(select(Promotion).where(Promotion.active).order_by(Promotion.id))
    ]
    service_bp = branch.service_charge_bp if branch and order.type == OrderType.dine_in else 0
    try:
        return pricing.price_bill(lines, discounts, promotions, tax_rule(branch), service_bp)
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


def _save_parts(session: Session, order: Order, kind: str, parts: list[split.Part]) -> list:
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


def on_order_changed(session: Session, order: Order, bill_checked=False, **_kw) -> None:
    """Receiver of `order_changed`: a split no longer matching the bill is dropped while
    nothing is paid; once something is paid the bill may not change. Billing's own changes
    say `bill_checked` and are not checked again."""
    if bill_checked:
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


def _dump_adjustment(a) -> dict:
    return {"label": a.label, "label_ar": a.label_ar, "amount_minor": a.amount_minor}


def bill_dict(session: Session, order: Order, bill: pricing.Bill | None = None) -> dict:
    """The bill as the screens and the API show it (`bill` when the caller has it)."""
    bill = bill or compute_bill(session, order)
    branch = current_branch(session)
    parts = parts_of(session, order.id)
    invoices = {
        i.id: i
        for i in session.scalars(select(Invoice).where(Invoice.order_id == order.id))
        if i.kind == "invoice"
    }
    paid = sum(p.paid_minor for p in parts)
    return {
        "order_id": order.id,
        "order_number": order.number,
        "order_status": order.status.value,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "order_version": order.version,
        "type": order.type.value,
        "table": order.table_label,
        "guests": order.guests,
        "currency": branch.currency if branch else "SAR",
        "exponent": branch.currency_exponent if branch else 2,
        "prices_include_vat": bill.rule.inclusive,
        "vat_rate_bp": bill.rule.rate_bp,
        "lines": [
            {
                "line_id": b.line.id,
                "name": b.line.name,
                "name_ar": b.line.name_ar,
                "quantity": b.line.quantity,
                "unit_price_minor": b.line.unit_price_minor,
                "seat": b.line.seat,
                "gross_minor": b.gross_minor,
                "adjustments": [_dump_adjustment(a) for a in b.adjustments],
                "amount_minor": b.amount_minor,
            }
            for b in bill.lines
        ],
        "adjustments": [_dump_adjustment(a) for a in bill.order_adjustments],
        "discounts": [
            {
                "id": d.id,
                "line_id": d.line_id,
                "kind": d.kind,
                "percent_bp": d.percent_bp,
                "amount_minor": d.amount_minor,
                "reason": d.reason,
                "by": d.actor_name,
                "approved_by": d.approver_name,
            }
            for d in active_discounts(session, order.id)
        ],
        "subtotal_minor": bill.subtotal_minor,
        "service_charge_minor": bill.service_charge_minor,
        "net_minor": bill.net_minor,
        "vat_minor": bill.vat_minor,
        "total_minor": bill.total_minor,
        "paid_minor": paid,
        "remaining_minor": max(bill.total_minor - paid, 0) if not parts else _remaining(parts),
        "split": parts[0].split_kind if parts else "none",
        "parts": [
            {
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
                "invoice_number": (
                    invoices[p.invoice_id].display_number if p.invoice_id in invoices else None
                ),
                "qr": invoices[p.invoice_id].qr if p.invoice_id in invoices else None,
            }
            for p in parts
        ],
        "payments": [_payment_dict(p) for p in payments_of(session, order.id)],
    }


def _remaining(parts: list[BillPart]) -> int:
    return sum(p.total_minor - p.paid_minor for p in parts)


def _payment_dict(p: Payment) -> dict:
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
    """The order, if it may still be billed (not cancelled, not yet paid)."""
    require_role(actor, ORDER_TAKERS, "billing")
    order = get_order(session, order_id)
    if order.status == OrderStatus.cancelled:
        raise Conflict(f"order {order.number} was cancelled", code="order_cancelled")
    if order.status in (OrderStatus.paid, OrderStatus.closed) or order.paid_at is not None:
        raise Conflict(f"order {order.number} is already paid", code="order_paid")
    return order


def print_pre_bill(session: Session, actor: Actor, order_id: str) -> dict:
    """Print the pre-bill (not a tax invoice) on the receipt printer; answers the bill."""
    order = order_for_billing(session, actor, order_id)
    bill = compute_bill(session, order)
    branch = current_branch(session)
    doc = _document(branch, order, "pre_bill", None, utcnow(), _whole_lines(bill), bill)
    doc.update(
        total_minor=bill.total_minor,
        vat_minor=bill.vat_minor,
        net_minor=bill.net_minor,
        adjustments=[_dump_adjustment(a) for a in bill.order_adjustments],
    )
    document_printing.send(session, kind="pre_bill", document=doc, ref=f"order:{order.id}")
    return bill_dict(session, order)


# --- discounts ---------------------------------------------------------------------------------


def needs_approval(actor: Actor, branch: Branch, bill: pricing.Bill, discount: Discount) -> bool:
    """Comps, and discounts above the branch's threshold, need a manager unless one gives them."""
    if actor.role in MANAGERS:
        return False
    if discount.kind == "comp":
        return True
    threshold = branch.discount_approval_bp if branch else 1000
    if discount.kind == "percent":
        return discount.percent_bp > threshold
    base = bill.taxable_minor + sum(-a.amount_minor for a in bill.order_adjustments)
    if discount.line_id:
        base = next((b.amount_minor for b in bill.lines if b.line.id == discount.line_id), 0)
    return discount.amount_minor * 10_000 > threshold * max(base, 1)


def check_approver(actor: Actor, approver: Staff | None, what: str) -> Staff:
    """The approver must be an active manager or owner other than the actor."""
    if approver is None:
        raise Forbidden(
            f"{what} needs a manager's approval: ask a manager to enter their PIN",
            {"approver_pin": ["a manager's PIN is required"]},
            "approval_required",
        )
    if approver.id == actor.staff_id:
        raise Forbidden(
            "you cannot approve your own " + what,
            {"approver_pin": ["another staff member must approve"]},
            "self_approval",
        )
    if Role(approver.role) not in MANAGERS or not approver.active:
        raise Forbidden(
            f"{approver.name} may not approve {what}",
            {"approver_pin": ["only a manager or owner may approve"]},
            "approver_not_allowed",
        )
    return approver


def add_discount(
    session: Session, actor: Actor, order_id: str, data: dict, approver: Staff | None = None
) -> dict:
    """Discount a line or the whole order by percent or amount, or comp a line; above the
    threshold a manager approves; audited. Refused once payment has started."""
    order = order_for_billing(session, actor, order_id)
    if any(p.paid_minor for p in parts_of(session, order.id)):
        raise Conflict("payment has started: no more discounts", code="order_in_payment")
    if data.get("line_id") and not any(line.id == data["line_id"] for line in order.lines):
        raise ValidationFailed("no such line on this order", {"line_id": ["unknown line"]})
    discount = Discount(
        id=(data.get("id") or str(uuid.uuid4())).lower(),
        order_id=order.id,
        line_id=data.get("line_id"),
        kind=data["kind"],
        percent_bp=data.get("percent_bp", 0) if data["kind"] == "percent" else 0,
        amount_minor=data.get("amount_minor", 0) if data["kind"] == "amount" else 0,
        reason=data["reason"],
        actor_id=actor.staff_id,
        actor_name=actor.name,
    )
    if session.get(Discount, discount.id) is not None:
        return bill_dict(session, order)  # the same discount sent twice
    branch = current_branch(session)
    before = compute_bill(session, order)
    after = compute_bill(session, order, extra_discount=discount)
    if needs_approval(actor, branch, before, discount):
        approved = check_approver(
            actor, approver, "discount" if discount.kind != "comp" else "comp"
        )
        discount.approver_id, discount.approver_name = approved.id, approved.name
    session.add(discount)
    action = "order.comped" if discount.kind == "comp" else "order.discounted"
    record_audit(
        session,
        actor,
        action,
        "order",
        order.id,
        {"total_minor": before.total_minor},
        {
            "total_minor": after.total_minor,
            "discount": discount.kind,
            "percent_bp": discount.percent_bp,
            "amount_minor": discount.amount_minor,
            "line_id": discount.line_id,
            "order": order.number,
        },
        reason=discount.reason,
        approver_id=discount.approver_id,
    )
    touch_order(session, order, "order.discounted", actor)
    return bill_dict(session, order)


def remove_discount(session: Session, actor: Actor, order_id: str, discount_id: str) -> dict:
    """Take a discount off (audited); refused once payment has started."""
    order = order_for_billing(session, actor, order_id)
    discount = session.get(Discount, discount_id.lower())
    if discount is None or discount.order_id != order.id or not discount.active:
        raise NotFound("no such discount on this order")
    if any(p.paid_minor for p in parts_of(session, order.id)):
        raise Conflict("payment has started: the bill cannot change", code="order_in_payment")
    discount.active = False
    record_audit(
        session,
        actor,
        "order.discount_removed",
        "order",
        order.id,
        {"discount_id": discount.id, "kind": discount.kind},
        None,
        reason=discount.reason,
    )
    touch_order(session, order, "order.discount_removed", actor)
    return bill_dict(session, order)


def override_price(
    session: Session,
    actor: Actor,
    order_id: str,
    line_id: str,
    data: dict,
    approver: Staff | None = None,
) -> dict:
    """Change a line's unit price with a reason; a manager approves unless one does it.
    Audited with the old and new price; refused once payment has started."""
    order = order_for_billing(session, actor, order_id)
    if any(p.paid_minor for p in parts_of(session, order.id)):
        raise Conflict("payment has started: the bill cannot change", code="order_in_payment")
    line = next((li for li in order.lines if li.id == line_id.lower()), None)
    if line is None:
        raise NotFound(f"order {order.number} has no line {line_id}")
    approver_id = None
    if actor.role not in MANAGERS:
        approver_id = check_approver(actor, approver, "price override").id
    before = line.unit_price_minor
    line.unit_price_minor = data["unit_price_minor"]
    record_audit(
        session,
        actor,
        "order_line.price_overridden",
        "order_line",
        line.id,
        {"unit_price_minor": before},
        {"unit_price_minor": line.unit_price_minor, "item": line.name, "order": order.number},
        reason=data["reason"],
        approver_id=approver_id,
    )
    touch_order(session, order, "order.price_overridden", actor)
    return bill_dict(session, order)


# --- splitting ---------------------------------------------------------------------------------


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
    _save_parts(session, order, kind, made)
    record_event(
        session,
        "order.split",
        "order",
        order.id,
        {"kind": kind, "parts": [p.total_minor for p in made]},
    )
    return bill_dict(session, order)


# --- payments and invoices ---------------------------------------------------------------------


def open_shift_now(session: Session) -> Shift | None:
    """The branch's open cash-drawer shift, if any."""
    return session.scalar(select(Shift).where(Shift.status == "open").order_by(Shift.id.desc()))


def _check_card_fields(data: dict) -> None:
    for field in ("reference", "voucher_code", "card_method"):
        if _PAN.search(data.get(field) or ""):
            raise ValidationFailed(
                "that looks like a card number: record only the terminal's reference and the "
                "last four digits",
                {field: ["card numbers are never stored"]},
                "card_number_refused",
            )


def pay(session: Session, actor: Actor, order_id: str, data: dict) -> dict:
    """Record one tender on a bill part (the first open one unless `part` is given). Cash may
    be handed over in excess and gets change; other tenders may not exceed what is due. A part
    paid in full gets its tax invoice (numbered, with QR, printed); the last one closes the
    order. Idempotent on the payment's id."""
    require_role(actor, ORDER_TAKERS, "taking payments")
    payment_id = data["id"].lower()
    if session.get(Payment, payment_id) is not None:
        return bill_dict(session, get_order(session, order_id))
    order = order_for_billing(session, actor, order_id)
    bill = compute_bill(session, order)
    parts = parts_of(session, order.id) or _save_parts(session, order, "whole", split.whole(bill))
    part = _pick_part(parts, data.get("part"))
    remaining = part.total_minor - part.paid_minor
    tender = data["tender"]
    amount, tendered, change = _amounts(tender, data, remaining)
    _check_card_fields(data)
    if tender == "card" and not data.get("card_method"):
        raise ValidationFailed("say which card (mada, visa, ...)", {"card_method": ["required"]})
    if tender == "voucher" and not data.get("voucher_code"):
        raise ValidationFailed("enter the voucher's code", {"voucher_code": ["required"]})
    shift = open_shift_now(session)
    if tender == "cash" and shift is None:
        raise Conflict("open a shift (the cash drawer) before taking cash", code="no_open_shift")
    branch = current_branch(session)
    now = utcnow()
    payment = Payment(
        id=payment_id,
        kind="payment",
        order_id=order.id,
        part_id=part.id,
        shift_id=shift.id if shift else None,
        business_day=business_day(branch, now),
        tender=tender,
        amount_minor=amount,
        tendered_minor=tendered,
        change_minor=change,
        tip_minor=data.get("tip_minor", 0),
        card_method=data.get("card_method", "") if tender == "card" else "",
        reference=data.get("reference", ""),
        last4=data.get("last4", "") if tender == "card" else "",
        voucher_code=data.get("voucher_code", "") if tender == "voucher" else "",
        actor_id=actor.staff_id,
        actor_name=actor.name,
        created_at=now,
    )
    session.add(payment)
    part.paid_minor += amount
    session.flush()
    record_event(session, "payment.recorded", "order", order.id, _payment_dict(payment))
    if part.paid_minor == part.total_minor:
        part.status = "paid"
        _issue_invoice(session, actor, order, part, bill, branch, data.get("print", True))
    if all(p.status == "paid" for p in parts):
        order.paid_at = now
        # Dine-in guests pay at the end; a takeaway or delivery paid first stays open for the
        # kitchen and closes when it is handed over.
        if order.type == OrderType.dine_in or order.status in HANDED_OVER.values():
            order.status, order.closed_at = OrderStatus.paid, now
        touch_order(session, order, "order.paid", actor, bill_checked=True)
    else:  # every screen showing the bill hears of it
        touch_order(session, order, "order.part_paid", actor, bill_checked=True)
    return bill_dict(session, order, bill)


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


def _amounts(tender: str, data: dict, remaining: int) -> tuple[int, int, int]:
    """(applied, tendered, change) for a tender against what remains due."""
    amount, tendered = data.get("amount_minor"), data.get("tendered_minor")
    if tender == "cash":
        if amount is None:
            amount = remaining if tendered is None else min(tendered, remaining)
        tendered = amount if tendered is None else tendered
        if tendered < amount:
            raise ValidationFailed(
                "the cash handed over is less than the amount",
                {"tendered_minor": [f"at least {amount}"]},
            )
    else:
        amount = remaining if amount is None else amount
        if tendered is not None and tendered != amount:
            raise ValidationFailed(
                "only cash gives change", {"tendered_minor": ["only for cash"]}, "overpayment"
            )
        tendered = amount
    if amount > remaining:
        raise ValidationFailed(
            f"only {remaining} is due; more than that can only be cash, with change",
            {"amount_minor": [f"at most {remaining}"]},
            "overpayment",
        )
    if amount <= 0 and remaining > 0:
        raise ValidationFailed("the amount must be more than zero", {"amount_minor": ["> 0"]})
    return amount, tendered, tendered - amount


def _whole_lines(bill: pricing.Bill) -> list[dict]:
    return [
        {
            "line_id": b.line.id,
            "name": b.line.name,
            "name_ar": b.line.name_ar,
            "quantity": b.line.quantity,
            "unit_price_minor": b.line.unit_price_minor,
            "amount_minor": b.amount_minor,
            "gross_minor": b.gross_minor,
            "modifiers": [],
            "adjustments": [_dump_adjustment(a) for a in b.adjustments],
        }
        for b in bill.lines
    ]


def _part_lines(part: BillPart, bill: pricing.Bill, order: Order) -> list[dict]:
    """What the part's receipt lists: its items, or its share of the whole."""
    if part.split_kind == "whole":
        return _whole_lines(bill)
    if not part.lines:
        amount = part.total_minor if bill.rule.inclusive else part.net_minor
        return [
            {
                "line_id": None,
                "name": f"Share {part.label} of order {order.number}",
                "name_ar": f"حصة {part.label} من الطلب {order.number}",
                "quantity": 1,
                "unit_price_minor": amount,
                "amount_minor": amount,
                "modifiers": [],
                "adjustments": [],
            }
        ]
    units = {b.line.id: b.line.unit_price_minor for b in bill.lines}
    return [
        {
            "line_id": pl["line_id"],
            "name": pl["name"],
            "name_ar": pl["name_ar"],
            "quantity": pl["quantity"],
            "unit_price_minor": units.get(pl["line_id"], 0),
            "amount_minor": pl["amount_minor"],
            "modifiers": [],
            "adjustments": [],
        }
        for pl in part.lines
    ]


def paper_header(branch: Branch) -> dict:
    """Who issues the paper: the branch's names, address, VAT number and time zone."""
    return {
        "name": branch.name,
        "name_ar": branch.name_ar or branch.name,
        "address": branch.address,
        "address_ar": branch.address_ar,
        "vat_number": branch.vat_number,
        "time_zone": branch.time_zone,
    }


def _document(branch, order, kind, part, issued_at, lines, bill) -> dict:
    """The receipt document (see printers/receipts.py) common to invoices, notes, pre-bills."""
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
        "part": (
            None
            if part is None or part.of == 1
            else {
                "number": part.number,
                "of": part.of,
                "label": part.label,
                "label_ar": part.label_ar,
            }
        ),
        "issued_at": issued_at.isoformat(),
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


def _issue_invoice(session, actor, order, part, bill, branch, print_it: bool = True) -> Invoice:
    """Number the paid part's simplified tax invoice (gapless), make its QR, print it."""
    number = next_value(session, INVOICE_COUNTER)
    issued_at = utcnow().replace(microsecond=0)
    lines = _part_lines(part, bill, order)
    doc = _document(branch, order, "invoice", part, issued_at, lines, bill)
    if part.split_kind == "whole":
        adjustments = [_dump_adjustment(a) for a in bill.order_adjustments]
    else:
        base = part.total_minor if bill.rule.inclusive else part.net_minor
        share = base - sum(line["amount_minor"] for line in lines)
        adjustments = (
            [
                {
                    "label": "Share of order charges",
                    "label_ar": "حصة من رسوم الطلب",
                    "amount_minor": share,
                }
            ]
            if share
            else []
        )
    payments = [
        _payment_dict(p)
        for p in session.scalars(
            select(Payment).where(Payment.part_id == part.id).order_by(Payment.created_at)
        )
    ]
    qr = zatca.simplified_invoice_qr(
        branch.name,
        branch.vat_number,
        issued_at,
        part.total_minor,
        part.vat_minor,
        branch.currency_exponent,
    )
    display = f"INV-{number:06d}"
    doc.update(
        number=display,
        adjustments=adjustments,
        net_minor=part.net_minor,
        vat_minor=part.vat_minor,
        total_minor=part.total_minor,
        payments=payments,
        qr=qr,
    )
    discounts = -sum(
        a["amount_minor"]
        for a in adjustments + [a for line in lines for a in line["adjustments"]]
        if a["amount_minor"] < 0
    )
    invoice = Invoice(
        kind="invoice",
        number=number,
        display_number=display,
        order_id=order.id,
        part_id=part.id,
        issued_at=issued_at,
        business_day=business_day(branch, issued_at),
        currency=branch.currency,
        total_minor=part.total_minor,
        vat_minor=part.vat_minor,
        net_minor=part.net_minor,
        discount_minor=discounts if part.split_kind in ("whole", "items", "seats") else 0,
        service_charge_minor=bill.service_charge_minor if part.split_kind == "whole" else 0,
        qr=qr,
        document=doc,
        actor_id=actor.staff_id,
    )
    session.add(invoice)
    session.flush()
    part.invoice_id = invoice.id
    record_event(session, "invoice.issued", "invoice", display, invoice_event(invoice))
    if print_it:
        document_printing.send(session, kind="receipt", document=doc, ref=f"invoice:{invoice.id}")
    return invoice


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
    if isinstance(invoice_id, str) and not invoice_id.isdigit():
        invoice = session.scalar(
            select(Invoice).where(Invoice.display_number == invoice_id.upper())
        )
    else:
        invoice = session.get(Invoice, int(invoice_id))
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}")
    return invoice


def reprint_invoice(session: Session, actor: Actor, invoice_id) -> Invoice:
    """Print an invoice or credit note again, marked REPRINT; audited."""
    require_role(actor, ORDER_TAKERS, "reprinting receipts")
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


# --- refunds -----------------------------------------------------------------------------------


def refund(
    session: Session, actor: Actor, invoice_id, data: dict, approver: Staff | None = None
) -> Invoice:
    """Refund all or part of a paid invoice (by lines or by amount) with a reason and a
    manager's approval: a credit note referencing the invoice, the money paid back by a
    tender, audited. Never more than was paid and not yet refunded."""
    require_role(actor, CASH_HANDLERS, "refunds")
    approved = actor if actor.role in MANAGERS else None
    approver_id = actor.staff_id
    if approved is None:
        approver_id = check_approver(actor, approver, "refund").id
    invoice = get_invoice(session, invoice_id)
    if invoice.kind != "invoice":
        raise Conflict("a credit note cannot be refunded", code="not_an_invoice")
    refundable = invoice.total_minor - invoice.refunded_minor
    amount = _refund_amount(invoice, data, refundable)
    if amount <= 0 or amount > refundable:
        raise ValidationFailed(
            f"at most {refundable} can still be refunded on {invoice.display_number}",
            {"amount_minor": [f"between 1 and {refundable}"]},
            "refund_too_large",
        )
    credited_vat = sum(
        n.vat_minor
        for n in session.scalars(select(Invoice).where(Invoice.references_id == invoice.id))
    )
    vat = (
        invoice.vat_minor - credited_vat
        if amount == refundable
        else min(
            tax.vat_of_gross(amount, invoice.document.get("vat_rate_bp", 0)),
            invoice.vat_minor - credited_vat,
        )
    )
    tender = data.get("tender") or _main_tender(invoice)
    shift = open_shift_now(session)
    if tender == "cash" and shift is None:
        raise Conflict("open a shift before paying cash back", code="no_open_shift")
    branch = current_branch(session)
    number = next_value(session, CREDIT_NOTE_COUNTER)
    issued_at = utcnow().replace(microsecond=0)
    display = f"CN-{number:06d}"
    doc = dict(invoice.document)
    doc.update(
        kind="credit_note",
        number=display,
        references=invoice.display_number,
        reason=data["reason"],
        issued_at=issued_at.isoformat(),
        lines=_refund_lines(invoice, data, amount),
        adjustments=[],
        total_minor=amount,
        vat_minor=vat,
        net_minor=amount - vat,
        payments=[
            {
                "tender": tender,
                "amount_minor": amount,
                "tendered_minor": amount,
                "change_minor": 0,
                "tip_minor": 0,
                "card_method": "",
                "last4": "",
                "reference": "",
            }
        ],
    )
    doc["qr"] = zatca.simplified_invoice_qr(
        branch.name, branch.vat_number, issued_at, amount, vat, branch.currency_exponent
    )
    note = Invoice(
        kind="credit_note",
        number=number,
        display_number=display,
        order_id=invoice.order_id,
        part_id=invoice.part_id,
        references_id=invoice.id,
        issued_at=issued_at,
        business_day=business_day(branch, issued_at),
        currency=invoice.currency,
        total_minor=amount,
        vat_minor=vat,
        net_minor=amount - vat,
        restock=bool(data.get("restock", False)),
        reason=data["reason"],
        qr=doc["qr"],
        document=doc,
        actor_id=actor.staff_id,
        approver_id=approver_id,
    )
    session.add(note)
    session.flush()
    session.add(
        Payment(
            id=str(uuid.uuid4()),
            kind="refund",
            order_id=invoice.order_id,
            part_id=invoice.part_id,
            credit_note_id=note.id,
            shift_id=shift.id if shift else None,
            business_day=note.business_day,
            tender=tender,
            amount_minor=amount,
            tendered_minor=amount,
            actor_id=actor.staff_id,
            actor_name=actor.name,
            reference=data.get("reference", ""),
        )
    )
    before = invoice.refunded_minor
    invoice.refunded_minor += amount
    record_audit(
        session,
        actor,
        "invoice.refunded",
        "invoice",
        invoice.display_number,
        {"refunded_minor": before},
        {"refunded_minor": invoice.refunded_minor, "credit_note": display, "tender": tender},
        reason=data["reason"],
        approver_id=approver_id,
    )
    record_event(session, "credit_note.issued", "invoice", display, invoice_event(note))
    if data.get("print", True):
        document_printing.send(session, kind="receipt", document=doc, ref=f"invoice:{note.id}")
    return note


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


def _refund_lines(invoice: Invoice, data: dict, amount: int) -> list[dict]:
    if data.get("lines"):
        lines = {line["line_id"]: line for line in invoice.document.get("lines", [])}
        out = []
        for entry in data["lines"]:
            line = dict(lines[entry["line_id"]])
            line["amount_minor"] = -tax.round_half_up(
                line["amount_minor"] * entry["quantity"], line["quantity"]
            )
            line["quantity"] = entry["quantity"]
            line["adjustments"] = []
            out.append(line)
        return out
    return [
        {
            "line_id": None,
            "name": f"Refund on {invoice.display_number}",
            "name_ar": f"استرداد من {invoice.display_number}",
            "quantity": 1,
            "unit_price_minor": -amount,
            "amount_minor": -amount,
            "modifiers": [],
            "adjustments": [],
        }
    ]
