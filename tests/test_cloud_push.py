"""The branch's push to the cloud: the outbox numbered without gaps in commit order, sent in
that order to a real cloud process on loopback, marked sent only on the cloud's answer; the
cloud stopped mid-service, orders taken meanwhile, the cloud back: caught up, nothing lost or
doubled."""

from __future__ import annotations

import uuid

import pytest
from conftest import app_config
from sqlalchemy import func, select

from pos_app import create_app
from pos_app.cloud import push
from pos_app.cloud.models import CloudBranch, CloudEvent, CloudOrder, SyncState
from pos_app.outbox import OutboxEvent, record_event

KEY = "branch-key-" + "x" * 30


def seqs(db) -> list[int | None]:
    with db(write=False) as s:
        return list(s.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.id)))


def test_the_outbox_is_numbered_in_commit_order_and_a_rollback_leaves_no_gap(app, db):
    with db() as s:
        record_event(s, "test.one", "test", 1, {})
        record_event(s, "test.two", "test", 2, {})
    with pytest.raises(RuntimeError), db() as s:
        record_event(s, "test.lost", "test", 3, {})
        raise RuntimeError("the change fails: its event goes with it")
    with db() as s:
        record_event(s, "test.three", "test", 4, {})
    assert seqs(db) == [1, 2, 3]


def order_body(menu_ids: dict, table_id: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "dine_in",
        "table_id": table_id,
        "guests": 2,
        "fire": True,
        "lines": [{"id": str(uuid.uuid4()), "item_id": menu_ids["Hummus"], "quantity": 1}],
    }


@pytest.fixture
def shop(app, client, demo, db, auth):
    """The demo branch taking orders: take(n) posts n orders, each on the next free table."""
    from pos_app.menu.models import MenuItem
    from table_service.models import DiningTable

    with db(write=False) as s:
        items = {i.name: i.id for i in s.scalars(select(MenuItem))}
        tables = [t.id for t in s.scalars(select(DiningTable).order_by(DiningTable.id))]
    waiter = auth("waiter")
    taken: list[str] = []

    def take(n: int) -> None:
        for _ in range(n):
            body = order_body(items, tables[len(taken) % len(tables)])
            body["type"] = "takeaway"
            body.pop("table_id"), body.pop("guests")
            answer = client.post("/api/v1/orders", json=body, headers=waiter)
            assert answer.status_code == 201, answer.get_json()
            taken.append(answer.get_json()["id"])

    take.orders = taken
    return take


def test_orders_reach_a_real_cloud_once_through_a_stop_and_a_restart(
    app, database_url, shop, db, tmp_path
):
    from live import free_port, server_process

    with db() as s:
        s.add(CloudBranch(code="demo", name="Demo", key=KEY))
    port = free_port()
    cloud_env = {"POS_MODE": "cloud", "POS_PRINT_PROCESS": "0", "POS_SCHEDULER": "0"}
    app.config.update(POS_CLOUD_URL=f"http://127.0.0.1:{port}", POS_BRANCH_KEY=KEY)

    def cloud_counts():
        with db(write=False) as s:
            return (
                s.scalar(select(func.count()).select_from(CloudEvent)),
                s.scalar(select(func.count()).select_from(CloudOrder)),
            )

    def pending_events():
        with db(write=False) as s:
            return s.scalar(select(func.count()).where(OutboxEvent.sent_at.is_(None)))

    def push_all():
        while push.push_once(app):
            pass

    shop(3)
    with server_process(database_url, tmp_path, port=port, **cloud_env):
        push_all()
        assert pending_events() == 0
        with db(write=False) as s:
            total = s.scalar(select(func.count()).select_from(OutboxEvent))
        assert cloud_counts() == (total, 3)

    # The cloud is away: orders go on; the push fails, says why, and marks nothing sent.
    shop(4)
    with pytest.raises(push.PushFailed):
        push.push_once(app)
    with db(write=False) as s:
        state = s.get(SyncState, 1)
        assert "did not answer" in state.last_error and state.last_push_at is not None
    assert pending_events() > 0

    with server_process(database_url, tmp_path, port=port, **cloud_env):
        push_all()
    assert pending_events() == 0
    with db(write=False) as s:
        total = s.scalar(select(func.count()).select_from(OutboxEvent))
        assert s.get(SyncState, 1).last_error == ""
        branch = s.scalar(select(CloudBranch))
        assert branch.high_water == total == branch.branch_head
        held = {o.order_id for o in s.scalars(select(CloudOrder))}
    assert cloud_counts() == (total, 7)
    assert held == set(shop.orders)


