"""Hostile input over HTTP: each reproduction of the security review gets a 4xx naming the
problem, never a 500, and changes nothing. The same tests run on SQLite and on PostgreSQL
(where NUL characters and integers past 32 bits are refused by the database itself).

What is checked where: docs/security.md, "Hostile input".
"""

from __future__ import annotations

import uuid

import pytest
from marshmallow import fields, validate
from sqlalchemy import func, select
from test_orders import dine_in, line, menu_ids

from pos_app.orders.models import Order
from pos_app.schemas import MAX_ID, FullMatch, QueryBoolean, StrictBoolean

BIG = 2**63  # past every 64-bit integer
PAST_INT32 = 2**31  # past every id column (a 32-bit integer on PostgreSQL)
MISSING_UUID = "00000000-0000-4000-8000-000000000999"


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def menu(demo, db):
    return menu_ids(db)


@pytest.fixture
def owner(auth):
    return auth("owner")  # signed in with password: strong-auth endpoints too


@pytest.fixture
def waiter(auth):
    return auth("waiter")


@pytest.fixture
def order(client, menu, waiter):
    """An open dine-in order with one line, not fired."""
    answer = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[line(menu, "Hummus")]), headers=waiter
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def refused(answer, status: int, code: str, field: str | None = None) -> dict:
    """Assert the answer is the error envelope with this status and code (naming `field`)."""
    body = answer.get_json()
    assert answer.status_code == status, body
    assert body["error"]["code"] == code, body
    if field is not None:  # the field, or an item of it ("item_ids.1")
        names = body["error"]["fields"]
        assert any(n == field or n.startswith(f"{field}.") for n in names), body
    return body["error"]


def orders_count(db) -> int:
    with db(write=False) as s:
        return s.scalar(select(func.count()).select_from(Order))


# --- Integers past the database's range ----------------------------------------------------

PATH_IDS = [
    ("GET", "/api/v1/items/{n}"),
    ("PATCH", "/api/v1/staff/{n}"),
    ("DELETE", "/api/v1/printers/{n}"),
    ("GET", "/api/v1/reports/z/{n}"),
    ("GET", "/api/v1/stations/{n}/snapshot"),
    ("POST", "/api/v1/tickets/{n}/bump"),
    ("POST", "/api/v1/tickets/{n}/ready-anyway"),
    ("POST", "/api/v1/ticket-lines/{n}/bump"),
    ("POST", "/api/v1/tables/{n}/status"),
    ("POST", "/api/v1/print-jobs/{n}/reprint"),
    ("POST", "/api/v1/printers/{n}/test-print"),
    ("GET", "/api/v1/invoices/{n}"),
]


@pytest.mark.parametrize("method, path", PATH_IDS)
def test_an_id_past_the_column_range_in_a_path_is_404(client, demo, owner, method, path):
    for number in (BIG, PAST_INT32, 2**64 + 1, "0" * 5000 + "1"):
        answer = client.open(path.format(n=number), method=method, json={}, headers=owner)
        refused(answer, 404, "not_found")  # not 405: no rule has such an id


QUERY_IDS = [
    ("/api/v1/orders", "table_id"),
    ("/api/v1/items", "category_id"),
    ("/api/v1/modifiers", "group_id"),
    ("/api/v1/tables", "floor_id"),
    ("/api/v1/printers", "station_id"),
    ("/api/v1/print-jobs", "printer_id"),
]


@pytest.mark.parametrize("path, name", QUERY_IDS)
def test_an_id_filter_out_of_range_or_not_digits_is_422_naming_it(client, demo, owner, path, name):
    for value in (str(BIG), str(PAST_INT32), "9" * 5000, "0", "-1", "1e3", " 1", "1_0", "١"):
        answer = client.get(path, query_string={name: value}, headers=owner)
        refused(answer, 422, "validation_failed", name)
    answer = client.get(path, query_string={name: "1"}, headers=owner)
    assert answer.status_code == 200, answer.get_json()


BODY_IDS = [
    ("POST", "/api/v1/auth/device-tokens", {"device": "kds"}, "staff_id"),
    ("POST", "/api/v1/stations/1/recall", {}, "ticket_id"),
    ("POST", "/api/v1/print-jobs/reprint", {"order_id": MISSING_UUID}, "station_id"),
    ("POST", "/api/v1/items", {"name": "X", "price_minor": 1}, "category_id"),
    ("POST", "/api/v1/orders", {"id": MISSING_UUID, "type": "dine_in"}, "table_id"),
]


@pytest.mark.parametrize("method, path, body, name", BODY_IDS)
def test_an_id_past_the_column_range_in_a_body_is_422_naming_it(
    client, demo, owner, method, path, body, name
):
    for number in (BIG, BIG - 1, PAST_INT32):
        answer = client.open(path, method=method, json={**body, name: number}, headers=owner)
        refused(answer, 422, "validation_failed", name)


