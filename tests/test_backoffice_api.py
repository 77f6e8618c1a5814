"""The back-office API as a manager uses it, on the real database.

Menu CRUD, the handhelds' menu, bad input (one error envelope, nothing written), the audit
log, the outbox and the rules about who may manage which staff member.
"""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

import pos_app.crud
from pos_app.audit import AuditEntry
from pos_app.auth.actor import Actor
from pos_app.auth.models import Role, Staff
from pos_app.auth.staff import check_may_deactivate
from pos_app.errors import Conflict
from pos_app.outbox import OutboxEvent

LEDGERS = ("audit_entry", "outbox_event")


# --- helpers ---------------------------------------------------------------------------------


def row_counts(db, table: str) -> dict:
    """Rows in `table` and in the audit log and outbox: what a failed request must not change."""
    with db(write=False) as s:
        return {t: s.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in (table, *LEDGERS)}


def error_of(response, status: int) -> dict:
    """The error of the envelope {"error": {"code", "message", "fields"}}, checked."""
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def created(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def by_name(rows: list[dict], name: str) -> dict:
    return next(row for row in rows if row["name"] == name)


def menu_items(menu: dict) -> list[dict]:
    return [item for category in menu["categories"] for item in category["items"]]


def menu_item_names(client, headers) -> set[str]:
    return {i["name"]["en"] for i in menu_items(ok(client.get("/api/v1/menu", headers=headers)))}


def latest(db, model):
    with db(write=False) as s:
        return s.scalar(select(model).order_by(model.id.desc()).limit(1))


@pytest.fixture
def manager(auth):
    return auth("manager")


@pytest.fixture
def waiter(auth):
    return auth("waiter")


@pytest.fixture
def hummus(client, manager, demo) -> dict:
    items = ok(client.get("/api/v1/items", headers=manager))["items"]
    return by_name(items, "Hummus")


# --- menu CRUD -------------------------------------------------------------------------------


def test_a_category_is_created_read_listed_updated_and_deactivated(client, manager, waiter):
    grills = created(
        client.post(
            "/api/v1/categories",
            json={"name": "Grills", "name_ar": "مشاوي", "default_course": 2},
            headers=manager,
        )
    )
    assert grills["name"] == "Grills" and grills["name_ar"] == "مشاوي"
    assert grills["active"] is True and grills["station_id"] is None
    url = f"/api/v1/categories/{grills['id']}"
    assert ok(client.get(url, headers=manager)) == grills

    renamed = ok(client.patch(url, json={"name": "From the grill"}, headers=manager))
    assert renamed["name"] == "From the grill" and renamed["default_course"] == 2
    listed = ok(client.get("/api/v1/categories", headers=manager))["items"]
    assert [c["name"] for c in listed] == ["From the grill"]

    gone = ok(client.delete(url, headers=manager))
    assert gone["active"] is False
    assert ok(client.get(url, headers=manager))["active"] is False  # kept for history
    inactive = ok(client.get("/api/v1/categories?active=false", headers=manager))["items"]
    assert [c["id"] for c in inactive] == [grills["id"]]
    assert ok(client.get("/api/v1/categories?active=true", headers=manager))["items"] == []
    menu = ok(client.get("/api/v1/menu", headers=waiter))
    assert menu["categories"] == []


def test_an_item_is_created_filtered_updated_and_deactivated_off_the_menu(client, manager, waiter):
    grills = created(client.post("/api/v1/categories", json={"name": "Grills"}, headers=manager))
    drinks = created(client.post("/api/v1/categories", json={"name": "Drinks"}, headers=manager))
    kebab = created(
        client.post(
            "/api/v1/items",
            json={
                "category_id": grills["id"],
                "name": "Kebab",
                "name_ar": "كباب",
                "price_minor": 2500,
                "allergens": ["gluten"],
            },
            headers=manager,
        )
    )
    assert kebab["price_minor"] == 2500 and kebab["allergens"] == ["gluten"]
    assert kebab["active"] is True and kebab["available"] is True
    created(
        client.post(
            "/api/v1/items",
            json={"category_id": drinks["id"], "name": "Ayran", "price_minor": 600},
            headers=manager,
        )
    )
    url = f"/api/v1/items/{kebab['id']}"
    assert ok(client.get(url, headers=manager)) == kebab

    in_grills = ok(client.get(f"/api/v1/items?category_id={grills['id']}", headers=manager))
    assert [i["name"] for i in in_grills["items"]] == ["Kebab"]
    assert menu_item_names(client, waiter) == {"Kebab", "Ayran"}

    changed = ok(
        client.patch(url, json={"name": "Lamb kebab", "price_minor": 2700}, headers=manager)
    )
    assert changed["name"] == "Lamb kebab" and changed["price_minor"] == 2700
    assert changed["name_ar"] == "كباب"  # a PATCH keeps what it does not name
    assert ok(client.get(url, headers=manager))["price_minor"] == 2700

    gone = ok(client.delete(url, headers=manager))
    assert gone["active"] is False
    assert ok(client.get(url, headers=manager))["name"] == "Lamb kebab"
    inactive = ok(client.get("/api/v1/items?active=false", headers=manager))["items"]
    assert [i["id"] for i in inactive] == [kebab["id"]]
    active = ok(client.get("/api/v1/items?active=true", headers=manager))["items"]
    assert [i["name"] for i in active] == ["Ayran"]
    assert menu_item_names(client, waiter) == {"Ayran"}

    back = ok(client.patch(url, json={"active": True}, headers=manager))
    assert back["active"] is True
    assert menu_item_names(client, waiter) == {"Lamb kebab", "Ayran"}


def test_list_filters_are_validated(client, manager):
    error = error_of(client.get("/api/v1/items?category_id=grills", headers=manager), 422)
    assert error["fields"] == {"category_id": ["Not a valid integer."]}
    error = error_of(client.get("/api/v1/items?colour=red", headers=manager), 422)
    assert error["fields"] == {"colour": ["Unknown field."]}


# --- the handhelds' menu ---------------------------------------------------------------------


def test_the_demo_menu_lists_every_item_in_both_languages(client, waiter, demo):
    menu = ok(client.get("/api/v1/menu", headers=waiter))
    assert menu["currency"] == "SAR"
    items = menu_items(menu)
    assert len(items) == 32
    for item in items:
        assert item["name"]["en"] and item["name"]["ar"], item
        assert item["name"]["ar"] != item["name"]["en"], item
    names = [c["name"] for c in menu["categories"]]
    assert {"en": "Starters", "ar": "المقبلات"} in names
    hummus = next(i for i in items if i["name"]["en"] == "Hummus")
    assert hummus["name"]["ar"] == "حمص"
    assert hummus["price_minor"] > 0


def test_an_item_routes_to_its_own_station_over_its_categorys(client, manager, waiter, demo):
    menu = ok(client.get("/api/v1/menu", headers=waiter))
    starters = next(c for c in menu["categories"] if c["name"]["en"] == "Starters")
    routed = {i["name"]["en"]: i["station"] for i in starters["items"]}
    assert routed["Falafel (6 pieces)"] == "fry"  # the item's own station
    assert routed["Hummus"] == "cold"  # the category's default

    stations = ok(client.get("/api/v1/stations", headers=waiter))["items"]
    station_ids = {s["code"]: s["id"] for s in stations}
    category = ok(client.get(f"/api/v1/categories/{starters['id']}", headers=manager))
    assert category["station_id"] == station_ids["cold"]
    falafel = by_name(
        ok(client.get(f"/api/v1/items?category_id={starters['id']}", headers=manager))["items"],
        "Falafel (6 pieces)",
    )
    assert falafel["station_id"] == station_ids["fry"]


def test_an_item_made_unavailable_stays_on_the_menu_marked_sold_out(client, manager, waiter, demo):
    items = ok(client.get("/api/v1/items", headers=manager))["items"]
    falafel = by_name(items, "Falafel (6 pieces)")
    assert "Falafel (6 pieces)" in menu_item_names(client, waiter)

    changed = ok(
        client.patch(f"/api/v1/items/{falafel['id']}", json={"available": False}, headers=manager)
    )
    assert changed["available"] is False and changed["active"] is True
    # Handhelds keep showing it, greyed as sold out (86): the waiter sees why it is not there.
    sold = {
        i["name"]["en"]: i["available"]
        for i in menu_items(ok(client.get("/api/v1/menu", headers=waiter)))
    }
    assert sold["Falafel (6 pieces)"] is False and len(sold) == 32
    assert [name for name, available in sold.items() if not available] == ["Falafel (6 pieces)"]
    unavailable = ok(client.get("/api/v1/items?available=false", headers=manager))["items"]
    assert [i["name"] for i in unavailable] == ["Falafel (6 pieces)"]


# --- bad input: one envelope, precise fields, nothing written --------------------------------

MISSING = "Missing data for required field."
NOT_AN_INTEGER = "Not a valid integer."
PRICE_RANGE = "Must be greater than or equal to 0 and less than or equal to 100000000."


@pytest.mark.parametrize(
    "change, fields",
    [
        pytest.param({"price_minor": "12"}, {"price_minor": [NOT_AN_INTEGER]}, id="price string"),
        pytest.param({"price_minor": 12.5}, {"price_minor": [NOT_AN_INTEGER]}, id="price float"),
        pytest.param({"price_minor": True}, {"price_minor": [NOT_AN_INTEGER]}, id="price bool"),
        pytest.param({"price_minor": -1}, {"price_minor": [PRICE_RANGE]}, id="negative price"),
        pytest.param({"price_minor": None}, {"price_minor": ["Field may not be null."]}, id="null"),
        pytest.param({"colour": "red"}, {"colour": ["Unknown field."]}, id="unknown field"),
        pytest.param(
            {"allergens": ["peanut"]},
            {
                "allergens": {
                    "0": ["Must be one of: gluten, dairy, nuts, sesame, egg, fish, shellfish, soy."]
                }
            },
            id="unknown allergen",
        ),
        pytest.param({"name": ""}, {"name": ["Length must be between 1 and 120."]}, id="no name"),
    ],
)
def test_a_bad_item_is_422_naming_the_field_and_writes_nothing(
    client, db, manager, hummus, change, fields
):
    body = {"category_id": hummus["category_id"], "name": "Baba ghanoush", "price_minor": 1600}
    before = row_counts(db, "menu_item")
    response = client.post("/api/v1/items", json={**body, **change}, headers=manager)
    error = error_of(response, 422)
    assert error["code"] == "validation_failed"
    assert error["fields"] == fields
    assert row_counts(db, "menu_item") == before


def test_an_item_without_its_required_fields_is_422_listing_each(client, db, manager):
    before = row_counts(db, "menu_item")
    error = error_of(client.post("/api/v1/items", json={}, headers=manager), 422)
    assert error["fields"] == {
        "category_id": [MISSING],
        "name": [MISSING],
        "price_minor": [MISSING],
    }
    assert "category_id" in error["message"] and "price_minor" in error["message"]
    assert row_counts(db, "menu_item") == before


def test_a_bad_patch_leaves_the_item_as_it_was(client, db, manager, hummus):
    url = f"/api/v1/items/{hummus['id']}"
    before = row_counts(db, "menu_item")
    error = error_of(client.patch(url, json={"price_minor": "12"}, headers=manager), 422)
    assert error["fields"] == {"price_minor": [NOT_AN_INTEGER]}
    error = error_of(client.patch(url, json={"name": "Hummus", "sort": -3}, headers=manager), 422)
    assert list(error["fields"]) == ["sort"]
    assert ok(client.get(url, headers=manager)) == hummus
    assert row_counts(db, "menu_item") == before


def test_an_unknown_category_in_the_body_is_422_unknown_reference(client, db, manager, demo):
    before = row_counts(db, "menu_item")
    body = {"category_id": 99999, "name": "Baba ghanoush", "price_minor": 1600}
    error = error_of(client.post("/api/v1/items", json=body, headers=manager), 422)
    assert error["code"] == "unknown_reference"
    assert error["fields"] == {"category_id": ["no category with id 99999"]}
    assert row_counts(db, "menu_item") == before


def test_a_deactivated_category_takes_no_new_items(client, db, manager):
    old = created(client.post("/api/v1/categories", json={"name": "Old"}, headers=manager))
    ok(client.delete(f"/api/v1/categories/{old['id']}", headers=manager))
    before = row_counts(db, "menu_item")
    body = {"category_id": old["id"], "name": "Relic", "price_minor": 100}
    error = error_of(client.post("/api/v1/items", json=body, headers=manager), 422)
    assert error["code"] == "unknown_reference"
    assert error["fields"] == {"category_id": [f"category {old['id']} is deactivated"]}
    assert row_counts(db, "menu_item") == before


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_unknown_id_in_the_path_is_404(client, db, manager, demo, method):
    before = row_counts(db, "menu_item")
    json = {"price_minor": 100} if method == "PATCH" else None
    response = client.open("/api/v1/items/99999", method=method, json=json, headers=manager)
    error = error_of(response, 404)
    assert error["code"] == "not_found"
    assert error["message"] == "no menu item with id 99999"
    assert row_counts(db, "menu_item") == before


@pytest.mark.parametrize("name", ["hummus", "HUMMUS", "Hummus"])
def test_a_duplicate_item_name_is_409_whatever_its_case(client, db, manager, hummus, name):
    before = row_counts(db, "menu_item")
    body = {"category_id": hummus["category_id"], "name": name, "price_minor": 1200}
    error = error_of(client.post("/api/v1/items", json=body, headers=manager), 409)
    assert error["code"] == "duplicate"
    assert error["fields"] == {"name": ["already in use"]}
    assert row_counts(db, "menu_item") == before


@pytest.mark.parametrize("name", ["hummus", "Hummus"])  # the same case used to flush first: 409
def test_renaming_an_item_onto_another_is_409_and_changes_nothing(  # integrity_error, no field
    client, db, manager, hummus, name
):
    items = ok(client.get("/api/v1/items", headers=manager))["items"]
    moutabal = by_name(items, "Moutabal")
    url = f"/api/v1/items/{moutabal['id']}"
    before = row_counts(db, "menu_item")
    response = client.patch(url, json={"name": name, "price_minor": 1}, headers=manager)
    error = error_of(response, 409)
    assert error["code"] == "duplicate" and error["fields"] == {"name": ["already in use"]}
    assert ok(client.get(url, headers=manager)) == moutabal
    assert row_counts(db, "menu_item") == before


def test_a_body_over_the_size_limit_is_413(app, client, db, manager, hummus):
    app.config["MAX_CONTENT_LENGTH"] = 200
    before = row_counts(db, "menu_item")
    body = {
        "category_id": hummus["category_id"],
        "name": "Baba ghanoush",
        "price_minor": 1600,
        "description": "smoky " * 60,
    }
    error = error_of(client.post("/api/v1/items", json=body, headers=manager), 413)
    assert error["code"] == "request_entity_too_large"
    assert "200 bytes" in error["message"]
    assert row_counts(db, "menu_item") == before


@pytest.mark.parametrize(
    "data, content_type, message",
    [
        pytest.param(
            '{"name": "Soups"',
            "application/json",
            "the body is not valid JSON",
            id="broken JSON",
        ),
        pytest.param(
            '{"name": "Soups"}',
            "text/plain",
            "the body must be JSON (Content-Type: application/json)",
            id="wrong content type",
        ),
        pytest.param(
            "name=Soups",
            "application/x-www-form-urlencoded",
            "the body must be JSON (Content-Type: application/json)",
            id="a form",
        ),
        pytest.param("", None, "the body must be JSON (Content-Type: application/json)", id="none"),
        pytest.param(
            '[{"name": "Soups"}]', "application/json", "the body must be a JSON object", id="list"
        ),
        pytest.param('"Soups"', "application/json", "the body must be a JSON object", id="string"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400_invalid_json(
    client, db, manager, data, content_type, message
):
    before = row_counts(db, "category")
    headers = {**manager, **({"Content-Type": content_type} if content_type else {})}
    response = client.post("/api/v1/categories", data=data, headers=headers)
    error = error_of(response, 400)
    assert error["code"] == "invalid_json"
    assert error["message"] == message
    assert row_counts(db, "category") == before


def test_a_modifier_group_needing_more_choices_than_it_allows_is_422(client, db, manager):
    before = row_counts(db, "modifier_group")
    body = {"code": "sauces", "name": "Sauces", "min_choices": 3, "max_choices": 2}
    error = error_of(client.post("/api/v1/modifier-groups", json=body, headers=manager), 422)
    assert error["fields"] == {"min_choices": ["must be at most max_choices (2)"]}
    assert row_counts(db, "modifier_group") == before

    group = created(
        client.post(
            "/api/v1/modifier-groups",
            json={**body, "min_choices": 1},
            headers=manager,
        )
    )
    url = f"/api/v1/modifier-groups/{group['id']}"
    error = error_of(client.patch(url, json={"max_choices": 0}, headers=manager), 422)
    assert list(error["fields"]) == ["max_choices"]  # below the schema's minimum of 1
    before = row_counts(db, "modifier_group")
    error = error_of(client.patch(url, json={"min_choices": 5}, headers=manager), 422)
    assert error["fields"] == {"min_choices": ["must be at most max_choices (2)"]}
    assert ok(client.get(url, headers=manager))["min_choices"] == 1
    assert row_counts(db, "modifier_group") == before


@pytest.mark.parametrize(
    "timers, message",
    [
        ({"warn_after_s": 600, "late_after_s": 600}, "must be below late_after_s (600)"),
        ({"warn_after_s": 900, "late_after_s": 300}, "must be below late_after_s (300)"),
        ({"warn_after_s": 1200}, "must be below late_after_s (900)"),  # the default red
    ],
)
def test_a_station_turning_amber_after_red_is_422(client, db, manager, timers, message):
    before = row_counts(db, "station")
    body = {"code": "pastry", "name": "Pastry", **timers}
    error = error_of(client.post("/api/v1/stations", json=body, headers=manager), 422)
    assert error["fields"] == {"warn_after_s": [message]}
    assert row_counts(db, "station") == before


def test_a_network_printer_needs_a_host(client, db, manager):
    before = row_counts(db, "printer")
    body = {"name": "Grill printer", "connection": "network", "role": "kitchen"}
    error = error_of(client.post("/api/v1/printers", json=body, headers=manager), 422)
    assert error["fields"] == {"host": ["required for a network printer"]}
    assert row_counts(db, "printer") == before
    printer = created(
        client.post("/api/v1/printers", json={**body, "host": "192.168.1.50"}, headers=manager)
    )
    assert printer["port"] == 9100  # the ESC/POS raw port by default


def test_a_printer_cannot_be_its_own_backup(client, db, manager):
    body = {"name": "Bar printer", "connection": "network", "role": "kitchen", "host": "10.0.0.9"}
    printer = created(client.post("/api/v1/printers", json=body, headers=manager))
    url = f"/api/v1/printers/{printer['id']}"
    before = row_counts(db, "printer")
    error = error_of(
        client.patch(url, json={"backup_printer_id": printer["id"]}, headers=manager), 422
    )
    assert error["fields"] == {"backup_printer_id": ["must be another printer"]}
    assert ok(client.get(url, headers=manager))["backup_printer_id"] is None
    assert row_counts(db, "printer") == before


def test_a_table_label_is_unique_on_its_floor_but_not_across_floors(client, db, manager, demo):
    floors = {
        f["name"]: f["id"] for f in ok(client.get("/api/v1/floors", headers=manager))["items"]
    }
    before = row_counts(db, "dining_table")
    taken = {"floor_id": floors["Terrace"], "label": "t1"}
    error = error_of(client.post("/api/v1/tables", json=taken, headers=manager), 409)
    assert error["code"] == "duplicate"
    assert error["fields"] == {"label": ["already in use"]}
    assert row_counts(db, "dining_table") == before

    hall_t1 = created(
        client.post(
            "/api/v1/tables", json={"floor_id": floors["Hall"], "label": "T1"}, headers=manager
        )
    )
    assert hall_t1["floor_id"] == floors["Hall"] and hall_t1["label"] == "T1"
    hall = ok(client.get(f"/api/v1/tables?floor_id={floors['Hall']}", headers=manager))["items"]
    assert "T1" in [t["label"] for t in hall]


# --- audit log -------------------------------------------------------------------------------


def test_a_price_change_is_audited_with_who_before_and_after(client, db, manager, hummus):
    me = ok(client.get("/api/v1/auth/me", headers=manager))
    url = f"/api/v1/items/{hummus['id']}"
    ok(client.patch(url, json={"price_minor": hummus["price_minor"] + 200}, headers=manager))
    entry = latest(db, AuditEntry)
    assert entry.action == "menu_item.updated"
    assert (entry.target_type, entry.target_id) == ("menu_item", str(hummus["id"]))
    assert entry.before == {"price_minor": hummus["price_minor"]}
    assert entry.after == {"price_minor": hummus["price_minor"] + 200}
    assert (entry.actor_id, entry.actor_name) == (me["id"], me["name"])


def test_a_patch_that_changes_nothing_is_not_audited(client, db, manager, hummus):
    before = row_counts(db, "menu_item")
    same = {"price_minor": hummus["price_minor"], "name": "Hummus"}
    ok(client.patch(f"/api/v1/items/{hummus['id']}", json=same, headers=manager))
    assert row_counts(db, "menu_item") == before


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entry SET reason = 'covered up'", "DELETE FROM audit_entry"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_rewrite_the_audit_log(app, client, db, manager, hummus, statement):
    ok(client.patch(f"/api/v1/items/{hummus['id']}", json={"price_minor": 1}, headers=manager))
    with db(write=False) as s:
        entries = s.execute(select(AuditEntry.id, AuditEntry.reason)).all()
    assert entries
    engine = app.extensions["pos_engine"]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with db(write=False) as s:
        assert s.execute(select(AuditEntry.id, AuditEntry.reason)).all() == entries


# --- outbox ----------------------------------------------------------------------------------


def test_each_create_update_and_deactivation_queues_one_outbox_event(client, db, manager):
    def outbox_size():
        return row_counts(db, "category")["outbox_event"]

    start = outbox_size()
    soups = created(client.post("/api/v1/categories", json={"name": "Soups"}, headers=manager))
    assert outbox_size() == start + 1
    event = latest(db, OutboxEvent)
    assert (event.type, event.aggregate_type) == ("category.created", "category")
    assert event.aggregate_id == str(soups["id"])
    assert event.payload == soups and event.sent_at is None

    url = f"/api/v1/categories/{soups['id']}"
    renamed = ok(client.patch(url, json={"name": "Soup of the day"}, headers=manager))
    assert outbox_size() == start + 2
    event = latest(db, OutboxEvent)
    assert event.type == "category.updated" and event.payload == renamed

    gone = ok(client.delete(url, headers=manager))
    assert outbox_size() == start + 3
    event = latest(db, OutboxEvent)
    assert event.type == "category.deactivated" and event.payload == gone

    ok(client.delete(url, headers=manager))  # already inactive: nothing happens
    assert outbox_size() == start + 3


def test_a_failed_request_queues_no_outbox_event(client, db, manager):
    created(client.post("/api/v1/categories", json={"name": "Soups"}, headers=manager))
    before = row_counts(db, "category")
    error_of(client.post("/api/v1/categories", json={"name": "SOUPS"}, headers=manager), 409)
    error_of(client.post("/api/v1/categories", json={"name": 7}, headers=manager), 422)
    error_of(client.patch("/api/v1/categories/99999", json={}, headers=manager), 404)
    assert row_counts(db, "category") == before


def test_a_change_is_not_saved_when_its_outbox_event_cannot_be(client, db, manager, monkeypatch):
    def broken_outbox(*args, **kwargs):
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr(pos_app.crud, "record_event", broken_outbox)
    before = row_counts(db, "category")
    response = client.post("/api/v1/categories", json={"name": "Soups"}, headers=manager)
    assert error_of(response, 500)["code"] == "internal_error"
    assert row_counts(db, "category") == before  # no category, and no audit entry either


# --- staff rules -----------------------------------------------------------------------------


def new_staff(client, headers, **body) -> dict:
    return created(client.post("/api/v1/staff", json=body, headers=headers))


def login_pin(client, pin: str):
    return client.post("/api/v1/auth/login", json={"pin": pin})


def issue_pin(client, headers, staff_id: int) -> str:
    """A new PIN from the server (shown once)."""
    answer = ok(client.post(f"/api/v1/staff/{staff_id}/pin", headers=headers))
    assert set(answer) == {"pin"} and answer["pin"].isdigit() and len(answer["pin"]) == 4
    return answer["pin"]


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_a_manager_may_not_create_an_owner_or_manager_but_an_owner_may(
    client, db, auth, manager, role
):
    body = {"name": "Nadia", "role": role, "email": "nadia@example.com"}
    before = row_counts(db, "staff")
    error = error_of(client.post("/api/v1/staff", json=body, headers=manager), 403)
    assert error["code"] == "forbidden_role"
    assert row_counts(db, "staff") == before
    staff = new_staff(client, auth("owner"), **body)
    assert staff["role"] == role


def test_a_manager_creates_waiters_and_promotes_nobody(client, db, manager):
    sami = new_staff(client, manager, name="Sami", role="waiter")
    url = f"/api/v1/staff/{sami['id']}"
    error = error_of(client.patch(url, json={"role": "manager"}, headers=manager), 403)
    assert error["code"] == "forbidden_role"
    assert ok(client.get(url, headers=manager))["role"] == "waiter"


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_a_manager_may_not_deactivate_an_owner_or_manager(client, auth, manager, role):
    owner = auth("owner")
    target = new_staff(client, owner, name="Target", role=role, email="t@example.com")
    new_staff(client, owner, name="Second owner", role="owner", email="o2@example.com")
    url = f"/api/v1/staff/{target['id']}"
    for attempt in (
        client.delete(url, headers=manager),
        client.patch(url, json={"active": False}, headers=manager),
    ):
        assert error_of(attempt, 403)["code"] == "forbidden_role"
    assert ok(client.get(url, headers=owner))["active"] is True
    assert ok(client.delete(url, headers=owner))["active"] is False


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_chosen_pin_is_refused_alike_whether_in_use_or_free(
    client, db, manager, make_staff, method
):
    """No PIN oracle: PIN 2468 (held by a waiter) and 8642 (free) get the same answer."""
    make_staff("waiter", pin="2468")
    target = make_staff("waiter", name="Yousef")
    before = row_counts(db, "staff")
    answers = []
    for pin in ("2468", "8642"):
        if method == "post":
            body = {"name": f"New {pin}", "role": "waiter", "pin": pin}
            response = client.post("/api/v1/staff", json=body, headers=manager)
        else:
            response = client.patch(
                f"/api/v1/staff/{target.id}", json={"pin": pin}, headers=manager
            )
        error = error_of(response, 422)
        assert "issued by the server" in error["fields"]["pin"][0]
        answers.append(response.get_data(as_text=True))
    assert answers[0] == answers[1].replace("New 8642", "New 2468")
    assert row_counts(db, "staff") == before
    assert login_pin(client, "8642").status_code == 401  # nobody got the free PIN either


def test_the_server_issues_a_free_pin_shown_once(client, db, manager, make_staff):
    taken = {make_staff("waiter").test_pin for _ in range(3)}
    sami = new_staff(client, manager, name="Sami", role="waiter")
    assert sami["has_pin"] is False
    pin = issue_pin(client, manager, sami["id"])
    assert pin not in taken
    assert ok(login_pin(client, pin))["staff"]["id"] == sami["id"]
    assert ok(client.get(f"/api/v1/staff/{sami['id']}", headers=manager))["has_pin"] is True
    # The PIN is nowhere else: not in the audit log, the outbox or the idempotency store.
    with db(write=False) as s:
        for table in ("audit_entry", "outbox_event", "idempotency_key"):
            rows = s.execute(text(f'SELECT * FROM "{table}"')).all()
            assert pin not in str(rows), table


def test_pins_and_passwords_are_write_only(client, auth):
    owner = auth("owner")
    body = {
        "name": "Huda",
        "role": "manager",
        "email": "Huda@Example.com",
        "password": "a long enough password",
    }
    huda = new_staff(client, owner, **body)
    pin = issue_pin(client, owner, huda["id"])
    one = ok(client.get(f"/api/v1/staff/{huda['id']}", headers=owner))
    listed = by_name(ok(client.get("/api/v1/staff", headers=owner))["items"], "Huda")
    for shown in (huda, one, listed):
        assert not {"pin", "password", "pin_hash", "password_hash", "pin_tag"} & set(shown)
        assert shown["has_password"] is True
        assert shown["email"] == "huda@example.com"
        assert pin not in str(shown)
    assert one["has_pin"] is True and listed["has_pin"] is True


def test_nobody_may_deactivate_themselves(client, manager):
    me = ok(client.get("/api/v1/auth/me", headers=manager))
    url = f"/api/v1/staff/{me['id']}"
    assert error_of(client.delete(url, headers=manager), 409)["code"] == "self_deactivation"
    error = error_of(client.patch(url, json={"active": False}, headers=manager), 409)
    assert error["code"] == "self_deactivation"
    assert ok(client.get(url, headers=manager))["active"] is True


def test_the_last_active_owner_cannot_be_deactivated(client, db, auth):
    owner = auth("owner")
    me = ok(client.get("/api/v1/auth/me", headers=owner))
    url = f"/api/v1/staff/{me['id']}"
    error_of(client.delete(url, headers=owner), 409)
    assert ok(client.get(url, headers=owner))["active"] is True
    # Nor by anyone else acting with an owner's rights (the command line, say).
    command_line = Actor(0, "command line", Role.owner, "password")
    with db() as s, pytest.raises(Conflict) as refused:
        check_may_deactivate(s, command_line, s.get(Staff, me["id"]))
    assert refused.value.code == "last_owner"


def test_one_owner_may_deactivate_another(client, auth):
    owner = auth("owner")
    other = new_staff(client, owner, name="Co-owner", role="owner", email="co@example.com")
    assert ok(client.delete(f"/api/v1/staff/{other['id']}", headers=owner))["active"] is False


def test_changing_a_waiters_pin_revokes_their_tokens(client, db, manager, make_staff):
    waiter = make_staff("waiter", pin="1357")
    token = ok(login_pin(client, "1357"))["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert ok(client.get("/api/v1/auth/me", headers=headers))["id"] == waiter.id

    pin = issue_pin(client, manager, waiter.id)
    error = error_of(client.get("/api/v1/auth/me", headers=headers), 401)
    assert error["code"] == "token_revoked"
    assert login_pin(client, "1357").status_code == 401
    assert ok(login_pin(client, pin))["staff"]["id"] == waiter.id


def test_a_pin_change_is_audited_without_the_pin(client, db, manager, make_staff):
    waiter = make_staff("waiter", pin="1357")
    me = ok(client.get("/api/v1/auth/me", headers=manager))
    pin = issue_pin(client, manager, waiter.id)
    entry = latest(db, AuditEntry)
    assert entry.action == "staff.secrets_changed"
    assert (entry.target_id, entry.actor_id) == (str(waiter.id), me["id"])
    assert entry.after == {"changed": ["pin"]}
    assert pin not in str(entry.before) + str(entry.after)


def test_reactivating_staff_whose_pin_was_given_away_needs_a_new_pin(
    client, db, manager, make_staff
):
    old = make_staff("waiter", pin="2580")
    ok(client.delete(f"/api/v1/staff/{old.id}", headers=manager))
    make_staff("waiter", name="Newcomer", pin="2580")  # given away on the command line, say
    url = f"/api/v1/staff/{old.id}"

    error = error_of(client.patch(url, json={"active": True}, headers=manager), 409)
    assert error["fields"] == {"pin": ["already in use"]}
    assert ok(client.get(url, headers=manager))["active"] is False
    assert ok(login_pin(client, "2580"))["staff"]["name"] == "Newcomer"

    pin = issue_pin(client, manager, old.id)
    assert ok(client.patch(url, json={"active": True}, headers=manager))["active"] is True
    assert ok(login_pin(client, pin))["staff"]["id"] == old.id


def test_issuing_pins_is_for_a_strong_sign_in_and_limited(client, db, auth, make_staff):
    waiter = make_staff("waiter")
    by_pin = auth("manager", method="pin")
    url = f"/api/v1/staff/{waiter.id}/pin"
    assert error_of(client.post(url, headers=by_pin), 403)["code"] == "strong_auth_required"
    manager = auth("manager")
    assert client.post(f"/api/v1/staff/{2**31}/pin", headers=manager).status_code == 404
    owner = make_staff("owner", email="o@example.com")
    refused = client.post(f"/api/v1/staff/{owner.id}/pin", headers=manager)
    assert error_of(refused, 403)["code"] == "forbidden_role"
    # An Idempotency-Key never keeps the answer (the PIN) for a replay.
    again = {**manager, "Idempotency-Key": "issue-pin-0001"}
    for _ in range(2):
        ok(client.post(url, headers=again))
    assert row_counts(db, "idempotency_key")["idempotency_key"] == 0
    for _ in range(18):
        ok(client.post(url, headers=manager))
    error = error_of(client.post(url, headers=manager), 429)
    assert error["code"] == "rate_limited"


@pytest.mark.parametrize(
    "path, body, taken",
    [
        ("/api/v1/categories", {"name": "STARTERS"}, "name"),
        ("/api/v1/items", {"name": "hummus", "price_minor": 100}, "name"),
        ("/api/v1/floors", {"name": "hall"}, "name"),
    ],
)
def test_a_name_already_in_use_is_a_409_next_to_the_name(client, demo, db, auth, path, body, taken):
    """Duplicate names (whatever their case) are refused next to the field, so the back-office
    page can say so beside it in the person's language; nothing is written."""
    manager = auth("manager")
    if path == "/api/v1/items":
        body = {
            **body,
            "category_id": client.get("/api/v1/categories", headers=manager).get_json()["items"][0][
                "id"
            ],
        }
    table = {"/api/v1/categories": "category", "/api/v1/items": "menu_item"}.get(path, "floor")
    before = row_counts(db, table)
    error = error_of(client.post(path, json=body, headers=manager), 409)
    assert error["code"] == "duplicate" and error["fields"] == {taken: ["already in use"]}
    assert row_counts(db, table) == before
