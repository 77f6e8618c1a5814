"""Invoice numbers are gapless and never repeat: concurrent payments in threads (each with its
own connection, on SQLite and on PostgreSQL), payments that roll back after taking a number,
and two server processes sharing PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import need
from live import running_server
from sqlalchemy import select

from pos_app.auth.actor import Actor
from pos_app.auth.models import Role
from pos_app.billing import payments
from pos_app.billing.models import Invoice
from pos_app.db import unit_of_work
from pos_app.menu.models import MenuItem


def _takeaways(client, headers, item_id: int, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        body = {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "lines": [{"id": str(uuid.uuid4()), "item_id": item_id, "quantity": 1}],
        }
        response = client.post("/api/v1/orders", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        ids.append(body["id"])
    return ids


def _numbers(db) -> list[int]:
    with db(write=False) as s:
        return sorted(s.scalars(select(Invoice.number).where(Invoice.kind == "invoice")))


@pytest.fixture
def hummus(demo, db) -> int:
    with db(write=False) as s:
        return s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))


class Rollback(Exception):
    """Raised after a payment took its invoice number, to undo the whole transaction."""


def test_concurrent_payments_in_threads_give_gapless_numbers(
    app, client, auth, db, hummus, make_staff
):
    orders = _takeaways(client, auth("waiter"), hummus, 24)
    cashier = Actor(make_staff("cashier").id, "Lina", Role.cashier)
    start = threading.Barrier(6)
    committed, rolled_back = [], []

    def pay_some(chunk: list[tuple[int, str]]):
        start.wait()
        for index, order_id in chunk:
            body = {"id": str(uuid.uuid4()), "tender": "card", "card_method": "mada"}
            body.update(tip_minor=0, reference="", print=False)
            try:
                with app.app_context(), unit_of_work() as s:
                    bill = payments.pay(s, cashier, order_id, body)
                    assert bill["parts"][0]["invoice_number"]
                    if index % 5 == 0:  # a crash after the number was taken
                        raise Rollback
                committed.append(order_id)
            except Rollback:
                rolled_back.append(order_id)

    work = list(enumerate(orders))
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(pay_some, [work[i::6] for i in range(6)]))
    assert len(rolled_back) == 5 and len(committed) == 19
    assert _numbers(db) == list(range(1, 20)), "every committed invoice, no gap, no double"


def test_two_server_processes_share_one_gapless_sequence(
    database_url, demo, client, auth, token_for, db, hummus, tmp_path
):
    if not database_url.startswith("postgresql"):
        need("postgres", "two server processes share PostgreSQL; this run is on SQLite")
    orders = _takeaways(client, auth("waiter"), hummus, 30)
    headers = {"Authorization": f"Bearer {token_for('cashier')}"}
    with (
        running_server(database_url, tmp_path, POS_SCHEDULER="0") as first,
        running_server(database_url, tmp_path, POS_SCHEDULER="0") as second,
    ):
        servers = (first, second)
        start = threading.Barrier(6)

        def pay_some(chunk: list[tuple[int, str]]) -> list[int]:
            start.wait()
            statuses = []
            for index, order_id in chunk:
                body = {
                    "id": str(uuid.uuid4()),
                    "tender": "card",
                    "card_method": "visa",
                    "print": False,
                }
                url = f"{servers[index % 2]}/api/v1/orders/{order_id}/payments"
                statuses.append(
                    requests.post(url, json=body, headers=headers, timeout=30).status_code
                )
            return statuses

        work = list(enumerate(orders))
        with ThreadPoolExecutor(6) as pool:
            results = [
                s for chunk in pool.map(pay_some, [work[i::6] for i in range(6)]) for s in chunk
            ]
    assert results == [201] * 30
    assert _numbers(db) == list(range(1, 31))
