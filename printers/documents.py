"""What goes on paper: chit documents made from fired orders (a receiver of `order_fired`),
and turning a queued job into bytes for its printer with printers.render."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.branch.services import current_branch
from pos_app.clock import utcnow
from pos_app.menu.models import Station
from printers.models import Printer, PrinterRole, PrintJob
from printers.queue import queue_job


def station_printers(session: Session, station_id: int) -> list[Printer]:
    """The active kitchen printers of a station."""
    return list(
        session.scalars(
            select(Printer)
            .where(
                Printer.station_id == station_id,
                Printer.active,
                Printer.role == PrinterRole.kitchen,
            )
            .order_by(Printer.id)
        )
    )


def on_order_fired(session: Session, order, deltas, reason: str = "", **_kw) -> None:
    """Receiver of `order_fired`: one chit per (station, course) for each station printer."""
    stations = {s.id: s for s in session.scalars(select(Station).where(Station.active))}
    kitchen = [s for s in sorted(stations.values(), key=lambda s: s.sort) if not s.is_expo]
    fallback = kitchen[0] if kitchen else None
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for delta in deltas:
        station = stations.get(delta.line.station_id) or fallback
        if station is not None:
            groups[(station.id, delta.line.course)].append(delta)
    branch = current_branch(session)
    for (station_id, course), group in sorted(groups.items()):
        printers = station_printers(session, station_id)
        if not printers:
            continue
        chit = _chit(order, stations[station_id], course, group, reason, branch)
        for printer in printers:
            queue_job(session, printer, "chit", chit, station_id, f"order:{order.id}")


def _chit(order, station: Station, course: int, deltas, reason: str, branch) -> dict:
    return {
        "station": {"name": station.name, "name_ar": station.name_ar or station.name},
        "header": {
            "number": order.number,
            "type": order.type.value,
            "table": order.table_label,
            "waiter": order.waiter_name,
            "customer": order.customer_name,
            "guests": order.guests,
            "notes": order.notes,
            "rush": order.rush,
        },
        "course": course,
        "held": course > order.released_course,
        "is_change": any(d.is_change for d in deltas),
        "printed_at": utcnow().isoformat(),
        "time_zone": branch.time_zone if branch else "UTC",
        "lines": [_line(d, reason) for d in deltas],
    }


def _line(delta, reason: str) -> dict:
    line = delta.line
    return {
        "kind": delta.kind,
        "quantity": delta.quantity,
        "voided_quantity": 0,
        "void_reason": reason if delta.kind == "void" else "",
        "name": line.name,
        "name_ar": line.name_ar,
        "modifiers": list(line.modifiers or []),
        "old_modifiers": delta.old_modifiers,
        "old_quantity": delta.old_quantity,
        "note": line.note,
        "allergy": line.allergy,
        "seat": line.seat,
    }


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
    )


def render_job(job: PrintJob, printer: Printer) -> bytes | Exception:
    """The job's bytes for this printer (its marks included), or the error that stopped it."""
    from printers import render

    try:
        layout = layout_of(printer)
        if job.kind == "test":
            return render.render_test_page(printer.name, layout)
        document = {**job.document, "marks": list(job.marks)}
        if job.kind == "label":
            return render.render_label(document, layout)
        return render.render_kitchen_chit(document, layout)
    except Exception as err:  # noqa: BLE001 - a bad document must not stop the printer
        return err
