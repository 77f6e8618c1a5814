"""The durable print queue: jobs written with the event, claimed by a worker, and retried,
failed over to the backup printer, or marked REPRINT when their outcome is unknown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.clock import utcnow
from pos_app.realtime import push_after_commit, station_room
from printers.models import Printer, PrintJob, PrintJobStatus

MAX_TRIES = 3  # failures on one printer before its jobs move to the backup
STALE_AFTER = timedelta(seconds=30)  # a job 'sending' this long: its worker died
REPRINT = "REPRINT"


def queue_job(
    session: Session,
    printer: Printer,
    kind: str,
    document: dict,
    station_id: int | None = None,
    source: str = "",
    marks=(),
) -> PrintJob:
    """Write a job in the caller's transaction; the printer's worker is woken after commit."""
    job = PrintJob(
        printer_id=printer.id,
        origin_printer_id=printer.id,
        station_id=station_id,
        kind=kind,
        document=document,
        marks=list(marks),
        source=source,
    )
    session.add(job)
    session.info.setdefault("print_wake", set()).add(printer.id)
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
    return job


def recover_unknown(session: Session, stale_after: timedelta = STALE_AFTER) -> int:
    """Jobs left 'sending' by a worker that died: maybe printed, so print again as REPRINT."""
    stuck = session.scalars(
        select(PrintJob).where(
            PrintJob.status == PrintJobStatus.sending, PrintJob.claimed_at < utcnow() - stale_after
        )
    ).all()
    for job in stuck:
        _mark(job, REPRINT)
        job.status, job.next_attempt_at = PrintJobStatus.pending, utcnow()
        job.last_error = "the server stopped while printing; printing again as REPRINT"
    return len(stuck)


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
) -> None:
    """Retry with backoff; after MAX_TRIES (or at once if the printer says it cannot print)
    move the job to the backup printer; an unknown outcome prints again as REPRINT."""
    printer = session.get(Printer, job.printer_id)
    printer.online, printer.paper_out = False, paper_out
    printer.last_error, printer.status_at = error[:300], utcnow()
    if unknown:
        _mark(job, REPRINT)
    job.status, job.last_error = PrintJobStatus.pending, error[:300]
    backup = _backup_of(session, printer)
    if backup is not None and (not_ready or job.attempts >= MAX_TRIES):
        _mark(job, f"BACKUP FROM {printer.name}")
        job.printer_id, job.attempts, job.next_attempt_at = backup.id, 0, utcnow()
        session.info.setdefault("print_wake", set()).add(backup.id)
    else:
        delay = min(0.5 * 2 ** max(job.attempts - 1, 0), 30.0)
        job.next_attempt_at = utcnow() + timedelta(seconds=delay)
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
