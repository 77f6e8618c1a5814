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


def lamb_left(db, ing):
    from pos_app.stock.models import StockLevel

    with db(write=False) as s:
        return s.get(StockLevel, ing["lamb"]).quantity_milli


def movements(db, **where):
    from pos_app.stock.models import StockMovement

    with db(write=False) as s:
        stmt = select(StockMovement).where(
            *(getattr(StockMovement, k) == v for k, v in where.items())
        )
        return [(m.kind, m.ingredient, m.qty_milli, m.reason) for m in s.scalars(stmt)]


def test_two_handhelds_ordering_the_last_portion_at_once_one_succeeds(
    app, client, auth, stock_menu, ing, db
):
    from pos_app.orders.models import Order
    from tests.test_concurrency import at_once, statuses

    waiter, other = auth("waiter"), auth("waiter")
    for _ in range(4):
        assert (
            client.post("/api/v1/orders", json=grill_order(stock_menu), headers=waiter).status_code
            == 201
        )
    assert lamb_left(db, ing) == 200_000  # one portion
    bodies = [grill_order(stock_menu), grill_order(stock_menu)]
    answers = at_once(
        app,
        [
            lambda c: c.post("/api/v1/orders", json=bodies[0], headers=waiter),
            lambda c: c.post("/api/v1/orders", json=bodies[1], headers=other),
        ],
    )
    assert statuses(answers) == [201, 409]
    refused = next(r for r in answers if r.status_code == 409).get_json()["error"]
    assert refused["code"] == "sold_out" and "Mixed grill" in refused["message"]
    assert lamb_left(db, ing) == 0
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 5  # the loser wrote nothing
    levels_equal_movements(db)


def test_a_void_before_cooking_gives_stock_back_and_after_cooking_is_waste(
    client, auth, stock_menu, ing, db
):
    from pos_app.orders.services import mark_ready

    waiter = auth("waiter")
    order = client.post(
        "/api/v1/orders", json=grill_order(stock_menu, qty=2), headers=waiter
    ).get_json()
    assert lamb_left(db, ing) == 600_000
    line_id = order["lines"][0]["id"]
    voided = client.post(
        f"/api/v1/orders/{order['id']}/lines/{line_id}/void",
        json={"version": order["version"], "quantity": 1, "reason": "guest changed mind"},
        headers=waiter,
    )
    assert voided.status_code == 200, voided.get_json()
    assert lamb_left(db, ing) == 800_000  # not cooked yet: the lamb is back
    with db() as s:
        mark_ready(s, order["id"], None)  # the kitchen called it ready: cooked
    current = client.get(f"/api/v1/orders/{order['id']}", headers=waiter).get_json()
    voided = client.post(
        f"/api/v1/orders/{order['id']}/lines/{line_id}/void",
        json={"version": current["version"], "quantity": 1, "reason": "dropped on the floor"},
        headers=waiter,
    )
    assert voided.status_code == 200, voided.get_json()
    assert lamb_left(db, ing) == 800_000  # cooked: the lamb is gone, written off
    waste = [m for m in movements(db, kind="waste") if m[1] == "lamb"]
    assert waste == [("waste", "lamb", -200_000, "voided after cooking: dropped on the floor")]
    levels_equal_movements(db)


def test_cancelling_gives_back_what_was_not_cooked(client, auth, stock_menu, ing, db):
    waiter = auth("waiter")
    order = client.post(
        "/api/v1/orders", json=grill_order(stock_menu, qty=3), headers=waiter
    ).get_json()
    assert lamb_left(db, ing) == 400_000
    r = client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        json={"version": order["version"], "reason": "guest left"},
        headers=waiter,
    )
    assert r.status_code == 200, r.get_json()
    assert lamb_left(db, ing) == 1_000_000
    levels_equal_movements(db)


