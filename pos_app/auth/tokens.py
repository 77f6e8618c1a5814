"""Bearer tokens: issued at login, stored as SHA-256, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pos_app.auth.actor import Actor
from pos_app.auth.models import AuthToken, Role, Staff
from pos_app.clock import utcnow
from pos_app.errors import Unauthorized
from pos_app.signals import tokens_revoked


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, staff: Staff, ttl_hours: int, device: str, method: str) -> str:
    """Create a token for `staff` and return its raw value (shown once, never stored)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            staff_id=staff.id,
            token_hash=_digest(raw),
            device=device[:120],
            method=method,
            expires_at=utcnow() + timedelta(hours=ttl_hours),
        )
    )
    return raw


def resolve_token(session: Session, raw: str | None) -> tuple[Actor, AuthToken]:
    """The Actor a raw token stands for; Unauthorized if missing, unknown, expired or revoked."""
    _require(raw)
    token = session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(raw)))
    _check(token, token and token.staff.active)
    return Actor.of(token.staff, token.method, token.strong_until), token


_ACTOR_COLUMNS = (
    AuthToken.method,
    AuthToken.strong_until,
    AuthToken.expires_at,
    AuthToken.revoked_at,
    Staff.id,
    Staff.name,
    Staff.role,
    Staff.locale,
    Staff.active,
)


def actor_for(session: Session, raw: str | None) -> Actor:
    """resolve_token's Actor alone, read as one row of plain columns: every API call and socket
    command asks it, and loading the token and its staff as ORM objects cost a call about as
    much as reading its body (bench/order_phases.py)."""
    _require(raw)
    row = session.execute(
        select(*_ACTOR_COLUMNS)
        .join(Staff, Staff.id == AuthToken.staff_id)
        .where(AuthToken.token_hash == _digest(raw))
    ).first()
    _check(row, row and row.active)
    return Actor(row.id, row.name, Role(row.role), row.method, row.locale, row.strong_until)


def _require(raw: str | None) -> None:
    if not raw:
        raise Unauthorized("sign in first: no bearer token was given", code="token_missing")


def _check(token, staff_active) -> None:
    """The refusals, in this order, of a token (a row or an AuthToken; None when unknown)."""
    if token is None:
        raise Unauthorized("the token is not valid", code="token_invalid")
    if token.revoked_at is not None:
        raise Unauthorized("the token was revoked; sign in again", code="token_revoked")
    if token.expires_at <= utcnow():
        raise Unauthorized("the token has expired; sign in again", code="token_expired")
    if not staff_active:
        raise Unauthorized("this staff member is deactivated", code="staff_inactive")


def make_strong(session: Session, raw: str, until) -> None:
    """Let a token count as a strong sign-in until `until` (a confirmed password)."""
    session.execute(
        update(AuthToken).where(AuthToken.token_hash == _digest(raw)).values(strong_until=until)
    )


def revoke_token(session: Session, raw: str) -> None:
    """Revoke one token (logout); its open sockets are dropped after the commit."""
    session.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == _digest(raw), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    tokens_revoked.send(session, token_hash=_digest(raw))


def revoke_all_for(session: Session, staff_id: int) -> None:
    """Revoke every live token of a staff member (deactivation, PIN or password change); their
    open sockets are dropped after the commit."""
    session.execute(
        update(AuthToken)
        .where(AuthToken.staff_id == staff_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    tokens_revoked.send(session, staff_id=staff_id)
