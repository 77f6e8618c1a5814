"""Stock in the cloud (issue 21): a branch's stock movements travel in its `report.facts`
events and are kept once however often a push is retried; the cloud's cost of goods, usage
and waste of that branch equal the branch's own."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from test_cloud_access import cloud, give  # noqa: F401  (the fixture: two companies' branches)
from test_cloud_reports import bearer, push, report_events

from pos_app.db import unit_of_work
from pos_app.menu.models import MenuItem, Modifier
from pos_app.stock.models import Ingredient, StockMovement


def test_stock_movements_reach_the_cloud_exactly_once(
    cloud,  # noqa: F811
    app,
    client,
    demo_stock,
    auth,
    make_staff,
    db,
):
    waiter, cashier, manager = auth("waiter"), auth("cashier"), auth("manager")
    with db(write=False) as s:
        grill = s.scalar(select(MenuItem.id).where(MenuItem.name == "Mixed grill"))
        side = s.scalar(select(Modifier.id).where(Modifier.name == "Saffron rice"))
        lamb = s.scalar(select(Ingredient.id).where(Ingredient.code == "lamb"))
    assert (
        client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier).status_code == 201
    )
    order = client.post(
        "/api/v1/orders",
        json={
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "fire": True,
            "lines": [
                {"id": str(uuid.uuid4()), "item_id": grill, "quantity": 2, "modifier_ids": [side]}
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
    waste = client.post(
        "/api/v1/stock/waste",
        json={"ingredient_id": lamb, "quantity": 150, "reason": "burnt"},
        headers=manager,
    )
    assert waste.status_code == 201
    with db(write=False) as s:
        held = s.scalar(select(func.count()).select_from(StockMovement))
    events = report_events(db)
    carried = sum(len(e["payload"].get("stock", [])) for e in events)
    assert carried == held  # every movement, opening stock included, is in an event
    push(cloud, "riyadh", events)
    push(cloud, "riyadh", events[1:])  # retried pushes: nothing counted twice
    push(cloud, "riyadh", events[-2:])
    with cloud.app_context(), unit_of_work() as s:
        in_cloud = s.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.branch_id != 0)
        )
    assert in_cloud == held

    owner = make_staff("owner", email="owner@grills.example", password="a long password")
    give(cloud, owner.id, "Grills Co")
    mine = bearer(cloud, owner.id)
    at_branch = client.get("/api/v1/reports/sales", headers=auth("owner")).get_json()["report"]
    there = (
        cloud.test_client()
        .get("/api/v1/reports/sales", query_string={"branch": "riyadh"}, headers=mine)
        .get_json()["report"]
    )
    assert there["stock"] == at_branch["stock"]
    lamb_use = next(i for i in there["stock"]["ingredients"] if i["ingredient"] == "Lamb")
    assert (lamb_use["theoretical"], lamb_use["waste"]) == (400, 150)
    assert there["stock"]["waste"] == [{"reason": "burnt", "times": 1, "cost_minor": 975}]
