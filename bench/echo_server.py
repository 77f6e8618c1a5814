"""The floor of bench/order_to_kds.py: a bare Flask-SocketIO app on the branch server's stack.

Same process model as `python -m pos_app.server` (gevent monkey-patching first, gevent pywsgi
through `pos_app.server.build_server`, the same handler with TCP_NODELAY), and nothing else:
an `echo` event on the `/echo` namespace answers its data as the ack. No database, no token.

    .venv/bin/python bench/echo_server.py --port N
"""

from gevent import monkey

monkey.patch_all()  # first, as pos_app.server does

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from bench/
from pos_app.server import build_server  # noqa: E402


def make_app() -> Flask:
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
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    build_server(make_app(), args.host, args.port).serve_forever()


if __name__ == "__main__":
    main()
