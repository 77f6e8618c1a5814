"""What goes on paper: chit documents made from the kernel's kitchen sends (a receiver of
`order_fired` and `course_fired`), receipts, reports and drawer kicks queued for the receipt
printers (`document_printing`), and turning a queued job into bytes for its printer with
printers.render, printers.receipts and printers.reports."""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.branch.services import current_branch
from pos_app.clock import utcnow
from pos_app.orders.routing import KitchenGroup, KitchenSend
from printers.models import Printer, PrinterRole, PrintJob
from printers.queue import REPRINT, queue_job, queue_jobs

log = logging.getLogger(__name__)
RECEIPT_KINDS = ("receipt", "pre_bill", "report", "drawer")


def queue_chits(session: Session, send: KitchenSend, **_kw) -> None:
    """Receiver of `order_fired` and `course_fired`: one chit per (station, course) of the
    kitchen send for each of the station's active kitchen printers (a released course's
    chit says `FIRE COURSE n`)."""
    if not send.groups:
        return
    branch = current_branch(session)
    by_station: dict[int, list[Printer]] = defaultdict(list)
    for printer in session.scalars(
        select(Printer)
        .where(
            Printer.station_id.in_({group.station_id for group in send.groups}),
            Printer.active,
            Printer.role == PrinterRole.kitchen,
        )
        .order_by(Printer.id)
    ):
        by_station[printer.station_id].append(printer)
    jobs = []
    for group in send.groups:
        printers = by_station.get(group.station_id)
        if not printers:
            continue
        chit = _chit(send, group, branch)
        source = f"order:{send.order_id}"
        jobs.extend((printer, "chit", chit, group.station_id, source) for printer in printers)
    queue_jobs(session, jobs)


def on_document_printing(
    session: Session, kind: str, document: dict, ref: str = "", reprint: bool = False, **_kw
) -> None:
    """Receiver of `document_printing`: one job on the branch's receipt printer (REPRINT
    marked); if it fails, its backup prints it as for chits. A drawer kick goes to the
    receipt printer the drawer is wired to (`cash_drawer`), else to the receipt printer."""
    if kind not in RECEIPT_KINDS:
        raise ValueError(f"not a receipt printer document: {kind!r}")
    printers = session.scalars(
        select(Printer)
        .where(Printer.active, Printer.role == PrinterRole.receipt)
        .order_by(Printer.cash_drawer.desc() if kind == "drawer" else Printer.id, Printer.id)
    ).all()
    if not printers:
        log.warning("no active receipt printer: %s %s not printed", kind, ref)
        return
    marks = [REPRINT] if reprint else []
    queue_job(session, printers[0], kind, document, None, ref[:64], marks=marks)


def _chit(send: KitchenSend, group: KitchenGroup, branch) -> dict:
    """The chit document of one group (what printers.render draws)."""
    chit = {
        "station": {
            "name": group.station_name,
            "name_ar": group.station_name_ar or group.station_name,
        },
        "header": dict(send.header),
        "course": group.course,
        "held": group.held,
        "is_change": group.is_change,
        "printed_at": utcnow().isoformat(),
        "time_zone": branch.time_zone if branch else "UTC",
        "lines": [{"voided_quantity": 0, **line.said()} for line in group.lines],
    }
    if send.release:
        chit["fire"] = True
    return chit


def layout_of(printer: Printer):
    """The paper layout render.py needs for this printer."""
    from printers import render

    dots = 576 if printer.paper_width_mm == 80 else 384
    return render.PaperLayout(
        width_mm=printer.paper_width_mm,
        chars_per_line=printer.chars_per_line,
        dots=dots,
        codepage=printer.codepage or "cp437",
        raster_text=printer.raster_text,
        bilingual=printer.bilingual,
        language=printer.language or "en",
    )


@dataclass(frozen=True)
class RenderInput:
    """What rendering a job needs, copied out of the database (render outside transactions)."""

    kind: str
    document: dict
    marks: tuple
    printer_name: str
    layout: object  # render.PaperLayout


def render_input(job: PrintJob, printer: Printer) -> RenderInput:
    """A snapshot of the job and its printer's paper, safe to use after the session is gone."""
    return RenderInput(
        job.kind, copy.deepcopy(job.document), tuple(job.marks), printer.name, layout_of(printer)
    )


def render(given: RenderInput) -> bytes | Exception:
    """The job's bytes for its printer (its marks included), or the error that stopped it."""
    from printers import receipts, reports
    from printers import render as escpos

    try:
        if given.kind == "test":
            return escpos.render_test_page(given.printer_name, given.layout)
        if given.kind == "drawer":
            return receipts.render_drawer_kick()
        document = {**given.document, "marks": list(given.marks)}
        if given.kind == "label":
            return escpos.render_label(document, given.layout)
        if given.kind in ("receipt", "pre_bill"):
            default = "pre_bill" if given.kind == "pre_bill" else "invoice"
            return receipts.render_receipt({"kind": default, **document}, given.layout)
        if given.kind == "report":
            return reports.render_report(document, given.layout)
        return escpos.render_kitchen_chit(document, given.layout)
    except Exception as err:  # noqa: BLE001 - a bad document must not stop the printer
        return err


def render_job(job: PrintJob, printer: Printer) -> bytes | Exception:
    """The job's bytes for this printer (its marks included), or the error that stopped it."""
    return render(render_input(job, printer))
