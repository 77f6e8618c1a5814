"""Blocking C calls off the gevent hub: each purpose has its own small pool of native threads.

Under gevent (the server) every greenlet runs on the hub's one thread, and a C call that does
not yield (an SQLite COMMIT and its fsync, an argon2 hash) holds every push to every screen
until it returns. `run(purpose, fn, ...)` hands such a call to a native thread of the purpose's
pool while the calling greenlet waits and the hub goes on. It only helps where the C code
releases the GIL: sqlite3 does around sqlite3_step, argon2-cffi (cffi) around its hash.

A pool per purpose, not gevent's shared hub pool (ten threads, also its DNS resolver), so a
burst of logins never queues an order's commit behind argon2. Without monkey-patching (tests,
the CLI) `run` calls the function where it is.
"""

from __future__ import annotations

import threading

# purpose -> native threads. SQLite has one writer at a time: one thread is enough and stays
# warm. argon2 (64 MB, ~100 ms of CPU each): one at a time, so on a 2-core branch server the
# hub keeps a core. Measured with five PIN logins at once: an order took 38 ms (p50) with one
# thread, 122 ms with two (docs/architecture.md, "Sign-in"). A dish photo (Pillow: decode,
# shrink, WebP; ~0.1 s, up to ~0.7 s for a 12-megapixel original) is rare: one at a time.
POOL_SIZES = {"sqlite-commit": 1, "argon2": 1, "photos": 1}
_pools: dict[str, object] = {}
_pools_lock = threading.Lock()


def on_gevent() -> bool:
    """True in a process gevent has monkey-patched (the server)."""
    from gevent import monkey

    return monkey.is_module_patched("socket")


def _pool(purpose: str):
    with _pools_lock:
        pool = _pools.get(purpose)
        if pool is None:
            from gevent.threadpool import ThreadPool

            pool = _pools[purpose] = ThreadPool(POOL_SIZES[purpose])
        return pool


def run(purpose: str, fn, *args):
    """fn(*args), in a native thread of `purpose`'s pool under gevent (the hub goes on);
    its exception, if any, is raised here.

    Called from a native thread (a render thread, a pool's own), it runs there: only the main
    thread's hub has greenlets to keep running, and a pool made elsewhere would belong to that
    thread's hub.
    """
    if not on_gevent() or not _on_main_thread():
        return fn(*args)
    return _pool(purpose).apply(fn, args)


def _on_main_thread() -> bool:
    return _native_ident() == _MAIN_THREAD


def _native_ident() -> int:
    from gevent import monkey

    return monkey.get_original("_thread", "get_ident")()


_MAIN_THREAD = _native_ident()  # imported by create_app, in the process's main thread
