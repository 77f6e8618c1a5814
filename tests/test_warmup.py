"""The start-up rehearsal of the order path leaves nothing behind: no row, no counter, no push,
no printer woken; and the first real order afterwards is an ordinary one."""

from __future__ import annotations

import logging

from sqlalchemy import select
from test_kds_expo import kds_socket, post
from test_orders import line, menu_ids, new_id

from pos_app import pipeline, warmup
from pos_app.db import Base


def every_row(db) -> dict:
    with db(write=False) as s:
        return {
            table.name: sorted(map(repr, s.execute(select(table)).all()))
            for table in Base.metadata.sorted_tables
        }


def test_the_warm_up_runs_an_order_and_leaves_no_row_and_sends_no_push(
    app, client, demo, db, token_for, auth, monkeypatch
):
    menu = menu_ids(db)
    screens = {}
    for code in ("grill", "cold", "expo"):
        screens[code] = kds_socket(app, client, token_for("kitchen"))
        ack = screens[code].emit(
            "join_station", {"station_id": menu["stations"][code]}, namespace="/kds", callback=True
        )
        assert ack["ok"], ack
        screens[code].get_received("/kds")
    before = every_row(db)
    after_commit = []
    for name in pipeline.AFTER_COMMIT:
        phase = pipeline._phases.get(name)
        if phase is not None:

            def spy(session, work, phase=phase, name=name):
                after_commit.append((name, work))
                phase(session, work)

            monkeypatch.setitem(pipeline._phases, name, spy)

    assert warmup.warm_order_path(app) is True

    assert after_commit == []  # nothing emitted, no printer woken: the Pending was discarded
    assert every_row(db) == before  # no order, ticket, print job, outbox event or counter
    for code, screen in screens.items():
        assert screen.get_received("/kds") == [], code

    # The first real order afterwards gets number 1 and its screens hear it.
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "First",
        "fire": True,
        "lines": [line(menu, "Lentil soup")],
    }
    order = post(client, "/api/v1/orders", auth("waiter"), body, status=201)
    assert order["number"] == 1
    heard = [p["name"] for p in screens["grill"].get_received("/kds")]
    assert heard == ["ticket_created"]


def test_the_warm_up_of_an_empty_shop_does_nothing_and_says_so(app, db, caplog):
    caplog.set_level(logging.INFO, logger="pos.warmup")
    before = every_row(db)
    assert warmup.warm_order_path(app) is False
    assert every_row(db) == before
    assert "not warmed" in caplog.text
