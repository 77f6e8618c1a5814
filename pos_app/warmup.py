"""A rehearsal of the order path at start, before serving: one fired order, rolled back.

A new process pays once for what later orders find ready: SQLAlchemy compiles each statement
the first time it meets it, the menu snapshot is built, marshmallow and the routing code run
cold (65-70 ms of CPU for the first order against about 25 ms later, every push held
meanwhile). Here a representative order (takeaway, a few lines on different stations, fired)
runs through the same services, schemas and commit phases inside a transaction that is then
rolled back: no row, counter, outbox event or print job is left, and the pipeline discards
the transaction's Pending, so no push leaves and no printer wakes.
"""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask
from sqlalchemy import select

from pos_app import pipeline
from pos_app.auth.actor import Actor
from pos_app.auth.models import Role, Staff
from pos_app.commands import load
from pos_app.db import unit_of_work
from pos_app.menu.cache import MenuSnapshot, menu_snapshot
from pos_app.orders import services
from pos_app.orders.schemas import OrderInSchema

log = logging.getLogger("pos.warmup")
LINES = 5


class _Rehearsed(Exception):
    """Raised at the end of the rehearsal: the unit of work rolls everything back."""


def warm_order_path(app: Flask) -> bool:
    """Run the rehearsal; False (logged, never raised) when the shop has nothing to order yet
    or something refused it: serving starts either way."""
    started = time.perf_counter()
    try:
        with app.app_context(), unit_of_work() as session:
            staff = session.scalar(select(Staff).order_by(Staff.id).limit(1))
            items = _plain_items(menu_snapshot(session))
            if staff is None or not items:
                log.info("order path not warmed: no staff or no item to order yet")
                return False
            actor = Actor(staff.id, staff.name, Role.waiter)
            data = load(OrderInSchema, _order(items))
            order, _created = services.create_order(session, actor, data)
            services.order_dict(order)
            pipeline.rehearse_commit(session)
            raise _Rehearsed
    except _Rehearsed:
        log.info("order path warmed in %.0f ms", (time.perf_counter() - started) * 1000)
        return True
    except Exception:  # noqa: BLE001 - a failed rehearsal must not stop the server
        log.exception("order path not warmed")
        return False


def _plain_items(menu: MenuSnapshot) -> list[int]:
    """Up to LINES sellable items that need no modifier choice, on as many stations as can be."""
    required = {g.id for g in menu.groups.values() if g.min_choices > 0}
    plain = [i for i in menu.items.values() if i.sellable and not required & set(i.group_ids)]
    by_station: dict[int | None, int] = {}
    for item in plain:
        by_station.setdefault(item.station_id, item.id)
    chosen = list(by_station.values())[:LINES]
    chosen += [i.id for i in plain if i.id not in chosen][: LINES - len(chosen)]
    return chosen


def _order(items: list[int]) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "warm-up",
        "fire": True,
        "lines": [{"id": str(uuid.uuid4()), "item_id": i, "quantity": 1} for i in items],
    }
