"""The bare stack of the floor and the echo: plain gevent pywsgi with TCP_NODELAY, nothing of
pos_app (bench/floor_server.py, bench/echo_server.py).

Nagle's algorithm would hold the second of pywsgi's two writes of a response for the client's
delayed ACK (about 40 ms on loopback): any server on this stack sets TCP_NODELAY, the floor too.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import socket

from gevent.pywsgi import WSGIHandler, WSGIServer


class NoDelayHandler(WSGIHandler):
    """pywsgi's own handler with TCP_NODELAY on the accepted socket."""

    def handle(self):
        with contextlib.suppress(OSError):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle()


def raise_fd_limit() -> None:
    """The soft descriptor limit up to the hard one (1,000 idle screens need more than 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve(app, host: str, port: int) -> None:
    """Serve `app` until killed."""
    raise_fd_limit()
    WSGIServer(
        (host, port), app, handler_class=NoDelayHandler, log=None, error_log=logging.getLogger()
    ).serve_forever()
