"""A station printer and its backup both dark: the chits wait with a growing delay (no busy
loop between the two), the screens hear of each change of state once, and the first printer
back prints what waited, in order, once.

The same virtual printers on loopback as tests/test_printing.py (its `shop` fixture): driven
one try at a time with `process_one` and the queue's clock, and for real in the gevent server
(`python -m pos_app.server`) where the connections reaching the dark printers are counted.
"""

from __future__ import annotations

import logging

import requests
import socketio
import test_printing
from live import running_server
from test_printing import http_order, wait_until

from pos_app import clock
from printers import queue, worker
from printers.models import PrintJobStatus
from printers.worker import process_one

GRILL_DISH = {"mods": ["French fries"], "course": 1}
shop = test_printing.shop  # the fixture: every demo printer on a virtual printer of its own


def grill_order(shop, table: str = "4") -> dict:
    return shop.order(shop.line("Mixed grill", **GRILL_DISH), table=table)


def next_try(shop) -> tuple[str, float] | None:
    """Run the first waiting job's next try: (the printer it was tried on, the wait before
    it). The clock is moved to when the job is due."""
    waiting = [j for j in shop.jobs() if j.status == PrintJobStatus.pending]
    if not waiting:
        return None
    job = min(waiting, key=lambda j: (j.next_attempt_at, j.id))
    wait = max((job.next_attempt_at - clock.utcnow()).total_seconds(), 0.0)
    clock.advance(wait + 0.01)
    code = next(c for c, pid in shop.printers.items() if pid == job.printer_id)
    assert process_one(shop.app, job.printer_id) is True
    return code, wait


def screen_joined(shop, code: str):
    """A kitchen screen (Flask-SocketIO test client) joined to a station."""
    from pos_app.extensions import socketio as extension

    token = shop.cook["Authorization"].removeprefix("Bearer ")
    screen = extension.test_client(
        shop.app, namespace="/kds", auth={"token": token}, flask_test_client=shop.client
    )
    joined = screen.emit(
        "join_station", {"station_id": shop.ids["stations"][code]}, namespace="/kds", callback=True
    )
    assert joined["ok"], joined
    screen.get_received("/kds")
    return screen


def printer_states(screen) -> list[tuple]:
    """The printer_status pushes a screen got: (printer, online, paper out, backup in use)."""
    return [
        (p["name"], p["online"], p["paper_out"], p.get("backup_in_use"))
        for event in screen.get_received("/kds")
        if event["name"] == "printer_status"
        for p in event["args"]
    ]


def test_a_chit_whose_printers_are_all_dark_waits_longer_and_longer_going_round_them(shop):
    shop.vps["grill"].stop()
    shop.vps["fry"].stop()  # the grill's backup: dark too
    grill_order(shop)

    tries = [next_try(shop) for _ in range(16)]
    where = [code for code, _ in tries]
    waits = [wait for _, wait in tries]
    # The fail-over as before: three tries at the grill, then three at its backup...
    assert where[:6] == ["grill"] * 3 + ["fry"] * 3
    # ...then, both down, one try at each in turn, never two without a wait between them.
    assert where[6:] == ["grill", "fry"] * 5
    assert all(w >= 0.5 for w in waits[6:]), waits
    assert waits[-1] >= 12 and max(waits) <= 30, waits  # it grows, up to a cap
    assert sum(waits[6:]) > 60  # ten tries took over a minute, not a few milliseconds
    [job] = shop.jobs()
    assert job.status == PrintJobStatus.pending  # never dropped
    assert shop.paper("grill") == shop.paper("fry") == []


def test_the_first_printer_back_prints_every_waiting_chit_in_order_once(shop):
    shop.vps["grill"].stop()
    shop.vps["fry"].stop()
    orders = [grill_order(shop, table) for table in ("1", "2", "3")]
    for _ in range(10):
        next_try(shop)
    late = grill_order(shop, "5")  # fired while both are dark: it queues behind the others
    assert not any(process_one(shop.app, shop.printers[c]) for c in ("grill", "fry"))
    assert len({j.printer_id for j in shop.jobs()}) == 1  # all four wait in one queue

    shop.vps["grill"].restart()
    # The idle worker's status check finds it back: every chit comes home, due now.
    assert worker.probe_one(shop.app, shop.printers["grill"]) is True
    assert shop.print_all("grill", "fry") == 4
    chits = shop.paper("grill")
    numbers = [o["number"] for o in [*orders, late]]
    assert [next(n for n in numbers if f"#{n} " in chit) for chit in chits] == numbers
    assert not any("BACKUP FROM" in chit or "REPRINT" in chit for chit in chits)
    assert shop.paper("fry") == []
    assert {j.status for j in shop.jobs()} == {PrintJobStatus.printed}


