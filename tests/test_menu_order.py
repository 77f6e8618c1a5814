"""The order of sections and of each section's dishes (PUT /categories/order and
/categories/{id}/items/order): the handhelds' menu follows, a stale list is refused whole."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos_app.audit import AuditEntry
from pos_app.menu.models import Category


@pytest.fixture
def manager(auth):
    return auth("manager")


def handheld_order(client, headers):
    menu = client.get("/api/v1/menu", headers=headers).get_json()
    return [c["id"] for c in menu["categories"]], {
        c["id"]: [i["id"] for i in c["items"]] for c in menu["categories"]
    }


def all_section_ids(db) -> list[int]:
    with db(write=False) as s:
        return [c.id for c in s.scalars(select(Category).order_by(Category.sort, Category.id))]


def test_sections_and_dishes_are_put_in_order_and_handhelds_follow(client, demo, db, manager):
    sections, dishes = handheld_order(client, manager)
    every = all_section_ids(db)
    reordered = [every[-1], *every[:-1]]
    answer = client.put("/api/v1/categories/order", json={"ids": reordered}, headers=manager)
    assert answer.status_code == 200, answer.get_json()
    shown, _ = handheld_order(client, manager)
    assert shown == [i for i in reordered if i in shown]

    first = sections[0]
    flipped = list(reversed(dishes[first]))
    url = f"/api/v1/categories/{first}/items/order"
    assert client.put(url, json={"ids": flipped}, headers=manager).status_code == 200
    assert handheld_order(client, manager)[1][first] == flipped
    with db(write=False) as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["category.reordered", "menu_item.reordered"]


@pytest.mark.parametrize(
    "change, status",
    [
        (lambda ids: ids[:-1], 409),  # one left out (added meanwhile on another device)
        (lambda ids: [*ids, ids[0]], 409),  # one twice
        (lambda ids: [*ids[:-1], 999_999], 409),  # one that is not there
        (lambda ids: [], 422),
        (lambda ids: "1,2", 422),
        (lambda ids: [str(i) for i in ids], 422),
        (lambda ids: [*ids, 2**40], 422),
        (lambda ids: list(range(1, 502)), 422),
    ],
)
def test_a_list_that_is_not_the_menu_as_it_is_changes_nothing(
    client, demo, db, manager, change, status
):
    before = handheld_order(client, manager)
    answer = client.put(
        "/api/v1/categories/order", json={"ids": change(all_section_ids(db))}, headers=manager
    )
    assert answer.status_code == status, answer.get_json()
    assert "ids" in answer.get_json()["error"]["fields"]
    if status == 409:
        assert answer.get_json()["error"]["code"] == "stale_list"
    assert handheld_order(client, manager) == before


def test_dishes_of_an_unknown_section(client, demo, manager):
    answer = client.put("/api/v1/categories/999999/items/order", json={"ids": [1]}, headers=manager)
    assert answer.status_code == 404
