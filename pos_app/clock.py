"""The clock: every 'now' in the code comes from here, so tests can move time (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC) + _offset


def advance(seconds: float) -> None:
    """Move the clock forward (tests only)."""
    global _offset
    _offset += timedelta(seconds=seconds)


def reset() -> None:
    """Put the clock back to real time (tests only)."""
    global _offset
    _offset = timedelta(0)
