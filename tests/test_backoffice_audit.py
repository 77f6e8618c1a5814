"""GET /api/v1/audit: the audit log as the back office reads it: filters, pages, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos_app.menu.models import MenuItem


@pytest.fixture
def manager(auth):
    return auth("manager")


def audit(client, headers, query="") -> dict:
    response = client.get(f"/api/v1/audit{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_changes_are_listed_newest_first_with_before_and_after(client, demo, db, manager):
    with db(write=False) as s:
        hummus = s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))
    me = client.get("/api/v1/auth/me", headers=manager).get_json()
    for price in (1900, 2000, 2100):
        r = client.patch(f"/api/v1/items/{hummus}", json={"price_minor": price}, headers=manager)
        assert r.status_code == 200, r.get_json()

    page = audit(client, manager, "?action=menu_item.updated")
    prices = [(e["before"]["price_minor"], e["after"]["price_minor"]) for e in page["items"]]
    assert prices == [(2000, 2100), (1900, 2000), (1800, 1900)]
    newest = page["items"][0]
    assert newest["actor_id"] == me["id"] and newest["target_type"] == "menu_item"
    assert newest["target_id"] == str(hummus)

    # A page at a time: the next page starts after the last entry shown.
    first = audit(client, manager, "?action=menu_item.&limit=2")
    assert len(first["items"]) == 2 and first["next_before_id"] == first["items"][-1]["id"]
    rest = audit(client, manager, f"?action=menu_item.&limit=2&before_id={first['next_before_id']}")
    assert [e["after"]["price_minor"] for e in rest["items"]] == [1900]
    assert rest["next_before_id"] is None

    # By who: nobody else changed a price.
    assert audit(client, manager, f"?actor_id={me['id']}&action=menu_item.")["items"]
    assert audit(client, manager, "?actor_id=999999&action=menu_item.")["items"] == []
    # By time: nothing before the epoch of this test's rows... and everything since.
    assert (
        audit(client, manager, "?until=2000-01-02T00:00:00Z&since=2000-01-01T00:00:00Z")["items"]
        == []
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "until"),
        ("?since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
        ("?since=yesterday", "since"),
        ("?since=2026-12-01T00:00:00", "since"),  # no time zone: refused, not guessed
        ("?limit=1000", "limit"),
        ("?limit=0", "limit"),
        ("?action=menu_item.updated%00", "action"),
        ("?action=" + "x" * 300 + "'--", "action"),
        ("?actor_id=abc", "actor_id"),
        ("?before_id=99999999999", "before_id"),
        ("?colour=blue", "colour"),
    ],
)
def test_bad_filters_get_a_422_naming_the_field(client, demo, manager, query, field):
    response = client.get(f"/api/v1/audit{query}", headers=manager)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
