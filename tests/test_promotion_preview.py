"""POST /api/v1/promotions/preview: a draft promotion priced on a sample order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos_app.billing.models import Promotion
from pos_app.menu.models import MenuItem


@pytest.fixture
def items(demo, db):
    with db(write=False) as s:
        return {i.name: i.id for i in s.scalars(select(MenuItem))}


def preview(client, headers, promotion, lines, at="2026-12-04T17:30", status=200):
    body = {"promotion": promotion, "lines": lines, "at": at}
    response = client.post("/api/v1/promotions/preview", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_happy_hour_is_priced_in_and_out_of_its_window(client, db, auth, items):
    manager = auth("manager")
    happy = {
        "name": "Happy hour",
        "kind": "happy_hour",
        "percent_bp": 2000,
        "start_time": "17:00",
        "end_time": "19:00",
        "item_ids": [items["Fresh orange juice"]],
    }
    lines = [
        {"item_id": items["Fresh orange juice"], "quantity": 2},
        {"item_id": items["Hummus"], "quantity": 1},
    ]
    inside = preview(client, manager, happy, lines, "2026-12-04T17:30")
    juice = inside["lines"][0]
    assert juice["saved_minor"] == round(juice["total_minor"] * 0.2)
    assert inside["lines"][1]["saved_minor"] == 0 and inside["in_window"] is True
    assert inside["after_minor"] == inside["before_minor"] - juice["saved_minor"]
    outside = preview(client, manager, happy, lines, "2026-12-04T20:00")
    assert outside["saved_minor"] == 0 and outside["in_window"] is False
    with db(write=False) as s:
        assert s.scalar(select(Promotion.id)) is None  # nothing saved


def test_buy_one_get_one_takes_the_cheaper_unit(client, auth, items):
    bogo = {
        "name": "BOGO",
        "kind": "buy_x_get_y",
        "buy_quantity": 1,
        "get_quantity": 1,
        "category_ids": [],
        "item_ids": [items["Hummus"], items["Fattoush"]],
    }
    lines = [
        {"item_id": items["Hummus"], "quantity": 1},
        {"item_id": items["Fattoush"], "quantity": 1},
    ]
    out = preview(client, auth("manager"), bogo, lines)
    cheaper = min(line["unit_price_minor"] for line in out["lines"])
    assert out["saved_minor"] == cheaper


@pytest.mark.parametrize(
    "promotion, lines, at, field",
    [
        ({"name": "x", "kind": "happy_hour"}, None, None, "promotion"),
        ({"name": "x", "kind": "combo", "item_ids": [1]}, None, None, "promotion"),
        (None, [], None, "lines"),
        (None, [{"item_id": 999999, "quantity": 1}], None, "lines.0.item_id"),
        (None, [{"item_id": 1, "quantity": 0}], None, "lines"),
        (None, None, "tomorrow", "at"),
        (None, None, "2026-13-45T25:61", "at"),
    ],
)
def test_bad_previews_are_422(client, auth, items, promotion, lines, at, field):
    promotion = promotion or {
        "name": "x",
        "kind": "happy_hour",
        "percent_bp": 1000,
        "item_ids": [items["Hummus"]],
    }
    lines = [{"item_id": items["Hummus"], "quantity": 1}] if lines is None else lines
    out = preview(client, auth("manager"), promotion, lines, at or "2026-12-04T12:00", status=422)
    assert any(name.startswith(field) for name in out["error"]["fields"]), out
