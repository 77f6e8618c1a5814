"""Named counters that never skip or repeat: order numbers, station sequences, invoice numbers.

`next_value` increments inside the caller's transaction, so a rolled-back transaction gives its
number back and a committed one keeps it: gapless. The UPDATE takes the row lock (PostgreSQL)
or the database write lock (SQLite, BEGIN IMMEDIATE), so concurrent writers queue up.
"""

from __future__ import annotations

from sqlalchemy import String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.db import Base


class Counter(Base):
    """The last value handed out under a name."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_value(session: Session, name: str) -> int:
    """The next value of counter `name` (1 for a new counter)."""
    stmt = (
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    value = session.execute(stmt).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.execute(insert(Counter).values(name=name, value=1))
        return 1
    except IntegrityError:  # another process created it between our UPDATE and INSERT
        return session.execute(stmt).scalar_one()


def current_value(session: Session, name: str) -> int:
    """The last value handed out (0 if none)."""
    counter = session.get(Counter, name)
    return counter.value if counter else 0
