"""Engine, session and the one transaction boundary; SQLite is tuned here (WAL, FULL, IMMEDIATE,
and under gevent a COMMIT that writes runs off the hub).

Services never commit: `unit_of_work()` commits once at the boundary (an HTTP view, a socket
handler, a job, a CLI command) and rolls back on any exception.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from datetime import UTC

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from pos_app import offhub

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; constraint names are stable for Alembic."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """A UTC timestamp: stored naive-UTC (portable), returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use pos_app.clock.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


_session_factory = sessionmaker(expire_on_commit=False)
session: scoped_session[Session] = scoped_session(_session_factory)


def make_engine(url: str, wait_in_python: bool | None = None) -> Engine:
    """Create the engine; on SQLite set WAL, synchronous=FULL, a busy timeout and foreign keys.

    `wait_in_python` (default: under gevent) waits for SQLite's write lock in short pauses of
    our own instead of SQLite's busy handler, whose sleeps grow to 100 ms: the print process
    asks for it, since it shares the lock with the server's short transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})
        _tune_sqlite(engine, _cooperative() if wait_in_python is None else wait_in_python)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


BUSY_WAIT_S = 10.0


def _cooperative() -> bool:
    """True when gevent patched the process: waiting must yield to the other greenlets."""
    from gevent import monkey

    return monkey.is_module_patched("socket")


def _tune_sqlite(engine: Engine, wait_in_python: bool) -> None:
    cooperative = _cooperative()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        # Under gevent, SQLite's own busy wait would freeze the whole hub, the greenlet that
        # holds the lock included: we wait in Python instead (see _begin_immediate). The
        # print process does too: SQLite's sleeps (1, 2, 5, ... 100 ms) outlast the lock.
        busy_ms = 0 if wait_in_python else int(BUSY_WAIT_S * 1000)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",  # an acknowledged order survives a power cut
            f"busy_timeout={busy_ms}",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        pooled = conn.connection
        if cooperative:
            pooled.info[_CHANGES_AT_BEGIN] = pooled.dbapi_connection.total_changes
        # A writer takes the lock up front: no deadlock-prone upgrade from a read lock later.
        if conn.get_execution_options().get("pos_write"):
            _begin_immediate(pooled.dbapi_connection)
        else:
            conn.exec_driver_sql("BEGIN")

    if cooperative:
        _commit_off_hub(engine)


_CHANGES_AT_BEGIN = "pos_changes_at_begin"  # in the pooled connection's info


def _commit_off_hub(engine: Engine) -> None:
    """Under gevent, COMMIT a transaction that wrote in a native thread (offhub.py).

    A writing COMMIT is where SQLite fsyncs (synchronous=FULL, and the WAL checkpoint now and
    then): 1-20 ms in which sqlite3 holds no GIL but, on the hub, no greenlet ran. A read-only
    transaction's COMMIT writes nothing and stays here: the thread hop would cost more.
    Rollbacks and savepoints (RELEASE) never fsync and are left as they are; the session's
    after-commit phases (pipeline.py) run in the calling greenlet once the COMMIT returned.
    """
    dialect = engine.dialect
    commit_here = dialect.do_commit

    def do_commit(pooled) -> None:
        began_at = pooled.info.pop(_CHANGES_AT_BEGIN, None)
        if began_at is None or began_at != pooled.dbapi_connection.total_changes:
            offhub.run("sqlite-commit", commit_in_thread, pooled.dbapi_connection)
        else:
            commit_here(pooled)

    dialect.do_commit = do_commit


def commit_in_thread(dbapi_conn) -> None:
    """COMMIT on the sqlite3 connection (called in the commit thread under gevent)."""
    dbapi_conn.commit()


def _begin_immediate(dbapi_conn) -> None:
    """BEGIN IMMEDIATE, waiting (and yielding) while another writer holds the lock."""
    deadline = time.monotonic() + BUSY_WAIT_S
    pause = 0.001
    while True:
        try:
            dbapi_conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            if time.monotonic() > deadline:
                raise
        time.sleep(pause)  # gevent.sleep when patched: the lock holder gets to finish
        # At most 5 ms: a commit holds the lock a few ms, and a longer sleep outlasts it (the
        # server and the print process share it). A failed try costs microseconds.
        pause = min(pause * 2, 0.005)


def bind(engine: Engine) -> None:
    """Point the scoped session at `engine` (create_app does this once)."""
    session.remove()
    _session_factory.configure(bind=engine)


def begin_writing(s: Session) -> None:
    """End the unit's read transaction and go on in a writer's (BEGIN IMMEDIATE on SQLite).

    For a unit that checks something slow before it writes (a PIN's argon2, ~100 ms) and must
    not hold SQLite's write lock, which every order waits for, meanwhile. What it read may
    have changed by now: it checks that again in the writer's transaction.
    """
    if s.in_transaction():
        s.commit()
    s.connection(execution_options={"pos_write": True})


@contextmanager
def unit_of_work(write: bool = True):
    """Run a block in one transaction: commit on success, roll back on any exception."""
    s = session()
    if s.in_transaction():
        raise RuntimeError("unit_of_work inside another: the outer one is the boundary")
    if write:
        s.connection(execution_options={"pos_write": True})
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
