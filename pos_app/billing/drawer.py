"""The cash drawer: shifts with a float, cash in and out, opening the drawer without a sale.
The X and Z reports that count it are in billing/till_report.py.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_role
from pos_app.auth.roles import CASH_HANDLERS
from pos_app.billing.bills import open_shift_now
from pos_app.billing.models import CashMovement, Shift
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.errors import Conflict
from pos_app.locks import lock_key
from pos_app.outbox import record_event
from pos_app.signals import document_printing


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