def test_ids_in_a_promotion_list_are_bounded(client, demo, owner):
    for number in (BIG, PAST_INT32):
        body = {"name": "Combo", "kind": "combo", "item_ids": [1, number], "combo_price_minor": 9}
        answer = client.post("/api/v1/promotions", json=body, headers=owner)
        refused(answer, 422, "validation_failed", "item_ids")


def test_a_version_past_the_column_range_is_422(client, order, waiter):
    url = f"/api/v1/orders/{order['id']}/fire"
    for number in (BIG, PAST_INT32, -1):
        answer = client.post(url, json={"version": number}, headers=waiter)
        refused(answer, 422, "validation_failed", "version")


def test_an_integer_past_64_bits_anywhere_in_a_body_is_422(client, demo, owner):
    answer = client.post(
        "/api/v1/items",
        json={"category_id": 1, "name": "X", "price_minor": 2**64, "sort": 1},
        headers=owner,
    )
    refused(answer, 422, "validation_failed", "price_minor")


# --- Deeply nested JSON ---------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_very_deep_is_400_without_a_token(client, depth):
    body = '{"pin": ' + "[" * depth + "]" * depth + "}"
    answer = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    refused(answer, 400, "invalid_json")


def test_json_nested_past_the_limit_but_parseable_is_422(client, demo, waiter):
    body = {"id": new_id(), "type": "takeaway", "notes": [[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]}
    answer = client.post("/api/v1/orders", json=body, headers=waiter)
    refused(answer, 422, "validation_failed")


# --- Text no database can store -------------------------------------------------------------


def test_a_lone_surrogate_in_a_body_is_422(client, demo):
    answer = client.post(
        "/api/v1/auth/login", data='{"pin": "\\ud800"}', content_type="application/json"
    )
    refused(answer, 422, "validation_failed", "pin")


def test_a_lone_surrogate_in_a_field_name_is_422(client, demo, owner):
    answer = client.post(
        "/api/v1/floors",
        data='{"name": "A", "\\udfff": 1}',
        content_type="application/json",
        headers=owner,
    )
    refused(answer, 422, "validation_failed")


def test_a_nul_in_a_name_is_422_and_nothing_is_saved(client, demo, owner):
    for path, body in [
        ("/api/v1/floors", {"name": "Roof\x00top"}),
        ("/api/v1/items", {"category_id": 1, "name": "Tea\x00", "price_minor": 100}),
        ("/api/v1/staff", {"name": "Nul\x00l", "role": "waiter"}),
    ]:
        before = client.get(path, headers=owner).get_json()["items"]
        refused(client.post(path, json=body, headers=owner), 422, "validation_failed", "name")
        assert client.get(path, headers=owner).get_json()["items"] == before


def test_a_nul_in_order_notes_and_line_notes_is_422(client, menu, waiter, db):
    body = dine_in(menu, notes="no\x00onions")
    refused(client.post("/api/v1/orders", json=body, headers=waiter), 422, "validation_failed")
    body = dine_in(menu, lines=[line(menu, "Hummus", note="extra\x00")])
    refused(client.post("/api/v1/orders", json=body, headers=waiter), 422, "validation_failed")
    assert orders_count(db) == 0


def test_a_nul_in_a_path_or_query_is_422(client, demo, owner):
    for method, url in [
        ("GET", "/api/v1/invoices/INV%00"),
        ("POST", "/api/v1/invoices/%00/reprint"),
        ("GET", "/api/v1/print-jobs?source=order%00"),
        ("GET", "/api/v1/staff?role=waiter%00"),
    ]:
        refused(client.open(url, method=method, headers=owner), 422, "validation_failed")


def test_invalid_utf8_in_a_path_or_query_is_never_a_500(client, demo, owner):
    for url in ("/api/v1/invoices/%ED%A0%80", "/api/v1/print-jobs?source=%ED%A0%80%FF"):
        answer = client.get(url, headers=owner)
        assert answer.status_code in (200, 404), answer.get_json()


# --- UUIDs and other patterns match the whole text ------------------------------------------


def test_an_order_uuid_with_a_trailing_newline_is_422_and_not_saved(client, demo, waiter, db):
    body = {"id": new_id() + "\n", "type": "takeaway"}
    refused(
        client.post("/api/v1/orders", json=body, headers=waiter), 422, "validation_failed", "id"
    )
    assert orders_count(db) == 0


def test_a_line_uuid_with_a_trailing_newline_is_422(client, order, waiter):
    url = f"/api/v1/orders/{order['id']}/lines"
    body = {"version": order["version"], "lines": [{"id": new_id() + "\n", "item_id": 1}]}
    refused(client.post(url, json=body, headers=waiter), 422, "validation_failed", "lines")


@pytest.mark.parametrize(
    "suffix, body",
    [
        ("merge", {"from_order_id": MISSING_UUID + "\n", "from_version": 1}),
        ("move-lines", {"line_ids": [MISSING_UUID + "\n"], "to_order_id": MISSING_UUID}),
        ("payments", {"id": MISSING_UUID + "\n", "tender": "card"}),
        ("discounts", {"id": MISSING_UUID + "\n", "kind": "amount", "amount_minor": 100}),
    ],
)
def test_uuids_in_order_commands_match_whole(client, order, waiter, suffix, body):
    url = f"/api/v1/orders/{order['id']}/{suffix}"
    body = {"version": order["version"], "to_version": 1, "reason": "test", **body}
    answer = client.post(url, json=body, headers=waiter)
    error = refused(answer, 422, "validation_failed")
    assert set(error["fields"]) & {"from_order_id", "line_ids", "id"}, error


def test_a_uuid_with_a_trailing_newline_in_a_path_or_query_is_refused(client, order, waiter):
    refused(client.get(f"/api/v1/orders/{order['id']}%0A", headers=waiter), 404, "not_found")
    answer = client.get(f"/api/v1/invoices?order_id={order['id']}%0A", headers=waiter)
    refused(answer, 422, "validation_failed", "order_id")


PATTERNS = [
    ("POST", "/api/v1/stations", {"code": "grill2\n", "name": "Grill 2"}, "code"),
    ("PATCH", "/api/v1/branch", {"currency": "SAR\n"}, "currency"),
    ("PATCH", "/api/v1/branch", {"vat_number": "300\n"}, "vat_number"),
    ("POST", "/api/v1/auth/totp/confirm", {"code": "123456\n"}, "code"),
    ("POST", "/api/v1/auth/login", {"email": "a@b.co", "password": "x", "otp": "123456\n"}, "otp"),
    ("POST", "/api/v1/auth/login", {"pin": "1111\n"}, "pin"),
    (
        "POST",
        "/api/v1/promotions",
        {"name": "HH", "kind": "happy_hour", "percent_bp": 1000, "start_time": "17:00\n"},
        "start_time",
    ),
]


def test_patterns_match_the_whole_text(client, demo, owner):
    for method, path, body, field in PATTERNS:
        answer = client.open(path, method=method, json=body, headers=owner)
        refused(answer, 422, "validation_failed", field)


def test_phone_last_four_and_approver_pin_match_the_whole_text(client, order, menu, waiter):
    delivery = {
        "id": new_id(),
        "type": "delivery",
        "customer_name": "Ali",
        "customer_phone": "0500000000\n",
        "customer_address": "Olaya",
    }
    answer = client.post("/api/v1/orders", json=delivery, headers=waiter)
    refused(answer, 422, "validation_failed", "customer_phone")
    url = f"/api/v1/orders/{order['id']}"
    pay = {"id": new_id(), "tender": "card", "card_method": "mada", "last4": "1234\n"}
    answer = client.post(f"{url}/payments", json=pay, headers=waiter)
    refused(answer, 422, "validation_failed", "last4")
    comp = {"kind": "comp", "line_id": order["lines"][0]["id"], "reason": "cold"}
    answer = client.post(
        f"{url}/discounts", json={**comp, "approver_pin": "4444\n"}, headers=waiter
    )
    refused(answer, 422, "validation_failed", "approver_pin")


# --- Booleans are JSON true or false --------------------------------------------------------


def test_fire_yes_does_not_fire_an_order(client, menu, waiter, db):
    for value in ("yes", "true", 1, "on", "1"):
        body = dine_in(menu, lines=[line(menu, "Hummus")], fire=value)
        answer = client.post("/api/v1/orders", json=body, headers=waiter)
        refused(answer, 422, "validation_failed", "fire")
    assert orders_count(db) == 0


def test_rush_must_be_a_json_boolean(client, order, waiter):
    url = f"/api/v1/orders/{order['id']}"
    for value in ("true", "false", 0, None):
        body = {"version": order["version"], "rush": value}
        refused(client.patch(url, json=body, headers=waiter), 422, "validation_failed", "rush")
    assert client.get(url, headers=waiter).get_json()["rush"] is False


def test_rush_true_sets_the_flag(client, order, waiter):
    url = f"/api/v1/orders/{order['id']}"
    answer = client.patch(url, json={"version": order["version"], "rush": True}, headers=waiter)
    assert answer.status_code == 200 and answer.get_json()["rush"] is True


def test_back_office_flags_must_be_json_booleans(client, demo, owner):
    for method, path, body, field in [
        ("PATCH", "/api/v1/items/1", {"available": "false"}, "available"),
        ("PATCH", "/api/v1/floors/1", {"active": "false"}, "active"),
        ("PATCH", "/api/v1/branch", {"prices_include_vat": "yes"}, "prices_include_vat"),
        ("PATCH", "/api/v1/stations/1", {"is_expo": 1}, "is_expo"),
        ("POST", "/api/v1/reports/z", {"counted": {"cash": 0}, "print": "no"}, "print"),
    ]:
        answer = client.open(path, method=method, json=body, headers=owner)
        refused(answer, 422, "validation_failed", field)
    assert client.get("/api/v1/branch", headers=owner).get_json()["prices_include_vat"] is True


def test_query_flags_take_only_true_or_false_and_still_filter(client, demo, owner):
    for path, name in [("/api/v1/items", "active"), ("/api/v1/orders", "mine")]:
        for value in ("yes", "1", "True", "on", ""):
            answer = client.get(path, query_string={name: value}, headers=owner)
            refused(answer, 422, "validation_failed", name)
    answer = client.get("/api/v1/reports/x", query_string={"print": "yes"}, headers=owner)
    refused(answer, 422, "validation_failed", "print")
    patch = client.patch("/api/v1/items/1", json={"active": False}, headers=owner)
    assert patch.status_code == 200, patch.get_json()
    inactive = client.get("/api/v1/items?active=false", headers=owner).get_json()["items"]
    active = client.get("/api/v1/items?active=true", headers=owner).get_json()["items"]
    assert [i["id"] for i in inactive] == [1]
    assert 1 not in [i["id"] for i in active] and active


# --- Every schema that loads input keeps to the rules ---------------------------------------

# Fields allowed to break the rules, with the reason (none today).
EXEMPT: set[str] = set()


def _field_problems(field, where: str, query: bool) -> list[str]:
    """What breaks the input rules in one field: strict flags, 32-bit integers with a range,
    bounded strings and lists, whole-text patterns."""
    validators = field.validators
    if isinstance(field, fields.Nested):
        return _schema_problems(field.schema, where, query)
    if isinstance(field, fields.List):
        bounded = any(isinstance(v, validate.Length) and v.max for v in validators)
        own = [] if bounded else [f"{where}: a list without a maximum length"]
        return own + _field_problems(field.inner, f"{where}[]", query)
    if isinstance(field, fields.Dict):
        inner = [(field.key_field, "key"), (field.value_field, "value")]
        return [p for f, n in inner if f for p in _field_problems(f, f"{where}.{n}", query)]
    if isinstance(field, fields.Boolean):
        wanted = QueryBoolean if query else StrictBoolean
        return [] if isinstance(field, wanted) else [f"{where}: not a {wanted.__name__}"]
    if isinstance(field, fields.Integer):
        ranges = [v for v in validators if isinstance(v, validate.Range)]
        fits = any(
            v.min is not None and v.max is not None and -MAX_ID - 1 <= v.min <= v.max <= MAX_ID
            for v in ranges
        )
        fits = fits or any(isinstance(v, validate.OneOf) for v in validators)
        strict = field.strict or query
        return [] if fits and strict else [f"{where}: an integer without a 32-bit range"]
    if isinstance(field, fields.Float | fields.Decimal):  # a quantity: a bounded finite number
        bounded = any(
            isinstance(v, validate.Range) and v.min is not None and v.max is not None
            for v in validators
        )
        finite = field.allow_nan is False
        return [] if bounded and finite else [f"{where}: a number without a range"]
    if isinstance(field, fields.String):
        loose = [v for v in validators if type(v) is validate.Regexp]
        bounded = any(
            (isinstance(v, validate.Length) and v.max) or isinstance(v, validate.OneOf | FullMatch)
            for v in validators
        )
        return [f"{where}: pattern {v.regex.pattern} not whole-text" for v in loose] + (
            [] if bounded else [f"{where}: a string without a maximum length"]
        )
    if isinstance(field, fields.Enum):
        return []
    if isinstance(field, fields.Date):
        return []  # ISO text parsed whole (YYYY-MM-DD): anything longer or odd is refused
    if isinstance(field, fields.Raw) and field.validators:
        return []  # checked by its own validator (e.g. refused whatever its value)
    return [f"{where}: {type(field).__name__} is not checked here"]


def _schema_problems(schema, where: str, query: bool) -> list[str]:
    problems = []
    for name, field in schema.fields.items():
        if not field.dump_only and f"{where}.{name}" not in EXEMPT:
            problems += _field_problems(field, f"{where}.{name}", query)
    return problems


def test_every_body_and_query_schema_keeps_the_input_rules(app):
    problems = set()
    for ep in app.extensions["pos_api"].endpoints:
        for schema, query in ((ep.body, False), (ep.query, True)):
            if schema is not None:
                problems |= set(_schema_problems(schema(), schema.__name__, query))
    assert sorted(problems) == []
