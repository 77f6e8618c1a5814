"""The demo restaurant's printers: one per station on loopback (virtual printers answer there
under `make run`), each backed up by a neighbour, and a receipt printer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.menu.models import Station
from printers.models import Printer, PrinterConnection, PrinterRole

FIRST_PORT = 9101
BACKUPS = {"grill": "fry", "fry": "grill", "cold": "bar", "bar": "cold"}


def load_demo_printers(session: Session, data: dict) -> None:
    """Receiver of `demo_loading`: virtual network printers on 127.0.0.1:9101 and up."""
    stations = {s.code: s for s in session.scalars(select(Station).where(~Station.is_expo))}
    printers = {}
    for offset, code in enumerate(sorted(stations, key=lambda c: stations[c].sort)):
        printers[code] = Printer(
            name=f"{stations[code].name} printer",
            connection=PrinterConnection.network,
            host="127.0.0.1",
            port=FIRST_PORT + offset,
            role=PrinterRole.kitchen,
            station_id=stations[code].id,
            paper_width_mm=80,
            chars_per_line=48,
        )
    receipt = Printer(
        name="Receipt printer",
        connection=PrinterConnection.network,
        host="127.0.0.1",
        port=FIRST_PORT + len(printers),
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


def start_virtual_printers(app) -> dict:
    """Listen as every active printer configured on 127.0.0.1 (the demo's), keep what they get."""
    from pos_app.db import unit_of_work
    from printers.virtual import VirtualPrinter

    running = app.extensions.setdefault("virtual_printers", {})
    with app.app_context(), unit_of_work(write=False) as session:
        rows = session.scalars(
            select(Printer).where(
                Printer.active,
                Printer.connection == PrinterConnection.network,
                Printer.host == "127.0.0.1",
            )
        ).all()
        wanted = [(p.id, p.name, p.port) for p in rows]
    for printer_id, name, port in wanted:
        try:
            running[printer_id] = VirtualPrinter(name, port=port).start()
        except OSError as err:  # the port is taken (a real listener there): leave it be
            app.logger.warning("virtual printer %s on port %s: %s", name, port, err)
    return running
