"""Concurrent writers of one thing: one wins, the others get the answer they would get after it.

Each test sends its requests from threads at once, each with its own database connection, and
holds every transaction open a moment inside (a slow receiver of the signal the service sends
after its checks), so every request has read before any has committed. On SQLite writers
queue on the database lock (BEGIN IMMEDIATE); on PostgreSQL they would all pass their checks
unless the order, table, till or key is locked: these are the tests that prove it there.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from test_orders import dine_in, line, menu_ids, new_id

from kds.models import KitchenTicket
from pos_app.billing.models import Payment
from pos_app.orders.models import Order
from pos_app.signals import order_changed, order_fired

HOLD_S = 0.3  # how long each transaction stays open after its checks


@pytest.fixture
def menu(demo, db):
    return menu_ids(db)


@contextmanager
def slow(signal):
    """Every receiver of `signal` waits HOLD_S inside the transaction that sent it."""

    def hold(_sender, **_kw):
        time.sleep(HOLD_S)

    signal.connect(hold, weak=False)
    try:
        yield
    finally:
        signal.disconnect(hold)


def at_once(app, calls):
    """Run each call(client) in its own thread, all released together; their responses."""
    start = threading.Barrier(len(calls))

    def run(call):
        client = app.test_client()
        start.wait()
        return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def count(db, model, *where) -> int:
    with db(write=False) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_three_fires_with_one_version_fire_once(app, client, menu, auth, db):
    waiter = auth("waiter")
    body = dine_in(menu, lines=[line(menu, "Hummus"), line(menu, "Falafel (6 pieces)")])
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    url = f"/api/v1/orders/{order['id']}/fire"
    with slow(order_fired):
        answers = at_once(app, [lambda c: c.post(url, json={"version": 1}, headers=waiter)] * 3)
    assert statuses(answers) == [200, 409, 409]
    refused = [r.get_json()["error"] for r in answers if r.status_code == 409]
    assert {e["code"] for e in refused} == {"stale_version"}
    assert all(e["current"]["version"] == 2 for e in refused)
    assert count(db, KitchenTicket) == 3  # cold, fry and expo: once, not three times


def test_four_patches_with_one_version_change_the_order_once(app, client, menu, auth, db):
    waiter = auth("waiter")
    body = dine_in(menu, lines=[line(menu, "Hummus")])
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    url = f"/api/v1/orders/{order['id']}"

    def patch(note):
        return lambda c: c.patch(url, json={"version": 1, "notes": note}, headers=waiter)

    with slow(order_changed):
        answers = at_once(app, [patch(f"note {i}") for i in range(4)])
    assert statuses(answers) == [200, 409, 409, 409]
    winner = next(r.get_json() for r in answers if r.status_code == 200)
    assert winner["version"] == 2
    with db(write=False) as s:
        saved = s.get(Order, order["id"], populate_existing=True)
        assert (saved.version, saved.notes) == (2, winner["notes"])


def test_five_creates_of_one_order_id_answer_the_same_order(app, menu, auth, db):
    waiter = auth("waiter")
    body = dine_in(menu, lines=[line(menu, "Hummus")], fire=True)
    with slow(order_changed):
        answers = at_once(app, [lambda c: c.post("/api/v1/orders", json=body, headers=waiter)] * 5)
    assert statuses(answers) == [200, 200, 200, 200, 201]
    assert len({(r.get_json()["id"], r.get_json()["number"]) for r in answers}) == 1
    assert count(db, Order) == 1
    assert count(db, KitchenTicket) == 2  # cold and expo, once


def test_two_orders_racing_for_one_table_seat_one(app, menu, auth, db):
    waiter = auth("waiter")
    bodies = [dine_in(menu, table="7", lines=[line(menu, "Hummus")]) for _ in range(2)]
    with slow(order_changed):
        answers = at_once(
            app, [lambda c, b=b: c.post("/api/v1/orders", json=b, headers=waiter) for b in bodies]
        )
    assert statuses(answers) == [201, 409]
    refused = next(r for r in answers if r.status_code == 409).get_json()["error"]
    assert refused["code"] == "table_taken"
    assert count(db, Order, Order.table_id == menu["tables"]["7"]) == 1


def test_twin_payments_with_one_id_are_taken_once(app, client, menu, auth, db):
    waiter, cashier = auth("waiter"), auth("cashier")
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "Huda",
        "fire": True,
        "lines": [line(menu, "Hummus")],
    }
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    payment = {"id": str(uuid.uuid4()), "tender": "card", "card_method": "mada", "print": False}
    url = f"/api/v1/orders/{order['id']}/payments"
    with slow(order_changed):
        answers = at_once(app, [lambda c: c.post(url, json=payment, headers=cashier)] * 2)
    assert [r.status_code for r in answers] == [201, 201], [r.get_json() for r in answers]
    assert answers[0].get_json()["parts"] == answers[1].get_json()["parts"]
    assert count(db, Payment) == 1


def test_twins_with_one_idempotency_key_are_done_once_and_answer_alike(app, client, menu, auth, db):
    from pos_app.audit import AuditEntry

    waiter = auth("waiter")
    hummus = line(menu, "Hummus", 3)
    body = dine_in(menu, lines=[hummus], fire=True)
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    url = f"/api/v1/orders/{order['id']}/lines/{hummus['id']}/void"
    void = {"version": order["version"], "quantity": 1, "reason": "dropped on the floor"}
    headers = {**waiter, "Idempotency-Key": "void-" + new_id()}
    with slow(order_changed):
        answers = at_once(app, [lambda c: c.post(url, json=void, headers=headers)] * 2)
    assert [r.status_code for r in answers] == [200, 200], [r.get_json() for r in answers]
    assert answers[0].get_json() == answers[1].get_json()
    assert answers[0].get_json()["lines"][0]["quantity"] == 2
    assert count(db, AuditEntry, AuditEntry.action == "order_line.voided") == 1


def test_the_last_two_expo_bumps_at_once_make_the_order_ready(
    app, client, menu, auth, db, monkeypatch
):
    import kds.services

    waiter, kitchen = auth("waiter"), auth("kitchen")
    lines = [line(menu, "Hummus"), line(menu, "Mixed grill", mods=["French fries"])]
    order = client.post(  # courses 1 and 2
        "/api/v1/orders", json=dine_in(menu, lines=lines, fire=True), headers=waiter
    ).get_json()
    fire = {"version": order["version"], "course": 2}  # the mains too: two live expo tickets
    released = client.post(f"/api/v1/orders/{order['id']}/fire", json=fire, headers=waiter)
    assert released.status_code == 200, released.get_json()
    with db(write=False) as s:
        tickets = s.scalars(
            select(KitchenTicket).where(KitchenTicket.order_id == order["id"])
        ).all()
        expo = [t.id for t in tickets if t.is_expo]
        cooked = [t.id for t in tickets if not t.is_expo]
    assert len(expo) == 2
    for ticket_id in cooked:  # expo may call it ready once the stations bumped
        assert client.post(f"/api/v1/tickets/{ticket_id}/bump", headers=kitchen).status_code == 200
    original = kds.services._push_expo

    def push_slowly(session, ticket):
        original(session, ticket)
        time.sleep(HOLD_S)

    monkeypatch.setattr(kds.services, "_push_expo", push_slowly)
    answers = at_once(
        app,
        [lambda c, t=t: c.post(f"/api/v1/tickets/{t}/bump", headers=kitchen) for t in expo],
    )
    assert statuses(answers) == [200, 200], [r.get_json() for r in answers]
    with db(write=False) as s:
        assert s.get(Order, order["id"], populate_existing=True).status.value == "ready"


def test_two_tills_opening_a_shift_at_once_open_one(app, auth, db, demo):
    from pos_app.billing.models import Shift

    cashiers = [auth("cashier"), auth("cashier")]
    from pos_app.signals import document_printing

    with slow(document_printing):
        answers = at_once(
            app,
            [
                lambda c, h=h: c.post("/api/v1/shifts", json={"float_minor": 50000}, headers=h)
                for h in cashiers
            ],
        )
    assert statuses(answers) == [201, 409], [r.get_json() for r in answers]
    assert count(db, Shift, Shift.status == "open") == 1


def test_a_writer_that_skipped_the_lock_loses_with_stale_version(app, client, menu, auth, db):
    import pytest
    from sqlalchemy import update
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from pos_app.errors import database_refusal

    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[line(menu, "Hummus")]), headers=auth("waiter")
    ).get_json()
    engine = app.extensions["pos_engine"]
    with Session(engine, expire_on_commit=False) as careless:
        stale = careless.get(Order, order["id"])  # read without the order's lock
        careless.commit()  # end the read (SQLite would block the other writer), keep the copy
        with db() as s:  # that writer moves the order on
            s.execute(update(Order).where(Order.id == order["id"]).values(version=2))
        stale.notes, stale.version = "overwritten?", stale.version + 1
        with pytest.raises(StaleDataError) as caught:
            careless.commit()
    refusal = database_refusal(caught.value)
    assert (refusal.status, refusal.code) == (409, "stale_version")
    with db(write=False) as s:
        kept = s.get(Order, order["id"], populate_existing=True)
        assert (kept.version, kept.notes) == (2, "")


@contextmanager
def slowed(monkeypatch, module, name):
    """`module.name` waits HOLD_S before it runs, inside the caller's transaction."""
    real = getattr(module, name)

    def held(*args, **kwargs):
        time.sleep(HOLD_S)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    yield


