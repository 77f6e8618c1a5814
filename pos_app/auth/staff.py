"""Staff rules: who may manage whom, PINs the server issues, hashing secrets, revoking tokens.

PINs are chosen by the server through the API (a random free one, shown once): an endpoint
that took a chosen PIN and refused one in use would tell which PINs are in use. The command
line, run by the machine's operator, may still set a chosen PIN.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth import passwords
from pos_app.auth.actor import Actor, require_strong
from pos_app.auth.models import Role, Staff
from pos_app.auth.ratelimit import Limit, hold, locked, record_failure
from pos_app.auth.roles import BACK_OFFICE
from pos_app.auth.services import AuthSettings
from pos_app.auth.tokens import revoke_all_for
from pos_app.errors import Conflict, Forbidden, RateLimited

# PINs one actor may have issued in an hour: each issued PIN shows one PIN nobody holds, so
# enough of them would map the ones in use (about 98,000 draws for 4 digits: 200 days).
PIN_ISSUES = Limit.plain(20, 3600)


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
    if "pin" in data:  # the command line only: the API's schema refuses a chosen PIN
        secrets_changed |= set_chosen_pin(session, staff, data.pop("pin"), settings)
    if "password" in data:
        password = data.pop("password")
        staff.password_hash = (
            passwords.hash_secret(password, settings.hashing) if password else None
        )
        secrets_changed = True
    if data.get("active") is False and (is_new or staff.active):
        check_may_deactivate(session, actor, staff)
    if not is_new and data.get("active") is True and not staff.active:
        _check_pin_still_free(session, staff)
    role_changed = not is_new and new_role != staff.role
    if not is_new and (secrets_changed or role_changed or data.get("active") is False):
        # A new role signs its devices out: their open sockets sit in the old role's rooms
        # (a demoted manager would still hear the till).
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


def set_chosen_pin(session: Session, staff: Staff, pin: str | None, settings) -> bool:
    """Set a PIN the operator chose (command line, demo); 409 when someone has it already."""
    if not pin:
        staff.pin_hash = staff.pin_tag = None
        return True
    tag = passwords.pin_tag(pin, settings.secret_key)
    if _tag_taken(session, tag, staff):
        raise Conflict(
            "another staff member has this PIN", {"pin": ["already in use"]}, "duplicate"
        )
    staff.pin_hash = passwords.hash_secret(pin, settings.hashing)
    staff.pin_tag = tag
    return True


def issue_pin(session: Session, actor: Actor, staff: Staff, settings: AuthSettings) -> str:
    """Give `staff` a new random PIN nobody else holds (active or not); returned once.

    Revokes their tokens and is audited without the PIN; limited per actor (PIN_ISSUES).
    """
    _check_may_manage(actor, staff, staff.role, False)
    require_strong(actor)
    key = {f"pin-issue:{actor.staff_id}": PIN_ISSUES}
    hold(session, key)
    wait = locked(session, key)[1]
    if wait > 0:
        raise RateLimited(f"too many PINs issued; try again in {wait} seconds", wait)
    digits = min(8, max(4, settings.pin_digits))
    while True:
        pin = passwords.random_pin(digits)
        tag = passwords.pin_tag(pin, settings.secret_key)
        if not _tag_taken(session, tag, staff):
            break
    staff.pin_hash = passwords.hash_secret(pin, settings.hashing)
    staff.pin_tag = tag
    record_failure(session, key)  # counts the issue (the table counts tries of secrets)
    revoke_all_for(session, staff.id)
    record_audit(
        session, actor, "staff.secrets_changed", "staff", staff.id, after={"changed": ["pin"]}
    )
    return pin


def _tag_taken(session: Session, tag: str, staff: Staff) -> bool:
    """True if anyone but `staff`, active or not, has a PIN with this tag."""
    stmt = select(Staff.id).where(Staff.pin_tag == tag)
    if staff.id is not None:
        stmt = stmt.where(Staff.id != staff.id)
    return session.scalar(stmt.limit(1)) is not None


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
            "another staff member now has this PIN: issue a new one first "
            "(POST /api/v1/staff/{id}/pin), then reactivate",
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


def reset_totp(session: Session, actor: Actor, staff: Staff) -> None:
    """Turn off someone's two-factor sign-in (their phone was lost or replaced): an owner only,
    never their own (that is proven with a code on the security page), for an owner or manager
    who has it. Their sessions end; they sign in with the password and enrol again."""
    if actor.role != Role.owner:
        raise Forbidden("only an owner resets two-factor sign-in", code="forbidden_role")
    require_strong(actor)
    if staff.id == actor.staff_id:
        raise Conflict(
            "turn your own two-factor sign-in off from the security page", code="own_totp"
        )
    if not staff.totp_enabled and not staff.totp_secret:
        raise Conflict(f"{staff.name} has no two-factor sign-in", code="no_totp")
    staff.totp_secret, staff.totp_enabled_at, staff.totp_last_step = None, None, None
    revoke_all_for(session, staff.id)
    record_audit(session, actor, "staff.totp_reset", "staff", staff.id, after={"name": staff.name})
