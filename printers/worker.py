"""The print worker: one loop per printer (so one printer's trouble never delays another's),
claiming jobs, rendering, sending, and recording the outcome in the queue."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from pos_app.db import unit_of_work
from printers import documents, queue, transport
from printers.models import Printer

log = logging.getLogger("pos.printers")
_wakers: list = []  # callables of the running workers of this process


@event.listens_for(Session, "after_commit")
def _wake_workers(session: Session) -> None:
    printer_ids = session.info.pop("print_wake", None)
    if printer_ids:
        for wake in list(_wakers):
            wake(printer_ids)


@event.listens_for(Session, "after_rollback")
def _forget_wake(session: Session) -> None:
    session.info.pop("print_wake", None)


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
    """Print the printer's next due job, if any; True if there was one."""
    with app.app_context():
        with unit_of_work(write=False) as session:  # idle printers never take the write lock
            if not queue.has_due_job(session, printer_id):
                return False
        with unit_of_work() as session:
            job = queue.claim_next(session, printer_id)
            if job is None:
                return False
            printer = session.get(Printer, printer_id)
            job_id, target = job.id, target_of(printer)
            data_or_error = documents.render_job(job, printer)
        if isinstance(data_or_error, Exception):
            _record_failure(job_id, f"cannot render: {data_or_error}")
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
                queue.job_printed(session, session.get(queue.PrintJob, job_id), sent)
        return True


def _record_failure(job_id: int, error: str, **kw) -> None:
    log.warning("print job %s failed: %s", job_id, error)
    with unit_of_work() as session:
        queue.job_failed(session, session.get(queue.PrintJob, job_id), error, **kw)


class PrintWorker:
    """All printer loops of this process; started by the server, stopped with it."""

    def __init__(self, app, idle_wait: float = 0.5):
        self.app, self.idle_wait = app, idle_wait
        self.events: dict[int, threading.Event] = {}
        self.stopped = threading.Event()

    def start(self) -> PrintWorker:
        """Recover jobs of a previous run, then start one loop per active printer."""
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
        while not self.stopped.is_set():
            try:
                busy = process_one(self.app, printer_id)
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
