"""The append-only audit log: who did what to which thing, before and after, and why.

Rows are only ever inserted: the ORM refuses updates and deletes, and the migration adds
database triggers that refuse them too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class AuditEntry(Base):
    """One audited action."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500), default="")


def record_audit(
    session: Session,
    actor,
    action: str,
    target_type: str,
    target_id,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    approver_id: int | None = None,
) -> None:
    """Append an entry in the caller's transaction (a Core INSERT, written now); `actor` is
    an Actor or None (system)."""
    session.connection().execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor_id": actor.staff_id if actor else None,
            "actor_name": actor.name if actor else "system",
            "approver_id": approver_id,
            "action": action,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "before": before,
            "after": after,
            "reason": reason,
        },
    )


_INSERT = insert(AuditEntry.__table__)


def refuse_audit_changes(session: Session, _work) -> None:
    """Flush phase "refuse changes to the audit log" (the database triggers refuse them too)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("the audit log is append-only")
