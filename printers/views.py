"""Printer configuration endpoints of the back office."""

from __future__ import annotations

from pos_app.auth.models import BACK_OFFICE
from pos_app.crud import Resource, register_resource
from pos_app.errors import ValidationFailed
from pos_app.menu.models import Station
from printers.models import Printer, PrinterConnection
from printers.schemas import PrinterFilter, PrinterSchema

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


RESOURCE = Resource(
    "printers",
    "printer",
    Printer,
    PrinterSchema,
    "printers",
    read_roles=BACK_OFFICE,
    write_roles=BACK_OFFICE,
    refs={"station_id": Station, "backup_printer_id": Printer},
    query=PrinterFilter,
    before_save=check_printer,
    order_by=("id",),
)


def register(app) -> None:
    """Add the printer endpoints to the app's API."""
    register_resource(app.extensions["pos_api"], RESOURCE)
