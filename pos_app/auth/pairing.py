"""Kitchen screens paired by a short code instead of a typed token.

The screen opens /pair (not signed in): the server makes a pairing with a six-character code,
shown big on the screen (and as a QR code of the back-office page that takes it), and keeps a
random secret in the screen's session cookie (only its SHA-256 is stored). A manager or the
owner, signed in with their password, types the code in the back office and picks the kitchen
login the screen works as. The screen, asking every two seconds with its secret, then gets a
device token (as POST /auth/device-tokens would issue) and opens the kitchen display.

A code lives ten minutes and pairs one screen; wrong codes count against the manager who
types them (10 in 10 minutes lock them out for 10 minutes), so codes cannot be guessed from
the back office, and the screen's secret never leaves its cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor, require_strong
from pos_app.auth.models import Role, ScreenPairing, Staff
from pos_app.auth.ratelimit import Limit, hold, locked, record_failure
from pos_app.auth.roles import BACK_OFFICE
from pos_app.auth.tokens import issue_token
from pos_app.clock import utcnow
from pos_app.errors import Forbidden, NotFound, RateLimited, ValidationFailed
from pos_app.locks import lock_key

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a screen across a kitchen
CODE_LENGTH = 6
LIFETIME = timedelta(minutes=10)
MAX_WAITING = 50  # screens waiting at once; more is someone filling the table
DEVICE_DAYS = 365
WRONG_CODES = Limit.plain(10, 600)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize(code: str) -> str:
    """A code as typed ("k7q 4mz", "K7Q-4MZ") as stored ("K7Q4MZ")."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def start(session: Session) -> tuple[str, ScreenPairing]:
    """A new pairing: (the secret for the screen's cookie, the row with its code)."""
    now = utcnow()
    session.execute(delete(ScreenPairing).where(ScreenPairing.expires_at < now))
    waiting = session.scalar(
        select(func.count()).select_from(ScreenPairing).where(ScreenPairing.claimed_at.is_(None))
    )
    if waiting >= MAX_WAITING:
        raise RateLimited("too many screens are waiting to be paired; try in a few minutes", 60)
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(ScreenPairing.id).where(ScreenPairing.code == code)) is None:
            break
    secret = secrets.token_urlsafe(32)
    pairing = ScreenPairing(
        code=code, secret_hash=_digest(secret), created_at=now, expires_at=now + LIFETIME
    )
    session.add(pairing)
    session.flush()
    return secret, pairing


def waiting(session: Session, secret: str | None) -> ScreenPairing | None:
    """The screen's pairing, unexpired and unclaimed, or None."""
    if not secret:
        return None
    pairing = session.scalar(
        select(ScreenPairing).where(ScreenPairing.secret_hash == _digest(secret))
    )
    if pairing is None or pairing.claimed_at is not None or pairing.expires_at <= utcnow():
        return None
    return pairing


def approve(
    session: Session, actor: Actor, code: str, staff_id: int, device_name: str
) -> tuple[ScreenPairing | None, int]:
    """Pair the screen showing `code` with the kitchen login `staff_id`: (pairing, 0), or
    (None, seconds locked) when the code is wrong (counted against the actor, so the caller
    commits the count and answers 404)."""
    if actor.role not in BACK_OFFICE:
        raise Forbidden("screens are paired by owners and managers", code="forbidden_role")
    require_strong(actor)
    key = {f"pairing:{actor.staff_id}": WRONG_CODES}
    hold(session, key)
    wait = locked(session, key)[1]
    if wait > 0:
        raise RateLimited(f"too many wrong codes; try again in {wait} seconds", wait)
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.role != Role.kitchen:
        raise ValidationFailed(
            "screens sign in as an active kitchen login",
            {"staff_id": ["not an active kitchen login"]},
        )
    lock_key(session, "pairing", normalize(code))  # two managers typing one code: one pairs
    pairing = session.scalar(
        select(ScreenPairing)
        .where(ScreenPairing.code == normalize(code))
        .execution_options(populate_existing=True)
    )
    if (
        pairing is None
        or pairing.approved_at is not None
        or pairing.claimed_at is not None
        or pairing.expires_at <= utcnow()
    ):
        record_failure(session, key)
        return None, locked(session, key)[1]
    pairing.staff_id, pairing.approved_by, pairing.approved_at = staff.id, actor.staff_id, utcnow()
    pairing.device_name = device_name or "kitchen screen"
    session.flush()
    record_audit(
        session,
        actor,
        "auth.screen_paired",
        "staff",
        staff.id,
        after={"device": pairing.device_name, "days": DEVICE_DAYS},
    )
    return pairing, 0


def claim(session: Session, pairing: ScreenPairing) -> tuple[str, Staff] | None:
    """The approved screen's device token and its login (once), or None while not approved.

    Two polls of one screen at once (two tabs) queue on the code: the second finds it
    claimed and gets None, so one pairing never issues two tokens."""
    lock_key(session, "pairing", pairing.code)
    session.refresh(pairing)
    if pairing.claimed_at is not None or pairing.approved_at is None or pairing.staff_id is None:
        return None
    staff = session.get(Staff, pairing.staff_id)
    if staff is None or not staff.active:
        return None
    pairing.claimed_at = utcnow()
    token = issue_token(session, staff, DEVICE_DAYS * 24, f"device:{pairing.device_name}", "device")
    return token, staff


def not_found() -> NotFound:
    return NotFound("no screen is waiting with this code", code="pairing_not_found")
