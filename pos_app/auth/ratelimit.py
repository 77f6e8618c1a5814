"""Login rate limit: N failed logins in a window, per device and per account, answer 429.

Failures live in the database, so every server process of a shop sees the same count.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_app.auth.models import LoginAttempt
from pos_app.clock import utcnow
from pos_app.errors import RateLimited


def check_login_allowed(session: Session, keys: list[str], max_failures: int, window_s: int):
    """Raise RateLimited if any key had `max_failures` failures within the window."""
    since = utcnow() - timedelta(seconds=window_s)
    for key in keys:
        rows = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                LoginAttempt.key == key, LoginAttempt.at > since
            )
        ).one()
        count, oldest = rows
        if count >= max_failures:
            retry = max(1, int((oldest + timedelta(seconds=window_s) - utcnow()).total_seconds()))
            raise RateLimited(
                f"too many failed logins; try again in {retry} seconds", retry_after=retry
            )


def record_login_failure(session: Session, keys: list[str], window_s: int) -> None:
    """Count a failed login against each key, and forget failures older than the window."""
    now = utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(seconds=window_s)))
    session.add_all(LoginAttempt(key=key, at=now) for key in keys)
