"""Which dishes offer an option group, set from the group (PUT /modifier-groups/{id}/items):
the dishes' other groups kept, audited, outboxed, the handhelds' menu follows; bad input
changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pos_app.audit import AuditEntry
from pos_app.menu.models import MenuItem, ModifierGroup
from pos_app.outbox import OutboxEvent


@pytest.fixture
def manager(auth):
    return auth("manager")


def ids(db):
    with db(write=False) as s:
        items = {i.name: i for i in s.scalars(select(MenuItem))}
        groups = {g.code: g.id for g in s.scalars(select(ModifierGroup))}
        offering = {
            name: sorted(g.id for g in item.modifier_groups) for name, item in items.items()
        }
        return {n: i.id for n, i in items.items()}, groups, offering


def menu_groups(client, headers, dish):
    menu = client.get("/api/v1/menu", headers=headers).get_json()
    item = next(i for c in menu["categories"] for i in c["items"] if i["name"]["en"] == dish)
    return item["modifier_group_ids"]


def test_ticking_dishes_for_a_group_keeps_their_other_groups(client, demo, db, manager):
    items, groups, offering = ids(db)
    group = next(iter(groups.values()))
    before = [name for name, g in offering.items() if group in g]
    dish = next(name for name, g in offering.items() if g and group not in g)  # has others
    others = offering[dish]
    kept = before[1:]  # one dish stops offering it, one starts
    body = {"item_ids": [items[n] for n in kept] + [items[dish], items[dish]]}  # twice: once
    url = f"/api/v1/modifier-groups/{group}/items"
    answer = client.put(url, json=body, headers=manager)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"item_ids": sorted({items[n] for n in kept} | {items[dish]})}
    _, _, after = ids(db)
    assert after[dish] == sorted([*others, group]), "its other groups are kept"
    if before:
        assert group not in after[before[0]]
    assert group in menu_groups(client, manager, dish)  # the handhelds' menu follows
    with db(write=False) as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "modifier_group.items_changed")
        ).one()
        assert entry.after["item_ids"] == answer.get_json()["item_ids"]
        events = s.scalars(
            select(OutboxEvent.aggregate_id).where(OutboxEvent.type == "menu_item.updated")
        ).all()
        assert str(items[dish]) in [str(e) for e in events]
    # The same list again changes nothing and writes nothing.
    count_before = _audit_count(db)
    assert client.put(url, json=body, headers=manager).status_code == 200
    assert _audit_count(db) == count_before


def _audit_count(db) -> int:
    with db(write=False) as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"item_ids": [999_999]}, 422, "item_ids"),
        ({"item_ids": "1,2"}, 422, "item_ids"),
        ({"item_ids": [1.5]}, 422, "item_ids"),
        ({"item_ids": [True]}, 422, "item_ids"),
        ({"item_ids": [2**40]}, 422, "item_ids"),
        ({"item_ids": list(range(1, 502))}, 422, "item_ids"),
        ({}, 422, "item_ids"),
        ({"item_ids": [[1]]}, 422, "item_ids"),
    ],
)
def test_bad_dish_lists_are_refused_and_change_nothing(
    client, demo, db, manager, body, status, field
):
    _, groups, before = ids(db)
    group = next(iter(groups.values()))
    answer = client.put(f"/api/v1/modifier-groups/{group}/items", json=body, headers=manager)
    assert answer.status_code == status, answer.get_json()
    assert field in answer.get_json()["error"]["fields"]
    assert ids(db)[2] == before


def test_unknown_and_taken_off_groups(client, demo, db, manager):
    items, groups, _ = ids(db)
    missing = client.put(
        "/api/v1/modifier-groups/999999/items", json={"item_ids": []}, headers=manager
    )
    assert missing.status_code == 404
    group = next(iter(groups.values()))
    assert client.delete(f"/api/v1/modifier-groups/{group}", headers=manager).status_code in (
        200,
        204,
    )
    off = client.put(
        f"/api/v1/modifier-groups/{group}/items", json={"item_ids": []}, headers=manager
    )
    assert off.status_code == 409 and off.get_json()["error"]["code"] == "inactive"
