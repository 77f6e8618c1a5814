"""One writer for every printer loop of a process: the requests that arrive while a transaction
runs share the next one (one BEGIN IMMEDIATE, one commit, one fsync).

With a thread per printer each taking SQLite's write lock for its own claims and outcomes, the
loops of the print process spent about a third of their time waiting for the lock (a sampling
of its threads at 10 orders/s, eight printers), in sleeps that outlast it. Here the loops hand
their transaction's work to this thread and wait; what came in meanwhile is done in one
transaction, in the order it came. A request that raises makes the group's transaction roll
back; its members are then run one by one, so only the faulty one gets the error.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pos_app.db import unit_of_work


@dataclass
class _Request:
    fn: Any
    args: tuple
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupWriter:
    """Runs `fn(session, *args)` for the printer loops, several to a transaction."""

    def __init__(self, app):
        self.app = app
        self.transactions = 0  # how many it committed (or tried): what tests and benches read
        self._ready = threading.Condition()
        self._queue: list[_Request] = []
        threading.Thread(target=self._serve, daemon=True, name="print-writer").start()

    def run(self, fn, *args):
        """fn(session, *args) in the writer's next transaction; its result, or its exception."""
        request = _Request(fn, args)
        with self._ready:
            self._queue.append(request)
            self._ready.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.result

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                group, self._queue = self._queue, []
            self._commit(group)

    def _commit(self, group: list[_Request]) -> None:
        self.transactions += 1
        try:
            with self.app.app_context(), unit_of_work() as session:
                results = [request.fn(session, *request.args) for request in group]
        except Exception as err:  # noqa: BLE001 - handed to the request that raised
            if len(group) > 1:
                for request in group:
                    self._commit([request])
                return
            group[0].error = err
            group[0].done.set()
            return
        for request, result in zip(group, results, strict=True):
            request.result = result
            request.done.set()
