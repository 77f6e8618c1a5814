"""What the cloud keeps of each branch, and the branch's own push state.

Every table of the cloud is keyed by its branch first, so the schema distributes by that key
(Citus) and partitions by month later without a change of keys (docs/scaling.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class CloudOrganisation(Base):
    """A restaurant company: its branches, and the people who may see them."""

    __tablename__ = "cloud_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CloudAccess(Base):
    """Who may see what in the cloud: a staff member (an owner or a manager of the cloud) sees
    every branch of an organisation (`branch_id` empty: those opened later too) or one branch
    of it. Someone with no access sees no branch."""

    __tablename__ = "cloud_access"
    __table_args__ = (UniqueConstraint("staff_id", "organisation_id", "branch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("cloud_organisation.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("cloud_branch.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CloudBranch(Base):
    """A branch the cloud mirrors: its code, its key and how far its events have arrived."""

    __tablename__ = "cloud_branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("cloud_organisation.id"), index=True
    )
    # The shared secret the branch signs its pushes with (HMAC-SHA256): the cloud must hold it
    # to check a signature, so it is kept as given; only the branch and the cloud know it.
    key: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    # The highest sequence below which the cloud holds every event (no gap).
    high_water: Mapped[int] = mapped_column(BigInteger, default=0)
    # The branch's newest sequence as its last push said: the lag is head - high_water.
    branch_head: Mapped[int] = mapped_column(BigInteger, default=0)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The branch's printers as its last push told (name, online, paper, queue, last error).
    printers: Mapped[list] = mapped_column(JSON, default=list)
    printers_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CloudEvent(Base):
    """One event of one branch, stored once by (branch, seq): a push sent twice adds nothing."""

    __tablename__ = "cloud_event"

    branch_id: Mapped[int] = mapped_column(ForeignKey("cloud_branch.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # on the branch's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CloudNonce(Base):
    """The signatures of batches taken in the last minutes: the same batch again is a replay."""

    __tablename__ = "cloud_nonce"

    branch_id: Mapped[int] = mapped_column(ForeignKey("cloud_branch.id"), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CloudOrder(Base):
    """An order as the branch last described it (projection of `order.*` events)."""

    __tablename__ = "cloud_order"

    branch_id: Mapped[int] = mapped_column(ForeignKey("cloud_branch.id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int]
    business_day: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    waiter_name: Mapped[str] = mapped_column(String(120), default="")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)
    seq: Mapped[int] = mapped_column(BigInteger)  # the event that last wrote it

    __table_args__ = (Index("ix_cloud_order_branch_day", "branch_id", "business_day"),)


class CloudPayment(Base):
    """A payment or refund taken at a branch (projection of `payment.recorded`)."""

    __tablename__ = "cloud_payment"

    branch_id: Mapped[int] = mapped_column(ForeignKey("cloud_branch.id"), primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))
    tender: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    tip_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seq: Mapped[int] = mapped_column(BigInteger)


class CloudSnapshot(Base):
    """A copy of a branch's database the branch uploaded (in parts), to rebuild it from: the
    copy holds every event up to `seq`; the cloud's events after it bring it up to date."""

    __tablename__ = "cloud_snapshot"

    branch_id: Mapped[int] = mapped_column(ForeignKey("cloud_branch.id"), primary_key=True)
    snapshot_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)  # the branch's outbox sequence in the copy
    parts: Mapped[int]
    size: Mapped[int] = mapped_column(BigInteger)  # bytes, compressed
    sha256: Mapped[str] = mapped_column(String(64))  # of the whole compressed copy
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)  # on the branch's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    complete: Mapped[bool] = mapped_column(default=False)


class CloudSnapshotPart(Base):
    """One part of an uploaded copy (a few MB: a cut connection costs one part, not all)."""

    __tablename__ = "cloud_snapshot_part"

    branch_id: Mapped[int] = mapped_column(ForeignKey("cloud_branch.id"), primary_key=True)
    snapshot_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CloudCatalogue(Base):
    """A version of an organisation's menu, published in the cloud for all its branches (the
    menu CSV of pos_app/menu/csv_io.py: dishes, both languages, prices, sections, stations,
    courses, availability); each branch pulls the newest and applies it whole."""

    __tablename__ = "cloud_catalogue"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("cloud_organisation.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    csv: Mapped[str] = mapped_column(Text)
    rows: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(120), default="")


class SyncState(Base):
    """The branch's push to the cloud (one row): when it last worked, and what went wrong."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a good answer
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    cloud_high_water: Mapped[int] = mapped_column(BigInteger, default=0)
    # The last copy of the database the cloud holds whole (to rebuild the branch from).
    snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snapshot_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The cloud's menu as this branch applied it: its version, when the cloud was last asked,
    # and why the newest version was not applied (a row this branch cannot take), if so.
    catalogue_version: Mapped[int] = mapped_column(default=0)
    catalogue_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    catalogue_error: Mapped[str] = mapped_column(String(300), default="")
