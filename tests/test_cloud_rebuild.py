"""A branch rebuilt from the cloud (issue 19): the branch, on its own SQLite file, sends a copy
of its database to a real cloud process (on the suite's database: PostgreSQL in CI), takes
more orders and invoices, and is lost; a new machine runs `flask pos restore-branch` and
carries on with the next invoice number, the next order number and the next event, with the
order still open at the table; the cloud takes its pushes (no number reused)."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from conftest import TEST_SECRET, app_config, wipe
from sqlalchemy import func, select

from pos_app import create_app, migrate
from pos_app.cloud import push, rebuild
from pos_app.db import make_engine, unit_of_work

CODE = "demo"


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def cloud(database_url, tmp_path):
    """A real cloud process on the suite's database, the demo branch registered by the
    command an owner runs (`flask pos cloud-branch`); (url, key); emptied afterwards."""
    from live import server_process

    key_file = tmp_path / "branch_key"
    env = {
        "PATH": "/usr/bin:/bin",
        "POS_MODE": "cloud",
        "POS_DATABASE_URL": database_url,
        "POS_INSTANCE_DIR": str(tmp_path / "cloud"),
        "POS_SECRET_KEY": TEST_SECRET,
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pos_app", "pos", "cloud-branch",
         "--code", CODE, "--name", "Demo Bistro", "--key-file", str(key_file)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    cloud_env = {"POS_MODE": "cloud", "POS_PRINT_PROCESS": "0", "POS_SCHEDULER": "0"}
    try:
        with server_process(database_url, tmp_path, **cloud_env) as (url, _proc):
            yield url, key_file.read_text().strip()
    finally:
        engine = make_engine(database_url)
        wipe(engine)
        engine.dispose()


def branch_app(path, url: str, key: str):
    """A branch server's app on its own SQLite file, pushing to the cloud at `url`."""
    config = app_config(f"sqlite:///{path}")
    config.update(POS_CLOUD_URL=url, POS_BRANCH_KEY=key, POS_BRANCH_CODE=CODE)
    return create_app(config)


def demo_branch(path, url: str, key: str):
    """A new branch on its own SQLite file with the demo restaurant loaded: its app."""
    from pos_app.demo import load_demo

    migrate.upgrade(f"sqlite:///{path}")
    app = branch_app(path, url, key)
    with app.app_context(), unit_of_work() as s:
        load_demo(s, TEST_SECRET, "fast", stock=False)
    return app


