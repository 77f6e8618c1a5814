"""Serve the app with gevent (HTTP, WebSocket) the way a branch runs it: `python -m pos_app.server`.

Three changes to gevent's pywsgi, measured on these machines (docs/architecture.md):
TCP_NODELAY on every accepted socket (without it a keep-alive request waits ~40 ms for the
client's delayed ACK), an explicit `Connection: close` when the server is about to close
(without it keep-alive clients reuse a dead socket and every second request fails), and no
8 KB read buffer kept for the life of a WebSocket (simple-websocket reads the socket itself).
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402

from gevent.pywsgi import WSGIHandler, WSGIServer  # noqa: E402


class ShopHandler(WSGIHandler):
    """pywsgi handler with TCP_NODELAY and an honest Connection header."""

    def handle(self):
        with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to tune
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle()

    def run_application(self):
        websocket = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        if websocket:
            self._drop_read_buffer()
        try:
            super().run_application()
        finally:
            # simple-websocket answers the upgrade on the raw socket; once the WebSocket
            # closes, the bytes left are frames, not a next HTTP request: stop reading.
            if websocket:
                self.close_connection = True

    def _drop_read_buffer(self):
        """Swap the connection's 8 KB read buffer for a 1-byte one before a WebSocket upgrade.

        simple-websocket reads the raw socket (a dup of it), never this buffer, but the handler
        and the environ Socket.IO keeps would hold it for as long as the screen is connected:
        8 KB of a ~70 KB idle screen socket. A client sends nothing before the 101, so nothing
        buffered is lost (and simple-websocket would not have read it either).
        """
        if not isinstance(self.rfile, io.BufferedReader):
            return
        small = io.BufferedReader(self.rfile.detach(), 1)
        self.rfile = small
        if getattr(self, "wsgi_input", None) is not None:
            self.wsgi_input.rfile = small
        if self.environ.get("wsgi.input") is not None:
            self.environ["wsgi.input"] = small

    def finalize_headers(self):
        super().finalize_headers()
        named = {name.lower() for name, _ in self.response_headers}
        if self.close_connection and self.code != 101 and b"connection" not in named:
            self.response_headers.append((b"Connection", b"close"))


def build_server(app, host: str, port: int) -> WSGIServer:
    """A gevent WSGI server for `app` with the shop handler."""
    return WSGIServer(
        (host, port),
        app,
        handler_class=ShopHandler,
        log=None,
        error_log=logging.getLogger("pos.server"),
    )


def main() -> None:
    """Parse HOST/PORT (arguments or environment) and serve until stopped."""
    parser = argparse.ArgumentParser(description="Serve the restaurant POS branch server.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args()
    from pos_app import create_app
    from pos_app.startup import configure_logging, start_services

    configure_logging()
    app = create_app()
    start_services(app)  # the same start-up as wsgi.py: print worker, scheduler, fd limit
    server = build_server(app, args.host, args.port)
    logging.getLogger("pos.server").info("serving on http://%s:%s", args.host, args.port)
    server.serve_forever()


if __name__ == "__main__":
    main()
