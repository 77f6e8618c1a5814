"""What a try's outcome does to the queue: printed; failed (retried, moved to a backup that
is up, marked REPRINT when unknown); a printer found back or still down by a status check.

When every printer that could take a chit is down, its chits go round the chain of backups
one try at a time, each after a longer wait (no busy loop between two dark printers); the
first printer back takes them all, in order. Screens hear of a printer's state only when it
changes (printers/health.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from pos_app.clock import utcnow
from pos_app.pipeline import pending
from printers import health
from printers.models import Printer, PrintJob, PrintJobStatus
from printers.queue import (
    BACKUP_FROM,
    MAX_TRIES,
    NO_REPEAT,
    PINNED,
    REPRINT,
    add_mark,
    expire_loaded,
    skip_locked,
)

# Every printer that could take a chit is down: the wait before the next try, doubling from
# the first to the cap (less up to a quarter, at random, so printers that went dark together
# are not all tried at the same instant).
ALL_DOWN_FIRST = 1.0
ALL_DOWN_CAP = 30.0


def job_printed(session: Session, job: PrintJob, byte_count: int) -> None:
    """The printer took the whole job (if it was down, it takes what waited for it)."""
    now = utcnow()
    job.status, job.printed_at, job.byte_count, job.last_error = (
        PrintJobStatus.printed,
        now,
        byte_count,
        "",
    )
    printer = session.get(Printer, job.printer_id)
    was_down = health.is_down(printer)
    before = health.states(session) if was_down or printer.online is not True else None
    printer.online, printer.paper_out, printer.last_error = True, False, ""
    printer.failures = 0
    printer.last_printed_at = printer.status_at = now
    if was_down:
        _back_at_work(session, printer)
    if before is not None:
        health.announce_changes(session, before)


def jobs_printed(session: Session, printed: list[tuple[int, int]]) -> bool:
    """`job_printed` for each (job id, bytes sent) of a batch whose printer was up: the same
    columns written by two Core UPDATEs, no ORM object loaded. False, with nothing written,
    when the printer was not plainly up (unknown, down, or the jobs on several printers):
    the caller then records each with job_printed, which tells screens and takes over the
    chits that waited (a printer back from down)."""
    ids = [job_id for job_id, _sent in printed]
    printers = session.execute(
        select(Printer.id, Printer.online, Printer.paper_out)
        .join(PrintJob, PrintJob.printer_id == Printer.id)
        .where(PrintJob.id.in_(ids))
        .distinct()
    ).all()
    if len(printers) != 1 or printers[0].online is not True or printers[0].paper_out:
        return False
    rows = [{"job_id": i, "at": utcnow(), "sent": sent} for i, sent in printed]
    jobs, printer = PrintJob.__table__, Printer.__table__
    session.execute(
        update(jobs)
        .where(jobs.c.id == bindparam("job_id"))
        .values(
            status=PrintJobStatus.printed,
            printed_at=bindparam("at"),
            byte_count=bindparam("sent"),
            last_error="",
        ),
        rows,
    )
    now = rows[-1]["at"]  # job_printed leaves the printer with its last job's time
    session.execute(
        update(printer)
        .where(printer.c.id == printers[0].id)
        .values(
            online=True,
            paper_out=False,
            last_error="",
            failures=0,
            last_printed_at=now,
            status_at=now,
        )
    )
    expire_loaded(session, PrintJob, ids)
    expire_loaded(session, Printer, [printers[0].id])
    return True


def job_failed(
    session: Session,
    job: PrintJob,
    error: str,
    unknown: bool = False,
    not_ready: bool = False,
    paper_out: bool = False,
    printer_fault: bool = True,
) -> None:
    """Retry with backoff; after MAX_TRIES (or at once if the printer says it cannot print)
    move the job to the first of the printer's backups that is up; an unknown outcome prints
    again as REPRINT. When every printer that could take it is down, it goes on to the next
    one after a growing wait (`_all_down_wait`): no printer is tried in a tight loop.

    `printer_fault` False (the document could not be rendered for this printer) leaves the
    printer's online state alone: it is not offline, its configuration or the job is wrong.
    Screens are told only if a printer's state changed (printers/health.py).
    """
    printer = session.get(Printer, job.printer_id)
    before = health.states(session)
    if printer_fault:
        printer.online, printer.paper_out = False, paper_out
        printer.failures += 1
    printer.last_error, printer.status_at = error[:300], utcnow()
    if unknown and job.kind in NO_REPEAT:
        job.status, job.last_error = PrintJobStatus.printed, error[:300]
        health.announce_changes(session, before)
        return
    if unknown:
        add_mark(job, REPRINT)
    job.status, job.last_error = PrintJobStatus.pending, error[:300]
    # The printer failed, not just this job: its other waiting jobs move (or wait) with it,
    # so fail-over costs MAX_TRIES attempts in all, not MAX_TRIES per job.
    others = _waiting_jobs(session, printer, job) if printer_fault else []
    tries = max(job.attempts, printer.failures if printer_fault else 0)
    if not_ready or tries >= MAX_TRIES:
        origin = session.get(Printer, job.origin_printer_id)
        _fail_over(session, printer, origin, [job, *others], tries)
    else:
        delay = min(0.5 * 2 ** max(tries - 1, 0), 30.0)
        job.next_attempt_at = utcnow() + timedelta(seconds=delay)
        for waiting in others:
            waiting.next_attempt_at = max(waiting.next_attempt_at, job.next_attempt_at)
    health.announce_changes(session, before)


def _fail_over(session: Session, printer: Printer, origin: Printer, jobs: list, tries: int):
    """Move the failed printer's jobs to the first of its backups that is up; when all are
    down, to the next printer in turn (back to the chits' own printer at the end of the
    chain), due after a wait that grows with the tries. A test page or drawer kick stays
    and waits."""
    onward = health.chain(session, printer)[1:]
    if not onward and origin is not printer and origin.active:
        onward = [origin]
    up = next((p for p in onward if not health.is_down(p)), None)
    due = utcnow() + timedelta(seconds=_all_down_wait(tries))
    for job in jobs:
        if job.kind in PINNED:
            job.next_attempt_at = due
        elif up is not None:
            move_to_backup(session, job, up)
        elif onward:
            move_to_backup(session, job, onward[0], due)
        else:
            job.next_attempt_at = due


def _all_down_wait(tries: int) -> float:
    """Seconds before the next try when every printer that could take a chit is down."""
    doublings = min(max(tries - MAX_TRIES, 0), 10)
    return min(ALL_DOWN_FIRST * 2**doublings, ALL_DOWN_CAP) * random.uniform(0.75, 1.0)


def _waiting_jobs(session: Session, printer: Printer, failed: PrintJob) -> list[PrintJob]:
    """The printer's other queued jobs (test pages stay: they are about this printer)."""
    return list(
        session.scalars(
            skip_locked(
                session,
                select(PrintJob).where(
                    PrintJob.printer_id == printer.id,
                    PrintJob.status == PrintJobStatus.pending,
                    PrintJob.id != failed.id,
                    PrintJob.kind.not_in(PINNED),
                ),
            )
        )
    )


