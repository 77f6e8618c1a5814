"""A printer's state as screens see it (online, paper out, backup in use), the chain of
printers that could take its chits, and the `printer_status` push: sent when, and only when,
that state changes (never once per failed attempt)."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.realtime import push_after_commit
from pos_app.rooms import KDS, station_room
from printers.models import Printer, PrintJob, PrintJobStatus

log = logging.getLogger("pos.printers")


def is_down(printer: Printer) -> bool:
    """The printer's last try or status check failed (offline or out of paper)."""
    return printer.online is False or printer.paper_out


def backup_of(session: Session, printer: Printer) -> Printer | None:
    """The printer's backup, if it has an active one."""
    if printer.backup_printer_id is None:
        return None
    backup = session.get(Printer, printer.backup_printer_id)
    return backup if backup is not None and backup.active else None


def chain(session: Session, printer: Printer) -> list[Printer]:
    """The printer (if active) and its backups in turn, each once: where its chits may print.

    Backups may form a ring (the demo's grill and fry back each other up): it stops at the
    first printer seen twice."""
    found, seen, node = [], set(), printer
    while node is not None and node.id not in seen:
        seen.add(node.id)
        if node.active:
            found.append(node)
        node = backup_of(session, node)
    return found


def first_up(session: Session, printer: Printer) -> Printer | None:
    """The first printer of the chain after `printer` that is not down, if any."""
    return next((p for p in chain(session, printer)[1:] if not is_down(p)), None)


def state_of(session: Session, printer: Printer) -> tuple:
    """What a screen's banner depends on: (online, paper out, backup in use)."""
    backup_in_use = is_down(printer) and first_up(session, printer) is not None
    return (printer.online, printer.paper_out, backup_in_use)


def states(session: Session) -> dict[int, tuple]:
    """The state of every active printer (a handful of rows), to compare after a change."""
    printers = session.scalars(select(Printer).where(Printer.active)).all()
    return {p.id: state_of(session, p) for p in printers}


def announce_changes(session: Session, before: dict[int, tuple]) -> list[Printer]:
    """Push (after commit) and log the state of each printer whose state differs from
    `before`: the printer that changed, and those it backs up (their chits now go to it, or
    have nowhere to go). Returns those printers."""
    changed = []
    for printer_id, state in states(session).items():
        if before.get(printer_id) == state:
            continue
        printer = session.get(Printer, printer_id)
        changed.append(printer)
        _log_change(session, printer, state)
        announce(session, printer)
    return changed


def _log_change(session: Session, printer: Printer, state: tuple) -> None:
    online, _paper_out, backup_in_use = state
    if not is_down(printer):
        if online:
            log.info("%s prints again", printer.name)
    elif backup_in_use:
        log.warning(
            "%s cannot print (%s): its chits go to %s",
            printer.name,
            printer.last_error,
            first_up(session, printer).name,
        )
    else:
        log.warning(
            "%s cannot print (%s): its chits wait, no printer that could take them is up",
            printer.name,
            printer.last_error,
        )


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
        "backup_in_use": state_of(session, printer)[2],
        "last_error": printer.last_error,
        "queue_depth": depth,
        "last_printed_at": printer.last_printed_at.isoformat() if printer.last_printed_at else None,
        "backup_printer_id": printer.backup_printer_id,
    }


def announce(session: Session, printer: Printer) -> None:
    """Tell the station's screens how the printer is (after commit). The admin page reads
    the same dict from `GET /printers/health`."""
    session.flush()
    if not printer.station_id:
        return
    health = printer_health(session, printer)
    push_after_commit(session, KDS, station_room(printer.station_id), "printer_status", health)


def reminder(session: Session, printer: Printer) -> str | None:
    """A line for the log while a printer that has chits waiting stays down, else None."""
    if not is_down(printer):
        return None
    waiting = session.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(
            PrintJob.status == PrintJobStatus.pending,
            (PrintJob.printer_id == printer.id) | (PrintJob.origin_printer_id == printer.id),
        )
    )
    if not waiting:
        return None
    return f"{printer.name} still cannot print ({printer.last_error}): {waiting} job(s) wait"


def today_figures(session: Session, **_kw) -> dict:
    """Receiver of `today_figures`: how many active printers there are, up and down, and the
    chits and receipts still waiting to print."""
    printers = session.scalars(select(Printer).where(Printer.active)).all()
    down = [p.name for p in printers if is_down(p)]
    waiting = session.scalar(
        select(func.count()).select_from(PrintJob).where(PrintJob.status != PrintJobStatus.printed)
    )
    return {
        "printers": {
            "total": len(printers),
            "down": len(down),
            "down_names": down,
            "waiting_jobs": waiting,
        }
    }


def printer_reports(session: Session) -> list[dict]:
    """The active printers as the cloud shows them (the kernel's `printer_reports` port)."""
    keys = ("name", "online", "paper_out", "backup_in_use", "queue_depth")
    out = []
    for printer in session.scalars(select(Printer).where(Printer.active).order_by(Printer.name)):
        health = printer_health(session, printer)
        out.append(
            {
                **{k: health[k] for k in keys},
                "last_error": (health["last_error"] or "")[:300],
                "last_printed_at": health["last_printed_at"],
            }
        )
    return out
