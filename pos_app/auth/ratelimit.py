"""Rate limits on secrets: failures counted under a key lock that key for a while (429).

Every `batch` failures under one key lock it for `base_s`, twice as long after each further
batch, up to `cap_s`; failures older than `memory_s` are forgotten. With `cap_s == base_s`
and `memory_s == base_s` this is the plain "N failures a minute" limit. Failures live in the
database, so every server process of a shop sees the same count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_app.auth.models import LoginAttempt
from pos_app.clock import utcnow
from pos_app.locks import lock_keys

DAY_S = 86_400
FORGET_AFTER_S = 2 * DAY_S  # rows older than the longest memory are deleted


@dataclass(frozen=True)
class Limit:
    """How failures under one key lock it."""

    batch: int
    base_s: int
    cap_s: int
    memory_s: int

    @classmethod
    def plain(cls, failures: int, window_s: int) -> Limit:
        """`failures` in `window_s` lock for `window_s`, no escalation."""
        return cls(failures, window_s, window_s, window_s)

    @classmethod
    def escalating(cls, failures: int, base_s: int, cap_s: int) -> Limit:
        """`failures` lock for `base_s`, doubling per further batch up to `cap_s`; failures are
        remembered for a day."""
        return cls(failures, base_s, max(cap_s, base_s), DAY_S)

    def lock_s(self, batches: int) -> int:
        """How long the `batches`-th full batch locks the key."""
        return min(self.cap_s, self.base_s * 2 ** min(batches - 1, 30))


def seconds_locked(session: Session, key: str, limit: Limit) -> int:
    """Seconds until `key` is open again (0: open now)."""
    now = utcnow()
    times = session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, LoginAttempt.at > now - timedelta(seconds=limit.memory_s))
        .order_by(LoginAttempt.at)
    ).all()
    left = 0.0
    for batch in range(1, len(times) // limit.batch + 1):
        ends = times[batch * limit.batch - 1] + timedelta(seconds=limit.lock_s(batch))
        left = max(left, (ends - now).total_seconds())
    return math.ceil(left)


def hold(session: Session, keys) -> None:
    """Lock `keys` until the transaction ends, so check, verify and count run one at a time.

    On PostgreSQL fifty guesses sent at once would otherwise all pass the check before the
    first failure is written (SQLite writers are serialised already).
    """
    lock_keys(session, [("login-limit", key) for key in keys])


def locked(session: Session, limits: dict[str, Limit]) -> tuple[str, int]:
    """The key locked longest and its seconds left, or ("", 0) when all are open."""
    waits = [(key, seconds_locked(session, key, limit)) for key, limit in limits.items()]
    return max(waits, key=lambda kv: kv[1], default=("", 0))


def record_failure(session: Session, limits: dict[str, Limit]) -> list[str]:
    """Count one failure under each key; returns the keys this failure locked (a batch full).

    Forgets failures older than two days on the way.
    """
    now = utcnow()
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(seconds=FORGET_AFTER_S))
    )
    session.add_all(LoginAttempt(key=key, at=now) for key in limits)
    session.flush()
    return [key for key, lim in limits.items() if failures(session, key, lim) % lim.batch == 0]


def failures(session: Session, key: str, limit: Limit) -> int:
    """How many failures `key` has in memory."""
    since = utcnow() - timedelta(seconds=limit.memory_s)
    return session.scalar(
        select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at > since)
    )