def test_a_refund_with_restock_brings_goods_back_and_without_does_not(
    client, auth, stock_menu, ing, db
):
    waiter, cashier, manager = auth("waiter"), auth("cashier"), auth("manager")
    assert (
        client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier).status_code == 201
    )
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "G",
        "lines": [line(stock_menu, "Soft drink", 3)],
        "fire": True,
    }
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    paid = client.post(
        f"/api/v1/orders/{order['id']}/payments",
        json={"id": new_id(), "tender": "cash"},
        headers=cashier,
    )
    assert paid.status_code == 201, paid.get_json()
    invoice = client.get(f"/api/v1/invoices?order_id={order['id']}", headers=cashier).get_json()
    invoice = invoice["items"][0] if isinstance(invoice, dict) else invoice[0]
    soda = level(client, manager, "soda")["level"]
    assert soda == 93
    line_id = order["lines"][0]["id"]
    r = client.post(
        f"/api/v1/invoices/{invoice['id']}/refunds",
        json={
            "lines": [{"line_id": line_id, "quantity": 2}],
            "reason": "unopened cans",
            "restock": True,
            "tender": "cash",
        },
        headers=manager,
    )
    assert r.status_code == 201, r.get_json()
    assert level(client, manager, "soda")["level"] == 95
    r = client.post(
        f"/api/v1/invoices/{invoice['id']}/refunds",
        json={
            "lines": [{"line_id": line_id, "quantity": 1}],
            "reason": "spilled, refunded",
            "tender": "cash",
        },
        headers=manager,
    )
    assert r.status_code == 201, r.get_json()
    assert level(client, manager, "soda")["level"] == 95
    assert [m[2] for m in movements(db, kind="refund")] == [2000]
    levels_equal_movements(db)


def test_an_ingredient_running_out_takes_its_modifier_off_too(client, auth, stock_menu, ing, db):
    manager, waiter = auth("manager"), auth("waiter")
    r = client.post(
        "/api/v1/stock/waste",
        json={
            "ingredient_id": ing["shrimp"],
            "quantity": 2.95,
            "unit": "kg",
            "reason": "thawed twice",
        },
        headers=manager,
    )
    assert r.status_code == 201, r.get_json()
    menu = client.get("/api/v1/menu", headers=waiter).get_json()
    protein = next(g for g in menu["modifier_groups"] if g["code"] == "salad_protein")
    shrimp = next(m for m in protein["modifiers"] if m["name"]["en"] == "Shrimp")
    assert shrimp["available"] is False
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "G",
        "lines": [line(stock_menu, "Caesar salad", mods=["Shrimp"])],
    }
    r = client.post("/api/v1/orders", json=body, headers=waiter)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "sold_out"
    assert "Shrimp" in r.get_json()["error"]["message"]


def test_the_kitchen_86es_a_dish_by_hand_and_a_waiter_may_not(client, auth, stock_menu, db):
    cook, waiter = auth("kitchen"), auth("waiter")
    hummus = stock_menu["items"]["Hummus"]
    url = f"/api/v1/items/{hummus}/availability"
    assert client.post(url, json={"available": False}, headers=waiter).status_code == 403
    r = client.post(url, json={"available": False, "reason": "no tahini"}, headers=cook)
    assert r.status_code == 200 and r.get_json()["available"] is False
    assert sold_out(client, waiter, "Hummus") == "86"
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "G",
        "lines": [line(stock_menu, "Hummus")],
    }
    r = client.post("/api/v1/orders", json=body, headers=waiter)
    assert r.status_code == 409 and "86" in r.get_json()["error"]["message"]
    assert client.post(url, json={"available": True}, headers=cook).status_code == 200
    assert sold_out(client, waiter, "Hummus") is None
    from pos_app.audit import AuditEntry

    with db(write=False) as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "menu_item.86" in actions and "menu_item.un86" in actions


