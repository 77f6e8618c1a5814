"""Printer configuration endpoints of the back office."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from pos_app.api import Call, items
from pos_app.audit import record_audit
from pos_app.auth.models import Role
from pos_app.auth.roles import BACK_OFFICE
from pos_app.crud import Resource, get_or_404, register_resource
from pos_app.errors import NotFound, ValidationFailed
from pos_app.menu.models import Station
from printers import health, outcomes, paper_preview, queue, render_pool
from printers.models import Printer, PrinterConnection, PrintJob
from printers.schemas import (
    OrderReprintSchema,
    PrinterFilter,
    PrinterSchema,
    PrintJobFilter,
    PrintJobSchema,
    ReprintSchema,
    VirtualOutputQuery,
    VirtualTicketSchema,
)

VIRTUAL_JOBS_SHOWN = 50  # the newest jobs of a virtual printer the page can ask for

# What each connection needs, and the field that says so.
_REQUIRED = {
    PrinterConnection.network: ("host",),
    PrinterConnection.usb: ("usb_vendor_id", "usb_product_id"),
    PrinterConnection.serial: ("device_path",),
    PrinterConnection.file: ("device_path",),
}


def check_printer(_session, _actor, printer: Printer, data: dict, is_new: bool) -> None:
    """before_save: the connection has what it needs; a printer is not its own backup."""

    def value(name):
        return data[name] if name in data else (None if is_new else getattr(printer, name))

    connection = PrinterConnection(value("connection"))
    missing = {
        n: [f"required for a {connection.value} printer"]
        for n in _REQUIRED[connection]
        if value(n) in (None, "")
    }
    if missing:
        raise ValidationFailed("the printer's connection is incomplete", missing)
    if connection is PrinterConnection.network and value("port") is None:
        data["port"] = 9100
    backup = value("backup_printer_id")
    if backup is not None and not is_new and backup == printer.id:
        raise ValidationFailed(
            "a printer cannot back itself up", {"backup_printer_id": ["must be another printer"]}
        )
    if "paper_width_mm" in data and "chars_per_line" not in data:
        data["chars_per_line"] = 32 if data["paper_width_mm"] == 58 else 48


def leave_printer(session, _actor, printer: Printer) -> None:
    """on_deactivate: the printer's waiting jobs go to its backup printer."""
    outcomes.leave_inactive_printer(session, printer)


RESOURCE = Resource(
    "printers",
    "printer",
    Printer,
    PrinterSchema,
    "printers",
    read_roles=BACK_OFFICE,
    write_roles=BACK_OFFICE,
    strong_auth=True,  # where paper goes: password or step-up
    unique=("name",),
    refs={"station_id": Station, "backup_printer_id": Printer},
    query=PrinterFilter,
    before_save=check_printer,
    on_deactivate=leave_printer,
    order_by=("id",),
)


def printer_health(call: Call):
    """Every printer's health: online, paper out, queue depth, last error, last printed."""
    rows = call.session.scalars(select(Printer).where(Printer.active).order_by(Printer.id))
    return items(health.printer_health(call.session, p) for p in rows)


def list_jobs(call: Call):
    """Recent print jobs, newest first (filters: printer, status, source)."""
    stmt = select(PrintJob).order_by(PrintJob.id.desc()).limit(200)
    for name, value in call.query.items():
        stmt = stmt.where(getattr(PrintJob, name) == value)
    return items(PrintJobSchema().dump(call.session.scalars(stmt), many=True))


def reprint_job(call: Call, job_id: int):
    """Print a job again, marked REPRINT, on its station's printer now (audited).

    A cash drawer kick is not printed again: that would open the drawer."""
    job = get_or_404(call.session, PrintJob, job_id, "print_job")
    if job.kind == "drawer":
        raise ValidationFailed(
            "a cash drawer kick cannot be reprinted", {"job_id": ["is a drawer kick"]}
        )
    again = _reprint(call, job, call.body["reason"])
    return PrintJobSchema().dump(again), 201


