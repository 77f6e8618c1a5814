"""The outbox: every change the cloud needs, written in the same transaction as the change.

Each event gets its place in the branch's sequence (`seq`) as the last step before its
transaction commits (the commit phase "number the outbox events"), from a gapless counter: the
cloud keeps each `(branch, seq)` once and knows it holds everything up to the highest
contiguous `seq`, so a retried push never counts twice and a missing event is asked for.
The row's `id` is not that sequence: on PostgreSQL ids come from a database sequence that
skips values on a rollback and is handed out in insert order, not commit order, so a push
reading by id could pass an event still being written (and the cloud would wait forever for
a skipped one). The counter is taken at commit, after every other lock of the transaction,
so it cannot deadlock with them; on SQLite writers are serialised anyway.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, String, case, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.clock import utcnow
from pos_app.counters import next_value
from pos_app.db import Base, UTCDateTime
from pos_app.pipeline import Pending, pending

SEQUENCE = "outbox-seq"


class OutboxEvent(Base):
    """One event waiting for (or already acknowledged by) the cloud."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The branch's event sequence: 1, 2, 3... in commit order, no gaps; set at commit.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
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
    event_id = (
        session.connection()
        .execute(
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
        .scalar_one()
    )
    pending(session).outbox_ids.append(event_id)


def number_events(session: Session, work: Pending) -> None:
    """Commit phase "number the outbox events": this transaction's events get the next places
    in the branch's sequence, in the order they were written."""
    if not work.outbox_ids:
        return
    ids = sorted(work.outbox_ids)
    last = next_value(session, SEQUENCE, len(ids))
    places = {row_id: last - len(ids) + 1 + n for n, row_id in enumerate(ids)}
    session.connection().execute(
        update(_TABLE).where(_TABLE.c.id.in_(ids)).values(seq=case(places, value=_TABLE.c.id))
    )
    work.outbox_ids.clear()


_TABLE = OutboxEvent.__table__
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
