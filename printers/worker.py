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
from printers.group_writer import GroupWriter
from printers.models import Printer, PrintJob

log = logging.getLogger("pos.printers")
_wakers: list = []  # callables of the running workers of this process
BATCH = 4  # due jobs of one printer claimed at once (sent in turn, recorded together)
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
    """Print the printer's next due job, if any; True if there was one (one try at a time:
    what the tests step through)."""
    return print_due(app, printer_id, limit=1) > 0


def print_due(app, printer_id: int, limit: int = BATCH) -> int:
    """Print up to `limit` of the printer's due jobs, in order; returns how many it claimed.

    Two transactions for the whole batch: one claims the jobs (each 'sending' from then on),
    one records their outcomes. Rendering and sending happen outside any (a slow printer or a
    large raster image never holds the database), one job after the other. The printer loops
    do the same with fewer transactions (PrintWorker._loop). Rendering runs in the render
    thread (printers/render_pool.py), never on a gevent hub."""
    with app.app_context():
        with unit_of_work() as session:
            claimed = claim_batch(session, printer_id, limit)
        if not claimed:
            return 0
        outcome = send_batch(*claimed)
        with unit_of_work() as session:
            record_batch(session, outcome)
        return len(claimed[1])


# What a claim reads of its printer (target_of, documents.layout_of): a row, not an object.
_PRINTER = (
    Printer.active,
    Printer.name,
    Printer.connection,
    Printer.host,
    Printer.port,
    Printer.device_path,
    Printer.usb_vendor_id,
    Printer.usb_product_id,
    Printer.baudrate,
    Printer.answers_status,
    Printer.paper_width_mm,
    Printer.chars_per_line,
    Printer.codepage,
    Printer.raster_text,
    Printer.bilingual,
    Printer.language,
)


def claim_batch(session: Session, printer_id: int, limit: int):
    """Claim up to `limit` due jobs of the printer: (its transport target, [(job id, render
    input)]), or None when there is none (or the printer is gone or deactivated). Rows, not
    ORM objects: the loops claim every round."""
    printer = session.execute(select(*_PRINTER).where(Printer.id == printer_id)).one_or_none()
    if printer is None:
        return None
    if not printer.active:  # deactivated with jobs waiting: they go to its backup
        outcomes.leave_inactive_printer(session, session.get(Printer, printer_id))
        return None
    jobs = queue.claim_due_rows(session, printer_id, limit)
    if not jobs:
        return None
    layout = documents.layout_of(printer)
    # Each row's document was just decoded from the database: no copy needed (render_input's).
    return target_of(printer), [
        (j.id, documents.RenderInput(j.kind, j.document, tuple(j.marks), printer.name, layout))
        for j in jobs
    ]


def send_batch(target, batch) -> tuple:
    """Render and send the claimed jobs in turn, stopping at the first failure: the outcome,
    (claimed ids, [(job id, bytes sent)], the failure or None), for record_batch."""
    printed, failure = [], None
    for job_id, given in batch:
        sent, failure = _render_and_send(target, job_id, given)
        if failure is not None:
            break
        printed.append((job_id, sent))
    return [job_id for job_id, _given in batch], printed, failure


def _render_and_send(target, job_id: int, given):
    """(bytes sent, None) when the printer took the job, else (None, the failure as (job id,
    error, keyword arguments of outcomes.job_failed))."""
    data_or_error = render_pool.run(documents.render, given)  # off the hub: see render_pool
    if isinstance(data_or_error, Exception):  # a bug, not the printer: logged each time
        log.warning("print job %s cannot be rendered: %s", job_id, data_or_error)
        return None, (job_id, f"cannot render: {data_or_error}", {"printer_fault": False})
    try:
        return transport.send(target, data_or_error), None
    except transport.PrinterNotReady as err:
        return None, (job_id, str(err), {"not_ready": True, "paper_out": err.paper_out})
    except transport.SendInterrupted as err:
        return None, (job_id, str(err), {"unknown": True})
    except transport.PrintFailure as err:
        return None, (job_id, str(err), {})


