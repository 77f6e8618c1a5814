"""The floor of bench/order_to_kds.py: the order path's essentials on the project's stack.

Flask + Flask-SocketIO (gevent) on plain gevent pywsgi (bench/bare_stack.py: TCP_NODELAY, no
WebSocket compression), nothing of pos_app; otherwise the stack's defaults. An order, over `POST
/api/v1/orders` or the `/floor` socket's `create_order` emit-with-ack, is parsed, written in ONE
SQLite transaction (WAL, synchronous=FULL, SQLAlchemy Core: the order row and its lines), and
only then pushed: `ticket_created` to each station room the order reaches (one per station and
course; expo one for the courses cooking now and one for the held courses, as the project's
expo), each with the station's next sequence number. The answer is 201 (HTTP) or `{ok, status:
201, data}`.

`?group=1` on the POST (or `"group": true` in the socket data) takes the group-commit path: a
single writer greenlet commits every queued order in one transaction, and each order is answered
and pushed only after that commit.

Screens: `/kds` with `join_station` (ack `{ok, status, data: {snapshot: {seq}}}`). No auth
beyond "a token was sent"; the routing (item -> station, the expo station) comes from a JSON
file the benchmark writes from the project's menu.

    .venv/bin/python bench/floor_server.py --port N --db PATH --routing ROUTING.json
"""

from gevent import monkey

monkey.patch_all()  # first, as pos_app.server does

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from bare_stack import serve  # noqa: E402  (bench/ is the script's folder)
from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402
from gevent.event import AsyncResult  # noqa: E402
from gevent.queue import Queue  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
)

metadata = MetaData()
orders = Table(
    "floor_order",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(16)),
    Column("table_id", Integer),
    Column("guests", Integer),
    Column("customer_name", String(120)),
    Column("notes", String(500)),
    Column("created_at", Float),
)
lines = Table(
    "floor_order_line",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), index=True),
    Column("item_id", Integer),
    Column("quantity", Integer),
    Column("modifier_ids", String(200)),
    Column("note", String(300)),
    Column("course", Integer),
)
GROUP_MAX = 256  # orders in one group commit at most


class BadOrder(ValueError):
    """The order's JSON is not an order."""


def make_engine(path: str):
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=FULL")

    metadata.create_all(engine)
    return engine


