"""Sending bytes to a printer and reading its real-time status (ESC/POS DLE EOT).

Three ways a send can fail, and each means something different for the job:
`PrinterUnreachable` (nothing was printed: retry, then the backup), `PrinterNotReady` (the
printer said offline or paper out: straight to the backup), `SendInterrupted` (the connection
broke after bytes left: the outcome is unknown, so the job is printed again marked REPRINT).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

DLE_EOT_PRINTER = b"\x10\x04\x01"  # printer status: bit 3 = offline
DLE_EOT_PAPER = b"\x10\x04\x04"  # roll paper sensor: bits 5 and 6 = paper end
CHUNK = 4096


class PrintFailure(Exception):
    """A job did not (certainly) print."""


class PrinterUnreachable(PrintFailure):
    """No byte of the job reached the printer."""


class PrinterNotReady(PrintFailure):
    """The printer answered that it cannot print (offline, paper out)."""

    def __init__(self, message: str, paper_out: bool = False):
        super().__init__(message)
        self.paper_out = paper_out


class SendInterrupted(PrintFailure):
    """The connection broke after some bytes left: the chit may be half printed."""


@dataclass(frozen=True)
class Target:
    """Where and how to reach one printer (a snapshot of its configuration)."""

    name: str
    connection: str  # network, usb, serial, file
    host: str | None = None
    port: int | None = 9100
    device_path: str | None = None
    usb_vendor_id: int | None = None
    usb_product_id: int | None = None
    baudrate: int | None = None
    answers_status: bool = True
    connect_timeout: float = 1.5
    io_timeout: float = 5.0  # writing a job: a busy printer may be slow to take it
    status_timeout: float = 1.5  # a printer answers DLE EOT in milliseconds


def send(target: Target, data: bytes) -> int:
    """Deliver `data` to the printer; returns the number of bytes sent."""
    if target.connection == "network":
        return _send_network(target, data)
    if target.connection == "file":
        return _send_file(target, data)
    return _send_escpos_device(target, data)


def _send_network(target: Target, data: bytes) -> int:
    try:
        sock = socket.create_connection(
            (target.host, target.port or 9100), timeout=target.connect_timeout
        )
    except OSError as err:
        raise PrinterUnreachable(f"cannot connect to {target.host}:{target.port}: {err}") from err
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if target.answers_status:
            sock.settimeout(min(target.status_timeout, target.io_timeout))
            try:
                check_ready(sock)
            except OSError as err:
                raise PrinterUnreachable(f"no status answer: {err}") from err
        sock.settimeout(target.io_timeout)
        sent = 0
        try:
            while sent < len(data):
                sent += sock.send(data[sent : sent + CHUNK])
        except OSError as err:
            if sent == 0:
                raise PrinterUnreachable(f"nothing sent: {err}") from err
            raise SendInterrupted(
                f"connection broke after {sent} of {len(data)} bytes: {err}"
            ) from err
        if target.answers_status:
            # Asking again after the job proves the printer read it all: a printer switched
            # off mid-job (python-escpos would not notice) fails here.
            try:
                check_ready(sock)
            except (OSError, PrinterNotReady) as err:
                raise SendInterrupted(f"no answer after the job: {err}") from err
        return sent


def probe(target: Target) -> None:
    """Is the printer there and ready? Connect and ask its status, printing nothing.

    Raises PrinterUnreachable or PrinterNotReady; only network printers can be asked (the
    others are taken as ready, their next job tells)."""
    if target.connection != "network":
        return
    try:
        sock = socket.create_connection(
            (target.host, target.port or 9100), timeout=target.connect_timeout
        )
    except OSError as err:
        raise PrinterUnreachable(f"cannot connect to {target.host}:{target.port}: {err}") from err
    with sock:
        sock.settimeout(min(target.status_timeout, target.io_timeout))
        if target.answers_status:
            try:
                check_ready(sock)
            except OSError as err:
                raise PrinterUnreachable(f"no status answer: {err}") from err


def check_ready(sock: socket.socket) -> None:
    """Ask the printer's status; raise PrinterNotReady if it is offline or out of paper."""
    printer = _ask(sock, DLE_EOT_PRINTER)
    if printer & 0x08:
        raise PrinterNotReady("the printer reports it is offline (cover open or error)")
    paper = _ask(sock, DLE_EOT_PAPER)
    if paper & 0x60:
        raise PrinterNotReady("the printer reports paper out", paper_out=True)


def _ask(sock: socket.socket, query: bytes) -> int:
    sock.sendall(query)
    answer = sock.recv(1)
    if not answer:
        raise ConnectionError("the printer closed the connection")
    return answer[0]


def _send_file(target: Target, data: bytes) -> int:
    try:
        with open(target.device_path, "ab", buffering=0) as out:
            out.write(data)
    except OSError as err:
        raise PrinterUnreachable(f"cannot write {target.device_path}: {err}") from err
    return len(data)


def _send_escpos_device(target: Target, data: bytes) -> int:
    """USB and serial printers through python-escpos (not exercised without the hardware)."""
    from escpos import printer as escpos_printer

    try:
        if target.connection == "usb":
            device = escpos_printer.Usb(target.usb_vendor_id, target.usb_product_id)
        else:
            device = escpos_printer.Serial(target.device_path, baudrate=target.baudrate or 9600)
        device._raw(data)
        device.close()
    except Exception as err:  # noqa: BLE001 - the driver raises many kinds
        raise PrinterUnreachable(f"{target.connection} printer: {err}") from err
    return len(data)