def test_when_the_backup_comes_back_first_it_prints_the_waiting_chits_marked(shop):
    shop.vps["grill"].stop()
    shop.vps["fry"].stop()
    orders = [grill_order(shop, table) for table in ("1", "2")]
    for _ in range(8):  # ends with the chits waiting at the grill
        next_try(shop)
    assert {j.printer_id for j in shop.jobs()} == {shop.printers["grill"]}

    shop.vps["fry"].restart()
    assert worker.probe_one(shop.app, shop.printers["fry"]) is True
    assert shop.print_all("grill", "fry") == 2
    chits = shop.paper("fry")
    assert [f"#{o['number']} " in c for o, c in zip(orders, chits, strict=True)] == [True, True]
    assert all("BACKUP FROM Grill printer" in chit for chit in chits)
    assert shop.paper("grill") == []


def test_a_dark_printers_state_reaches_its_screens_once_per_change_not_per_try(shop, caplog):
    grill_screen, fry_screen = screen_joined(shop, "grill"), screen_joined(shop, "fry")
    shop.vps["grill"].stop()
    shop.vps["fry"].stop()
    grill_order(shop)
    with caplog.at_level(logging.DEBUG, logger="pos.printers"):
        for _ in range(12):
            next_try(shop)
    # Grill: offline with its chits going to the fry printer, then offline with nowhere to go.
    assert printer_states(grill_screen) == [
        ("Grill printer", False, False, True),
        ("Grill printer", False, False, False),
    ]
    assert printer_states(fry_screen) == [("Fry printer", False, False, False)]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 3, [r.getMessage() for r in warnings]  # one per change, not per try
    assert "no printer that could take them is up" in warnings[-1].getMessage()
    # A screen that opens now learns the state from the printers' health.
    items = shop.call("get", "/api/v1/printers/health", headers=shop.cook)["items"]
    grill = next(p for p in items if p["id"] == shop.printers["grill"])
    assert (grill["online"], grill["backup_in_use"]) == (False, False)

    shop.vps["fry"].restart()
    assert worker.probe_one(shop.app, shop.printers["fry"]) is True
    shop.print_all("grill", "fry")
    assert printer_states(fry_screen) == [("Fry printer", True, False, False)]
    assert printer_states(grill_screen) == [("Grill printer", False, False, True)]
    grill_screen.disconnect(namespace="/kds")
    fry_screen.disconnect(namespace="/kds")


def test_two_dark_printers_cost_the_server_a_few_tries_and_print_once_when_one_is_back(
    shop, database_url, tmp_path, token_for
):
    for code in ("grill", "fry"):
        shop.vps[code].mode = "hangup"  # accepts and hangs up at once: every try is counted
    with running_server(database_url, tmp_path) as url:
        screens, pushes = [], []
        for code in ("grill", "fry"):
            screen = socketio.Client(reconnection=False)
            screen.on("printer_status", pushes.append, namespace="/kds")
            screen.connect(
                url,
                namespaces=["/kds"],
                auth={"token": token_for("kitchen")},
                transports=["websocket"],
            )
            joined = screen.call(
                "join_station", {"station_id": shop.ids["stations"][code]}, namespace="/kds"
            )
            assert joined["ok"], joined
            screens.append(screen)
        try:
            order = http_order(
                url, shop, token_for("waiter"), shop.line("Mixed grill", **GRILL_DISH), table="4"
            )
            # Both tried and failed over: from now on every printer that could take it is down.
            wait_until(
                lambda: shop.printer("fry").failures >= queue.MAX_TRIES,
                10,
                "the fry printer tried three times",
            )
            # How many connections that costs a second (about 70 before the fix, a few now)
            # is measured by bench/printer_dark.py; the growing wait by the tests above.
            [job] = shop.jobs()
            assert job.status == PrintJobStatus.pending  # waiting for a printer to come back
            states = [(p["id"], p["online"], p["backup_in_use"]) for p in pushes]
            assert len(states) == len(set(states)) <= 3, states  # one push per change
            health = requests.get(
                f"{url}/api/v1/printers/health",
                headers={"Authorization": f"Bearer {token_for('kitchen')}"},
                timeout=10,
            ).json()["items"]
            grill = next(p for p in health if p["id"] == shop.printers["grill"])
            assert (grill["online"], grill["backup_in_use"]) == (False, False)

            shop.vps["grill"].mode = "normal"  # back
            wait_until(lambda: shop.paper("grill"), 10, "the chit at the grill printer")
            wait_until(
                lambda: all(j.status == PrintJobStatus.printed for j in shop.jobs()),
                10,
                "the job marked printed",
            )  # nothing is left to send: nothing else can turn up
            [chit] = shop.paper("grill")
            assert f"#{order['number']} " in chit and "REPRINT" not in chit
            assert shop.paper("fry") == []
            wait_until(
                lambda: any(p["id"] == shop.printers["grill"] and p["online"] for p in pushes),
                5,
                "the grill screen told the printer is back",
            )
        finally:
            for screen in screens:
                screen.disconnect()
