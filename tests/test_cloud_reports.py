"""The owners' reports in the cloud (issue 20): a branch's report facts reach the cloud as
signed `report.facts` events, kept once, and the cloud's report of that branch equals the
branch's own (the same code); an owner sees their branches, alone or together, and a branch
not theirs is refused exactly like one that does not exist."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date

from sqlalchemy import select
from test_cloud_access import cloud, give  # noqa: F401  (the fixture: two companies' branches)

from pos_app.auth.models import Staff
from pos_app.auth.tokens import issue_token
from pos_app.cloud.signing import headers
from pos_app.db import unit_of_work
from pos_app.menu.models import MenuItem
from pos_app.outbox import OutboxEvent

KEY = "k" * 40


def bearer(app, staff_id: int) -> dict:
    with app.app_context(), unit_of_work() as s:
        return {
            "Authorization": f"Bearer {issue_token(s, s.get(Staff, staff_id), 8, 't', 'password')}"
        }


def push(cloud, code: str, events: list[dict]) -> None:  # noqa: F811
    raw = json.dumps({"branch": code, "head": events[-1]["seq"], "events": events}).encode()
    answer = cloud.test_client().post(
        "/api/v1/sync/events",
        data=raw,
        headers={**headers(code, KEY, int(time.time()), raw), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.get_json()


def report_events(db) -> list[dict]:
    """The branch's `report.facts` outbox events, numbered from 1 as a push sends them."""
    with db(write=False) as s:
        return [
            {
                "seq": n + 1,
                "event_id": e.event_id,
                "type": e.type,
                "aggregate_type": e.aggregate_type,
                "aggregate_id": e.aggregate_id,
                "payload": e.payload,
                "created_at": e.created_at.isoformat(),
            }
            for n, e in enumerate(
                s.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.type == "report.facts")
                    .order_by(OutboxEvent.seq)
                )
            )
        ]


def test_a_branchs_sales_reach_the_cloud_once_and_read_the_same(
    cloud,  # noqa: F811
    app,
    client,
    demo,
    auth,
    make_staff,
    db,  # noqa: F811
):
    waiter, cashier = auth("waiter"), auth("cashier")
    with db(write=False) as s:
        items = {i.name: i.id for i in s.scalars(select(MenuItem))}
    assert (
        client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier).status_code == 201
    )
    for names in (["Hummus", "Fattoush"], ["Chicken burger"]):
        order = client.post(
            "/api/v1/orders",
            json={
                "id": str(uuid.uuid4()),
                "type": "takeaway",
                "lines": [
                    {"id": str(uuid.uuid4()), "item_id": items[n], "quantity": 1} for n in names
                ],
            },
            headers=waiter,
        ).get_json()
        paid = client.post(
            f"/api/v1/orders/{order['id']}/payments",
            json={"id": str(uuid.uuid4()), "tender": "cash"},
            headers=cashier,
        )
        assert paid.status_code == 201, paid.get_json()
    events = report_events(db)
    assert len(events) == 2  # one per payment: its invoice, item rows and payment together
    push(cloud, "riyadh", events)
    push(cloud, "riyadh", events[:1])  # sent again (a retried push): kept once
    push(cloud, "jeddah", events)  # the same sales at the other branch of the company

    owner = make_staff("owner", email="owner@grills.example", password="a long password")
    stranger = make_staff("owner", email="owner@cafe.example", password="a long password")
    give(cloud, owner.id, "Grills Co")
    give(cloud, stranger.id, "Cafe Co")
    mine, theirs = bearer(cloud, owner.id), bearer(cloud, stranger.id)
    at_branch = client.get("/api/v1/reports/sales", headers=auth("owner")).get_json()["report"]
    assert at_branch["sales"]["sales_minor"] == 1_800 + 2_200 + 3_600

    reports = cloud.test_client()

    def report(headers, **params):
        return reports.get("/api/v1/reports/sales", query_string=params, headers=headers)

    riyadh = report(mine, branch="riyadh").get_json()["report"]
    assert riyadh["sales"] == at_branch["sales"]  # the same code, the same figures
    assert riyadh["by_item"] == at_branch["by_item"]
    both = report(mine).get_json()
    assert [b["code"] for b in both["branches"]] == ["jeddah", "riyadh"]
    assert both["report"]["sales"]["sales_minor"] == 2 * at_branch["sales"]["sales_minor"]
    assert both["report"]["sales"]["orders"] == 4
    compared = {b["branch"]: (b["net_minor"], b["orders"]) for b in both["by_branch"]}
    assert compared == {"riyadh": (7_600, 2), "jeddah": (7_600, 2)}
    assert report(mine, branch="riyadh").get_json()["by_branch"] == []  # one branch: no table
    branches_csv = reports.get(
        "/api/v1/reports/export.csv", query_string={"table": "branches"}, headers=mine
    )
    assert branches_csv.status_code == 200 and "riyadh,Riyadh,7600" in branches_csv.data.decode()
    # Another company's branch and a branch that does not exist: the same refusal.
    not_mine, unknown = report(mine, branch="cafe"), report(mine, branch="nowhere")
    assert not_mine.status_code == unknown.status_code == 403
    assert not_mine.get_json() == unknown.get_json()
    assert report(mine, branch="riyadh,cafe").status_code == 403
    # The other company's owner sees nothing of these sales.
    assert report(theirs).get_json()["report"]["sales"]["sales_minor"] == 0
    assert report(theirs, branch="riyadh").status_code == 403
    csv = reports.get(
        "/api/v1/reports/export.csv",
        query_string={"table": "items", "branch": "cafe"},
        headers=mine,
    )
    assert csv.status_code == 403
    pdf = reports.get("/api/v1/reports/monthly.pdf", headers=mine)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # Past sales are imported at a branch, not in the cloud.
    imported = reports.post("/api/v1/reports/import", json={"csv": "x"}, headers=mine)
    assert imported.status_code in (403, 404)


