"""Expo through the API: one card per order and course, Ready only once every station bumped,
and "ready anyway" audited. What the expo screen gets is read from its snapshot and pushes."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select
from test_orders import dine_in, line, menu_ids

from kds.models import KdsEvent, KitchenTicket
from pos_app.audit import AuditEntry
from pos_app.outbox import OutboxEvent


@pytest.fixture
def menu(demo, db):
    return menu_ids(db)


@pytest.fixture
def waiter(auth):
    return auth("waiter")


@pytest.fixture
def cook(auth):
    return auth("kitchen", name="Chef")


def post(client, url, headers, body=None, status=200):
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def snapshot(client, menu, cook, code):
    url = f"/api/v1/stations/{menu['stations'][code]}/snapshot"
    answer = client.get(url, headers=cook)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def expo_cards(client, menu, cook, order_id):
    cards = snapshot(client, menu, cook, "expo")["tickets"]
    return sorted((c for c in cards if c["order_id"] == order_id), key=lambda c: c["course"])


def open_at(client, menu, cook, code, order_id):
    tickets = snapshot(client, menu, cook, code)["tickets"]
    return [t for t in tickets if t["order_id"] == order_id and not t["held"]]


def bump_stations(client, menu, cook, order_id, *codes):
    for code in codes:
        for ticket in open_at(client, menu, cook, code, order_id):
            post(client, f"/api/v1/tickets/{ticket['id']}/bump", cook)


def order_status(client, waiter, order_id) -> str:
    return client.get(f"/api/v1/orders/{order_id}", headers=waiter).get_json()["status"]


def audited(db) -> int:
    """How many "ready anyway" the audit log holds."""
    with db(write=False) as s:
        return s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "kitchen.ready_anyway")
        )


def names(card) -> list[str]:
    return sorted(li["name"] for li in card["lines"])


def test_expo_shows_one_card_per_order_and_course_drinks_with_the_food(
    client, menu, waiter, cook, db
):
    soup = line(menu, "Lentil soup")
    order = post(
        client,
        "/api/v1/orders",
        waiter,
        dine_in(
            menu,
            fire=True,
            lines=[
                line(menu, "Mineral water"),  # course 0, bar
                soup,  # course 1, grill
                line(menu, "Hummus"),  # course 1, cold
                line(menu, "Mixed grill", mods=["French fries"]),  # course 2, grill: held
            ],
        ),
        status=201,
    )
    starters, mains = expo_cards(client, menu, cook, order["id"])
    assert (starters["course"], starters["held"]) == (1, False)
    assert names(starters) == ["Hummus", "Lentil soup", "Mineral water"]
    stations = [p["station_id"] for p in starters["parts"]]  # in the send's station order
    assert stations == [menu["stations"][c] for c in ("grill", "cold", "bar")]
    assert (mains["course"], mains["held"], names(mains)) == (2, True, ["Mixed grill"])

    # The guest wants another hummus: the starters' card grows (marked as a change).
    more = post(
        client,
        f"/api/v1/orders/{order['id']}/lines",
        waiter,
        {"version": order["version"], "lines": [line(menu, "Hummus")]},
    )
    fired = post(client, f"/api/v1/orders/{order['id']}/fire", waiter, {"version": more["version"]})
    starters, mains = expo_cards(client, menu, cook, order["id"])
    assert names(starters) == ["Hummus", "Hummus", "Lentil soup", "Mineral water"]
    assert starters["is_change"] and len(starters["parts"]) == 4
    with db(write=False) as s:
        pushed = s.scalars(
            select(KdsEvent.name)
            .where(KdsEvent.station_id == menu["stations"]["expo"])
            .order_by(KdsEvent.seq)
        ).all()
    assert pushed == ["ticket_created", "ticket_created", "ticket_updated"]

    # Mains fired: their card goes live; a round of drinks then joins the food on the pass.
    fired = post(
        client,
        f"/api/v1/orders/{order['id']}/fire",
        waiter,
        {"version": fired["version"], "course": 2},
    )
    more = post(
        client,
        f"/api/v1/orders/{order['id']}/lines",
        waiter,
        {"version": fired["version"], "lines": [line(menu, "Soft drink", 2)]},
    )
    post(client, f"/api/v1/orders/{order['id']}/fire", waiter, {"version": more["version"]})
    starters, mains = expo_cards(client, menu, cook, order["id"])
    assert not mains["held"] and names(mains) == ["Mixed grill", "Soft drink"]
    assert len(expo_cards(client, menu, cook, order["id"])) == 2


def test_a_drinks_only_order_has_one_drinks_card(client, menu, waiter, cook):
    body = dine_in(menu, fire=True, lines=[line(menu, "Mineral water"), line(menu, "Soft drink")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    [card] = expo_cards(client, menu, cook, order["id"])
    assert card["course"] == 0 and names(card) == ["Mineral water", "Soft drink"]


def test_expo_ready_waits_for_every_station(client, menu, waiter, cook):
    body = dine_in(menu, fire=True, lines=[line(menu, "Lentil soup"), line(menu, "Hummus")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    [card] = expo_cards(client, menu, cook, order["id"])
    assert card["complete"] is False

    refused = post(client, f"/api/v1/tickets/{card['id']}/bump", cook, status=409)["error"]
    assert refused["code"] == "stations_not_done"
    assert "Grill" in refused["message"] and "Cold kitchen" in refused["message"]
    assert sorted(w["station"] for w in refused["waiting"]) == ["Cold kitchen", "Grill"]
    assert order_status(client, waiter, order["id"]) == "in_kitchen"

    bump_stations(client, menu, cook, order["id"], "grill")
    [card] = expo_cards(client, menu, cook, order["id"])
    assert card["complete"] is False
    refused = post(client, f"/api/v1/tickets/{card['id']}/bump", cook, status=409)["error"]
    assert [w["station"] for w in refused["waiting"]] == ["Cold kitchen"]

    bump_stations(client, menu, cook, order["id"], "cold")
    [card] = expo_cards(client, menu, cook, order["id"])
    assert card["complete"] is True
    post(client, f"/api/v1/tickets/{card['id']}/bump", cook)
    assert order_status(client, waiter, order["id"]) == "ready"


def test_expo_ticking_off_its_last_plate_early_keeps_the_card(client, menu, waiter, cook):
    body = dine_in(menu, fire=True, lines=[line(menu, "Lentil soup")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    [card] = expo_cards(client, menu, cook, order["id"])
    ticked = post(client, f"/api/v1/ticket-lines/{card['lines'][0]['id']}/bump", cook)
    assert ticked["status"] != "done" and ticked["lines"][0]["done"] is True
    assert order_status(client, waiter, order["id"]) == "in_kitchen"


def test_ready_anyway_is_audited_and_the_stations_keep_their_tickets(
    client, menu, waiter, cook, db
):
    body = dine_in(menu, fire=True, lines=[line(menu, "Lentil soup"), line(menu, "Hummus")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    bump_stations(client, menu, cook, order["id"], "cold")
    [card] = expo_cards(client, menu, cook, order["id"])

    done = post(client, f"/api/v1/tickets/{card['id']}/ready-anyway", cook, {})
    assert done["status"] == "done"
    assert order_status(client, waiter, order["id"]) == "ready"
    assert expo_cards(client, menu, cook, order["id"]) == []
    assert len(open_at(client, menu, cook, "grill", order["id"])) == 1  # the cook bumps it later
    with db(write=False) as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "kitchen.ready_anyway"))
        [event] = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "kitchen.ready_anyway"))
    assert entry.actor_name == "Chef" and entry.target_id == str(card["id"])
    assert [w["station"] for w in entry.before["waiting"]] == ["Grill"]
    assert entry.before["order_number"] == order["number"]
    assert entry.reason == "ready before: Grill (new)"
    assert event.aggregate_id == order["id"] and event.payload["waiting"] == entry.before["waiting"]

    again = post(client, f"/api/v1/tickets/{card['id']}/ready-anyway", cook, {"reason": "x"})
    assert again["status"] == "done"  # a retry: one audit entry
    assert audited(db) == 1

    grill = open_at(client, menu, cook, "grill", order["id"])[0]
    refused = post(client, f"/api/v1/tickets/{grill['id']}/ready-anyway", cook, {}, status=409)
    assert refused["error"]["code"] == "not_expo"


def test_ready_anyway_with_nothing_waiting_is_a_plain_bump_and_not_audited(
    client, menu, waiter, cook, db
):
    body = dine_in(menu, fire=True, lines=[line(menu, "Hummus")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    bump_stations(client, menu, cook, order["id"], "cold")
    [card] = expo_cards(client, menu, cook, order["id"])
    post(client, f"/api/v1/tickets/{card['id']}/ready-anyway", cook, {"reason": "all there"})
    assert order_status(client, waiter, order["id"]) == "ready"
    assert audited(db) == 0


def test_a_cancelled_order_can_be_cleared_from_expo(client, menu, waiter, cook):
    body = dine_in(menu, fire=True, lines=[line(menu, "Lentil soup")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    cancel = {"version": order["version"], "reason": "guest left"}
    post(client, f"/api/v1/orders/{order['id']}/cancel", waiter, cancel)
    [card] = expo_cards(client, menu, cook, order["id"])
    assert card["header"]["cancelled"] and card["complete"] is True  # nothing left to wait for
    post(client, f"/api/v1/tickets/{card['id']}/bump", cook)
    assert expo_cards(client, menu, cook, order["id"]) == []


def test_a_recalled_station_ticket_brings_its_expo_card_back(client, menu, waiter, cook):
    body = dine_in(menu, fire=True, lines=[line(menu, "Lentil soup")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    [grill] = open_at(client, menu, cook, "grill", order["id"])
    bump_stations(client, menu, cook, order["id"], "grill")
    [card] = expo_cards(client, menu, cook, order["id"])
    post(client, f"/api/v1/tickets/{card['id']}/bump", cook)
    assert order_status(client, waiter, order["id"]) == "ready"

    station = menu["stations"]["grill"]
    post(client, f"/api/v1/stations/{station}/recall", cook, {"ticket_id": grill["id"]})
    assert order_status(client, waiter, order["id"]) == "in_kitchen"
    [card] = expo_cards(client, menu, cook, order["id"])  # back on the pass, waiting again
    assert card["complete"] is False
    post(client, f"/api/v1/tickets/{card['id']}/bump", cook, status=409)


# --- Hostile input --------------------------------------------------------------------------


@pytest.fixture
def card(client, menu, waiter, cook):
    body = dine_in(menu, fire=True, lines=[line(menu, "Lentil soup")])
    order = post(client, "/api/v1/orders", waiter, body, status=201)
    return expo_cards(client, menu, cook, order["id"])[0]


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "a\x00b"},
        {"reason": "\ud800"},
        {"reason": "x" * 301},
        {"reason": 7},
        {"reason": ["x"]},
        {"reason": {"deep": json.loads("[" * 30 + "]" * 30)}},
        {"reason": "ok", "extra": 1},
        {"reason": 2**64},
    ],
    ids=["NUL", "surrogate", "301 chars", "int", "list", "deep", "unknown field", "huge"],
)
def test_ready_anyway_refuses_hostile_bodies_and_changes_nothing(client, cook, card, db, body):
    answer = client.post(f"/api/v1/tickets/{card['id']}/ready-anyway", json=body, headers=cook)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] == "validation_failed"
    with db(write=False) as s:
        assert s.get(KitchenTicket, card["id"]).status.value == "new"
    assert audited(db) == 0


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64 + 1, "0" * 5000 + "1"])
def test_ready_anyway_ids_past_the_column_range_are_404(client, demo, cook, number):
    answer = client.post(f"/api/v1/tickets/{number}/ready-anyway", json={}, headers=cook)
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"


def test_twin_ready_anyways_at_once_are_audited_once(app, cook, card, db):
    start = Barrier(2)

    def call(_):
        client = app.test_client()
        start.wait()
        return client.post(f"/api/v1/tickets/{card['id']}/ready-anyway", json={}, headers=cook)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(call, range(2)))
    assert sorted(a.status_code for a in answers) == [200, 200], [a.get_json() for a in answers]
    assert audited(db) == 1


def kds_socket(app, client, token):
    from pos_app.extensions import socketio

    screen = socketio.test_client(
        app, namespace="/kds", auth={"token": token}, flask_test_client=client
    )
    assert screen.is_connected("/kds")
    return screen


@pytest.mark.parametrize(
    "body, field",
    [
        ({"ticket_id": 2**63}, "ticket_id"),
        ({"ticket_id": 2**64 + 1}, "ticket_id"),
        ({"ticket_id": 0}, "ticket_id"),
        ({"ticket_id": "1"}, "ticket_id"),
        ({}, "ticket_id"),
        ({"ticket_id": 1, "reason": "no\x00"}, "reason"),
        ({"ticket_id": 1, "reason": "x" * 301}, "reason"),
        ({"ticket_id": 1, "reason": False}, "reason"),
    ],
    ids=["2^63", "2^64+1", "0", "string id", "no id", "NUL", "301 chars", "bool"],
)
def test_the_ready_anyway_command_answers_hostile_data_with_a_validation_ack(
    app, client, token_for, card, db, body, field
):
    screen = kds_socket(app, client, token_for("kitchen"))
    ack = screen.emit("ready_anyway", body, namespace="/kds", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "validation_failed", ack
    assert field in str(ack["error"]["fields"]), ack
    with db(write=False) as s:
        assert s.get(KitchenTicket, card["id"]).status.value == "new"


def test_the_ready_anyway_command_answers_the_card_and_a_bump_says_what_is_missing(
    app, client, token_for, card
):
    screen = kds_socket(app, client, token_for("kitchen"))
    bump = screen.emit("bump_ticket", {"ticket_id": card["id"]}, namespace="/kds", callback=True)
    assert bump["ok"] is False and bump["error"]["code"] == "stations_not_done", bump
    assert [w["station"] for w in bump["error"]["waiting"]] == ["Grill"]
    ack = screen.emit("ready_anyway", {"ticket_id": card["id"]}, namespace="/kds", callback=True)
    assert ack["ok"] is True and ack["data"]["status"] == "done", ack
    assert ack["data"]["complete"] is False  # it was called ready with the grill still going
