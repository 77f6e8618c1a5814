"""Idempotency-Key: a retry gets the first answer, but only the caller who made the key gets
it, only for the same request, and never an answer that holds a secret."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from test_orders import dine_in, line, menu_ids, new_id

from pos_app.idempotency import IdempotencyKey


@pytest.fixture
def menu(demo, db):
    return menu_ids(db)


def stored_bodies(db) -> list[str]:
    with db(write=False) as s:
        return [json.dumps(row.body) for row in s.scalars(select(IdempotencyKey))]


def test_a_replayed_login_key_does_not_hand_out_the_owners_token(client, demo, db):
    key = {"Idempotency-Key": "k-12345678"}
    owner = {"email": "owner@example.com", "password": "owner-demo-pass"}
    first = client.post("/api/v1/auth/login", json=owner, headers=key)
    assert first.status_code == 200
    replay = client.post("/api/v1/auth/login", json={"pin": "0000"}, headers=key)
    assert replay.status_code == 401
    assert first.get_json()["token"] not in replay.get_data(as_text=True)
    assert stored_bodies(db) == []


def test_login_logout_and_device_tokens_never_store_a_token(client, demo, auth, db, make_staff):
    key = "k-" + new_id()
    signed_in = client.post(
        "/api/v1/auth/login", json={"pin": "1111"}, headers={"Idempotency-Key": key}
    )
    assert signed_in.status_code == 200
    screen = make_staff("kitchen")
    issued = client.post(
        "/api/v1/auth/device-tokens",
        json={"staff_id": screen.id, "device": "grill tablet", "days": 30},
        headers={**auth("owner"), "Idempotency-Key": key},
    )
    assert issued.status_code == 201
    again = client.post(
        "/api/v1/auth/device-tokens",
        json={"staff_id": screen.id, "device": "grill tablet", "days": 30},
        headers={**auth("owner"), "Idempotency-Key": key},
    )
    assert again.get_json()["token"] != issued.get_json()["token"]  # a new one, not a replay
    token = signed_in.get_json()["token"]
    out = client.post(
        "/api/v1/auth/logout",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )
    assert out.status_code == 204
    assert not any("token" in body for body in stored_bodies(db))


def test_another_waiter_replaying_a_key_gets_their_own_answer(client, menu, auth, db):
    sara, omar = auth("waiter"), auth("waiter")
    key = "order-" + new_id()
    mine = dine_in(menu, table="4", lines=[line(menu, "Hummus")])
    made = client.post("/api/v1/orders", json=mine, headers={**sara, "Idempotency-Key": key})
    assert made.status_code == 201
    theirs = dine_in(menu, table="5", lines=[line(menu, "Fattoush")])
    other = client.post("/api/v1/orders", json=theirs, headers={**omar, "Idempotency-Key": key})
    assert other.status_code == 201
    assert other.get_json()["id"] == theirs["id"] != made.get_json()["id"]
    assert [li["name"] for li in other.get_json()["lines"]] == ["Fattoush"]


def test_the_same_key_with_another_body_is_refused_with_422(client, menu, auth):
    waiter = auth("waiter")
    headers = {**waiter, "Idempotency-Key": "order-" + new_id()}
    first = dine_in(menu, table="4", lines=[line(menu, "Hummus")])
    made = client.post("/api/v1/orders", json=first, headers=headers)
    again = client.post("/api/v1/orders", json=first, headers=headers)
    assert made.status_code == again.status_code == 201  # the first answer, replayed
    assert again.get_json() == made.get_json()
    changed = {**first, "notes": "no onions"}
    refused = client.post("/api/v1/orders", json=changed, headers=headers)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "idempotency_key_reused" and "Idempotency-Key" in error["fields"]


def test_a_key_is_checked_only_after_the_token(client, menu, auth):
    waiter = auth("waiter")
    headers = {**waiter, "Idempotency-Key": "order-" + new_id()}
    body = dine_in(menu, table="4", lines=[line(menu, "Hummus")])
    assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 201
    stolen = client.post(
        "/api/v1/orders", json=body, headers={"Idempotency-Key": headers["Idempotency-Key"]}
    )
    assert stolen.status_code == 401
    assert "lines" not in stolen.get_json()
