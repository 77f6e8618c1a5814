"""Login, logout and two-factor enrolment: the services behind the auth API and pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth import passwords
from pos_app.auth.actor import Actor
from pos_app.auth.models import BACK_OFFICE, Role, Staff
from pos_app.auth.ratelimit import check_login_allowed, record_login_failure
from pos_app.auth.tokens import issue_token
from pos_app.clock import utcnow
from pos_app.errors import Conflict, Forbidden, Unauthorized, ValidationFailed


@dataclass(frozen=True)
class AuthSettings:
    """What the auth services need from the app's configuration."""

    secret_key: str
    token_ttl_hours: int
    max_failures: int
    window_s: int
    hashing: str

    @classmethod
    def from_config(cls, config) -> AuthSettings:
        """Read them from a Flask config."""
        return cls(
            config["SECRET_KEY"],
            config["POS_TOKEN_TTL_HOURS"],
            config["POS_LOGIN_MAX_FAILURES"],
            config["POS_LOGIN_WINDOW_SECONDS"],
            config["POS_PASSWORD_HASHING"],
        )


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the raw token and who it is for; or the error to answer."""

    token: str | None
    staff: Staff | None
    error: Unauthorized | None = None


def find_staff_by_pin(session: Session, pin: str, settings: AuthSettings) -> Staff | None:
    """The active staff member whose PIN this is, or None."""
    tag = passwords.pin_tag(pin, settings.secret_key)
    candidates = session.scalars(select(Staff).where(Staff.pin_tag == tag, Staff.active)).all()
    for staff in candidates:
        if passwords.verify_secret(staff.pin_hash, pin, settings.hashing):
            return staff
    return None


def login_with_pin(session: Session, pin: str, device: str, settings: AuthSettings) -> LoginResult:
    """Sign in with a PIN (handhelds and kitchen screens); counts failures per device."""
    keys = [f"device:{device}"]
    check_login_allowed(session, keys, settings.max_failures, settings.window_s)
    staff = find_staff_by_pin(session, pin, settings)
    if staff is None:
        record_login_failure(session, keys, settings.window_s)
        return LoginResult(None, None, Unauthorized("wrong PIN", code="wrong_credentials"))
    return LoginResult(_grant(session, staff, device, "pin", settings), staff)


def login_with_password(
    session: Session, email: str, password: str, otp: str | None, device: str, settings
) -> LoginResult:
    """Sign in to the back office with email, password and (once enrolled) a TOTP code."""
    email = email.strip().lower()
    keys = [f"device:{device}", f"account:{email}"]
    check_login_allowed(session, keys, settings.max_failures, settings.window_s)
    staff = session.scalar(select(Staff).where(func.lower(Staff.email) == email, Staff.active))
    ok = staff is not None and passwords.verify_secret(
        staff.password_hash, password, settings.hashing
    )
    if ok and staff.totp_enabled:
        step = passwords.verify_totp(staff.totp_secret, otp, staff.totp_last_step)
        if step is None:
            record_login_failure(session, keys, settings.window_s)
            message = "a two-factor code is required" if not otp else "wrong two-factor code"
            error = Unauthorized(message, {"otp": [message]}, "otp_required")
            return LoginResult(None, None, error)
        staff.totp_last_step = step
    if not ok:
        record_login_failure(session, keys, settings.window_s)
        error = Unauthorized("wrong email or password", code="wrong_credentials")
        return LoginResult(None, None, error)
    return LoginResult(_grant(session, staff, device, "password", settings), staff)


def _grant(session: Session, staff: Staff, device: str, method: str, settings) -> str:
    token = issue_token(session, staff, settings.token_ttl_hours, device, method)
    record_audit(
        session,
        Actor.of(staff, method),
        "auth.login",
        "staff",
        staff.id,
        after={"method": method, "device": device},
    )
    return token


def begin_totp_enrolment(session: Session, actor: Actor, issuer: str) -> tuple[str, str]:
    """Give the actor a new (unconfirmed) TOTP secret; returns (secret, otpauth URI)."""
    staff = _back_office_staff(session, actor)
    if staff.totp_enabled:
        raise Conflict("two-factor sign-in is already enabled", code="totp_enabled")
    staff.totp_secret = passwords.new_totp_secret()
    account = staff.email or staff.name
    return staff.totp_secret, passwords.totp_uri(staff.totp_secret, account, issuer)


def confirm_totp(session: Session, actor: Actor, code: str) -> None:
    """Turn two-factor sign-in on once the actor proves their app shows the right code."""
    staff = _back_office_staff(session, actor)
    if staff.totp_enabled:
        raise Conflict("two-factor sign-in is already enabled", code="totp_enabled")
    if not staff.totp_secret:
        raise Conflict("start the enrolment first", code="totp_not_started")
    if passwords.verify_totp(staff.totp_secret, code) is None:
        raise Unauthorized("wrong two-factor code", {"code": ["wrong code"]}, "wrong_otp")
    staff.totp_enabled_at = utcnow()
    record_audit(session, actor, "auth.totp_enabled", "staff", staff.id)


def _back_office_staff(session: Session, actor: Actor) -> Staff:
    if actor.role not in BACK_OFFICE:
        raise Forbidden("two-factor sign-in is for owners and managers", code="forbidden_role")
    return session.get(Staff, actor.staff_id)


def issue_device_token(
    session: Session, actor: Actor, staff_id: int, device: str, days: int
) -> str:
    """A long-lived token for a kitchen screen, bound to a kitchen login; audited."""
    if actor.role not in BACK_OFFICE:
        raise Forbidden("device tokens are issued by owners and managers", code="forbidden_role")
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.role != Role.kitchen:
        raise ValidationFailed(
            "device tokens are for active kitchen logins",
            {"staff_id": ["not an active kitchen login"]},
        )
    token = issue_token(session, staff, days * 24, f"device:{device}", "device")
    record_audit(
        session,
        actor,
        "auth.device_token_issued",
        "staff",
        staff.id,
        after={"device": device, "days": days},
    )
    return token