def test_two_managers_typing_one_screen_code_pair_it_once(
    app, demo, auth, db, make_staff, monkeypatch
):
    import re

    from pos_app.audit import AuditEntry
    from pos_app.auth import pairing

    cook = make_staff("kitchen", name="Twin cook")
    page = app.test_client().get("/pair").get_data(as_text=True)
    code = re.search(r'data-testid="pair-code">([A-Z0-9 ]+)<', page).group(1)
    managers = [auth("manager"), auth("manager")]
    body = {"code": code, "staff_id": cook.id, "device_name": "Grill"}
    with slowed(monkeypatch, pairing, "record_audit"):
        answers = at_once(
            app,
            [
                lambda c, h=h: c.post("/api/v1/auth/screen-pairings", json=body, headers=h)
                for h in managers
            ],
        )
    assert statuses(answers) == [201, 404], [r.get_json() for r in answers]
    assert count(db, AuditEntry, AuditEntry.action == "auth.screen_paired") == 1


def test_two_polls_of_one_paired_screen_issue_one_token(
    app, demo, auth, db, make_staff, monkeypatch
):
    import re

    from pos_app.auth import pairing
    from pos_app.auth.models import AuthToken

    cook = make_staff("kitchen", name="Twin screen")
    screen = app.test_client()
    page = screen.get("/pair").get_data(as_text=True)
    code = re.search(r'data-testid="pair-code">([A-Z0-9 ]+)<', page).group(1)
    body = {"code": code, "staff_id": cook.id, "device_name": "Grill"}
    paired = app.test_client().post(
        "/api/v1/auth/screen-pairings", json=body, headers=auth("manager")
    )
    assert paired.status_code == 201, paired.get_json()
    cookie = screen.get_cookie("session").value

    def poll(client):
        client.set_cookie("session", cookie)
        return client.get("/pair/status")

    with slowed(monkeypatch, pairing, "issue_token"):
        answers = at_once(app, [poll, poll])
    states = [r.get_json()["state"] for r in answers]
    assert states.count("paired") == 1, states  # the other: still waiting, or expired (claimed)
    assert {*states} - {"paired"} <= {"waiting", "expired"}, states
    assert count(db, AuthToken, AuthToken.staff_id == cook.id) == 1