def test_bad_stock_input_gets_a_clear_error_and_nothing_is_half_written(
    client, auth, stock_menu, ing, db
):
    from pos_app.stock.models import PurchaseOrder, RecipeLine, StockCount

    manager = auth("manager")

    def recipes():
        with db(write=False) as s:
            return s.scalar(select(func.count()).select_from(RecipeLine))

    before = recipes()
    grill, kofta = stock_menu["items"]["Mixed grill"], stock_menu["items"]["Lamb kofta"]
    # a recipe that consumes itself, directly or through another dish
    r = client.post(
        "/api/v1/recipe-lines",
        json={"item_id": grill, "uses_item_id": grill, "quantity": 1},
        headers=manager,
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "recipe_cycle"
    r = client.post(
        "/api/v1/recipe-lines",
        json={"item_id": kofta, "uses_item_id": grill, "quantity": 1},
        headers=manager,
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(
        "/api/v1/recipe-lines",
        json={"item_id": grill, "uses_item_id": kofta, "quantity": 0.5},
        headers=manager,
    )
    assert r.status_code == 422
    assert "Mixed grill → Lamb kofta → Mixed grill" in r.get_json()["error"]["message"]
    # units that do not convert
    r = client.post(
        "/api/v1/recipe-lines",
        json={"item_id": grill, "ingredient_id": ing["lamb"], "quantity": 0.2, "unit": "l"},
        headers=manager,
    )
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["unit"] == [
        "l does not convert to g"
    ]
    r = client.post(
        "/api/v1/stock/waste",
        json={"ingredient_id": ing["milk"], "quantity": 1, "unit": "kg", "reason": "sour"},
        headers=manager,
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "unit_mismatch"
    assert recipes() == before + 1
    # a dish may not take less than nothing
    r = client.post(
        "/api/v1/recipe-lines",
        json={"item_id": grill, "ingredient_id": ing["lamb"], "quantity": -5},
        headers=manager,
    )
    assert r.status_code == 422
    # negative counts, wrong types, an ingredient twice
    count_id = new_id()
    for lines in (
        [{"ingredient_id": ing["lamb"], "quantity": -1}],
        [{"ingredient_id": ing["lamb"], "quantity": "12"}],
        [{"ingredient_id": ing["lamb"], "quantity": True}],
        [
            {"ingredient_id": ing["lamb"], "quantity": 1},
            {"ingredient_id": ing["lamb"], "quantity": 2},
        ],
        [{"ingredient_id": ing["lamb"], "quantity": 1.0001}],
    ):
        r = client.post(
            "/api/v1/stock/counts", json={"id": count_id, "lines": lines}, headers=manager
        )
        assert r.status_code == 422, (lines, r.get_json())
        assert r.get_json()["error"]["fields"]
    # a count submitted twice: kept once, the second answered 409 with the first
    body = {"id": count_id, "lines": [{"ingredient_id": ing["lamb"], "quantity": 950}]}
    first = client.post("/api/v1/stock/counts", json=body, headers=manager)
    assert first.status_code == 201 and first.get_json()["lines"][0]["variance"] == -50
    again = client.post("/api/v1/stock/counts", json=body, headers=manager)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert again.get_json()["error"]["current"]["id"] == count_id
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(StockCount)) == 1
    # receiving more than was ordered without the flag: refused, nothing received
    supplier = client.get("/api/v1/suppliers", headers=manager).get_json()["items"][0]
    po = client.post(
        "/api/v1/stock/purchases",
        json={
            "supplier_id": supplier["id"],
            "lines": [{"ingredient_id": ing["lamb"], "quantity": 2000}],
        },
        headers=manager,
    ).get_json()
    lamb = lamb_left(db, ing)
    over = {"lines": [{"ingredient_id": ing["lamb"], "quantity": 2.5, "unit": "kg"}]}
    r = client.post(f"/api/v1/stock/purchases/{po['id']}/receive", json=over, headers=manager)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "over_received"
    assert r.get_json()["error"]["fields"] == {"lines.0.quantity": ["at most 2000 g"]}
    assert lamb_left(db, ing) == lamb
    with db(write=False) as s:
        assert s.get(PurchaseOrder, po["id"]).status == "open"
    r = client.post(
        f"/api/v1/stock/purchases/{po['id']}/receive",
        json={**over, "over_ok": True},
        headers=manager,
    )
    assert r.status_code == 200 and r.get_json()["lines"][0]["received"] == 2500
    assert lamb_left(db, ing) == lamb + 2_500_000
    # sending away more than is held
    r = client.post(
        "/api/v1/stock/transfers",
        json={
            "direction": "out",
            "branch": "Jeddah",
            "lines": [{"ingredient_id": ing["shrimp"], "quantity": 4, "unit": "kg"}],
        },
        headers=manager,
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_enough_stock"
    levels_equal_movements(db)


def test_an_accepted_count_books_the_difference_and_keeps_sales_made_since(
    client, auth, stock_menu, ing, db
):
    cook, manager, waiter = auth("kitchen"), auth("manager"), auth("waiter")
    count = client.post(
        "/api/v1/stock/counts",
        json={
            "id": new_id(),
            "lines": [{"ingredient_id": ing["lamb"], "quantity": 0.9, "unit": "kg"}],
        },
        headers=cook,
    ).get_json()
    assert count["lines"][0]["variance"] == -100 and count["variance_cost_minor"] == -650
    assert (
        client.post(f"/api/v1/stock/counts/{count['id']}/accept", headers=cook).status_code == 403
    )
    assert (
        client.post("/api/v1/orders", json=grill_order(stock_menu), headers=waiter).status_code
        == 201
    )
    r = client.post(f"/api/v1/stock/counts/{count['id']}/accept", headers=manager)
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    assert lamb_left(db, ing) == 1_000_000 - 200_000 - 100_000
    again = client.post(f"/api/v1/stock/counts/{count['id']}/reject", headers=manager)
    assert again.status_code == 409
    assert [m[2] for m in movements(db, kind="count")] == [-100_000]
    levels_equal_movements(db)


def test_the_owners_report_has_cost_margin_usage_and_waste(client, auth, stock_menu, ing, db):
    waiter, cashier, owner = auth("waiter"), auth("cashier"), auth("owner")
    assert (
        client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier).status_code == 201
    )
    order = client.post(
        "/api/v1/orders", json=grill_order(stock_menu, qty=2), headers=waiter
    ).get_json()
    paid = client.post(
        f"/api/v1/orders/{order['id']}/payments",
        json={"id": new_id(), "tender": "cash"},
        headers=cashier,
    )
    assert paid.status_code == 201, paid.get_json()
    client.post(
        "/api/v1/stock/waste",
        json={"ingredient_id": ing["lamb"], "quantity": 100, "reason": "burnt"},
        headers=owner,
    )
    stock = client.get("/api/v1/reports/sales?period=day", headers=owner).get_json()["report"][
        "stock"
    ]
    grill = next(r for r in stock["by_item"] if r["key"] == "Mixed grill")
    # per grill: lamb 200 g at 65.00/kg = 13.00; chicken 150 g / 85 % = 176.471 g at 28.00/kg
    # = 4.94; onion 30 g at 4.00/kg = 0.12: 18.06 a portion, 36.12 for two
    assert grill["cost_minor"] == 2 * (1300 + 494 + 12)
    assert grill["revenue_minor"] == 2 * 7900
    # the invoice's VAT: round(15800 × 15 / 115) = 2061 (prices include VAT)
    assert grill["net_revenue_minor"] == 15800 - 2061
    assert grill["margin_minor"] == grill["net_revenue_minor"] - grill["cost_minor"]
    lamb = next(i for i in stock["ingredients"] if i["ingredient"] == "Lamb")
    assert (lamb["theoretical"], lamb["waste"], lamb["actual"]) == (400, 100, 500)
    assert stock["waste"] == [{"reason": "burnt", "times": 1, "cost_minor": 650}]
    csv = client.get("/api/v1/reports/export.csv?period=day&table=usage", headers=owner)
    assert csv.status_code == 200 and "Lamb" in csv.get_data(as_text=True)


# --- property: sales, voids, cancels and refunds move stock exactly --------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DISHES = {  # dish -> modifiers that may come with it (their recipes add or take back)
    "Classic beef burger": ["Medium", "No onion", "Extra patty", "Cheese slice"],
    "Espresso": ["Double shot"],
    "Soft drink": [],
    "Mixed grill": ["Saffron rice", "French fries"],
}


def portion(dish: str, mods: list[str]) -> dict[str, int]:
    """One portion in thousandths, from the demo's recipe file (not the app's recipe book)."""
    import json
    from pathlib import Path

    data = json.loads(Path("pos_app/data/demo_stock.json").read_text(encoding="utf-8"))
    need: dict[str, int] = {}

    def add(lines):
        for code, quantity, *yield_pct in lines:
            raw = quantity * 1000 * 100
            den = yield_pct[0] if yield_pct else 100
            milli = -(-abs(raw) // den) * (1 if raw > 0 else -1)
            need[code] = need.get(code, 0) + milli

    add(data["recipes"].get(dish, []))
    for group_mod, lines in data["modifier_recipes"].items():
        if group_mod.split("/", 1)[1] in mods:
            add(lines)
    return {c: m for c, m in need.items() if m > 0}


STEP = st.one_of(
    st.tuples(
        st.just("sell"),
        st.sampled_from(sorted(DISHES)),
        st.integers(1, 3),
        st.data(),
    ),
    st.tuples(st.just("void"), st.integers(0, 9), st.integers(1, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 3), st.booleans()),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_sales_voids_cancels_and_refunds_move_stock_exactly(
    client, auth, stock_menu, ing, db, steps
):
    from pos_app.stock.models import StockLevel

    waiter, cashier, manager = auth("waiter"), auth("cashier"), auth("manager")
    client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier)

    def held() -> dict[str, int]:
        codes = {v: k for k, v in ing.items()}
        with db(write=False) as s:
            return {codes[r.ingredient_id]: r.quantity_milli for r in s.scalars(select(StockLevel))}

    expected = held()
    orders = []  # [order, dish need per unit, units held by the kitchen, units paid, refunded]
    for step in steps:
        if step[0] == "sell":
            _, dish, qty, data = step
            mods = data.draw(
                st.lists(st.sampled_from(DISHES[dish] or ["-"]), max_size=2, unique=True)
            )
            mods = [m for m in mods if m != "-"]
            if dish == "Mixed grill":
                mods = [m for m in mods if m in ("Saffron rice", "French fries")][:1] or [
                    "Saffron rice"
                ]
            if dish == "Classic beef burger":
                mods = [m for m in mods if m != "Medium"] + ["Medium"]  # doneness: one
            need = portion(dish, mods)
            body = {
                "id": new_id(),
                "type": "takeaway",
                "customer_name": "P",
                "lines": [line(stock_menu, dish, qty, mods=mods)],
                "fire": True,
            }
            r = client.post("/api/v1/orders", json=body, headers=waiter)
            short = any(expected.get(c, 0) < m * qty for c, m in need.items())
            if short:
                assert r.status_code == 409, r.get_json()
                continue
            assert r.status_code == 201, r.get_json()
            for c, m in need.items():
                expected[c] -= m * qty
            orders.append([r.get_json(), need, qty, False, 0])
        elif not orders:
            continue
        elif step[0] == "void":
            entry = orders[step[1] % len(orders)]
            order, need, units, paid, _ = entry
            if paid or units == 0:
                continue
            k = min(step[2], units)
            current = client.get(f"/api/v1/orders/{order['id']}", headers=waiter).get_json()
            r = client.post(
                f"/api/v1/orders/{order['id']}/lines/{order['lines'][0]['id']}/void",
                json={"version": current["version"], "quantity": k, "reason": "changed mind"},
                headers=waiter,
            )
            assert r.status_code == 200, r.get_json()
            for c, m in need.items():
                expected[c] += m * k
            entry[2] -= k
        elif step[0] == "cancel":
            entry = orders[step[1] % len(orders)]
            order, need, units, paid, _ = entry
            if paid:
                continue
            current = client.get(f"/api/v1/orders/{order['id']}", headers=waiter).get_json()
            if current["status"] == "cancelled":
                continue
            r = client.post(
                f"/api/v1/orders/{order['id']}/cancel",
                json={"version": current["version"], "reason": "guest left"},
                headers=waiter,
            )
            assert r.status_code == 200, r.get_json()
            for c, m in need.items():
                expected[c] += m * units
            entry[2] = 0
            orders.remove(entry)
        else:  # refund: paid first, then some units back (restocked or not)
            entry = orders[step[1] % len(orders)]
            order, need, units, paid, refunded = entry
            if units == 0:
                continue
            if not paid:
                r = client.post(
                    f"/api/v1/orders/{order['id']}/payments",
                    json={"id": new_id(), "tender": "cash"},
                    headers=cashier,
                )
                assert r.status_code == 201, r.get_json()
                entry[3] = True
            k = min(step[2], units - refunded)
            if k <= 0:
                continue
            invoices = client.get(
                f"/api/v1/invoices?order_id={order['id']}", headers=cashier
            ).get_json()
            listed = invoices["items"] if isinstance(invoices, dict) else invoices
            invoice = next(i for i in listed if i.get("kind", "invoice") == "invoice")
            r = client.post(
                f"/api/v1/invoices/{invoice['id']}/refunds",
                json={
                    "lines": [{"line_id": order["lines"][0]["id"], "quantity": k}],
                    "reason": "sent back",
                    "restock": step[3],
                    "tender": "cash",
                },
                headers=manager,
            )
            assert r.status_code == 201, r.get_json()
            entry[4] += k
            if step[3]:
                for c, m in need.items():
                    expected[c] += m * k
        assert held() == expected
    levels_equal_movements(db)


def test_two_fires_taking_the_same_ingredients_in_opposite_orders_both_go_through(
    app, auth, stock_menu, ing, db
):
    """A burger then a grill, and a grill then a burger (onion in both): the levels are
    locked in one order for the whole fire, so neither waits on the other forever."""
    from tests.test_concurrency import at_once, statuses

    waiter = auth("waiter")

    def body(first, second):
        lines = {
            "burger": line(stock_menu, "Classic beef burger", mods=["Medium"]),
            "grill": line(stock_menu, "Mixed grill", mods=["Saffron rice"]),
        }
        return {
            "id": new_id(),
            "type": "takeaway",
            "customer_name": "G",
            "lines": [lines[first], lines[second]],
            "fire": True,
        }

    bodies = [body("burger", "grill"), body("grill", "burger")] + [
        body("burger", "grill"),
        body("grill", "burger"),
    ]
    client = app.test_client()
    for b in bodies:  # taken first, fired together (opening an order queues on its number)
        b["fire"] = False
        assert client.post("/api/v1/orders", json=b, headers=waiter).status_code == 201
    answers = at_once(
        app,
        [
            lambda c, b=b: c.post(
                f"/api/v1/orders/{b['id']}/fire", json={"version": 1}, headers=waiter
            )
            for b in bodies
        ],
    )
    assert statuses(answers) == [200] * 4, [a.get_json() for a in answers]
    assert lamb_left(db, ing) == 1_000_000 - 4 * 200_000
    levels_equal_movements(db)


def test_twin_counts_at_once_keep_one_and_huge_or_closed_input_is_refused(
    app, client, auth, stock_menu, ing, db
):
    from pos_app.stock.models import StockCount
    from tests.test_concurrency import at_once, statuses

    manager = auth("manager")
    body = {
        "id": new_id(),
        "lines": [{"ingredient_id": ing["onion"], "quantity": 7.5, "unit": "kg"}],
    }
    answers = at_once(
        app, [lambda c: c.post("/api/v1/stock/counts", json=body, headers=manager)] * 3
    )
    assert statuses(answers) == [201, 409, 409]
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(StockCount)) == 1
    many = [{"ingredient_id": ing["onion"], "quantity": 1}] * 501
    r = client.post("/api/v1/stock/counts", json={"id": new_id(), "lines": many}, headers=manager)
    assert r.status_code == 422 and "lines" in r.get_json()["error"]["fields"]
    huge = {"ingredient_id": ing["onion"], "quantity": 1e300}
    r = client.post("/api/v1/stock/counts", json={"id": new_id(), "lines": [huge]}, headers=manager)
    assert r.status_code == 422
    supplier = client.get("/api/v1/suppliers", headers=manager).get_json()["items"][0]
    po = client.post(
        "/api/v1/stock/purchases",
        json={
            "supplier_id": supplier["id"],
            "lines": [{"ingredient_id": ing["onion"], "quantity": 1000}],
        },
        headers=manager,
    ).get_json()
    url = f"/api/v1/stock/purchases/{po['id']}/receive"
    got = {"lines": [{"ingredient_id": ing["onion"], "quantity": 1000}]}
    assert client.post(url, json=got, headers=manager).status_code == 200
    again = client.post(url, json=got, headers=manager)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "purchase_closed"
    levels_equal_movements(db)
