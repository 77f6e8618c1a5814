"""Named locks held until the transaction ends: concurrent writers of one thing queue up.

On PostgreSQL a transaction-level advisory lock keyed by a hash of the name; the lock exists
before the row does, so two creates of one device UUID or two uses of one Idempotency-Key
queue up too. On SQLite every writer already holds the database lock (BEGIN IMMEDIATE), so
there is nothing to do. A hash collision only makes two unrelated writers wait for each other.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_key(session: Session, *parts) -> None:
    """Hold the lock named by `parts` until this transaction commits or rolls back."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(_LOCK, {"key": key_of(parts)})


def lock_keys(session: Session, names: list[tuple]) -> None:
    """Several locks, always taken in one order so two writers cannot deadlock."""
    for key in sorted({key_of(parts) for parts in names}):
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            return
        connection.execute(_LOCK, {"key": key})


def key_of(parts) -> int:
    """The signed 64-bit advisory-lock key of a name."""
    name = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)
