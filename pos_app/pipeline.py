"""The commit pipeline: everything that happens around a transaction's flushes and its end, as
one list of named phases run in this order.

Services never act at commit themselves: they queue work on the transaction's `Pending`
(`pending(session)`), and the phases run it. A push or a wake therefore leaves only after the
commit, and a rollback shows nothing anywhere.

Before each flush
  1. refuse changes to the audit log     pos_app.audit        (append-only)
  2. bump the menu version               pos_app.menu.cache   (once per transaction)
Before the commit, inside the transaction (what a phase writes commits with the change)
  1. number the station pushes           kds.events           (seq per station, kept in kds_event)
  2. write the report facts              pos_app.reports      (the transaction's facts, their
                                                               roll-ups and one outbox event)
  3. number the outbox events            pos_app.outbox       (the branch's gapless event seq;
                                                               last: its counter is the last
                                                               lock the transaction takes)
After the commit
  1. drop revoked sockets                pos_app.realtime     (first: a revoked login hears none
                                                               of the pushes below)
  2. emit the pushes                     pos_app.realtime     (the only socketio.emit)
  3. wake the print workers              printers.worker
  then the transaction's Pending is forgotten: its work and its reads (branch, menu, orders).
After a rollback
  the transaction's Pending is discarded: nothing queued runs. (The start-up rehearsal,
  pos_app.warmup, runs the before-commit phases with `rehearse_commit` and then rolls back.)

The outbox is written by services as they change (`pos_app.outbox.record_event`), in the
change's own transaction; its phase only numbers the events at commit.

A savepoint (`begin_nested`, taken by `counters.next_value` for a new counter) is not the
transaction's end: SQLAlchemy fires its commit and rollback events for savepoints too, and
they are ignored here. Before, releasing one emitted the pushes queued so far and woke the
print workers before the real commit.

`install()` listens once per process on the Session class, like the scoped `db.session` and
`extensions.socketio` it serves (tests build many apps in one process: the latest app's
database and sockets are the ones in use). The kernel registers its phases in create_app(),
features theirs in their `init_app()`; registering a name again replaces its function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from pos_app.branch.models import Branch
    from pos_app.menu.cache import MenuSnapshot

BEFORE_FLUSH = ("refuse changes to the audit log", "bump the menu version")
BEFORE_COMMIT = (
    "number the station pushes",
    "write the report facts",
    "number the outbox events",
)
AFTER_COMMIT = ("drop revoked sockets", "emit the pushes", "wake the print workers")

Phase = Callable[[Session, "Pending"], None]
_phases: dict[str, Phase] = {}
_KEY = "pos_pending"  # the one session.info key of this package


@dataclass
class Pending:
    """What one transaction holds until it ends (commit or rollback), then forgets."""

    # Work for the phases
    station_pushes: list[tuple[int, str, dict]] = field(default_factory=list)  # numbered at commit
    drops: list[tuple[str, str]] = field(default_factory=list)  # (room, code)
    pushes: list[tuple[str, str, str, Any]] = field(default_factory=list)  # (ns, room, name, data)
    printers_to_wake: set[int] = field(default_factory=set)
    # Reads and marks that hold for the rest of the transaction
    branch: Branch | None = None
    branch_read: bool = False
    menu: MenuSnapshot | None = None
    menu_bumped: bool = False
    recipes: Any = None  # the recipe book (pos_app.stock.recipes), read once
    order_dumps: dict[tuple[str, int], dict] = field(default_factory=dict)  # (id, version)
    outbox_ids: list[int] = field(default_factory=list)  # numbered at commit
    report_facts: dict[str, list] = field(default_factory=dict)  # written at commit


def pending(session: Session) -> Pending:
    """The Pending of the session's current transaction (made on first use)."""
    work = session.info.get(_KEY)
    if work is None:
        work = session.info[_KEY] = Pending()
    return work


def register(name: str, phase: Phase) -> None:
    """Run `phase(session, pending)` as the named phase; the name must be in the lists above."""
    if name not in (*BEFORE_FLUSH, *BEFORE_COMMIT, *AFTER_COMMIT):
        raise KeyError(f"no commit phase is named {name!r} (pos_app/pipeline.py lists them)")
    _phases[name] = phase


def install() -> None:
    """Listen on the Session class, once per process (create_app calls this every time)."""
    if event.contains(Session, "after_commit", _after_commit):
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)


def rehearse_commit(session: Session) -> None:
    """Flush and run the before-commit phases without committing (the start-up rehearsal of
    pos_app.warmup: its caller then rolls back, and nothing queued runs)."""
    session.flush()
    _run(BEFORE_COMMIT, session, pending(session))


def _run(names: tuple[str, ...], session: Session, work: Pending) -> None:
    for name in names:
        phase = _phases.get(name)
        if phase is not None:
            phase(session, work)


def _before_flush(session: Session, _context, _instances) -> None:
    _run(BEFORE_FLUSH, session, pending(session))


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        _run(BEFORE_COMMIT, session, pending(session))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    work = session.info.pop(_KEY, None)
    if work is not None:
        _run(AFTER_COMMIT, session, work)


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_KEY, None)
