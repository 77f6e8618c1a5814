"""Ports: the calls the kernel makes into a feature package, each provided in create_app().

A signal is an announcement: it may have no receiver and the kernel goes on. A port is a
question the kernel needs answered (is this table free to seat an order?), so calling a port
that nothing provides fails loudly (`PortMissing`) instead of skipping a check. Like the
signals' receivers, providers are process-wide; create_app() is the only place that sets them.
"""

from __future__ import annotations

from collections.abc import Callable


class PortMissing(RuntimeError):
    """The kernel called a port that no feature package provides: the app is wired wrong."""


class Port:
    """One call the kernel makes and one feature package answers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._provider: Callable | None = None

    def provide(self, provider: Callable) -> None:
        """Set the function that answers this port (create_app() calls this)."""
        self._provider = provider

    def __call__(self, *args, **kwargs):
        if self._provider is None:
            raise PortMissing(f"nothing provides the {self.name!r} port: see create_app()")
        return self._provider(*args, **kwargs)


# claim_table(session, table_id) -> the table's label, for a dine-in order about to sit at it:
# the table exists, is active and is not waiting to be cleared, else a PosError
# (unknown_reference, table_dirty). The kernel checks that no other open order holds it.
# Provided by table_service.
claim_table = Port("claim_table")

# printer_reports(session) -> a list of the branch's active printers as the cloud shows them
# (name, online, paper_out, backup_in_use, queue_depth, last_error, last_printed_at), for the
# push to the cloud (pos_app/cloud/push.py). Provided by printers.
printer_reports = Port("printer_reports")
