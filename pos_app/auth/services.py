"""Login, step-up, two-factor enrolment, device tokens: the services behind the auth API and
pages (the limits they count under are in pinguard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth import devices, passwords, pinguard
from pos_app.auth.actor import Actor, require_strong
from pos_app.auth.devices import LoginSource
from pos_app.auth.models import Role, Staff
from pos_app.auth.ratelimit import DAY_S, Limit
from pos_app.auth.roles import BACK_OFFICE
from pos_app.auth.tokens import issue_token, make_strong
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
    lock_cap_s: int = 28800
    pin_budget: int = 10
    pin_lock_s: int = 3600
    pin_alert_failures: int = 30
    step_up_s: int = 600
    device_days: int = 180
    pin_digits: int = 4

    @classmethod
    def from_config(cls, config) -> AuthSettings:
        """Read them from a Flask config."""
        return cls(
            config["SECRET_KEY"],
            config["POS_TOKEN_TTL_HOURS"],
            config["POS_LOGIN_MAX_FAILURES"],
            config["POS_LOGIN_WINDOW_SECONDS"],
            config["POS_PASSWORD_HASHING"],
            config["POS_LOGIN_LOCK_CAP_SECONDS"],
            config["POS_LOGIN_PIN_BUDGET"],
            config["POS_LOGIN_PIN_LOCK_SECONDS"],
            config["POS_LOGIN_PIN_ALERT_FAILURES"],
            config["POS_STEP_UP_SECONDS"],
            config["POS_LOGIN_DEVICE_DAYS"],
            config["POS_PIN_DIGITS"],
        )

    @property
    def limits(self) -> pinguard.Limits:
        """The rate limits these settings describe."""
        return pinguard.Limits(
            plain=Limit.plain(self.max_failures, self.window_s),
            device=Limit.escalating(self.max_failures, self.window_s, self.lock_cap_s),
            pin_space=Limit.escalating(self.pin_budget, self.pin_lock_s, DAY_S),
            pin_alert=Limit(self.pin_alert_failures, 0, 0, DAY_S),
        )


@dataclass(frozen=True)
class LoginResult:
    """A successful login (the raw token, who it is for, the device's id); or the error."""

    token: str | None
    staff: Staff | None
    error: Unauthorized | None = None
    device_id: str | None = None


def find_staff_by_pin(session: Session, pin: str, settings: AuthSettings) -> Staff | None:
    """The active staff member whose PIN this is, or None.

    Always at least one argon2 check, a decoy when no tag matches: a wrong PIN and a PIN of
    someone who may not do the thing take the same time.
    """
    tag = passwords.pin_tag(pin, settings.secret_key)
    candidates = session.scalars(select(Staff).where(Staff.pin_tag == tag, Staff.active)).all()
    for staff in candidates:
        if passwords.verify_secret(staff.pin_hash, pin, settings.hashing):
            return staff
    if not candidates:
        passwords.verify_secret(None, pin, settings.hashing)
    return None


def login_with_pin(
    session: Session, pin: str, source: LoginSource, settings, begin_writing=None
) -> LoginResult:
    """Sign in with a PIN (handhelds and kitchen screens); see pinguard for the limits.

    With `begin_writing` (the boundary's db.begin_writing) the PIN's argon2 check runs in a
    read transaction, and the limits and the staff member are checked again in the writer's
    one that counts the failure or issues the token: five waiters signing in at once held
    SQLite's write lock about 150 ms each, and every order waited behind them.
    """
    attempt = pinguard.for_pin_login(session, source, settings.limits, settings.device_days)
    attempt.check(session)
    staff = find_staff_by_pin(session, pin, settings)
    if begin_writing is not None:
        staff = _still_theirs(session, staff, begin_writing)
        attempt.check(session)  # failures counted meanwhile (other tries) count
    if staff is None:
        attempt.fail(session, "login")
        return LoginResult(None, None, Unauthorized("wrong PIN", code="wrong_credentials"))
    return _grant(session, staff, source, "pin", settings)


def _still_theirs(session: Session, staff: Staff | None, begin_writing) -> Staff | None:
    """`staff` after `begin_writing`, unless deactivated or given a new PIN meanwhile."""
    checked_hash = staff.pin_hash if staff is not None else None
    begin_writing(session)
    if staff is None:
        return None
    session.refresh(staff)
    return staff if staff.active and staff.pin_hash == checked_hash else None


def login_with_password(
    session: Session, email: str, password: str, otp: str | None, source: LoginSource, settings
) -> LoginResult:
    """Sign in to the back office with email, password and (once enrolled) a TOTP code."""
    email = email.strip().lower()
    attempt = pinguard.for_password(session, source, settings.limits, email, settings.device_days)
    attempt.check(session)
    staff = session.scalar(select(Staff).where(func.lower(Staff.email) == email, Staff.active))
    # An unknown email costs the same argon2 check as a wrong password (a decoy hash).
    error = _check_password(session, staff, password, otp, settings)
    if error is not None:
        attempt.fail(session, "password")
        return LoginResult(None, None, error)
    return _grant(session, staff, source, "password", settings)


def _check_password(session, staff: Staff | None, password: str, otp, settings):
    """None if the password (and the TOTP code, once enrolled) is right, else the error."""
    stored = staff.password_hash if staff is not None else None
    if not passwords.verify_secret(stored, password, settings.hashing):
        return Unauthorized("wrong email or password", code="wrong_credentials")
    if staff.totp_enabled:
        step = passwords.verify_totp(staff.totp_secret, otp, staff.totp_last_step)
        if step is None:
            message = "a two-factor code is required" if not otp else "wrong two-factor code"
            return Unauthorized(message, {"otp": [message]}, "otp_required")
        staff.totp_last_step = step
    return None


def step_up(session, actor: Actor, raw_token: str, body: dict, source, settings):
    """Make a PIN sign-in strong for a while by confirming password (and TOTP code).

    Returns (until, None), or (None, the error to answer after committing the failure).
    """
    staff = session.get(Staff, actor.staff_id)
    if actor.role not in BACK_OFFICE or staff is None:
        raise Forbidden("confirming a password is for owners and managers", code="forbidden_role")
    account = staff.email or f"staff:{staff.id}"
    attempt = pinguard.for_password(session, source, settings.limits, account, settings.device_days)
    attempt.check(session)
    error = _check_password(session, staff, body["password"], body.get("otp"), settings)
    if error is not None:
        attempt.fail(session, "step-up")
        return None, error
    until = utcnow() + timedelta(seconds=settings.step_up_s)
    make_strong(session, raw_token, until)
    record_audit(
        session, actor, "auth.step_up", "staff", staff.id, after={"until": until.isoformat()}
    )
    return until, None


@dataclass(frozen=True)
class PinMatch:
    """What an approval PIN's argon2 check found in a read transaction: the staff member it
    is (None: nobody active) and the PIN hash it was checked against."""

    staff_id: int | None
    pin_hash: str | None


def find_approver(session, actor: Actor, pin: str, source: LoginSource, settings) -> PinMatch:
    """An approval PIN's slow part (the limits first, then argon2), for Command.prepare: run
    in a read transaction so the write lock is free meanwhile; check_approval_pin takes it
    up in the writer's transaction."""
    attempt = pinguard.for_approval(session, actor, source, settings.limits, settings.device_days)
    attempt.check(session)
    staff = find_staff_by_pin(session, pin, settings)
    return PinMatch(staff.id, staff.pin_hash) if staff is not None else PinMatch(None, None)


def check_approval_pin(
    session, actor: Actor, pin: str, source: LoginSource, settings, found: PinMatch | None = None
):
    """The staff member approving with `pin`: an active owner or manager, or the actor
    themselves (refused later as self-approval); None otherwise, with the failure counted.

    A waiter's PIN answers like a wrong one (and costs the same argon2 check), so approvals
    do not tell which PINs belong to someone. With `found` (find_approver's answer, checked
    before this transaction) no argon2 runs here: the limits are checked again (tries made
    meanwhile count) and the staff member must still be active with the same PIN.
    """
    attempt = pinguard.for_approval(session, actor, source, settings.limits, settings.device_days)
    attempt.check(session)
    if found is None:
        staff = find_staff_by_pin(session, pin, settings)
    else:
        staff = session.get(Staff, found.staff_id) if found.staff_id is not None else None
        if staff is not None and not (staff.active and staff.pin_hash == found.pin_hash):
            staff = None
    if staff is not None and (staff.id == actor.staff_id or staff.role in BACK_OFFICE):
        return staff
    attempt.fail(session, "approval")
    return None


def _grant(session: Session, staff: Staff, source: LoginSource, method: str, settings):
    """Issue the token; the device (given or new) is known from now on."""
    device_id = source.device_id or devices.new_device_id()
    devices.remember(session, device_id, staff.id)
    label = LoginSource(device_id, source.address).label
    token = issue_token(session, staff, settings.token_ttl_hours, label, method)
    record_audit(
        session,
        Actor.of(staff, method),
        "auth.login",
        "staff",
        staff.id,
        after={"method": method, "device": label},
    )
    return LoginResult(token, staff, None, device_id)


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
    step = passwords.verify_totp(staff.totp_secret, code)
    if step is None:
        raise Unauthorized("wrong two-factor code", {"code": ["wrong code"]}, "wrong_otp")
    staff.totp_last_step = step  # the code that confirmed cannot sign in as well
    staff.totp_enabled_at = utcnow()
    record_audit(session, actor, "auth.totp_enabled", "staff", staff.id)


def _back_office_staff(session: Session, actor: Actor) -> Staff:
    if actor.role not in BACK_OFFICE:
        raise Forbidden("two-factor sign-in is for owners and managers", code="forbidden_role")
    require_strong(actor)  # a PIN must not lock its owner's password login behind a new code
    return session.get(Staff, actor.staff_id)


def issue_device_token(
    session: Session, actor: Actor, staff_id: int, device: str, days: int
) -> str:
    """A long-lived token for a kitchen screen, bound to a kitchen login; audited."""
    if actor.role not in BACK_OFFICE:
        raise Forbidden("device tokens are issued by owners and managers", code="forbidden_role")
    require_strong(actor)
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