class Shop:
    """The branch's staff at work through its API."""

    def __init__(self, app):
        from pos_app.auth.models import Staff
        from pos_app.auth.tokens import issue_token
        from pos_app.menu.models import MenuItem

        self.app, self.client = app, app.test_client()
        with app.app_context(), unit_of_work() as s:
            staff = {m.role.value: m for m in s.scalars(select(Staff).order_by(Staff.id))}
            self.waiter = self._bearer(issue_token(s, staff["waiter"], 8, "test", "pin"))
            self.cashier = self._bearer(issue_token(s, staff["cashier"], 8, "test", "pin"))
            self.hummus = s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))
            from table_service.models import DiningTable

            self.table = s.scalar(select(func.min(DiningTable.id)))

    @staticmethod
    def _bearer(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def order(self, table: bool = False) -> dict:
        body = {
            "id": new_id(),
            "type": "takeaway",
            "fire": True,
            "lines": [{"id": new_id(), "item_id": self.hummus, "quantity": 2}],
        }
        if table:  # dine-in at the floor's first table
            body.update(type="dine_in", table_id=self.table, guests=2)
        answer = self.client.post("/api/v1/orders", json=body, headers=self.waiter)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def open_shift(self) -> None:
        answer = self.client.post(
            "/api/v1/shifts", json={"float_minor": 10_000}, headers=self.cashier
        )
        assert answer.status_code == 201, answer.get_json()

    def pay(self, order: dict) -> str:
        """Pay the order in cash: its invoice number."""
        answer = self.client.post(
            f"/api/v1/orders/{order['id']}/payments",
            json={"id": new_id(), "tender": "cash", "amount_minor": order["total_minor"]},
            headers=self.cashier,
        )
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        return body["parts"][-1]["invoice_number"]

    def push_all(self) -> None:
        while push.push_once(self.app):
            pass

    def outbox_head(self) -> int:
        from pos_app.outbox import OutboxEvent

        with self.app.app_context(), unit_of_work(write=False) as s:
            return s.scalar(select(func.max(OutboxEvent.seq)))


def test_a_branch_rebuilt_from_the_cloud_carries_on_with_the_next_numbers(cloud, tmp_path):
    url, key = cloud
    lost = tmp_path / "lost.sqlite3"
    app = demo_branch(lost, url, key)
    shop = Shop(app)
    shop.open_shift()
    first = [shop.order() for _ in range(3)]
    assert [shop.pay(o) for o in first[:2]] == ["INV-000001", "INV-000002"]
    shop.push_all()
    with app.app_context():
        copy = rebuild.upload_snapshot(app)
    assert copy["complete"] and copy["seq"] == shop.outbox_head()

    # After the copy: two more orders, one paid (INV-000003), one still open at its table.
    later = [shop.order(), shop.order(table=True)]
    assert shop.pay(later[0]) == "INV-000003"
    shop.push_all()
    head = shop.outbox_head()
    assert head > copy["seq"]
    app.extensions["pos_engine"].dispose()
    lost.unlink()  # the machine is stolen

    new = tmp_path / "new.sqlite3"
    app = branch_app(new, url, key)
    result = app.test_cli_runner().invoke(args=["pos", "restore-branch", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"the next is {head + 1}" in result.output
    assert "counter invoice-number: 3 (the next is 4)" in result.output
    assert f"open orders taken back: #{later[1]['number']}" in result.output
    # a takeaway paid after the copy but not handed over: named, not billed twice
    assert f"not taken back: #{later[0]['number']}: paid" in result.output

    shop = Shop(app)
    with app.app_context(), unit_of_work(write=False) as s:
        from pos_app.orders.models import Order

        held = s.get(Order, later[1]["id"])
        assert held is not None and held.is_open and held.lines[0].quantity == 2
        assert held.table_id == shop.table and held.type == "dine_in"
        assert held.lines[0].sent_quantity == 2  # the kitchen has it: not sent twice
        assert s.get(Order, later[0]["id"]) is None
    # The till carries on: the open order is paid with the next invoice number, a new
    # order gets the next number of the day, and the cloud takes every new event.
    assert shop.pay(held_order(later[1], shop)) == "INV-000004"
    fresh = shop.order()
    assert fresh["number"] == later[1]["number"] + 1
    shop.push_all()
    now_head = shop.outbox_head()
    with app.app_context(), unit_of_work(write=False) as s:
        from pos_app.cloud.models import SyncState

        state = s.get(SyncState, 1)
        assert state.last_error == "" and state.cloud_high_water == now_head > head

    # A second rebuild over a database with orders is refused unless forced.
    again = app.test_cli_runner().invoke(args=["pos", "restore-branch", "--yes"])
    assert again.exit_code != 0 and "already holds orders" in again.output


def held_order(order: dict, shop: Shop) -> dict:
    answer = shop.client.get(f"/api/v1/orders/{order['id']}", headers=shop.waiter)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_local_backup_older_than_the_last_push_carries_on_past_the_cloud(cloud, tmp_path):
    """`flask pos restore-backup` of a copy taken before later orders were pushed: without
    the cloud's events it would number the next events as ones the cloud holds (refused)."""
    url, key = cloud
    path = tmp_path / "branch.sqlite3"
    app = demo_branch(path, url, key)
    app.config["POS_BACKUP_DIR"] = str(tmp_path / "backups")
    from pos_app import backup

    shop = Shop(app)
    shop.open_shift()
    shop.pay(shop.order())
    shop.push_all()
    with app.app_context():
        old = backup.backup_now(app)
    shop.pay(shop.order())  # INV-000002, pushed: the backup does not hold it
    shop.push_all()
    head = shop.outbox_head()

    result = app.test_cli_runner().invoke(args=["pos", "restore-backup", str(old), "--yes"])
    assert result.exit_code == 0, result.output
    assert "counter invoice-number: 2 (the next is 3)" in result.output
    shop = Shop(app)
    assert shop.pay(shop.order()) == "INV-000003"
    shop.push_all()
    with app.app_context(), unit_of_work(write=False) as s:
        from pos_app.cloud.models import SyncState

        state = s.get(SyncState, 1)
        assert state.last_error == "" and state.cloud_high_water > head


def test_a_copy_is_due_first_then_after_a_set_up_change_or_hours(cloud, tmp_path, monkeypatch):
    url, key = cloud
    path = tmp_path / "branch.sqlite3"
    app = demo_branch(path, url, key)
    shop = Shop(app)
    with app.app_context():
        assert rebuild.snapshot_due(app)  # none at the cloud yet
        push._snapshot_if_due(app)  # what the push worker does once caught up
        assert not rebuild.snapshot_due(app)
    monkeypatch.setattr(rebuild, "SOON_S", 0)
    shop.order()  # orders alone: the cloud's events bring a rebuilt branch up to date
    with app.app_context():
        assert not rebuild.snapshot_due(app)
    owner = shop.client.post(
        "/api/v1/auth/login", json={"email": "owner@example.com", "password": "owner-demo-pass"}
    )
    assert owner.status_code == 200, owner.get_json()
    headers = {"Authorization": f"Bearer {owner.get_json()['token']}"}
    changed = shop.client.patch(
        f"/api/v1/items/{shop.hummus}", json={"price_minor": 2100}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    with app.app_context():
        assert rebuild.snapshot_due(app)  # a price changed: a copy soon
        app.config["POS_CLOUD_SNAPSHOT_HOURS"] = 0
        assert not rebuild.snapshot_due(app)  # copies turned off


def test_a_branch_offline_for_seven_days_catches_up_by_itself(cloud, database_url, tmp_path):
    """A week of service with the cloud unreachable (a business day each simulated day, orders
    numbered from 1 each day, half paid); the cloud comes back and the push worker, on its
    own, brings it every order and payment once: counts and totals per day equal the branch's."""
    import threading

    from live import free_port

    from pos_app import clock
    from pos_app.billing.models import Payment
    from pos_app.orders.models import Order

    url, key = cloud
    path = tmp_path / "branch.sqlite3"
    app = demo_branch(path, f"http://127.0.0.1:{free_port()}", key)  # nothing listens there
    app.config["POS_CLOUD_TIMEOUT_SECONDS"] = 2
    shop = Shop(app)
    shop.open_shift()
    try:
        for _day in range(7):
            shop = Shop(app)  # signed in again each day
            for n in range(12):
                order = shop.order()
                if n % 2:
                    shop.pay(order)
            with pytest.raises(push.PushFailed):
                push.push_once(app)  # the branch tries; the cloud is away
            clock.advance(24 * 3600)
        with app.app_context(), unit_of_work(write=False) as s:
            days = dict(
                s.execute(
                    select(Order.business_day, func.count()).group_by(Order.business_day)
                ).all()
            )
            paid = s.scalar(select(func.sum(Payment.amount_minor)))
        assert len(days) == 7 and set(days.values()) == {12}

        app.config["POS_CLOUD_URL"] = url  # the cloud is back
        head = shop.outbox_head()
        stop = threading.Event()
        worker = threading.Thread(target=push.run_forever, args=(app, 0.05, stop.is_set))
        worker.start()
        try:
            from live import eventually

            def caught_up():
                with app.app_context(), unit_of_work(write=False) as s:
                    from pos_app.cloud.models import SyncState

                    state = s.get(SyncState, 1)
                    return state is not None and state.cloud_high_water == head

            eventually(caught_up, 60)
        finally:
            stop.set()
            worker.join(30)
    finally:
        clock.reset()
    engine = make_engine(database_url)  # the cloud's database
    with engine.connect() as conn:
        from pos_app.cloud.models import CloudEvent, CloudOrder, CloudPayment

        cloud_days = dict(
            conn.execute(
                select(CloudOrder.business_day, func.count()).group_by(CloudOrder.business_day)
            ).all()
        )
        assert {str(d): n for d, n in days.items()} == cloud_days
        assert conn.execute(select(func.sum(CloudPayment.amount_minor))).scalar() == paid
        assert conn.execute(select(func.count()).select_from(CloudEvent)).scalar() == head
    engine.dispose()
