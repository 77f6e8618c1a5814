"""The durable print queue: jobs written with the event (after a fail-over, to a backup that
is up, or behind the chits already waiting), claimed by a worker, and marked REPRINT when
their sender died mid-job. What a try's outcome does to them is printers/outcomes.py."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from pos_app.clock import utcnow
from pos_app.pipeline import pending
from printers import health
from printers.models import Printer, PrintJob, PrintJobStatus

MAX_TRIES = 3  # failures on one printer before its jobs move to the backup
STALE_AFTER = timedelta(seconds=30)  # a job 'sending' this long: its worker died
KEEP_PRINTED = timedelta(days=7)  # printed jobs are kept this long (reprints, the admin page)
REPRINT = "REPRINT"
# Jobs that stay on their own printer (a test page is about that printer; a cash drawer is
# wired to it) and, for the drawer, that are never repeated when their outcome is unknown.
PINNED = frozenset({"test", "drawer"})
NO_REPEAT = frozenset({"drawer"})
_HOST = socket.gethostname()
_TOKEN = uuid.uuid4().hex[:12]
PROCESS = f"{_HOST}:{os.getpid()}:{_TOKEN}"
BACKUP_FROM = "BACKUP FROM "


def queue_job(
    session: Session,
    printer: Printer,
    kind: str,
    document: dict,
    station_id: int | None = None,
    source: str = "",
    marks=(),
) -> PrintJob:
    """Write a job in the caller's transaction; the printer's worker is woken after commit.

    A printer that already failed over takes no new chits until it prints again: they go
    straight to the first of its backups that is up (marked), instead of each waiting out a
    failed try; when none is up, they join the chits already waiting. A chit never goes ahead
    of the chits waiting on its printer (a test page or drawer kick is about that printer and
    goes now)."""
    job = PrintJob(**_job_row(session, printer, kind, document, station_id, source, marks))
    session.add(job)
    return job


def queue_jobs(session: Session, jobs: list[tuple]) -> None:
    """Write many jobs with one Core INSERT (an order's chits), each tuple `queue_job`'s
    arguments after the session, routed as `queue_job` routes one."""
    rows = [_job_row(session, *job) for job in jobs]
    if rows:
        session.connection().execute(insert(PrintJob.__table__), rows)  # one executemany


def _job_row(session: Session, printer: Printer, kind, document, station_id, source, marks=()):
    """A new job's columns, routed; its printer is woken after the commit."""
    target = printer if kind in PINNED else _route_new(session, printer)
    if target is not printer:
        marks = [*marks, f"{BACKUP_FROM}{printer.name}"]
    pending(session).printers_to_wake.add(target.id)
    now = utcnow()
    return {
        "printer_id": target.id,
        "origin_printer_id": printer.id,
        "station_id": station_id,
        "kind": kind,
        "document": document,
        "marks": list(marks),
        "source": source,
        "status": PrintJobStatus.pending,
        "attempts": 0,
        "next_attempt_at": now if kind in PINNED else _behind_waiting(session, target),
        "last_error": "",
        "created_at": now,
        "claimed_by": "",
        "byte_count": 0,
    }


def _route_new(session: Session, printer: Printer) -> Printer:
    """Where a new chit for `printer` goes: the printer, or after a fail-over the first of
    its backups that is up, or (all down) where its chits already wait."""
    if not (health.is_down(printer) and printer.failures >= MAX_TRIES):
        return printer
    onward = health.chain(session, printer)[1:]
    up = next((p for p in onward if not health.is_down(p)), None)
    if up is not None:
        return up
    elder = session.scalar(
        select(PrintJob)
        .where(
            PrintJob.origin_printer_id == printer.id,
            PrintJob.status == PrintJobStatus.pending,
            PrintJob.kind.not_in(PINNED),
        )
        .order_by(PrintJob.id)
        .limit(1)
    )
    if elder is not None:
        return session.get(Printer, elder.printer_id)
    return onward[0] if onward else printer


def _behind_waiting(session: Session, printer: Printer) -> datetime:
    """When a new chit for `printer` may first be tried: now, or with the chits waiting."""
    if not health.is_down(printer):
        # Nothing of a printer that is up waits on a backoff: a failed try marks it down, and
        # whatever makes it up again (a print, a status check) makes its waiting chits due
        # now (outcomes._back_at_work). No query then: this runs for every chit of an order.
        return utcnow()
    # Without an autoflush: the chits of this transaction, not flushed yet, wait no longer
    # than the ones found here, and the order's rows go out in one flush at the end.
    with session.no_autoflush:
        latest = session.scalar(
            select(PrintJob.next_attempt_at)
            .where(
                PrintJob.printer_id == printer.id,
                PrintJob.status == PrintJobStatus.pending,
                PrintJob.kind.not_in(PINNED),
            )
            .order_by(PrintJob.next_attempt_at.desc())
            .limit(1)
        )
    now = utcnow()
    return max(now, latest) if latest is not None else now


def has_due_job(session: Session, printer_id: int) -> bool:
    """True if the printer has a job to print now (a read: no lock taken)."""
    return (
        session.scalar(
            select(PrintJob.id)
            .where(
                PrintJob.printer_id == printer_id,
                PrintJob.status == PrintJobStatus.pending,
                PrintJob.next_attempt_at <= utcnow(),
            )
            .limit(1)
        )
        is not None
    )


def claim_next(session: Session, printer_id: int) -> PrintJob | None:
    """Take the printer's oldest due job (SKIP LOCKED where several processes print)."""
    jobs = claim_due(session, printer_id, 1)
    return jobs[0] if jobs else None


def _due(stmt, printer_id: int, limit: int):
    """`stmt` narrowed to the printer's due jobs, oldest first, at most `limit`."""
    return (
        stmt.where(
            PrintJob.printer_id == printer_id,
            PrintJob.status == PrintJobStatus.pending,
            PrintJob.next_attempt_at <= utcnow(),
        )
        .order_by(PrintJob.id)
        .limit(limit)
    )


def claim_due(session: Session, printer_id: int, limit: int) -> list[PrintJob]:
    """Take up to `limit` of the printer's due jobs, oldest first, in one statement (SKIP
    LOCKED where several processes print): each is 'sending' until its outcome is recorded."""
    stmt = _due(select(PrintJob), printer_id, limit)
    jobs = list(session.scalars(skip_locked(session, stmt)))
    now = utcnow()
    for job in jobs:
        job.status, job.claimed_at, job.attempts = PrintJobStatus.sending, now, job.attempts + 1
        job.claimed_by = PROCESS
    return jobs


def claim_due_rows(session: Session, printer_id: int, limit: int) -> list:
    """`claim_due` for the print loops, which claim every round: the jobs' (id, kind,
    document, marks) rows, each 'sending' from now on, without loading an ORM object (a
    select and one UPDATE; about half the CPU of the ORM claim and its flush)."""
    columns = select(PrintJob.id, PrintJob.kind, PrintJob.document, PrintJob.marks)
    stmt = _due(columns, printer_id, limit)
    rows = session.execute(skip_locked(session, stmt)).all()  # autoflushes, as scalars would
    if rows:
        ids = [row.id for row in rows]
        jobs = PrintJob.__table__
        # executemany by id: an IN list in a Core UPDATE is rendered again each time (SQLite)
        session.execute(
            update(jobs)
            .where(jobs.c.id == bindparam("job_id"))
            .values(
                status=PrintJobStatus.sending,
                claimed_at=utcnow(),
                attempts=jobs.c.attempts + 1,
                claimed_by=PROCESS,
            ),
            [{"job_id": job_id} for job_id in ids],
        )
        expire_loaded(session, PrintJob, ids)
    return rows


def expire_loaded(session: Session, model, ids) -> None:
    """Rows changed by a Core statement: the session's objects of them (if another request of
    the print writer's transaction loaded them) are read again on their next use, not stale."""
    for row_id in ids:
        loaded = session.identity_map.get(session.identity_key(model, row_id))
        if loaded is not None:
            session.expire(loaded)


def release_unsent(session: Session, jobs: list[PrintJob]) -> None:
    """Claimed jobs never sent (an earlier one of their batch failed): pending again, the
    claim's try not counted, so the printer's failure moves or delays them with the rest."""
    for job in jobs:
        job.status, job.attempts = PrintJobStatus.pending, max(job.attempts - 1, 0)


def sender_is_dead(claimed_by: str) -> bool:
    """True if the process that claimed a job is known to be gone: it ran on this host and
    its pid is no longer alive, or the pid now belongs to this process (started later)."""
    host, _, rest = (claimed_by or "").partition(":")
    pid_text, _, token = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return False  # another machine (or an old row): only the clock can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return token != _TOKEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, owned by someone else
        return False
    return False


def recover_unknown(session: Session, stale_after: timedelta = STALE_AFTER) -> int:
    """Jobs left 'sending' by a worker that died: maybe printed, so print again as REPRINT
    (at once when the sender is known to be dead, else after `stale_after`). A drawer kick
    is not sent again: opening the till twice is worse than not at all."""
    sending = session.scalars(
        select(PrintJob).where(PrintJob.status == PrintJobStatus.sending)
    ).all()
    cutoff = utcnow() - stale_after
    stuck = [
        job
        for job in sending
        if (job.claimed_at is not None and job.claimed_at < cutoff)
        or sender_is_dead(job.claimed_by)
    ]
    for job in stuck:
        if job.kind in NO_REPEAT:
            job.status, job.last_error = PrintJobStatus.printed, "outcome unknown: not repeated"
            continue
        add_mark(job, REPRINT)
        job.status, job.next_attempt_at = PrintJobStatus.pending, utcnow()
        job.last_error = "the server stopped while printing; printing again as REPRINT"
    return len(stuck)


def prune_printed(session: Session) -> int:
    """Forget printed jobs older than KEEP_PRINTED (waiting ones are never pruned)."""
    result = session.execute(
        delete(PrintJob).where(
            PrintJob.status == PrintJobStatus.printed,
            PrintJob.created_at < utcnow() - KEEP_PRINTED,
        )
    )
    return result.rowcount or 0


def skip_locked(session: Session, stmt):
    """Lock the jobs read (PostgreSQL), passing over those another process is claiming."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=PrintJob)
    return stmt


def add_mark(job: PrintJob, text: str) -> None:
    """Mark the job (REPRINT), once."""
    if text not in job.marks:
        job.marks = [*job.marks, text]
