"""Printer configuration: how to reach a printer, its paper, its role and its backup."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
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
    # Ask the printer's real-time status (DLE EOT) before each job; a printer that should
    # answer and does not is offline. Turn off for printers that never answer.
    answers_status: Mapped[bool] = mapped_column(default=True)
    bilingual: Mapped[bool] = mapped_column(default=True)  # English and Arabic names
    language: Mapped[str] = mapped_column(String(2), default="en")  # labels; first of the two
    # A receipt printer with the cash drawer wired to it (ESC p kicks go there).
    cash_drawer: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Health, as the print worker last saw it.
    online: Mapped[bool | None]
    paper_out: Mapped[bool] = mapped_column(default=False)
    failures: Mapped[int] = mapped_column(default=0)  # in a row; printing resets it
    last_error: Mapped[str] = mapped_column(String(300), default="")
    last_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PrintJobStatus(enum.StrEnum):
    """Where a print job is."""

    pending = "pending"  # waiting for its printer (first try, or a retry after a failure)
    sending = "sending"  # a worker has it; if the server dies now the outcome is unknown
    printed = "printed"


class PrintJob(Base):
    """One document for one printer, written in the transaction of the event that caused it."""

    __tablename__ = "print_job"
    # Claiming the next due chit and finding when a new one may go both read a printer's
    # pending chits by time: one index serves both (and whatever only needs printer + status).
    __table_args__ = (
        Index("ix_print_job_printer_status_due", "printer_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printer.id"))
    origin_printer_id: Mapped[int] = mapped_column(ForeignKey("printer.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    kind: Mapped[str] = mapped_column(String(16))  # chit, label, test, receipt, prebill
    document: Mapped[dict] = mapped_column(JSON)  # what render.py needs, snapshotted
    marks: Mapped[list] = mapped_column(JSON, default=list)  # REPRINT, BACKUP FROM <printer>
    source: Mapped[str] = mapped_column(String(64), default="")  # e.g. "order:<id>"
    status: Mapped[PrintJobStatus] = mapped_column(
        Enum(PrintJobStatus, native_enum=False, length=16), default=PrintJobStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which process is sending it ("host:pid:start token"): a job whose sender is known to be
    # dead is printed again at once instead of after STALE_AFTER.
    claimed_by: Mapped[str] = mapped_column(String(96), default="")
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    byte_count: Mapped[int] = mapped_column(default=0)