def test_facts_the_cloud_cannot_take_are_skipped_and_the_rest_kept(cloud):  # noqa: F811
    """A branch on other code, or a damaged event: its bad fact rows are skipped, the good
    ones kept, and the branch's sync goes on (the batch is taken)."""
    good = {
        "doc": "INV-000001",
        "kind": "invoice",
        "business_day": "2026-12-01",
        "hour": 9,
        "orders": 1,
        "total_minor": 5_000,
        "vat_minor": 652,
    }
    bad = [
        {**good, "doc": "INV-000002", "business_day": "yesterday"},
        {**good, "doc": "INV-000003", "total_minor": "lots"},
        {**good, "doc": "INV-000004", "total_minor": 2**62},
        {**good, "doc": "INV-000005", "hour": [1]},
        {**good, "doc": None},
        "not a row",
    ]
    lines = [
        {
            "doc": "INV-000001",
            "n": 0,
            "business_day": "2026-12-01",
            "item": "Tea",
            "qty_milli": 1_000,
            "amount_minor": 5_000,
        },
        {
            "doc": "INV-000001",
            "n": 70_000,
            "business_day": "2026-12-01",
            "item": "Tea",
            "qty_milli": 1_000,
            "amount_minor": 5_000,
        },
    ]
    event = {
        "seq": 1,
        "event_id": str(uuid.uuid4()),
        "type": "report.facts",
        "aggregate_type": "report",
        "aggregate_id": "sales:INV-000001",
        "payload": {"sales": [good, *bad], "lines": lines, "tickets": {"x": 1}},
        "created_at": "2026-12-01T09:00:00+00:00",
    }
    push(cloud, "riyadh", [event])
    from pos_app.cloud.models import CloudBranch
    from pos_app.reports import query

    with cloud.app_context(), unit_of_work(write=False) as s:
        riyadh = s.scalar(select(CloudBranch.id).where(CloudBranch.code == "riyadh"))
        sums = query.sums(s, [riyadh], date(2026, 12, 1), date(2026, 12, 1))
    assert sums[("all", "")]["total_minor"] == 5_000 and sums[("all", "")]["n"] == 1
    assert sums[("item", "Tea")]["qty_milli"] == 1_000


def test_cloud_dashboards_hear_that_figures_changed_and_nothing_more(cloud, make_staff):  # noqa: F811
    """Facts arriving at the cloud nudge the owners' dashboards (`report_changed`, the days
    only: no figure, no branch); a cashier's socket hears nothing of it."""
    from pos_app.extensions import socketio as extension

    owner = make_staff("owner", email="owner@grills.example", password="a long password")
    cashier = make_staff("cashier", pin="6161")
    sockets = {}
    for name, who in (("owner", owner), ("cashier", cashier)):
        token = bearer(cloud, who.id)["Authorization"].removeprefix("Bearer ")
        sockets[name] = extension.test_client(cloud, namespace="/floor", auth={"token": token})
        assert sockets[name].is_connected("/floor")
        sockets[name].get_received("/floor")
    fact = {
        "doc": "INV-000009",
        "kind": "invoice",
        "business_day": "2026-12-02",
        "total_minor": 1_000,
    }
    push(
        cloud,
        "riyadh",
        [
            {
                "seq": 1,
                "event_id": str(uuid.uuid4()),
                "type": "report.facts",
                "aggregate_type": "report",
                "aggregate_id": "sales:INV-000009",
                "payload": {"sales": [fact]},
                "created_at": "2026-12-02T09:00:00+00:00",
            }
        ],
    )
    heard = [p for p in sockets["owner"].get_received("/floor") if p["name"] == "report_changed"]
    assert [p["args"][0] for p in heard] == [{"days": ["2026-12-02"]}]
    assert not [
        p for p in sockets["cashier"].get_received("/floor") if p["name"] == "report_changed"
    ]
