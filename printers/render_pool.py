"""Rendering off the gevent hub: print jobs and paper previews are drawn in a native thread.

Under gevent (the server), every greenlet shares the hub's thread, and CPU work in one of them
holds every push to every screen until it ends: the first chit after a start (imports, font
loading, Arabic shaping) held them 0.6-1.6 s, and a long Arabic chit still takes 100-200 ms.
So `run(fn, ...)` hands the work to one native thread of a gevent ThreadPool and the calling
greenlet waits without blocking the hub. Pillow holds the GIL for most of its work, but a
native thread is preempted every switch interval (5 ms), so the hub keeps running between
slices; a greenlet never would be. One thread, not more: renders never run concurrently
(FreeType faces are shared and not thread-safe) and at most one thread competes with the hub.

Without gevent's monkey-patching (the print process, tests, the CLI) the worker's threads are
real threads and `run` calls the function where it is, one call at a time (a lock: the
printer loops would otherwise render at once on shared FreeType faces). `warm_up()` at the
worker's start pays for the imports, the fonts and the pool's thread before the first order,
when no screen waits.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("pos.printers")
_pool = None
_pool_lock = threading.Lock()
_render_lock = threading.Lock()  # without gevent: one render at a time across the loops


def on_gevent() -> bool:
    """True in a process gevent has monkey-patched (the server): threads are greenlets."""
    from gevent import monkey

    return monkey.is_module_patched("threading")


def _the_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            from gevent.threadpool import ThreadPool

            _pool = ThreadPool(1)
        return _pool


def run(fn, *args):
    """fn(*args), computed in the render thread when under gevent (the caller's greenlet waits,
    the hub goes on); its exception, if any, is raised here."""
    if not on_gevent():
        with _render_lock:
            return fn(*args)
    return _the_pool().apply(fn, args)


def _sample_renders() -> int:
    """Render one of everything the worker prints: imports, fonts and shaping done once."""
    from printers import receipts, reports  # noqa: F401 - imported now, not at the first job
    from printers.fonts import HUGE, LARGE, NORMAL, ArLine, arabic_block
    from printers.render import PaperLayout, render_kitchen_chit, render_test_page

    total = 0
    for width_mm in (80, 58):
        layout = PaperLayout.for_paper(width_mm)
        sizes = [ArLine("تسخين الخطوط", size) for size in (NORMAL, LARGE, HUGE)]
        total += arabic_block(sizes, layout.dots).height
        total += len(render_test_page("warm-up", layout))
        chit = {
            "station": {"name": "Grill", "name_ar": "الشواية"},
            "header": {"number": 1, "type": "dine_in", "table": "1", "guests": 2},
            "marks": ["REPRINT"],
            "course": 1,
            "lines": [
                {"quantity": 1, "name": "Warm-up", "name_ar": "تسخين", "seat": 1, "note": "-"},
                {"kind": "void", "quantity": 1, "name": "Warm-up", "name_ar": "تسخين"},
            ],
        }
        total += len(render_kitchen_chit(chit, layout))
    return total


def warm_up() -> float:
    """Load what rendering needs, and start the render thread; returns the seconds it took.

    Called by the print worker at start, before the server takes its first order. A failure
    is logged, never raised: the first job would then pay for it, as before."""
    started = time.perf_counter()
    try:
        _sample_renders()  # here, in this thread: imports never race in the render thread
        run(_sample_renders)  # starts the pool's thread (about 15 ms of the hub, once)
    except Exception:  # noqa: BLE001 - printing must start even if the warm-up fails
        log.exception("warming up the chit renderer")
    seconds = time.perf_counter() - started
    log.info("chit renderer warmed up in %.0f ms", seconds * 1000)
    return seconds
