"""The echo of bench/order_to_kds.py: a bare Flask-SocketIO emit-with-ack on plain gevent pywsgi.

gevent monkey-patching first, Flask-SocketIO in gevent mode, served by gevent's pywsgi with
TCP_NODELAY and no WebSocket compression (bench/bare_stack.py), nothing of pos_app: an `echo`
event on the `/echo` namespace answers its data as the ack. No database, no token.

    .venv/bin/python bench/echo_server.py --port N
"""

from gevent import monkey

monkey.patch_all()  # first, as pos_app.server does

import argparse  # noqa: E402
import logging  # noqa: E402

from bare_stack import serve  # noqa: E402  (bench/ is the script's folder)
from flask import Flask  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402


def make_app() -> Flask:
    """The echo app: /echo answers its data; /healthz says it is up."""
    app = Flask("echo")
    socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=[])

    @socketio.on("connect", namespace="/echo")
    def _connect(auth=None):
        return True

    @socketio.on("echo", namespace="/echo")
    def _echo(data):
        return data

    @app.get("/healthz")
    def _health():
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--compression", action="store_true", help="accept permessage-deflate (stack default)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    serve(make_app(), args.host, args.port, args.compression)


if __name__ == "__main__":
    main()
