"""The print worker: one loop per printer (so one printer's trouble never delays another's),
claiming jobs, rendering, sending, and recording the outcome in the queue.

A failed try is logged at DEBUG only: the log says when a printer's state changes
(printers/health.py), and reminds every REMIND_EVERY seconds while a printer with chits
waiting stays down."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.db import unit_of_work
from pos_app.pipeline import Pending
from printers import documents, health, outcomes, queue, render_pool, transport
from printers.models import Printer, PrintJob

log = logging.getLogger("pos.printers")
_wakers: list = []  # callables of the running workers of this process
PROBE_EVERY = 3.0  # seconds between status checks of an idle printer that is offline
REMIND_EVERY = 300.0  # seconds between log reminders that a printer is still down


def wake_workers(_session: Session, work: Pending) -> None:
    """Commit phase "wake the print workers" of the printers that got (or lost) chits."""
    if work.printers_to_wake:
        for wake in list(_wakers):
            wake(work.printers_to_wake)


def target_of(printer: Printer) -> transport.Target:
    """The transport snapshot of a printer's configuration."""
    return transport.Target(
        name=printer.name,
        connection=printer.connection.value,
        host=printer.host,
        port=printer.port,
        device_path=printer.device_path,
        usb_vendor_id=printer.usb_vendor_id,
        usb_product_id=printer.usb_product_id,
        baudrate=printer.baudrate,
        answers_status=printer.answers_status,
    )


def process_one(app, printer_id: int) -> bool:
    """Print the printer's next due job, if any; True if there was one.

    The job is claimed in one short transaction, rendered and sent outside any (a slow
    printer or a large raster image never holds the database), and its outcome recorded in
    another. Rendering runs in the render thread (printers/render_pool.py), never on the
    gevent hub that pushes to the screens."""
    with app.app_context():
        with unit_of_work(write=False) as session:  # idle printers never take the write lock
            if not queue.has_due_job(session, printer_id):
                return False
        with unit_of_work() as session:
            printer = session.get(Printer, printer_id)
            if printer is None:
                return False
            if not printer.active:  # deactivated with jobs waiting: they go to its backup
                outcomes.leave_inactive_printer(session, printer)
                return False
            job = queue.claim_next(session, printer_id)
            if job is None:
                return False
            job_id, target = job.id, target_of(printer)
            given = documents.render_input(job, printer)
        data_or_error = render_pool.run(documents.render, given)  # off the hub: see render_pool
        if isinstance(data_or_error, Exception):  # a bug, not the printer: logged each time
            log.warning("print job %s cannot be rendered: %s", job_id, data_or_error)
            _record_failure(job_id, f"cannot render: {data_or_error}", printer_fault=False)
            return True
        try:
            sent = transport.send(target, data_or_error)
        except transport.PrinterNotReady as err:
            _record_failure(job_id, str(err), not_ready=True, paper_out=err.paper_out)
        except transport.SendInterrupted as err:
            _record_failure(job_id, str(err), unknown=True)
        except transport.PrintFailure as err:
            _record_failure(job_id, str(err))
        else:
            with unit_of_work() as session:
                outcomes.job_printed(session, session.get(PrintJob, job_id), sent)
        return True


def _record_failure(job_id: int, error: str, **kw) -> None:
    log.debug("print job %s failed: %s", job_id, error)
    with unit_of_work() as session:
        outcomes.job_failed(session, session.get(PrintJob, job_id), error, **kw)


def probe_one(app, printer_id: int) -> bool | None:
    """Ask an offline (or out of paper) network printer whether it is back, printing nothing.

    True: it is ready again (online, its waiting jobs due now, screens told); False: still
    not; None: nothing to ask (online, unknown yet, deactivated, or not a network printer).
    Writes only when the printer's state changed."""
    with app.app_context():
        with unit_of_work(write=False) as session:
            printer = session.get(Printer, printer_id)
            if (
                printer is None
                or not printer.active
                or printer.connection.value != "network"
                or (printer.online is not False and not printer.paper_out)
            ):
                return None
            target, was = target_of(printer), (printer.paper_out, printer.last_error)
        try:
            transport.probe(target)
        except transport.PrinterNotReady as err:
            now = (err.paper_out, str(err)[:300])
        except transport.PrintFailure as err:
            now = (False, str(err)[:300])
        else:
            with unit_of_work() as session:
                outcomes.printer_ready(session, session.get(Printer, printer_id))
            return True
        if now != was:
            with unit_of_work() as session:
                printer = session.get(Printer, printer_id)
                outcomes.printer_not_ready(session, printer, now[1], paper_out=now[0])
        return False


def remind(app, printer_id: int) -> None:
    """Log (WARNING) that the printer is still down, if it is and chits wait for it."""
    with app.app_context(), unit_of_work(write=False) as session:
        printer = session.get(Printer, printer_id)
        line = health.reminder(session, printer) if printer is not None else None
    if line:
        log.warning("%s", line)


class PrintWorker:
    """All printer loops of this process; started by the server, stopped with it."""

    def __init__(self, app, idle_wait: float = 0.5, probe_every: float = PROBE_EVERY):
        self.app, self.idle_wait, self.probe_every = app, idle_wait, probe_every
        self.events: dict[int, threading.Event] = {}
        self.stopped = threading.Event()

    def start(self) -> PrintWorker:
        """Warm the renderer, recover jobs of a previous run, start one loop per printer."""
        render_pool.warm_up()  # before the first order, not during it
        with self.app.app_context(), unit_of_work() as session:
            queue.recover_unknown(session)
            ids = session.scalars(select(Printer.id).where(Printer.active)).all()
        for printer_id in ids:
            self._spawn(printer_id)
        threading.Thread(target=self._housekeeping, daemon=True, name="print-recover").start()
        _wakers.append(self.wake)
        return self

    def stop(self) -> None:
        """Let the loops end."""
        self.stopped.set()
        for flag in self.events.values():
            flag.set()
        if self.wake in _wakers:
            _wakers.remove(self.wake)

    def wake(self, printer_ids) -> None:
        """New jobs for these printers (a new printer gets its loop)."""
        for printer_id in printer_ids:
            if printer_id not in self.events:
                self._spawn(printer_id)
            self.events[printer_id].set()

    def _spawn(self, printer_id: int) -> None:
        self.events[printer_id] = threading.Event()
        threading.Thread(
            target=self._loop, args=(printer_id,), daemon=True, name=f"printer-{printer_id}"
        ).start()

    def _loop(self, printer_id: int) -> None:
        flag = self.events[printer_id]
        next_probe, next_reminder = 0.0, time.monotonic() + REMIND_EVERY
        while not self.stopped.is_set():
            try:
                busy = process_one(self.app, printer_id)
                if not busy and time.monotonic() >= next_probe:
                    # Idle: is a printer that was offline back? (Its screens' banner goes.)
                    next_probe = time.monotonic() + self.probe_every
                    probe_one(self.app, printer_id)
                if time.monotonic() >= next_reminder:
                    next_reminder = time.monotonic() + REMIND_EVERY
                    remind(self.app, printer_id)
            except Exception:  # noqa: BLE001 - a bug must not stop the printer's loop
                log.exception("print loop of printer %s", printer_id)
                busy = False
            if not busy:
                flag.wait(self.idle_wait)
                flag.clear()

    def _housekeeping(self) -> None:
        while not self.stopped.wait(10):
            try:
                with self.app.app_context(), unit_of_work() as session:
                    queue.recover_unknown(session)
            except Exception:  # noqa: BLE001
                log.exception("print queue housekeeping")
