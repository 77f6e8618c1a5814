"""The demo restaurant's printers: one per station on loopback (virtual printers answer there
under `make run`), each backed up by a neighbour, and a receipt printer; and the virtual
printers themselves, started as the server starts.

Where they listen is POS_VIRTUAL_PRINTER_PORT: unset, each on its printer's port (the demo's
9101-9105); a number, on it and the ports after it (the printers' rows moved to match); "auto",
on any free ports (rows moved too). A port already in use stops the server with a message:
before, a second `make run` on the same machine quietly sent its chits to the first one's
virtual printers.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.menu.models import Station
from printers.models import Printer, PrinterConnection, PrinterRole

log = logging.getLogger("pos.printers")
FIRST_PORT = 9101
AUTO = "auto"
SETTING = "POS_VIRTUAL_PRINTER_PORT"
BACKUPS = {"grill": "fry", "fry": "grill", "cold": "bar", "bar": "cold"}


def load_demo_printers(session: Session, data: dict) -> None:
    """Receiver of `demo_loading`: virtual network printers on 127.0.0.1:9101 and up (or from
    POS_VIRTUAL_PRINTER_PORT)."""
    first = first_port()
    stations = {s.code: s for s in session.scalars(select(Station).where(~Station.is_expo))}
    printers = {}
    for offset, code in enumerate(sorted(stations, key=lambda c: stations[c].sort)):
        printers[code] = Printer(
            name=f"{stations[code].name} printer",
            connection=PrinterConnection.network,
            host="127.0.0.1",
            port=first + offset,
            role=PrinterRole.kitchen,
            station_id=stations[code].id,
            paper_width_mm=80,
            chars_per_line=48,
        )
    receipt = Printer(
        name="Receipt printer",
        connection=PrinterConnection.network,
        host="127.0.0.1",
        port=first + len(printers),
        role=PrinterRole.receipt,
        cash_drawer=True,
        paper_width_mm=80,
        chars_per_line=48,
    )
    session.add_all([*printers.values(), receipt])
    session.flush()
    for code, backup in BACKUPS.items():
        if code in printers and backup in printers:
            printers[code].backup_printer_id = printers[backup].id


def first_port() -> int:
    """The demo printers' first port: POS_VIRTUAL_PRINTER_PORT when it is a number, else 9101."""
    setting = current_app.config.get(SETTING) if has_app_context() else None
    return setting if isinstance(setting, int) else FIRST_PORT


class VirtualPrinterPortTaken(SystemExit):
    """A virtual printer's port is in use by another program: the server must not start.

    (A SystemExit: the process ends with the message and no traceback.)"""


def loopback_printers(session: Session) -> list[Printer]:
    """The active network printers on 127.0.0.1 (the demo's): those virtual printers answer."""
    return list(
        session.scalars(
            select(Printer)
            .where(
                Printer.active,
                Printer.connection == PrinterConnection.network,
                Printer.host.in_(("127.0.0.1", "localhost")),
            )
            .order_by(Printer.id)
        )
    )


def _wanted_ports(setting, rows: list[tuple[int, str, int]]) -> list[int]:
    if setting == AUTO:
        return [0] * len(rows)  # the system picks a free port for each
    if isinstance(setting, int):
        if setting + len(rows) - 1 > 65535:
            raise VirtualPrinterPortTaken(
                f"{SETTING}={setting} leaves no room for {len(rows)} ports"
            )
        return [setting + offset for offset in range(len(rows))]
    return [port for _id, _name, port in rows]


def taken_message(name: str, port: int, error: OSError) -> str:
    """What the server says when a virtual printer's port is in use."""
    return (
        f"Cannot start the virtual printer {name!r} on 127.0.0.1:{port}: {error.strerror or error}."
        f" Another program listens there (another `make run` on this machine?), and this"
        f" server's chits would print on its paper. Choose other ports:"
        f" `make run {SETTING}=9201` (its printers then use 9201 and the ports after it), or"
        f" `{SETTING}=auto` for any free ports; or stop the other program."
    )


def start_virtual_printers(app) -> dict:
    """Listen as every loopback printer (the demo's), keep what they get; refuse a taken port."""
    from pos_app.db import unit_of_work
    from printers.virtual import VirtualPrinter

    setting = app.config.get(SETTING)
    with app.app_context(), unit_of_work(write=False) as session:
        rows = [(p.id, p.name, p.port) for p in loopback_printers(session)]
    running = app.extensions.setdefault("virtual_printers", {})
    for (printer_id, name, _port), port in zip(rows, _wanted_ports(setting, rows), strict=True):
        try:
            running[printer_id] = VirtualPrinter(name, port=port).start()
        except OSError as err:
            for started in running.values():
                started.stop()
            running.clear()
            message = taken_message(name, port, err)
            log.critical("%s", message)
            raise VirtualPrinterPortTaken(message) from err
    _move_rows(app, {pid: vp.port for pid, vp in running.items()}, rows)
    if running:
        log.info(
            "virtual printers listening (%s=%s): %s",
            SETTING,
            setting or "unset",
            ", ".join(f"{vp.name} 127.0.0.1:{vp.port}" for vp in running.values()),
        )
    return running


def _move_rows(app, ports: dict[int, int], rows: list[tuple[int, str, int]]) -> None:
    """Point the printers' rows at the ports their virtual printers got (the worker reads them)."""
    from pos_app.db import unit_of_work

    moved = [(pid, name, old) for pid, name, old in rows if ports[pid] != old]
    if not moved:
        return
    with app.app_context(), unit_of_work() as session:
        for printer_id, name, old in moved:
            session.get(Printer, printer_id).port = ports[printer_id]
            log.info("%s moved from port %s to %s (%s)", name, old, ports[printer_id], SETTING)


def welcome_lines(app) -> list[str]:
    """For `make run`'s welcome: where the virtual printers will listen, and how to move them."""
    if not app.config.get("POS_VIRTUAL_PRINTERS"):
        return []
    from pos_app.db import unit_of_work

    setting = app.config.get(SETTING)
    with app.app_context(), unit_of_work(write=False) as session:
        rows = [(p.id, p.name, p.port) for p in loopback_printers(session)]
    if not rows:
        return []
    if setting == AUTO:
        where = "free ports picked at start (the server's log names them)"
    else:
        ports = _wanted_ports(setting, rows)
        low, high = min(ports), max(ports)
        where = (
            f"127.0.0.1:{low}-{high}"
            if high - low == len(ports) - 1
            else ", ".join(f"127.0.0.1:{p}" for p in ports)
        )
    return [
        f"  Virtual printers (no paper: what they print is on /admin/printers): {where}",
        f"    A second `make run` on this machine needs other ports, or it stops at start:"
        f" `make run PORT=5001 {SETTING}=9201` ({SETTING}=auto: any free ports)",
    ]
