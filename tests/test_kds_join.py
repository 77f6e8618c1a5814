"""A kitchen screen joining its station reads the same few rows-sets however busy it is: the
number of SQL statements of `join_station` does not grow with the open tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from test_kds_expo import kds_socket, post
from test_orders import line, menu_ids, new_id


@pytest.fixture
def menu(demo, db):
    return menu_ids(db)


def fire_takeaways(client, menu, waiter, count: int) -> None:
    for i in range(count):
        body = {
            "id": new_id(),
            "type": "takeaway",
            "customer_name": f"Guest {i}",
            "fire": True,
            "lines": [line(menu, "Lentil soup"), line(menu, "Hummus", note="no garlic")],
        }
        post(client, "/api/v1/orders", waiter, body, status=201)


def join_statements(app, screen, station_id: int) -> tuple[int, dict]:
    """(statements run, answer) of one join_station with a fresh snapshot."""
    engine = app.extensions["pos_engine"]
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        ack = screen.emit(
            "join_station", {"station_id": station_id}, namespace="/kds", callback=True
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert ack["ok"], ack
    return len(seen), ack["data"]["snapshot"]


def test_joining_a_station_costs_the_same_statements_for_5_and_for_50_open_tickets(
    app, client, menu, auth, token_for
):
    waiter, cook = auth("waiter"), auth("kitchen", name="Chef")
    screen = kds_socket(app, client, token_for("kitchen"))
    fire_takeaways(client, menu, waiter, 6)
    grill = menu["stations"]["grill"]
    snapshot = client.get(f"/api/v1/stations/{grill}/snapshot", headers=cook).get_json()
    post(client, f"/api/v1/tickets/{snapshot['tickets'][0]['id']}/bump", cook)  # one recent
    counts = {}
    for open_tickets in (5, 50):
        if open_tickets == 50:
            fire_takeaways(client, menu, waiter, 45)
        for code in ("grill", "cold", "expo"):
            counts[code, open_tickets], snap = join_statements(app, screen, menu["stations"][code])
            expected = open_tickets + (code != "grill")
            assert len(snap["tickets"]) == expected, code
    for code in ("grill", "cold", "expo"):
        assert counts[code, 5] == counts[code, 50], (code, counts)
