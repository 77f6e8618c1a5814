"""The cloud's ingest (POST /api/v1/sync/events): a signed batch stored once per (branch, seq),
the high water answered; wrong keys, tampered bodies, replays, old times, unknown or disabled
branches, another branch's batch and malformed events are refused and change nothing."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from conftest import app_config
from sqlalchemy import func, select

from pos_app import create_app
from pos_app.cloud.models import CloudBranch, CloudEvent, CloudOrder, CloudPayment
from pos_app.cloud.signing import headers
from pos_app.db import unit_of_work

KEY = "k" * 40


@pytest.fixture
def cloud(app, database_url):
    """A cloud app over the test database (emptied after the test like any), with two branches."""
    cloud = create_app({**app_config(database_url), "POS_MODE": "cloud"})
    with cloud.app_context(), unit_of_work() as s:
        s.add(CloudBranch(code="riyadh", name="Riyadh", key=KEY))
        s.add(CloudBranch(code="jeddah", name="Jeddah", key="j" * 40))
        s.add(CloudBranch(code="closed", name="Closed", key=KEY, active=False))
    yield cloud
    cloud.extensions["pos_engine"].dispose()


def event(seq: int, kind: str = "order.created", payload: dict | None = None, **extra) -> dict:
    order_id = extra.pop("order_id", str(uuid.uuid4()))
    return {
        "seq": seq,
        "event_id": extra.pop("event_id", str(uuid.uuid4())),
        "type": kind,
        "aggregate_type": "order",
        "aggregate_id": order_id,
        "payload": payload
        if payload is not None
        else {"id": order_id, "number": seq, "status": "open", "total_minor": 1000 * seq},
        "created_at": "2026-12-04T12:00:00+00:00",
        **extra,
    }


def push(cloud, events, code="riyadh", key=KEY, sent_at=None, body=None, head=None, branch=None):
    raw = (
        body
        or json.dumps(
            {
                "branch": branch or code,
                "head": head or max([e["seq"] for e in events] or [0]),
                "events": events,
            }
        ).encode()
    )
    signed = headers(code, key, int(time.time()) if sent_at is None else sent_at, raw)
    return cloud.test_client().post(
        "/api/v1/sync/events",
        data=raw,
        headers={**signed, "Content-Type": "application/json"},
    )


def held(cloud, code="riyadh") -> list[int]:
    with cloud.app_context(), unit_of_work(write=False) as s:
        branch = s.scalar(select(CloudBranch).where(CloudBranch.code == code))
        return list(
            s.scalars(
                select(CloudEvent.seq).where(CloudEvent.branch_id == branch.id).order_by("seq")
            )
        )


def test_events_are_kept_once_and_the_high_water_waits_for_a_gap(cloud):
    first = [event(1), event(2), event(3)]
    answer = push(cloud, first)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"high_water": 3, "stored": 3, "missing_from": None}
    again = push(cloud, first, sent_at=int(time.time()) - 7)  # a retry: signed anew
    assert again.get_json() == {"high_water": 3, "stored": 0, "missing_from": None}
    later = push(cloud, [event(5), event(6)])
    assert later.get_json() == {"high_water": 3, "stored": 2, "missing_from": 4}
    filled = push(cloud, [event(4)], head=6)
    assert filled.get_json() == {"high_water": 6, "stored": 1, "missing_from": None}
    assert held(cloud) == [1, 2, 3, 4, 5, 6]
    assert held(cloud, "jeddah") == []  # kept by branch
    with cloud.app_context(), unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(CloudOrder)) == 6
        branch = s.scalar(select(CloudBranch).where(CloudBranch.code == "riyadh"))
        assert (branch.high_water, branch.branch_head) == (6, 6)
        assert branch.last_contact_at is not None


def test_the_order_projection_keeps_the_newest_state_whatever_arrives_first(cloud):
    order_id = str(uuid.uuid4())
    paid = {"id": order_id, "number": 7, "status": "paid", "total_minor": 4500}
    opened = {"id": order_id, "number": 7, "status": "open", "total_minor": 4500}
    payment = {
        **{"id": str(uuid.uuid4()), "kind": "payment", "tender": "cash"},
        **{"amount_minor": 4500, "tip_minor": 500, "at": "2026-12-04T12:05:00+00:00"},
    }
    push(cloud, [event(2, "order.paid", paid, order_id=order_id)])
    push(cloud, [event(1, "order.created", opened, order_id=order_id)], head=2)  # late
    push(cloud, [event(3, "payment.recorded", payment, order_id=order_id)])
    push(cloud, [event(3, "payment.recorded", payment, order_id=order_id)])  # again: once
    with cloud.app_context(), unit_of_work(write=False) as s:
        order = s.scalars(select(CloudOrder)).one()
        assert (order.status, order.total_minor, order.seq) == ("paid", 4500, 2)
        taken = s.scalars(select(CloudPayment)).one()
        assert (taken.amount_minor, taken.tip_minor, taken.order_id) == (4500, 500, order_id)


def test_a_replayed_batch_is_refused_and_changes_nothing(cloud):
    raw = json.dumps({"branch": "riyadh", "head": 1, "events": [event(1)]}).encode()
    signed = {**headers("riyadh", KEY, int(time.time()), raw), "Content-Type": "application/json"}
    client = cloud.test_client()
    assert client.post("/api/v1/sync/events", data=raw, headers=signed).status_code == 200
    replay = client.post("/api/v1/sync/events", data=raw, headers=signed)
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "replayed"
    assert held(cloud) == [1]


@pytest.mark.parametrize(
    "how, code",
    [
        ("tampered", "sync_refused"),
        ("wrong key", "sync_refused"),
        ("unknown branch", "sync_refused"),
        ("disabled branch", "sync_refused"),
        ("old", "clock_skew"),
        ("future", "clock_skew"),
        ("no signature", "sync_refused"),
        ("time not a number", "sync_refused"),
    ],
)
def test_a_push_not_signed_by_an_active_branch_now_is_refused(cloud, how, code):
    raw = json.dumps({"branch": "riyadh", "head": 1, "events": [event(1)]}).encode()
    now = int(time.time())
    signed = headers("riyadh", KEY, now, raw)
    if how == "tampered":
        raw = raw.replace(b'"head": 1', b'"head": 9')
    elif how == "wrong key":
        signed = headers("riyadh", "x" * 40, now, raw)
    elif how == "unknown branch":
        signed = headers("dammam", KEY, now, raw)
    elif how == "disabled branch":
        signed = headers("closed", KEY, now, raw)
    elif how in ("old", "future"):
        signed = headers("riyadh", KEY, now + (-301 if how == "old" else 301), raw)
    elif how == "no signature":
        signed.pop("X-Pos-Signature")
    elif how == "time not a number":
        signed["X-Pos-Time"] = "soon"
    answer = cloud.test_client().post(
        "/api/v1/sync/events", data=raw, headers={**signed, "Content-Type": "application/json"}
    )
    assert answer.status_code == 401, answer.get_json()
    assert answer.get_json()["error"]["code"] == code
    assert held(cloud) == []


def test_clocks_minutes_apart_still_push(cloud):
    assert push(cloud, [event(1)], sent_at=int(time.time()) - 240).status_code == 200
    assert push(cloud, [event(2)], sent_at=int(time.time()) + 240).status_code == 200
    assert held(cloud) == [1, 2]


def test_a_batch_naming_another_branch_is_refused(cloud):
    answer = push(cloud, [event(1)], branch="jeddah")  # signed by riyadh
    assert answer.status_code == 422 and "branch" in answer.get_json()["error"]["fields"]
    assert held(cloud) == held(cloud, "jeddah") == []


def test_a_sequence_reused_with_another_event_refuses_the_whole_batch(cloud):
    push(cloud, [event(1), event(2)])
    answer = push(cloud, [event(2), event(3)])  # seq 2 is another event now
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "sequence_reused"
    assert held(cloud) == [1, 2]  # 3 was not kept either


@pytest.mark.parametrize(
    "events, field",
    [
        ([{**event(1), "seq": 0}], "events"),
        ([{**event(1), "seq": "1"}], "events"),
        ([{**event(1), "seq": 2**31}], "events"),
        ([{**event(1), "payload": [1, 2]}], "events"),
        ([{**event(1), "event_id": "not-a-uuid"}], "events"),
        ([{**event(1), "created_at": "2026-12-04 12:00"}], "events"),
        ([{**event(1), "type": "x" * 65}], "events"),
        ([event(2), event(1)], "events"),  # out of order
        ([event(1), event(1)], "events"),  # twice
        ([event(n) for n in range(1, 1002)], "events"),  # too many
        ("nope", "events"),
    ],
)
def test_malformed_events_are_422_and_nothing_is_kept(cloud, events, field):
    body = json.dumps({"branch": "riyadh", "head": 1, "events": events}).encode()
    answer = push(cloud, [], body=body)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["error"]["fields"]
    assert held(cloud) == []


def test_a_nul_in_a_payload_is_refused(cloud):
    body = json.dumps(
        {"branch": "riyadh", "head": 1, "events": [event(1, payload={"note": "a\u0000b"})]}
    ).encode()
    assert push(cloud, [], body=body).status_code == 422
    assert held(cloud) == []


def test_a_branch_server_does_not_take_pushes(app, client):
    raw = json.dumps({"branch": "riyadh", "head": 1, "events": [event(1)]}).encode()
    signed = {**headers("riyadh", KEY, int(time.time()), raw), "Content-Type": "application/json"}
    assert client.post("/api/v1/sync/events", data=raw, headers=signed).status_code == 404


def test_owners_see_their_branches_with_their_sync_and_sales(cloud, make_staff):
    from pos_app.auth.models import Staff
    from pos_app.auth.tokens import issue_token

    order_id = str(uuid.uuid4())
    paid = {
        "id": order_id,
        "number": 1,
        "status": "paid",
        "total_minor": 4500,
        "business_day": "2026-12-04",
        "paid_at": "2026-12-04T12:05:00+00:00",
    }
    payment = {
        "id": str(uuid.uuid4()),
        "kind": "payment",
        "tender": "card",
        "amount_minor": 4500,
        "tip_minor": 300,
    }
    push(
        cloud,
        [
            event(1, "order.paid", paid, order_id=order_id),
            event(2, "payment.recorded", payment, order_id=order_id),
        ],
        head=5,
    )
    owner = make_staff("owner", name="Cloud owner")
    with cloud.app_context(), unit_of_work() as s:
        token = issue_token(s, s.get(Staff, owner.id), 8, "test", "password")
        from pos_app.cloud import access

        org = access.organisation(s, "Owner's company")
        for branch in s.scalars(select(CloudBranch)):
            branch.organisation_id = org.id
        access.grant(s, owner.id, org)
    client = cloud.test_client()
    answer = client.get("/api/v1/cloud/branches", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    riyadh = next(b for b in answer.get_json()["items"] if b["code"] == "riyadh")
    assert (riyadh["orders"], riyadh["paid_orders"], riyadh["sales_minor"]) == (1, 1, 4500)
    assert (riyadh["tips_minor"], riyadh["high_water"], riyadh["lag"]) == (300, 2, 3)
    assert riyadh["latest_business_day"] == "2026-12-04"
    assert riyadh["seconds_since_contact"] is not None
    jeddah = next(b for b in answer.get_json()["items"] if b["code"] == "jeddah")
    assert jeddah["last_contact_at"] is None and jeddah["orders"] == 0
    waiter = make_staff("waiter", name="Not an owner")
    with cloud.app_context(), unit_of_work() as s:
        other = issue_token(s, s.get(Staff, waiter.id), 8, "test", "pin")
    refused = client.get("/api/v1/cloud/branches", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 403


def test_a_branch_server_has_no_cloud_branches(client, auth):
    assert client.get("/api/v1/cloud/branches", headers=auth("owner")).status_code == 404


def test_pairing_a_branch_from_the_command_line(cloud, tmp_path):
    """`flask pos cloud-branch`: one key file read alike by both commands; a new key under the
    local demo's code forgets what the old branch sent (a fresh clone's demo starts at seq 1),
    and without the flag (a real branch's key changed) nothing is forgotten."""
    from pos_app.cloud.cli import ensure_key_file

    key_file = tmp_path / "branch_key"
    assert ensure_key_file(key_file) == ensure_key_file(key_file)  # made once
    push(cloud, [event(1), event(2)])
    runner = cloud.test_cli_runner()
    args = ["pos", "cloud-branch", "--code", "riyadh", "--name", "Riyadh", "--key-file"]
    kept = runner.invoke(args=[*args, str(key_file)])
    assert kept.exit_code == 0, kept.output
    assert held(cloud) == [1, 2]  # a new key alone forgets nothing
    (tmp_path / "other").write_text("another key\n")
    forgot = runner.invoke(args=[*args, str(tmp_path / "other"), "--forget-if-new-key"])
    assert forgot.exit_code == 0, forgot.output
    assert held(cloud) == []
    assert push(cloud, [event(1)], key="another key").status_code == 200


# --- copies of a branch's database and a branch's own events (pos_app/cloud/snapshots.py) ---


def signed_post(cloud, path: str, body: dict, code="riyadh", key=KEY, sent_at=None):
    raw = json.dumps(body).encode()
    signed = headers(code, key, int(time.time()) if sent_at is None else sent_at, raw)
    return cloud.test_client().post(
        path, data=raw, headers={**signed, "Content-Type": "application/json"}
    )


def part_body(data: bytes, part=0, parts=1, whole: bytes | None = None, **extra) -> dict:
    import base64
    import hashlib

    whole = data if whole is None else whole
    return {
        "branch": "riyadh",
        "snapshot": extra.pop("snapshot", str(uuid.uuid4())),
        "seq": 7,
        "parts": parts,
        "part": part,
        "size": len(whole),
        "sha256": hashlib.sha256(whole).hexdigest(),
        "taken_at": "2026-12-04T12:00:00+00:00",
        "data": base64.b64encode(data).decode(),
        **extra,
    }


def fetch(cloud, path="/api/v1/sync/snapshots/fetch", code="riyadh", key=KEY, **body):
    return signed_post(
        cloud, path, {"branch": code, "nonce": str(uuid.uuid4()), **body}, code=code, key=key
    )


def snapshots(cloud) -> list[tuple]:
    from pos_app.cloud.models import CloudSnapshot, CloudSnapshotPart

    with cloud.app_context(), unit_of_work(write=False) as s:
        return [
            (row.snapshot_id, row.complete, s.scalar(
                select(func.count()).where(CloudSnapshotPart.snapshot_id == row.snapshot_id)
            ))
            for row in s.scalars(select(CloudSnapshot).order_by(CloudSnapshot.received_at))
        ]  # fmt: skip


def test_a_copy_in_parts_is_kept_whole_and_read_back_by_its_branch_only(cloud):
    whole = bytes(range(256)) * 10
    first = part_body(whole[:1000], 0, 2, whole)
    second = {**first, "part": 1, "data": part_body(whole[1000:])["data"]}
    answer = signed_post(cloud, "/api/v1/sync/snapshots", first)
    assert answer.status_code == 200 and answer.get_json() == {"received": 1, "complete": False}
    assert fetch(cloud).status_code == 404  # not complete yet: nothing to rebuild from
    # the same part sent again (a retry: another time, so not a replay) is kept once
    again = signed_post(cloud, "/api/v1/sync/snapshots", first, sent_at=int(time.time()) - 5)
    assert again.get_json()["received"] == 1
    answer = signed_post(cloud, "/api/v1/sync/snapshots", second)
    assert answer.get_json() == {"received": 2, "complete": True}

    import base64

    got = [fetch(cloud, part=n).get_json() for n in (0, 1)]
    assert b"".join(base64.b64decode(g["data"]) for g in got) == whole
    assert got[0]["seq"] == 7 and got[0]["parts"] == 2
    assert fetch(cloud, part=2).get_json()["error"]["code"] == "no_such_part"
    # Another branch has no copy; it cannot name riyadh's in its body; a wrong key is 401.
    assert fetch(cloud, code="jeddah", key="j" * 40).status_code == 404
    other = signed_post(
        cloud,
        "/api/v1/sync/snapshots/fetch",
        {"branch": "riyadh", "nonce": str(uuid.uuid4())},
        code="jeddah",
        key="j" * 40,
    )
    assert other.status_code == 422 and "branch" in other.get_json()["error"]["fields"]
    assert fetch(cloud, key="wrong" * 8).status_code == 401
    assert fetch(cloud, code="closed").status_code == 401


def test_a_copy_whose_parts_do_not_match_its_digest_is_refused_and_nothing_kept(cloud):
    whole = b"the shop's database" * 100
    body = part_body(whole, whole=whole + b"x")  # announced one byte longer
    answer = signed_post(cloud, "/api/v1/sync/snapshots", body)
    assert answer.status_code == 422 and "sha256" in answer.get_json()["error"]["fields"]
    assert snapshots(cloud) == []
    tampered = part_body(whole)
    tampered["sha256"] = "0" * 64
    assert signed_post(cloud, "/api/v1/sync/snapshots", tampered).status_code == 422
    # A part past the parts, a part sent again with other bytes, another header: refused.
    assert signed_post(cloud, "/api/v1/sync/snapshots", part_body(whole, 2, 2)).status_code == 422
    one = part_body(whole[:10], 0, 2, whole)
    assert signed_post(cloud, "/api/v1/sync/snapshots", one).status_code == 200
    changed = {**one, "data": part_body(b"0123456789")["data"]}
    assert signed_post(cloud, "/api/v1/sync/snapshots", changed).status_code == 409
    assert signed_post(cloud, "/api/v1/sync/snapshots", {**one, "seq": 8}).status_code == 409
    assert [row[1:] for row in snapshots(cloud)] == [(False, 1)]


@pytest.mark.parametrize(
    "change",
    [
        {"data": "not base64!"},
        {"data": ""},
        {"parts": 0},
        {"part": -1},
        {"seq": "7"},
        {"size": 0},
        {"sha256": "ABC"},
        {"snapshot": "../../etc"},
        {"taken_at": "yesterday"},
        {"branch": "Riyadh\x00"},
    ],
)
def test_a_malformed_part_is_refused_with_its_field(cloud, change):
    body = {**part_body(b"abc"), **change}
    answer = signed_post(cloud, "/api/v1/sync/snapshots", body)
    assert answer.status_code in (400, 422), answer.get_json()
    assert snapshots(cloud) == []


def test_the_same_signed_request_twice_is_a_replay(cloud):
    body = {"branch": "riyadh", "nonce": str(uuid.uuid4()), "after": 0}
    sent_at = int(time.time())
    first = signed_post(cloud, "/api/v1/sync/events/fetch", body, sent_at=sent_at)
    assert first.status_code == 200
    again = signed_post(cloud, "/api/v1/sync/events/fetch", body, sent_at=sent_at)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "replayed"
    old = signed_post(cloud, "/api/v1/sync/events/fetch", {**body, "nonce": str(uuid.uuid4())},
                      sent_at=sent_at - 3600)  # fmt: skip
    assert old.status_code == 401


def test_a_branch_reads_its_own_events_after_a_seq_in_order(cloud):
    assert push(cloud, [event(1), event(2), event(3)]).status_code == 200
    assert push(cloud, [event(1)], code="jeddah", key="j" * 40).status_code == 200
    answer = fetch(cloud, "/api/v1/sync/events/fetch", after=1, limit=1).get_json()
    assert [e["seq"] for e in answer["events"]] == [2] and answer["high_water"] == 3
    answer = fetch(cloud, "/api/v1/sync/events/fetch", after=1).get_json()
    assert [e["seq"] for e in answer["events"]] == [2, 3]
    assert answer["events"][0]["payload"]["number"] == 2
    mine = fetch(cloud, "/api/v1/sync/events/fetch", code="jeddah", key="j" * 40, after=0)
    assert [e["seq"] for e in mine.get_json()["events"]] == [1]
    too_many = fetch(cloud, "/api/v1/sync/events/fetch", after=0, limit=100_000)
    assert too_many.status_code == 422 and "limit" in too_many.get_json()["error"]["fields"]


def test_a_branchs_printers_as_it_last_told_are_shown_with_those_down(cloud, make_staff):
    from pos_app.auth.models import Staff
    from pos_app.auth.tokens import issue_token
    from pos_app.cloud import access

    printers = [
        {"name": "Grill printer", "online": False, "paper_out": False, "backup_in_use": True,
         "queue_depth": 3, "last_error": "connection refused", "last_printed_at": None},
        {"name": "Receipt", "online": True, "paper_out": False, "backup_in_use": False,
         "queue_depth": 0, "last_error": "", "last_printed_at": "2026-12-04T12:00:00+00:00"},
    ]  # fmt: skip
    raw = json.dumps({"branch": "riyadh", "head": 0, "events": [], "printers": printers})
    assert push(cloud, [], body=raw.encode()).status_code == 200
    owner = make_staff("owner")
    with cloud.app_context(), unit_of_work() as s:
        token = issue_token(s, s.get(Staff, owner.id), 8, "test", "password")
        org = access.organisation(s, "Riyadh Co")
        s.scalar(select(CloudBranch).where(CloudBranch.code == "riyadh")).organisation_id = org.id
        access.grant(s, owner.id, org)
    answer = cloud.test_client().get(
        "/api/v1/cloud/branches", headers={"Authorization": f"Bearer {token}"}
    )
    (riyadh,) = answer.get_json()["items"]
    assert riyadh["printers_down"] == 1 and riyadh["printers_at"] is not None
    assert riyadh["printers"][0] == printers[0]
    # A batch without printers (most of them) keeps the last report.
    assert push(cloud, [event(1)]).status_code == 200
    with cloud.app_context(), unit_of_work(write=False) as s:
        held = s.scalar(select(CloudBranch).where(CloudBranch.code == "riyadh")).printers
        assert [p["name"] for p in held] == ["Grill printer", "Receipt"]


@pytest.mark.parametrize(
    "printers",
    [
        [{"name": ""}],
        [{"name": "P", "online": "yes"}],
        [{"name": "P", "queue_depth": -1}],
        [{"name": "P", "queue_depth": "3"}],
        [{"name": "P" * 121}],
        [{"name": "P", "last_printed_at": "noon"}],
        [{"name": f"P{n}"} for n in range(51)],
        {"name": "P"},
        [[{"name": "P"}]],
    ],
)
def test_a_malformed_printer_report_is_refused(cloud, printers):
    raw = json.dumps({"branch": "riyadh", "head": 0, "events": [], "printers": printers})
    answer = push(cloud, [], body=raw.encode())
    assert answer.status_code == 422 and "printers" in answer.get_json()["error"]["fields"]