def test_two_imports_of_one_menu_file_make_its_new_dish_once(app, demo, auth, db, monkeypatch):
    from pos_app.menu import csv_io
    from pos_app.menu.models import Category, MenuItem

    text = (
        "name,name_ar,category,category_ar,price,station,course\r\n"
        "Pumpkin soup,شوربة اليقطين,Winter specials,أطباق الشتاء,14.50,cold,1\r\n"
    )
    managers = [auth("manager"), auth("manager")]
    body = {"csv": text, "apply": True}
    with slowed(monkeypatch, csv_io, "record_audit"):
        answers = at_once(
            app,
            [lambda c, h=h: c.post("/api/v1/menu/import", json=body, headers=h) for h in managers],
        )
    assert statuses(answers) == [200, 200], [r.get_json() for r in answers]
    done = sorted((r.get_json()["created"], r.get_json()["unchanged"]) for r in answers)
    assert done == [(0, 1), (1, 0)]
    assert count(db, MenuItem, MenuItem.name == "Pumpkin soup") == 1
    assert count(db, Category, Category.name == "Winter specials") == 1


def test_two_creates_of_one_category_name_answer_duplicate(app, demo, auth, db, monkeypatch):
    from pos_app import crud
    from pos_app.menu.models import Category

    managers = [auth("manager"), auth("manager")]
    body = {"name": "Late night", "name_ar": "سهرة"}
    with slowed(monkeypatch, crud, "record_audit"):
        answers = at_once(
            app,
            [lambda c, h=h: c.post("/api/v1/categories", json=body, headers=h) for h in managers],
        )
    assert statuses(answers) == [201, 409], [r.get_json() for r in answers]
    refused = next(r.get_json()["error"] for r in answers if r.status_code == 409)
    assert refused["code"] == "duplicate"
    assert count(db, Category, Category.name == "Late night") == 1