def parse_order(data) -> tuple[dict, list[dict]]:
    """The order row and its line rows, or BadOrder."""
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        raise BadOrder("an order is an object with lines")
    try:
        order = {
            "id": str(data["id"]),
            "type": str(data["type"]),
            "table_id": data.get("table_id"),
            "guests": data.get("guests"),
            "customer_name": str(data.get("customer_name", "")),
            "notes": str(data.get("notes", "")),
            "created_at": time.time(),
        }
        rows = [
            {
                "id": str(line["id"]),
                "order_id": order["id"],
                "item_id": int(line["item_id"]),
                "quantity": int(line["quantity"]),
                "modifier_ids": json.dumps(line.get("modifier_ids", [])),
                "note": str(line.get("note", "")),
                "course": int(line.get("course") or 1),
            }
            for line in data["lines"]
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise BadOrder(str(err)) from err
    return order, rows


class Floor:
    """The app's state: engine, routing, station sequence numbers, the group-commit queue."""

    def __init__(self, socketio: SocketIO, engine, routing: dict):
        self.socketio, self.engine = socketio, engine
        self.station_of = {int(k): v for k, v in routing["item_station"].items()}
        self.expo = routing["expo_station"]
        self.seq: dict[int, int] = {}
        self.queue: Queue = Queue()
        gevent.spawn(self._writer)

    def take(self, data, group: bool) -> dict:
        order, rows = parse_order(data)
        if group:
            done = AsyncResult()
            self.queue.put((order, rows, done))
            done.get()
        else:
            with self.engine.begin() as conn:
                self._write(conn, order, rows)
            self.push(order, rows)
        return {"id": order["id"], "lines": len(rows)}

    @staticmethod
    def _write(conn, order: dict, rows: list[dict]) -> None:
        conn.execute(insert(orders), order)
        if rows:
            conn.execute(insert(lines), rows)

    def _writer(self) -> None:
        """Group commit: every order queued meanwhile in one transaction, then each answered."""
        while True:
            batch = [self.queue.get()]
            while len(batch) < GROUP_MAX and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(orders), [order for order, _rows, _done in batch])
                    all_rows = [row for _order, rows, _done in batch for row in rows]
                    if all_rows:
                        conn.execute(insert(lines), all_rows)
            except Exception as err:  # noqa: BLE001 - every waiting order hears it
                for _order, _rows, done in batch:
                    done.set_exception(err)
                continue
            for order, rows, done in batch:
                self.push(order, rows)
                done.set(True)

    def push(self, order: dict, rows: list[dict]) -> None:
        """`ticket_created` per (station, course), and to expo one for the courses cooking now
        and one for the held courses (as the project's expo gets them), each numbered."""
        cooking = min((r["course"] for r in rows if r["course"] > 0), default=0)
        groups: dict[tuple[int, int], list[dict]] = {}
        for row in rows:
            station = self.station_of.get(row["item_id"])
            if station is not None:
                groups.setdefault((station, row["course"]), []).append(row)
            held = row["course"] > cooking
            groups.setdefault((self.expo, cooking + held), []).append(row)
        for (station, _course), group in groups.items():
            self.seq[station] = self.seq.get(station, 0) + 1
            payload = {
                "order_id": order["id"],
                "station_id": station,
                "seq": self.seq[station],
                "table_id": order["table_id"],
                "lines": [
                    {
                        "id": r["id"],
                        "item_id": r["item_id"],
                        "quantity": r["quantity"],
                        "note": r["note"],
                        "course": r["course"],
                    }
                    for r in group
                ],
            }
            self.socketio.emit("ticket_created", payload, to=f"station:{station}", namespace="/kds")


def make_app(engine, routing: dict) -> Flask:
    app = Flask("floor")
    socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=[])
    floor = Floor(socketio, engine, routing)

    @app.get("/healthz")
    def _health():
        return {"status": "ok"}

    @app.get("/api/v1/auth/me")
    def _me():  # the handhelds open their keep-alive connection with it
        return {"name": "bench"}

    @app.post("/api/v1/orders")
    def _create_order():
        if not request.headers.get("Authorization"):
            return {"error": {"code": "unauthorized", "message": "no token"}}, 401
        try:
            body = floor.take(request.get_json(silent=True), request.args.get("group") == "1")
        except BadOrder as err:
            return {"error": {"code": "invalid", "message": str(err)}}, 422
        return body, 201

    @socketio.on("connect", namespace="/floor")
    @socketio.on("connect", namespace="/kds")
    def _connect(auth=None):
        return bool(auth and auth.get("token"))

    @socketio.on("create_order", namespace="/floor")
    def _socket_order(data):
        try:
            body = floor.take(data, isinstance(data, dict) and bool(data.pop("group", False)))
        except BadOrder as err:
            return {"ok": False, "status": 422, "error": {"code": "invalid", "message": str(err)}}
        return {"ok": True, "status": 201, "data": body}

    @socketio.on("join_station", namespace="/kds")
    def _join(data):
        station = int(data["station_id"])
        join_room(f"station:{station}")
        return {"ok": True, "status": 200, "data": {"snapshot": {"seq": floor.seq.get(station, 0)}}}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--compression", action="store_true", help="accept permessage-deflate (stack default)"
    )
    parser.add_argument("--db", required=True, help="SQLite file (created)")
    parser.add_argument("--routing", required=True, help="JSON: item_station, expo_station")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with open(args.routing) as routing:
        app = make_app(make_engine(args.db), json.load(routing))
    serve(app, args.host, args.port, args.compression)


if __name__ == "__main__":
    main()