def move_to_backup(
    session: Session, job: PrintJob, backup: Printer, due: datetime | None = None
) -> None:
    """Give the job to `backup`, due now (or at `due`), marked with the printer it was meant for.

    The mark names the job's own printer (a chit that went grill -> fry -> cold still says
    BACKUP FROM Grill printer); a job that comes back to its own printer loses the mark."""
    marks = [m for m in job.marks if not m.startswith(BACKUP_FROM)]
    if backup.id != job.origin_printer_id:
        origin = session.get(Printer, job.origin_printer_id)
        marks.append(f"{BACKUP_FROM}{origin.name}")
    job.marks = marks
    job.printer_id, job.attempts = backup.id, 0
    job.status, job.next_attempt_at = PrintJobStatus.pending, due or utcnow()
    pending(session).printers_to_wake.add(backup.id)


def leave_inactive_printer(session: Session, printer: Printer) -> int:
    """A printer is deactivated: its waiting jobs go to its backup (none is lost).

    Without an active backup they stay queued on it, and its health says why."""
    backup = health.backup_of(session, printer)
    jobs = session.scalars(
        select(PrintJob).where(
            PrintJob.printer_id == printer.id, PrintJob.status == PrintJobStatus.pending
        )
    ).all()
    for job in jobs:
        if backup is not None:
            move_to_backup(session, job, backup)
        else:
            job.last_error = f"{printer.name} is deactivated and has no active backup printer"
            job.next_attempt_at = utcnow() + timedelta(seconds=30)
    return len(jobs)


def printer_ready(session: Session, printer: Printer) -> None:
    """A status check found the printer back: online, and what waited for it due now."""
    before = health.states(session)
    printer.online, printer.paper_out, printer.last_error = True, False, ""
    printer.status_at, printer.failures = utcnow(), 0
    _back_at_work(session, printer)
    health.announce_changes(session, before)


def _back_at_work(session: Session, printer: Printer) -> None:
    """A printer that was down prints again: its waiting jobs are due now, and so are the
    chits it could take that wait on a printer still down (its own, and those it backs up),
    which move to it; all print in the order they were written."""
    now = utcnow()
    for job in session.scalars(
        select(PrintJob).where(
            PrintJob.printer_id == printer.id,
            PrintJob.status == PrintJobStatus.pending,
            PrintJob.next_attempt_at > now,
        )
    ):
        job.next_attempt_at = now
    stranded = skip_locked(
        session,
        select(PrintJob)
        .join(Printer, Printer.id == PrintJob.printer_id)
        .where(
            PrintJob.printer_id != printer.id,
            PrintJob.status == PrintJobStatus.pending,
            PrintJob.kind.not_in(PINNED),
            or_(Printer.online.is_(False), Printer.paper_out.is_(True)),
        )
        .order_by(PrintJob.id),
    )
    for job in session.scalars(stranded):
        if printer in health.chain(session, session.get(Printer, job.origin_printer_id)):
            move_to_backup(session, job, printer)
    pending(session).printers_to_wake.add(printer.id)


def printer_not_ready(session: Session, printer: Printer, error: str, paper_out: bool) -> None:
    """A status check found the printer still (or newly) unable to print."""
    before = health.states(session)
    printer.online, printer.paper_out, printer.status_at = False, paper_out, utcnow()
    printer.last_error = error[:300]
    health.announce_changes(session, before)
