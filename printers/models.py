"""Printer configuration: how to reach a printer, its paper, its role and its backup."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class PrinterConnection(enum.StrEnum):
    """The transport python-escpos uses to reach the printer."""

    network = "network"
    usb = "usb"
    serial = "serial"
    file = "file"


class PrinterRole(enum.StrEnum):
    """What the printer prints."""

    kitchen = "kitchen"
    receipt = "receipt"
    label = "label"


class Printer(Base):
    """An ESC/POS printer: network (host:9100), USB, serial, or a file/device path."""

    __tablename__ = "printer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    connection: Mapped[PrinterConnection] = mapped_column(
        Enum(PrinterConnection, native_enum=False, length=16)
    )
    host: Mapped[str | None] = mapped_column(String(255))
    port: Mapped[int | None]
    device_path: Mapped[str | None] = mapped_column(String(255))
    usb_vendor_id: Mapped[int | None]
    usb_product_id: Mapped[int | None]
    baudrate: Mapped[int | None]
    paper_width_mm: Mapped[int] = mapped_column(default=80)
    chars_per_line: Mapped[int] = mapped_column(default=48)
    codepage: Mapped[str | None] = mapped_column(String(32))
    # Arabic as a raster image: most thermal printers have no usable Arabic code page.
    raster_text: Mapped[bool] = mapped_column(default=True)
    role: Mapped[PrinterRole] = mapped_column(Enum(PrinterRole, native_enum=False, length=16))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    backup_printer_id: Mapped[int | None] = mapped_column(ForeignKey("printer.id"))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
