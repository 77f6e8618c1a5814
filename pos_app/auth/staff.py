"""Staff rules: who may manage whom, unique PINs, hashing secrets, revoking on deactivation."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth import passwords
from pos_app.auth.actor import Actor
from pos_app.auth.models import BACK_OFFICE, Role, Staff
from pos_app.auth.services import AuthSettings, find_staff_by_pin
from pos_app.auth.tokens import revoke_all_for
from pos_app.errors import Conflict, Forbidden


def prepare_staff_change(
    session: Session, actor: Actor, staff: Staff, data: dict, is_new: bool, settings: AuthSettings
) -> None:
    """Check and apply the parts of a staff change that need rules; `data` keeps the rest."""
    new_role = data.get("role", None if is_new else staff.role)
    _check_may_manage(actor, staff, new_role, is_new)
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    secrets_changed = False
    secrets_given = sorted(name for name in ("pin", "password") if name in data)
    if "pin" in data:
        secrets_changed |= _set_pin(session, staff, data.pop("pin"), settings)
    if "password" in data:
        password = data.pop("password")
        staff.password_hash = (
            passwords.hash_secret(password, settings.hashing) if password else None
        )
        secrets_changed = True
    if data.get("active") is False and (is_new or staff.active):
        check_may_deactivate(session, actor, staff)
    if (
        not is_new
        and data.get("active") is True
        and not staff.active
        and "pin" not in secrets_given
    ):
        _check_pin_still_free(session, staff)
    if not is_new and (secrets_changed or data.get("active") is False):
        revoke_all_for(session, staff.id)
    if not is_new and secrets_given:
        # Write-only fields never show in the before/after of "staff.updated": say what changed.
        record_audit(
            session,
            actor,
            "staff.secrets_changed",
            "staff",
            staff.id,
            after={"changed": secrets_given},
        )


def _check_may_manage(actor: Actor, staff: Staff, new_role, is_new: bool) -> None:
    touches_back_office = new_role in BACK_OFFICE or (not is_new and staff.role in BACK_OFFICE)
    if touches_back_office and actor.role != Role.owner and actor.staff_id != staff.id:
        raise Forbidden("only an owner may manage owners and managers", code="forbidden_role")
    if actor.staff_id == staff.id and new_role != staff.role and not is_new:
        raise Forbidden("you may not change your own role", code="forbidden_role")


def _set_pin(session: Session, staff: Staff, pin: str | None, settings: AuthSettings) -> bool:
    if not pin:
        staff.pin_hash = staff.pin_tag = None
        return True
    holder = find_staff_by_pin(session, pin, settings)
    if holder is not None and holder is not staff:
        raise Conflict(
            "another staff member has this PIN", {"pin": ["already in use"]}, "duplicate"
        )
    staff.pin_hash = passwords.hash_secret(pin, settings.hashing)
    staff.pin_tag = passwords.pin_tag(pin, settings.secret_key)
    return True


def _check_pin_still_free(session: Session, staff: Staff) -> None:
    """Reactivation: nobody active took this PIN meanwhile (else a login could pick either)."""
    if not staff.pin_tag:
        return
    clash = session.scalar(
        select(Staff.id)
        .where(Staff.pin_tag == staff.pin_tag, Staff.active, Staff.id != staff.id)
        .limit(1)
    )
    if clash is not None:
        raise Conflict(
            "another staff member now has this PIN: give a new PIN with the reactivation",
            {"pin": ["already in use"]},
            "duplicate",
        )


def check_may_deactivate(session: Session, actor: Actor, staff: Staff) -> None:
    """Nobody deactivates themselves, only an owner deactivates owners and managers, and the
    last active owner stays."""
    if staff.id is not None and staff.id == actor.staff_id:
        raise Conflict("you may not deactivate yourself", code="self_deactivation")
    if staff.role in BACK_OFFICE and actor.role != Role.owner:
        raise Forbidden("only an owner may manage owners and managers", code="forbidden_role")
    if staff.role == Role.owner:
        owners = session.scalar(
            select(func.count()).select_from(Staff).where(Staff.role == Role.owner, Staff.active)
        )
        if owners <= 1:
            raise Conflict("the last active owner may not be deactivated", code="last_owner")
