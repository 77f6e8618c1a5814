"""Discounts, comps and price overrides: a manager approves above the branch's threshold
(never the actor themselves); every one is audited with actor, approver and reason."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor
from pos_app.auth.models import Role, Staff
from pos_app.auth.roles import BACK_OFFICE
from pos_app.billing import pricing
from pos_app.billing.bills import bill_dict, compute_bill, order_for_billing, parts_of
from pos_app.billing.models import Discount
from pos_app.branch.models import Branch
from pos_app.branch.services import current_branch
from pos_app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pos_app.orders.services import touch_order
from pos_app.reports import sources as report_sources


def needs_approval(actor: Actor, branch: Branch, bill: pricing.Bill, discount: Discount) -> bool:
    """Comps, and discounts above the branch's threshold, need a manager unless one gives them."""
    if actor.role in BACK_OFFICE:
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
    if Role(approver.role) not in BACK_OFFICE or not approver.active:
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
    discount = _new_discount(order, actor, data)
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
    _audit_discount(session, actor, order, discount, before, after)
    touch_order(session, order, "order.discounted", actor)
    return bill_dict(session, order)


def _new_discount(order, actor: Actor, data: dict) -> Discount:
    """The discount asked for (its id from the device, so a retry is found)."""
    return Discount(
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


def _audit_discount(session, actor, order, discount: Discount, before, after) -> None:
    """The bill's total before and after, what was taken off, why and who approved."""
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
    line = next((li for li in order.lines if li.id == discount.line_id), None)
    report_sources.adjustment(
        session,
        "comp" if discount.kind == "comp" else "discount",
        actor,
        amount_minor=before.total_minor - after.total_minor,
        reason=discount.reason,
        order_number=order.number,
        item=line.name if line is not None else "",
        quantity=line.quantity if line is not None else 0,
        approver_id=discount.approver_id,
    )


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
    if actor.role not in BACK_OFFICE:
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
    report_sources.adjustment(
        session,
        "price",
        actor,
        amount_minor=(before - line.unit_price_minor) * line.quantity,
        reason=data["reason"],
        order_number=order.number,
        item=line.name,
        quantity=line.quantity,
        approver_id=approver_id,
    )
    touch_order(session, order, "order.price_overridden", actor)
    return bill_dict(session, order)