def reprint_order_chits(call: Call):
    """Print an order's latest chit at a station again, marked REPRINT (audited).

    The kitchen screen's Reprint: {order_id, station_id, course?, reason?}; with `course`, the
    latest chit of that course. One copy per station printer that printed it, each on the
    printer it was meant for (a dead one fails over as usual)."""
    body = call.body
    jobs = call.session.scalars(
        select(PrintJob).where(
            PrintJob.source == f"order:{body['order_id']}",
            PrintJob.station_id == body["station_id"],
            PrintJob.kind == "chit",
        )
    ).all()
    if body.get("course") is not None:
        jobs = [j for j in jobs if j.document.get("course") == body["course"]]
    if not jobs:
        raise NotFound("no chit of this order was printed for this station")

    def chit_of(job):  # copies of one chit (and reprints of it) share its print time
        return (job.document.get("printed_at") or "", job.document.get("course"))

    latest = chit_of(max(jobs, key=lambda j: (chit_of(j)[0], j.id)))
    originals: dict[int, PrintJob] = {}
    for job in sorted(jobs, key=lambda j: j.id):
        if chit_of(job) == latest:
            originals.setdefault(job.origin_printer_id, job)  # once per station printer
    made = [_reprint(call, job, body["reason"]) for job in originals.values()]
    return items(PrintJobSchema().dump(made, many=True)), 201


def _reprint(call: Call, job: PrintJob, reason: str) -> PrintJob:
    """Queue a copy of `job` marked REPRINT on the printer it was meant for, and audit it."""
    printer = call.session.get(Printer, job.origin_printer_id)
    again = queue.queue_job(
        call.session,
        printer,
        job.kind,
        job.document,
        job.station_id,
        job.source,
        marks=[queue.REPRINT],
    )
    call.session.flush()
    record_audit(
        call.session,
        call.actor,
        "print_job.reprinted",
        "print_job",
        job.id,
        after={"new_job": again.id, "printer": printer.name, "source": job.source},
        reason=reason,
    )
    return again


def test_print(call: Call, obj_id: int):
    """Queue a test page on this printer."""
    printer = get_or_404(call.session, Printer, obj_id, "printer")
    job = queue.queue_job(call.session, printer, "test", {}, printer.station_id, "test")
    call.session.flush()
    return PrintJobSchema().dump(job), 201


def virtual_output(call: Call, obj_id: int):
    """What a virtual printer (make run) received, newest first, as text and as paper.

    `text` is readable text; `paper` the parts as printed: text, the Arabic lines and QR codes
    as PNG images, the drawer kick, the cut.

    `after`: only the jobs numbered after it (what a page already shows is not sent again)."""
    printer = get_or_404(call.session, Printer, obj_id, "printer")
    virtual = current_app.extensions.get("virtual_printers", {}).get(printer.id)
    if virtual is None:
        raise NotFound(f"{printer.name} is not a virtual printer")
    after = call.query.get("after", 0)
    if after > virtual.received:  # the page counted jobs of a server that has since restarted
        after = 0
    jobs = [job for job in reversed(virtual.jobs[-VIRTUAL_JOBS_SHOWN:]) if job.number > after]
    render_pool.run(_make_previews, jobs)  # PNG encoding: CPU work, off the hub
    return items(
        {
            "number": job.number,
            "at": job.at,
            "complete": job.complete,
            "bytes": len(job.data),
            **job.preview,
        }
        for job in jobs
    )


def _make_previews(jobs) -> None:
    for job in jobs:
        if job.preview is None:
            job.preview = paper_preview.preview(job.data)


def register(app) -> None:
    """Add the printer endpoints to the app's API."""
    api = app.extensions["pos_api"]
    register_resource(api, RESOURCE)
    staff = frozenset({Role.owner, Role.manager, Role.kitchen, Role.cashier})
    api.add("/printers/health", "GET", printer_health, roles=staff, tag="printers")
    api.add(
        "/printers/<int:obj_id>/test-print",
        "POST",
        test_print,
        roles=BACK_OFFICE,
        tag="printers",
        status=201,
    )
    api.add(
        "/printers/<int:obj_id>/virtual-output",
        "GET",
        virtual_output,
        roles=BACK_OFFICE,
        tag="printers",
        query=VirtualOutputQuery,
        response=VirtualTicketSchema,
        many=True,
    )
    api.add(
        "/print-jobs",
        "GET",
        list_jobs,
        roles=staff,
        tag="printers",
        query=PrintJobFilter,
        response=PrintJobSchema,
        many=True,
    )
    api.add(
        "/print-jobs/reprint",
        "POST",
        reprint_order_chits,
        roles=staff,
        tag="printers",
        body=OrderReprintSchema,
        response=PrintJobSchema,
        many=True,
        status=201,
    )
    api.add(
        "/print-jobs/<int:job_id>/reprint",
        "POST",
        reprint_job,
        roles=staff,
        tag="printers",
        body=ReprintSchema,
        response=PrintJobSchema,
        status=201,
    )