def test_two_imports_of_one_past_sales_file_at_once_import_it_once(app, auth, db, demo):
    """A double tap on Import (or two managers): the second waits for the first, finds its
    receipts held and is refused; the sales count once."""
    from pos_app.reports.models import ReportSale

    text = "receipt,business_day,item,quantity,amount\n" + "".join(
        f"T{n},2026-03-0{1 + n % 5},Tea,1,5.00\n" for n in range(300)
    )
    owners = [auth("owner"), auth("owner")]
    answers = at_once(
        app,
        [
            lambda c, h=h: c.post(
                "/api/v1/reports/import", json={"csv": text, "apply": True}, headers=h
            )
            for h in owners
        ],
    )
    assert statuses(answers) == [200, 422], [r.get_json() for r in answers]
    assert count(db, ReportSale, ReportSale.kind == "imported") == 300


def test_payments_at_once_add_to_the_same_roll_ups_without_losing_a_sale(
    app, client, menu, auth, db
):
    """Six tills pay at once, their dishes in different orders: every payment is taken and
    the day's roll-up counts every sale, none lost to a concurrent add. (Payments queue on the
    invoice counter anyway; the roll-up rows are also written in one order by every writer,
    for those that take no such lock.)"""
    from pos_app.reports.models import ReportDaily

    waiter, cashiers = auth("waiter"), [auth("cashier") for _ in range(6)]
    client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashiers[0])
    names = ["Hummus", "Fattoush", "Chicken burger", "Soft drink"]
    orders = []
    for n in range(6):
        dishes = names if n % 2 else list(reversed(names))
        body = {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "lines": [
                {"id": str(uuid.uuid4()), "item_id": menu["items"][d], "quantity": 1}
                for d in dishes
            ],
        }
        orders.append(client.post("/api/v1/orders", json=body, headers=waiter).get_json())
    answers = at_once(
        app,
        [
            lambda c, o=o, h=h: c.post(
                f"/api/v1/orders/{o['id']}/payments",
                json={"id": str(uuid.uuid4()), "tender": "cash"},
                headers=h,
            )
            for o, h in zip(orders, cashiers, strict=True)
        ],
    )
    assert statuses(answers) == [201] * 6, [r.get_json() for r in answers]
    with db(write=False) as s:
        all_ = s.scalar(select(func.sum(ReportDaily.total_minor)).where(ReportDaily.dim == "all"))
        hummus = s.scalar(
            select(func.sum(ReportDaily.qty_milli)).where(
                ReportDaily.dim == "item", ReportDaily.key == "Hummus"
            )
        )
    assert all_ == 6 * (1_800 + 2_200 + 3_600 + 700) and hummus == 6_000