def record_batch(session: Session, outcome: tuple) -> None:
    """A batch's outcomes: the jobs printed, then (a failure ended the batch) the jobs never
    sent released (pending, the try not counted) and the failure recorded, which moves or
    delays them with the printer (printers/outcomes.py). Until this commits, the batch is
    'sending': after a crash recover_unknown prints it again marked REPRINT."""
    claimed, printed, failure = outcome
    if failure is None and outcomes.jobs_printed(session, printed):
        return  # every job printed on a printer that was up: no ORM object loaded
    if failure is not None:
        log.debug("print job %s failed: %s", failure[0], failure[1])
    jobs = {
        job.id: job for job in session.scalars(select(PrintJob).where(PrintJob.id.in_(claimed)))
    }
    for job_id, sent in printed:
        outcomes.job_printed(session, jobs[job_id], sent)
    if failure is not None:
        failed_id, error, kw = failure
        done = {failed_id, *(job_id for job_id, _sent in printed)}
        queue.release_unsent(session, [job for i, job in jobs.items() if i not in done])
        outcomes.job_failed(session, jobs[failed_id], error, **kw)


def record_and_claim(session: Session, printer_id: int, outcome, limit: int):
    """A printer loop's one transaction per round: its last batch's outcome, its next batch."""
    if outcome is not None:
        record_batch(session, outcome)
    return claim_batch(session, printer_id, limit)


def due_now(app, printer_id: int) -> bool:
    """True if the printer has a job to print now (a read: no write lock taken)."""
    with app.app_context(), unit_of_work(write=False) as session:
        return queue.has_due_job(session, printer_id)


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

    def __init__(
        self, app, idle_wait: float = 0.5, probe_every: float = PROBE_EVERY, batch: int = BATCH
    ):
        self.app, self.idle_wait, self.probe_every, self.batch = app, idle_wait, probe_every, batch
        self.events: dict[int, threading.Event] = {}
        self.stopped = threading.Event()
        self.writer = GroupWriter(app)

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
        """Rounds of: record the last batch's outcome and claim the next (one transaction,
        shared with the other loops' through the group writer), then render and send it.
        Claims when woken (a commit queued jobs for this printer) with no read first: an
        empty claim says the same. When the wait times out, a read first (jobs whose backoff
        ended): an idle printer never takes the write lock."""
        flag = self.events[printer_id]
        next_probe, next_reminder = 0.0, time.monotonic() + REMIND_EVERY
        woken, outcome = True, None  # at start: jobs may wait from before
        while not self.stopped.is_set():
            claimed = 0
            try:
                if woken or outcome is not None or due_now(self.app, printer_id):
                    batch = self.writer.run(record_and_claim, printer_id, outcome, self.batch)
                    outcome = None  # recorded (kept for the next round if that raised)
                    if batch:
                        claimed = len(batch[1])
                        outcome = send_batch(*batch)
                if not claimed and time.monotonic() >= next_probe:
                    # Idle: is a printer that was offline back? (Its screens' banner goes.)
                    next_probe = time.monotonic() + self.probe_every
                    probe_one(self.app, printer_id)
                if time.monotonic() >= next_reminder:
                    next_reminder = time.monotonic() + REMIND_EVERY
                    remind(self.app, printer_id)
            except Exception:  # noqa: BLE001 - a bug must not stop the printer's loop
                log.exception("print loop of printer %s", printer_id)
            woken = claimed > 0  # its outcome to record, and maybe more due: at once
            if not woken:
                woken = flag.wait(self.idle_wait)
            flag.clear()  # before the claim: a wake from now on is seen by the next wait

    def _housekeeping(self) -> None:
        while not self.stopped.wait(10):
            try:
                with self.app.app_context(), unit_of_work() as session:
                    queue.recover_unknown(session)
            except Exception:  # noqa: BLE001
                log.exception("print queue housekeeping")
