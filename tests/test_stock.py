"""Stock through the API: sales take it at fire, voids and cancels give it back, refunds
restock, running out 86es every dish that needs the ingredient, receiving brings it back;
bad input is refused whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.test_orders import line, menu_ids, new_id


@pytest.fixture
def stock_menu(demo_stock, db):
    return menu_ids(db)


@pytest.fixture
def ing(db, demo_stock):
    from pos_app.stock.models import Ingredient

    with db(write=False) as s:
        return {i.code: i.id for i in s.scalars(select(Ingredient))}


def grill_order(menu, qty=1, fire=True, side="Grilled vegetables"):
    return {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "Guest",
        "lines": [line(menu, "Mixed grill", qty, mods=[side])],
        "fire": fire,
    }


def level(client, headers, code):
    levels = client.get("/api/v1/stock/levels", headers=headers).get_json()
    return next(i for i in levels["ingredients"] if i["code"] == code)


def sold_out(client, headers, name):
    menu = client.get("/api/v1/menu", headers=headers).get_json()
    item = next(i for c in menu["categories"] for i in c["items"] if i["name"]["en"] == name)
    return item["sold_out"]


def levels_equal_movements(db):
    """Every level is the sum of its movements (the invariant)."""
    from pos_app.stock.models import Ingredient, StockLevel, StockMovement

    with db(write=False) as s:
        held = dict(s.execute(select(StockLevel.ingredient_id, StockLevel.quantity_milli)).all())
        sums = dict(
            s.execute(
                select(Ingredient.id, func.coalesce(func.sum(StockMovement.qty_milli), 0))
                .outerjoin(StockMovement, StockMovement.ingredient == Ingredient.code)
                .group_by(Ingredient.id)
            ).all()
        )
    assert held == sums


def test_selling_mixed_grills_until_the_lamb_runs_out_and_receiving_brings_it_back(
    client, auth, stock_menu, ing, db
):
    waiter, manager = auth("waiter"), auth("manager")
    assert level(client, manager, "lamb")["level"] == 1000
    for _ in range(5):
        r = client.post("/api/v1/orders", json=grill_order(stock_menu), headers=waiter)
        assert r.status_code == 201, r.get_json()
    lamb = level(client, manager, "lamb")
    assert lamb["level"] == 0 and lamb["state"] == "out"
    assert sold_out(client, waiter, "Mixed grill") == "stock"
    assert sold_out(client, waiter, "Lamb kofta") == "stock"
    assert sold_out(client, waiter, "Shish tawook") is None
    r = client.post("/api/v1/orders", json=grill_order(stock_menu), headers=waiter)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "sold_out"
    alerts = client.get("/api/v1/stock/levels", headers=manager).get_json()
    assert [a["code"] for a in alerts["alerts"]][:1] == ["lamb"]
    assert {"Mixed grill", "Lamb kofta"} <= {e["name"]["en"] for e in alerts["eighty_six"]}

    suppliers = client.get("/api/v1/suppliers", headers=manager).get_json()["items"]
    meat = next(s for s in suppliers if s["name"] == "Al Waha Meats")
    suggested = client.get(
        f"/api/v1/stock/purchases/suggested?supplier_id={meat['id']}", headers=manager
    ).get_json()
    lamb_line = next(li for li in suggested["lines"] if li["ingredient_id"] == ing["lamb"])
    assert lamb_line["quantity"] >= 6000  # up to par (6 kg) and a day of use
    po = client.post(
        "/api/v1/stock/purchases",
        json={
            "supplier_id": meat["id"],
            "lines": [{"ingredient_id": ing["lamb"], "quantity": 5, "unit": "kg"}],
        },
        headers=manager,
    ).get_json()
    r = client.post(
        f"/api/v1/stock/purchases/{po['id']}/receive",
        json={"lines": [{"ingredient_id": ing["lamb"], "quantity": 5000, "cost_minor": 32500}]},
        headers=manager,
    )
    assert r.status_code == 200 and r.get_json()["status"] == "received"
    assert level(client, manager, "lamb")["level"] == 5000
    assert sold_out(client, waiter, "Mixed grill") is None
    r = client.post("/api/v1/orders", json=grill_order(stock_menu), headers=waiter)
    assert r.status_code == 201, r.get_json()
    levels_equal_movements(db)
