"""The one start-up path of a serving process: logging, the descriptor limit, the order path's
warm-up, the background services (print worker) and the scheduler, exactly once per process.

Every way of serving calls `start_services(app)`: `python -m pos_app.server` (what `make run`
starts) and `wsgi.py` (gunicorn's gevent worker, any other WSGI server). Before this module,
`wsgi.py` started neither the print worker nor the scheduler, and a branch served that way
printed no chit. Tests and the CLI build apps with create_app() and never call it.
"""

from __future__ import annotations

import gc
import logging
import os
import threading

from flask import Flask

from pos_app import descriptors, scheduler, warmup
from pos_app.config import log_level

log = logging.getLogger("pos.startup")

# Process-wide on purpose (house style keeps state on the app): two apps in one process must
# not each start a print worker, or every chit would print twice. The pid tells a forked
# child (which inherits this value but none of the running workers) from its parent.
_started_in_pid: int | None = None
_start_lock = threading.Lock()


def configure_logging() -> None:
    """Log to stderr at POS_LOG_LEVEL, unless the server (gunicorn) set logging up already."""
    logging.basicConfig(level=log_level(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pos").setLevel(log_level())
    logging.getLogger("alembic").setLevel(logging.WARNING)


def start_services(app: Flask) -> bool:
    """Raise the descriptor limit, start the services and jobs; True if this call started them.

    Once per process: a second call (another app, a second import of wsgi.py) does nothing.
    With POS_SCHEDULER=0 the limit is still raised but no background work starts.
    """
    global _started_in_pid
    with _start_lock:
        if _started_in_pid == os.getpid():
            log.info("background services already started in this process")
            return False
        _started_in_pid = os.getpid()
    descriptors.raise_limit()
    warmup.warm_order_path(app)  # before the first order: compiled statements, the menu
    if not app.config["POS_SCHEDULER"]:
        log.info("background work is off (POS_SCHEDULER=0): no print worker, no jobs")
        freeze_heap()
        return True
    app.extensions["pos_scheduler"] = scheduler.start(app)
    freeze_heap()
    return True


def freeze_heap() -> None:
    """Take what start-up built (the app, SQLAlchemy's mappers and compiled statements, the
    menu, the fonts: a few hundred thousand objects that live as long as the process) out of
    the cyclic garbage collector's full collections.

    Python's full (generation 2) collection walks every tracked object. Under the benchmark's
    20 orders/s the server ran one every 20 s or so, each holding the hub 150-185 ms (a
    gc.callbacks probe): every order and screen push of that moment waited, and those waits
    were the p99. gc.freeze() moves the objects alive now to a permanent generation that no
    collection walks; what is made later is collected as before.
    """
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects left out of full collections", gc.get_freeze_count())
