"""The outbox: every change the cloud needs, written in the same transaction as the change.

A scheduler job (a later issue) pushes unsent rows to the cloud in `id` order; the cloud keeps
each `(branch, id)` once, so a retried push never counts twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, String, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class OutboxEvent(Base):
    """One event waiting for (or already acknowledged by) the cloud."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)  # the branch's event sequence
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


def record_event(
    session: Session, type_: str, aggregate_type: str, aggregate_id, payload: dict
) -> None:
    """Queue an event for the cloud in the caller's transaction (a Core INSERT: written now,
    in the order of the calls, which is the order the cloud receives them)."""
    session.connection().execute(
        _INSERT,
        {
            "event_id": str(uuid.uuid4()),
            "type": type_,
            "aggregate_type": aggregate_type,
            "aggregate_id": str(aggregate_id),
            "payload": payload,
            "created_at": utcnow(),
        },
    )


_INSERT = insert(OutboxEvent.__table__)
