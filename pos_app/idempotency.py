"""Idempotency keys: a command retried with the same `Idempotency-Key` header gets the answer
of the first try, and nothing is done twice (the answer is stored in the same transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime
from pos_app.errors import ValidationFailed

KEEP = timedelta(days=2)


class IdempotencyKey(Base):
    """The stored answer of a command sent with an Idempotency-Key header."""

    __tablename__ = "idempotency_key"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    staff_id: Mapped[int | None]
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    body: Mapped[dict | list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def check_key(key: str) -> str:
    """The key if it is usable, else a 422."""
    if not 8 <= len(key) <= 80:
        raise ValidationFailed(
            "Idempotency-Key must be 8 to 80 characters",
            {"Idempotency-Key": ["8 to 80 characters"]},
        )
    return key


def stored_answer(session: Session, key: str, method: str, path: str):
    """(body, status) of an earlier try with this key on this endpoint, or None."""
    row = session.get(IdempotencyKey, key)
    if row is None:
        return None
    if row.method != method or row.path != path:
        raise ValidationFailed(
            "this Idempotency-Key was used for another request",
            {"Idempotency-Key": ["already used"]},
        )
    return row.body, row.status


def store_answer(
    session: Session, key: str, staff_id, method: str, path: str, status: int, body
) -> None:
    """Keep the answer of a successful try; forget keys older than two days."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP))
    session.add(
        IdempotencyKey(
            key=key, staff_id=staff_id, method=method, path=path, status=status, body=body
        )
    )
