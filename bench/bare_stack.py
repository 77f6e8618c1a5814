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


def without_compression(wsgi_app):
    """WSGI middleware dropping a WebSocket upgrade's permessage-deflate offer.

    simple-websocket accepts the offer every browser and Node client makes; each socket then
    keeps a zlib context (about 100 KB) and compresses every push on its own. Compression is
    not an essential of the order path, so the floor and the echo go without it (the project
    does the same since bbc539b); `--compression` keeps the stack's default."""

    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


def serve(app, host: str, port: int, compression: bool = False) -> None:
    """Serve `app` until killed."""
    raise_fd_limit()
    if not compression:
        app.wsgi_app = without_compression(app.wsgi_app)
    WSGIServer(
        (host, port), app, handler_class=NoDelayHandler, log=None, error_log=logging.getLogger()
    ).serve_forever()
