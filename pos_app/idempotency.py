"""Idempotency keys: a command retried with the same `Idempotency-Key` header (or, over
Socket.IO, `idempotency_key` in the command's data) gets the answer of the first try, and
nothing is done twice (the answer is stored in the same transaction).

A key belongs to the signed-in caller who made it: it is looked up only after the bearer token
is checked, and only among that caller's keys, so another caller replaying it runs their own
request. The first request's fingerprint (method, path and body) is kept: the same key with a
different request is refused (422, as the IETF Idempotency-Key draft says). Concurrent twins
queue on a lock named by the key, so the second gets the first's answer, not a 409. Endpoints
that answer a secret (sign-in, device tokens, two-factor enrolment) never store answers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from sqlalchemy import JSON, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime
from pos_app.errors import ValidationFailed
from pos_app.locks import lock_key

KEEP = timedelta(days=2)


class IdempotencyKey(Base):
    """The stored answer of a command one staff member sent with an Idempotency-Key header."""

    __tablename__ = "idempotency_key"

    staff_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    body: Mapped[dict | list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def check_key(key, name: str = "Idempotency-Key") -> str:
    """The key if it is usable (8 to 80 visible ASCII characters), else a 422 naming `name`
    (the header, or a socket command's field)."""
    usable = isinstance(key, str) and 8 <= len(key) <= 80
    if not usable or not all("!" <= ch <= "~" for ch in key):
        raise ValidationFailed(
            f"{name} must be 8 to 80 visible ASCII characters",
            {name: ["8 to 80 visible ASCII characters"]},
        )
    return key


def fingerprint(method: str, path: str, body) -> str:
    """SHA-256 of the request: method, path and the body as canonical JSON."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def stored_answer(
    session: Session, staff_id: int, key: str, print_: str, name: str = "Idempotency-Key"
):
    """(body, status) of this caller's earlier try with `key`, or None; holds the key's lock
    until the transaction ends. 422 if the key was used for a different request."""
    lock_key(session, "idempotency", staff_id, key)
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.staff_id == staff_id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.fingerprint != print_:
        raise ValidationFailed(
            f"this {name} was used for a different request: use a new key for a new request",
            {name: ["already used for a different request"]},
            "idempotency_key_reused",
        )
    return row.body, row.status


def store_answer(
    session: Session, staff_id: int, key: str, print_: str, method: str, path: str, status, body
) -> None:
    """Keep the answer of a successful try; forget keys older than two days."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP))
    session.add(
        IdempotencyKey(
            staff_id=staff_id,
            key=key,
            fingerprint=print_,
            method=method,
            path=path,
            status=status,
            body=body,
        )
    )
