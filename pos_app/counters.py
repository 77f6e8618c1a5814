"""Named counters that never skip or repeat: order numbers, station sequences, invoice numbers.

`next_value` increments inside the caller's transaction, so a rolled-back transaction gives its
number back and a committed one keeps it: gapless. The UPDATE takes the row lock (PostgreSQL)
or the database write lock (SQLite, BEGIN IMMEDIATE), so concurrent writers queue up.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, bindparam, case, insert, select, update
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


def next_values(session: Session, steps: dict[str, int]) -> dict[str, int]:
    """`next_value` of several counters (name -> step), taken in name order; the last value of
    each. SQLite takes them in one UPDATE (its writers are serialised by BEGIN IMMEDIATE, so
    the order rows are locked in cannot deadlock); PostgreSQL one UPDATE each, in name order,
    so concurrent transactions queue instead of locking rows in different orders."""
    names = sorted(steps)
    if len(names) < 2 or session.get_bind().dialect.name != "sqlite":
        return {name: next_value(session, name, steps[name]) for name in names}
    step = case({name: steps[name] for name in names}, value=_TABLE.c.name)
    stmt = (
        update(_TABLE)
        .where(_TABLE.c.name.in_(names))
        .values(value=_TABLE.c.value + step)
        .returning(_TABLE.c.name, _TABLE.c.value)
    )
    values = dict(session.connection().execute(stmt).all())
    for name in names:  # a counter used for the first time
        if name not in values:
            values[name] = next_value(session, name, steps[name])
    return values


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
