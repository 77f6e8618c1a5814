"""GET /api/v1/backoffice/today: the back office's figures at a glance, against figures
worked out by hand on the demo menu."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from pos_app import clock
from pos_app.menu.models import MenuItem
from pos_app.orders.models import Order
from printers.models import Printer


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def items(demo, db):
    with db(write=False) as s:
        return {i.name: i.id for i in s.scalars(select(MenuItem))}


def today(client, headers) -> dict:
    response = client.get("/api/v1/backoffice/today", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def takeaway(client, items, headers, *names) -> dict:
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "Sara",
        "customer_phone": "0500000000",
        "fire": True,
        "lines": [{"id": new_id(), "item_id": items[n], "quantity": 1} for n in names],
    }
    response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_sales_orders_late_tickets_printers_and_sync_of_today(client, items, auth, db):
    manager, waiter, cashier = auth("manager"), auth("waiter"), auth("cashier")
    empty = today(client, manager)
    assert empty["sales_minor"] == 0 and empty["invoices"] == 0 and empty["open_orders"] == 0
    assert empty["late_tickets"] == 0
    assert empty["printers"]["total"] == 5 and empty["printers"]["down"] == 0

    paid = takeaway(client, items, waiter, "Hummus", "Mineral water")  # 18.00 + 5.00
    takeaway(client, items, waiter, "Fattoush")  # stays open
    shift = client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier)
    assert shift.status_code == 201, shift.get_json()
    r = client.post(
        f"/api/v1/orders/{paid['id']}/payments",
        json={"id": new_id(), "tender": "cash", "tendered_minor": 2_300},
        headers=cashier,
    )
    assert r.status_code == 201, r.get_json()

    now = today(client, manager)
    assert now["sales_minor"] == 2_300 and now["invoices"] == 1
    assert now["average_ticket_minor"] == 2_300 and now["refunds_minor"] == 0
    assert now["orders_today"] == 2
    with db(write=False) as s:
        still_open = s.scalar(select(Order.id).where(Order.id != paid["id"]))
    assert now["open_orders"] >= 1 and still_open
    assert now["late_tickets"] == 0
    assert now["sync"]["waiting"] > 0 and now["sync"]["oldest_waiting_at"]
    assert now["currency"] == "SAR" and now["business_day"] == paid["business_day"]

    clock.advance(60 * 60)  # an hour on, nothing bumped: every fired ticket is late
    late = today(client, manager)
    assert late["late_tickets"] >= 2

    with db() as s:
        grill = s.scalar(select(Printer).where(Printer.name == "Grill printer"))
        grill.online = False
    down = today(client, manager)["printers"]
    assert down["down"] == 1 and down["down_names"] == ["Grill printer"]


@pytest.mark.parametrize("role", ["waiter", "cashier", "kitchen"])
def test_only_the_back_office_reads_todays_figures(client, demo, auth, role):
    response = client.get("/api/v1/backoffice/today", headers=auth(role))
    assert response.status_code == 403
