"""Named counters that never skip or repeat: order numbers, station sequences, invoice numbers.

`next_value` increments inside the caller's transaction, so a rolled-back transaction gives its
number back and a committed one keeps it: gapless. The UPDATE takes the row lock (PostgreSQL)
or the database write lock (SQLite, BEGIN IMMEDIATE), so concurrent writers queue up.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos_app.db import Base


class Counter(Base):
    """The last value handed out under a name."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


_TABLE = Counter.__table__
# Core statements (not ORM-enabled): the counter is touched on every order and every push.
_INCREMENT = (
    update(_TABLE)
    .where(_TABLE.c.name == bindparam("counter_name"))
    .values(value=_TABLE.c.value + bindparam("step"))
    .returning(_TABLE.c.value)
)


def next_value(session: Session, name: str, step: int = 1) -> int:
    """The next value of counter `name` (1 for a new counter); `step` takes several at once
    and returns the last of them."""
    connection = session.connection()
    value = connection.execute(_INCREMENT, {"counter_name": name, "step": step}).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.connection().execute(insert(_TABLE).values(name=name, value=step))
        return step
    except IntegrityError:  # another process created it between our UPDATE and INSERT
        return connection.execute(_INCREMENT, {"counter_name": name, "step": step}).scalar_one()


def current_value(session: Session, name: str) -> int:
    """The last value handed out (0 if none)."""
    value = (
        session.connection().execute(select(_TABLE.c.value).where(_TABLE.c.name == name)).scalar()
    )
    return value or 0


def bump_version(session: Session, name: str) -> int:
    """Move a version counter on to a value it never had, even after its table was emptied:
    the current time in microseconds, or one more than before if that is larger."""
    import time

    from sqlalchemy import case

    now = time.time_ns() // 1000
    stmt = (
        update(Counter)
        .where(Counter.name == name)
        .values(value=case((Counter.value + 1 > now, Counter.value + 1), else_=now))
        .returning(Counter.value)
    )
    value = session.execute(stmt).scalar()
    if value is None:
        session.execute(insert(Counter).values(name=name, value=now))
        value = now
    return value
