"""The durable print queue: jobs written with the event, claimed by a worker, and retried,
failed over to the backup printer, or marked REPRINT when their outcome is unknown."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_app.clock import utcnow
from pos_app.realtime import push_after_commit, station_room
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
    straight to its backup (marked), instead of each waiting out a failed try."""
    target = printer
    if kind not in PINNED and printer.failures >= MAX_TRIES and printer.online is False:
        target = _backup_of(session, printer) or printer
    if target is not printer:
        marks = [*marks, f"{BACKUP_FROM}{printer.name}"]
    job = PrintJob(
        printer_id=target.id,
        origin_printer_id=printer.id,
        station_id=station_id,
        kind=kind,
        document=document,
        marks=list(marks),
        source=source,
    )
    session.add(job)
    session.info.setdefault("print_wake", set()).add(target.id)
    return job


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
    stmt = (
        select(PrintJob)
        .where(
            PrintJob.printer_id == printer_id,
            PrintJob.status == PrintJobStatus.pending,
            PrintJob.next_attempt_at <= utcnow(),
        )
        .order_by(PrintJob.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.scalar(stmt)
    if job is not None:
        job.status, job.claimed_at, job.attempts = (
            PrintJobStatus.sending,
            utcnow(),
            job.attempts + 1,
        )
        job.claimed_by = PROCESS
    return job


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
        _mark(job, REPRINT)
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


def job_printed(session: Session, job: PrintJob, byte_count: int) -> None:
    """The printer took the whole job."""
    now = utcnow()
    job.status, job.printed_at, job.byte_count, job.last_error = (
        PrintJobStatus.printed,
        now,
        byte_count,
        "",
    )
    printer = session.get(Printer, job.printer_id)
    changed = printer.online is not True or printer.paper_out or printer.last_error
    printer.online, printer.paper_out, printer.last_error = True, False, ""
    printer.failures = 0
    printer.last_printed_at = printer.status_at = now
    if changed:
        announce(session, printer)


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
    move the job to the backup printer; an unknown outcome prints again as REPRINT.

    `printer_fault` False (the document could not be rendered for this printer) leaves the
    printer's online state alone: it is not offline, its configuration or the job is wrong.
    """
    printer = session.get(Printer, job.printer_id)
    if printer_fault:
        printer.online, printer.paper_out = False, paper_out
        printer.failures += 1
    printer.last_error, printer.status_at = error[:300], utcnow()
    if unknown and job.kind in NO_REPEAT:
        job.status, job.last_error = PrintJobStatus.printed, error[:300]
        announce(session, printer)
        return
    if unknown:
        _mark(job, REPRINT)
    job.status, job.last_error = PrintJobStatus.pending, error[:300]
    # A test page is about this printer, a drawer is wired to it: never elsewhere.
    backup = _backup_of(session, printer) if job.kind not in PINNED else None
    # The printer failed, not just this job: its other waiting jobs move (or wait) with it,
    # so fail-over costs MAX_TRIES attempts in all, not MAX_TRIES per job.
    others = _waiting_jobs(session, printer, job) if printer_fault else []
    tries = max(job.attempts, printer.failures if printer_fault else 0)
    if backup is not None and (not_ready or tries >= MAX_TRIES):
        for waiting in [job, *others]:
            move_to_backup(session, waiting, backup)
    else:
        delay = min(0.5 * 2 ** max(tries - 1, 0), 30.0)
        job.next_attempt_at = utcnow() + timedelta(seconds=delay)
        for waiting in others:
            waiting.next_attempt_at = max(waiting.next_attempt_at, job.next_attempt_at)
    announce(session, printer)


def _waiting_jobs(session: Session, printer: Printer, failed: PrintJob) -> list[PrintJob]:
    """The printer's other queued jobs (test pages stay: they are about this printer)."""
    return list(
        session.scalars(
            select(PrintJob).where(
                PrintJob.printer_id == printer.id,
                PrintJob.status == PrintJobStatus.pending,
                PrintJob.id != failed.id,
                PrintJob.kind.not_in(PINNED),
            )
        )
    )


def move_to_backup(session: Session, job: PrintJob, backup: Printer) -> None:
    """Give the job to `backup`, due now, marked with the printer it was meant for.

    The mark names the job's own printer (a chit that went grill -> fry -> cold still says
    BACKUP FROM Grill printer); a job that comes back to its own printer loses the mark."""
    marks = [m for m in job.marks if not m.startswith(BACKUP_FROM)]
    if backup.id != job.origin_printer_id:
        origin = session.get(Printer, job.origin_printer_id)
        marks.append(f"{BACKUP_FROM}{origin.name}")
    job.marks = marks
    job.printer_id, job.attempts = backup.id, 0
    job.status, job.next_attempt_at = PrintJobStatus.pending, utcnow()
    session.info.setdefault("print_wake", set()).add(backup.id)


def leave_inactive_printer(session: Session, printer: Printer) -> int:
    """A printer is deactivated: its waiting jobs go to its backup (none is lost).

    Without an active backup they stay queued on it, and its health says why."""
    backup = _backup_of(session, printer)
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
    """A status check found the printer back: online, and its waiting jobs due now."""
    now = utcnow()
    printer.online, printer.paper_out, printer.last_error, printer.status_at = True, False, "", now
    printer.failures = 0
    for job in session.scalars(
        select(PrintJob).where(
            PrintJob.printer_id == printer.id,
            PrintJob.status == PrintJobStatus.pending,
            PrintJob.next_attempt_at > now,
        )
    ):
        job.next_attempt_at = now
    session.info.setdefault("print_wake", set()).add(printer.id)
    announce(session, printer)


def printer_not_ready(session: Session, printer: Printer, error: str, paper_out: bool) -> None:
    """A status check found the printer still (or newly) unable to print."""
    changed = printer.online is not False or printer.paper_out != paper_out
    changed = changed or printer.last_error != error[:300]
    printer.online, printer.paper_out, printer.status_at = False, paper_out, utcnow()
    printer.last_error = error[:300]
    if changed:
        announce(session, printer)


def _backup_of(session: Session, printer: Printer) -> Printer | None:
    if printer.backup_printer_id is None:
        return None
    backup = session.get(Printer, printer.backup_printer_id)
    return backup if backup is not None and backup.active else None


def _mark(job: PrintJob, mark: str) -> None:
    if mark not in job.marks:
        job.marks = [*job.marks, mark]


def printer_health(session: Session, printer: Printer) -> dict:
    """What the admin page and the station's screens show about a printer."""
    depth = session.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.printer_id == printer.id, PrintJob.status != PrintJobStatus.printed)
    )
    return {
        "id": printer.id,
        "name": printer.name,
        "station_id": printer.station_id,
        "online": printer.online,
        "paper_out": printer.paper_out,
        "last_error": printer.last_error,
        "queue_depth": depth,
        "last_printed_at": printer.last_printed_at.isoformat() if printer.last_printed_at else None,
        "backup_printer_id": printer.backup_printer_id,
    }


def announce(session: Session, printer: Printer) -> None:
    """Tell the station's screens and the admin page how the printer is (after commit)."""
    session.flush()
    health = printer_health(session, printer)
    if printer.station_id:
        push_after_commit(
            session, "/kds", station_room(printer.station_id), "printer_status", health
        )
    push_after_commit(session, "/kds", "printers", "printer_status", health)