def test_a_cloud_that_lost_events_gets_them_again(app, database_url, shop, db):
    """Events marked sent that the cloud no longer holds (restored from a backup) are sent
    again when the cloud's answer says so."""
    cloud = create_app({**app_config(database_url), "POS_MODE": "cloud"})
    with db() as s:
        s.add(CloudBranch(code="demo", name="Demo", key=KEY))
    app.config.update(POS_CLOUD_URL="http://cloud.invalid", POS_BRANCH_KEY=KEY)
    client = cloud.test_client()

    def send(to, body):  # the cloud app in this process instead of the network
        answer = client.post(
            "/api/v1/sync/events",
            data=body,
            headers={
                **push.headers(to.code, to.key, int(__import__("time").time()), body),
                "Content-Type": "application/json",
            },
        )
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    push._send, real = send, push._send
    try:
        shop(2)
        while push.push_once(app):
            pass
        with db() as s:  # the cloud loses everything after its first event
            s.execute(CloudEvent.__table__.delete().where(CloudEvent.seq > 1))
            s.scalar(select(CloudBranch)).high_water = 1
        shop(1)
        while push.push_once(app):
            pass
    finally:
        push._send = real
        cloud.extensions["pos_engine"].dispose()
    with db(write=False) as s:
        total = s.scalar(select(func.count()).select_from(OutboxEvent))
        assert s.scalar(select(func.count()).select_from(CloudEvent)) == total
        assert s.scalar(select(CloudBranch)).high_water == total


def test_with_nothing_to_send_the_branch_still_says_it_is_alive(app, demo, db, monkeypatch):
    sent = []

    def send(_to, body):
        sent.append(__import__("json").loads(body))
        return {"high_water": sent[-1]["head"], "stored": 0, "missing_from": None}

    monkeypatch.setattr(push, "_send", send)
    app.config.update(POS_CLOUD_URL="http://cloud.invalid", POS_BRANCH_KEY=KEY)
    while push.push_once(app):
        pass
    assert sent and sent[0]["events"]  # the demo's events
    # the first batch tells the branch's printers, as every heartbeat does
    assert {p["name"] for p in sent[0]["printers"]} >= {"Grill printer", "Receipt printer"}
    assert all("printers" not in batch for batch in sent[1:])
    head = sent[-1]["head"]
    push.push_once(app)
    assert len(sent) == 1, "just pushed: no heartbeat yet"
    app.extensions["pos_push_contact"] -= push.HEARTBEAT_S
    push.push_once(app)
    assert {k: v for k, v in sent[-1].items() if k != "printers"} == {
        "branch": "demo",
        "head": head,
        "events": [],
    }
    assert sent[-1]["printers"] == sent[0]["printers"]


def test_under_network_faults_the_cloud_ends_with_exactly_the_branchs_events(
    app, database_url, shop, db, tmp_path, client, auth
):
    """Refused, stalled, cut mid-answer (the cloud stored the batch, the branch never heard:
    as a branch restarted mid-push), sent twice by the network, delayed: after each, more
    orders; at the end the cloud holds each event once and every order, no more, no less."""
    from faultproxy import FaultProxy
    from live import free_port, server_process

    with db() as s:
        s.add(CloudBranch(code="demo", name="Demo", key=KEY))
    port = free_port()
    cloud_env = {"POS_MODE": "cloud", "POS_PRINT_PROCESS": "0", "POS_SCHEDULER": "0"}
    proxy = FaultProxy(port)
    app.config.update(POS_CLOUD_URL=proxy.url, POS_BRANCH_KEY=KEY, POS_CLOUD_TIMEOUT_SECONDS=1.5)
    outcomes = {}
    try:
        with server_process(database_url, tmp_path, port=port, **cloud_env):
            for mode in ("refuse", "stall", "cut", "twice", "delay", "cut", "pass"):
                proxy.mode = mode
                shop(2)
                try:
                    while push.push_once(app):
                        pass
                    outcomes[mode] = "sent"
                except push.PushFailed:
                    outcomes[mode] = "failed"
            proxy.mode = "pass"
            while push.push_once(app):
                pass
    finally:
        proxy.close()
    assert outcomes == {
        "refuse": "failed", "stall": "failed", "cut": "failed",
        "twice": "sent", "delay": "sent", "pass": "sent",
    }  # fmt: skip
    with db(write=False) as s:
        branch_events = s.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).all()
        assert s.scalar(select(func.count()).where(OutboxEvent.sent_at.is_(None))) == 0
        cloud_events = s.scalars(select(CloudEvent.seq).order_by(CloudEvent.seq)).all()
        orders = {o.order_id for o in s.scalars(select(CloudOrder))}
    assert cloud_events == branch_events == list(range(1, len(branch_events) + 1))
    assert orders == set(shop.orders) and len(orders) == 14
