"""The role matrix: every API endpoint against every role, and without a token.

EXPECTED is written out by hand, independent of the code that declares the endpoints: it is
the specification. A new endpoint without an entry here fails
`test_every_api_route_is_in_the_role_matrix`, so nobody adds a route without deciding who may
call it.

The calls share one app and one signed-in staff member of each role (conftest.py, Matrix);
a call that writes anything (a sign-out, a shift opened) gets the next one fresh rows.
"""

import re

import pytest

OWNER, MANAGER, CASHIER, WAITER, KITCHEN = "owner", "manager", "cashier", "waiter", "kitchen"
ROLES = (OWNER, MANAGER, CASHIER, WAITER, KITCHEN)
EVERY_ROLE = frozenset(ROLES)
BACK_OFFICE = frozenset({OWNER, MANAGER})
FLOOR = frozenset({OWNER, MANAGER, CASHIER, WAITER})  # everyone who takes orders
KITCHEN_SIDE = frozenset({OWNER, MANAGER, KITCHEN})
CASH_DESK = frozenset({OWNER, MANAGER, CASHIER})
PUBLIC = None  # no token needed

ONE = "<int:obj_id>"
MISSING_ID = "999999"  # no row has it: an allowed call may answer 404, never 401/403


def _resource(name: str, read: frozenset, write: frozenset = BACK_OFFICE) -> dict:
    base, one = f"/api/v1/{name}", f"/api/v1/{name}/{ONE}"
    return {
        ("GET", base): read,
        ("GET", one): read,
        ("POST", base): write,
        ("PATCH", one): write,
        ("DELETE", one): write,
    }


EXPECTED: dict[tuple[str, str], frozenset | None] = {
    # Public: health checks, the API document, signing in.
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    # signed with a branch's key, not a staff token (tests/test_cloud_ingest.py); 404 on a branch
    ("POST", "/api/v1/sync/events"): PUBLIC,
    # the same, a branch's copies and its own events (tests/test_cloud_rebuild.py)
    ("POST", "/api/v1/sync/snapshots"): PUBLIC,
    ("POST", "/api/v1/sync/snapshots/fetch"): PUBLIC,
    ("POST", "/api/v1/sync/events/fetch"): PUBLIC,
    ("POST", "/api/v1/sync/catalogue/fetch"): PUBLIC,
    # the cloud's menu of an organisation (tests/test_cloud_catalogue.py); 404 on a branch
    ("GET", "/api/v1/cloud/organisations/<int:organisation_id>/catalogue"): BACK_OFFICE,
    ("PUT", "/api/v1/cloud/organisations/<int:organisation_id>/catalogue"): BACK_OFFICE,
    ("GET", "/api/v1/cloud/branches"): BACK_OFFICE,  # 404 on a branch: the cloud's view
    ("GET", "/api/v1/cloud/branches/<code>"): BACK_OFFICE,  # the same (tests/test_cloud_access.py)
    # Any signed-in staff member.
    ("POST", "/api/v1/auth/logout"): EVERY_ROLE,
    ("GET", "/api/v1/auth/me"): EVERY_ROLE,
    ("GET", "/api/v1/menu"): EVERY_ROLE,
    ("GET", "/api/v1/branch"): EVERY_ROLE,
    # Two-factor enrolment is for the back office; so is confirming the password (step-up).
    ("POST", "/api/v1/auth/step-up"): BACK_OFFICE,
    ("POST", "/api/v1/auth/totp/enroll"): BACK_OFFICE,
    ("POST", "/api/v1/auth/device-tokens"): BACK_OFFICE,
    ("POST", "/api/v1/auth/screen-pairings"): BACK_OFFICE,
    ("POST", "/api/v1/auth/totp/confirm"): BACK_OFFICE,
    # The back office's home: today's sales, orders, kitchen, printers and sync.
    ("GET", "/api/v1/backoffice/today"): BACK_OFFICE,
    ("GET", "/api/v1/audit"): BACK_OFFICE,
    ("GET", "/api/v1/reports/sales"): BACK_OFFICE,
    ("GET", "/api/v1/reports/export.csv"): BACK_OFFICE,
    ("POST", "/api/v1/reports/import"): BACK_OFFICE,
    ("GET", "/api/v1/reports/monthly.pdf"): BACK_OFFICE,
    ("GET", "/api/v1/reports/summaries"): BACK_OFFICE,
    ("GET", "/api/v1/menu/export.csv"): BACK_OFFICE,
    ("POST", "/api/v1/menu/import"): BACK_OFFICE,
    ("POST", "/api/v1/promotions/preview"): BACK_OFFICE,
    # Branch settings: the owner only (and signed in with password, tested below).
    ("PATCH", "/api/v1/branch"): frozenset({OWNER}),
    # Read by every handheld and kitchen screen (floor map, station routing); written by the
    # back office.
    **_resource("stations", read=EVERY_ROLE),
    **_resource("floors", read=EVERY_ROLE),
    **_resource("tables", read=EVERY_ROLE),
    # Back office only, read and write: handhelds sell from GET /api/v1/menu instead.
    **_resource("categories", read=BACK_OFFICE),
    **_resource("items", read=BACK_OFFICE),
    **_resource("modifier-groups", read=BACK_OFFICE),
    **_resource("modifiers", read=BACK_OFFICE),
    **_resource("staff", read=BACK_OFFICE),
    ("POST", "/api/v1/staff/<int:obj_id>/pin"): BACK_OFFICE,  # the server issues PINs
    ("DELETE", "/api/v1/staff/<int:obj_id>/totp"): frozenset({OWNER}),  # a lost phone
    ("PUT", "/api/v1/modifier-groups/<int:obj_id>/items"): BACK_OFFICE,
    ("PUT", "/api/v1/categories/order"): BACK_OFFICE,
    ("PUT", "/api/v1/categories/<int:obj_id>/items/order"): BACK_OFFICE,
    ("PUT", "/api/v1/items/<int:obj_id>/photo"): BACK_OFFICE,  # a dish's photo
    ("DELETE", "/api/v1/items/<int:obj_id>/photo"): BACK_OFFICE,
    **_resource("printers", read=BACK_OFFICE),
    ("GET", "/api/v1/printers/health"): frozenset({OWNER, MANAGER, KITCHEN, CASHIER}),
    ("POST", "/api/v1/printers/<int:obj_id>/test-print"): BACK_OFFICE,
    ("GET", "/api/v1/printers/<int:obj_id>/virtual-output"): BACK_OFFICE,
    ("GET", "/api/v1/print-jobs"): frozenset({OWNER, MANAGER, KITCHEN, CASHIER}),
    ("POST", "/api/v1/print-jobs/<int:job_id>/reprint"): frozenset(
        {OWNER, MANAGER, KITCHEN, CASHIER}
    ),
    # The kitchen screen's Reprint: by order and station (the latest chit there).
    ("POST", "/api/v1/print-jobs/reprint"): frozenset({OWNER, MANAGER, KITCHEN, CASHIER}),
    # Orders: taken and changed by the floor (waiters, cashiers) and the back office; the
    # kitchen reads them but never takes or changes one.
    ("GET", "/api/v1/orders"): EVERY_ROLE,
    ("GET", "/api/v1/orders/<uuid:order_id>"): EVERY_ROLE,
    ("POST", "/api/v1/orders"): FLOOR,
    ("PATCH", "/api/v1/orders/<uuid:order_id>"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/lines"): FLOOR,
    ("PATCH", "/api/v1/orders/<uuid:order_id>/lines/<uuid:line_id>"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/lines/<uuid:line_id>/void"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/fire"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/cancel"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/hand-over"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/move"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/merge"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/move-lines"): FLOOR,
    # Bills: whoever takes orders shows the bill, discounts (a manager approves above the
    # threshold), splits and takes payment; refunds and the cash drawer are for cashiers and
    # the back office; promotions are set in the back office and read on the floor.
    ("GET", "/api/v1/orders/<uuid:order_id>/bill"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/bill/print"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/discounts"): FLOOR,
    ("DELETE", "/api/v1/orders/<uuid:order_id>/discounts/<uuid:discount_id>"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/split"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/lines/<uuid:line_id>/price"): FLOOR,
    ("POST", "/api/v1/orders/<uuid:order_id>/payments"): FLOOR,
    ("GET", "/api/v1/invoices"): FLOOR,
    ("GET", "/api/v1/invoices/<invoice_id>"): FLOOR,
    ("POST", "/api/v1/invoices/<invoice_id>/reprint"): FLOOR,
    ("GET", "/api/v1/invoices/<invoice_id>/qr.svg"): FLOOR,
    ("POST", "/api/v1/invoices/<invoice_id>/refunds"): CASH_DESK,
    ("GET", "/api/v1/shifts/current"): CASH_DESK,
    ("POST", "/api/v1/shifts"): CASH_DESK,
    ("POST", "/api/v1/drawer/cash"): CASH_DESK,
    ("POST", "/api/v1/drawer/no-sale"): CASH_DESK,
    ("GET", "/api/v1/reports/x"): CASH_DESK,
    ("POST", "/api/v1/reports/z"): CASH_DESK,
    ("GET", "/api/v1/reports/z/<int:number>"): CASH_DESK,
    **_resource("promotions", read=FLOOR),
    ("POST", "/api/v1/tables/<int:table_id>/status"): FLOOR,
    # The kitchen display: the kitchen and the back office, not the floor.
    ("GET", "/api/v1/stations/<int:station_id>/snapshot"): KITCHEN_SIDE,
    ("POST", "/api/v1/stations/<int:station_id>/recall"): KITCHEN_SIDE,
    ("POST", "/api/v1/tickets/<int:ticket_id>/start"): KITCHEN_SIDE,
    ("POST", "/api/v1/tickets/<int:ticket_id>/bump"): KITCHEN_SIDE,
    ("POST", "/api/v1/tickets/<int:ticket_id>/ready-anyway"): KITCHEN_SIDE,
    ("POST", "/api/v1/ticket-lines/<int:line_id>/bump"): KITCHEN_SIDE,
    # Stock: cooks read levels, count and record waste; the back office sets ingredients,
    # recipes and suppliers, buys, receives, transfers and decides counts. A dish is 86'd by
    # hand by the kitchen or a manager, never by a waiter or a cashier.
    **_resource("suppliers", read=BACK_OFFICE),
    **_resource("ingredients", read=KITCHEN_SIDE),
    **_resource("recipe-lines", read=BACK_OFFICE),
    ("GET", "/api/v1/stock/levels"): KITCHEN_SIDE,
    ("GET", "/api/v1/stock/movements"): BACK_OFFICE,
    ("POST", "/api/v1/stock/waste"): KITCHEN_SIDE,
    ("POST", "/api/v1/stock/transfers"): BACK_OFFICE,
    ("GET", "/api/v1/stock/purchases"): BACK_OFFICE,
    ("POST", "/api/v1/stock/purchases"): BACK_OFFICE,
    ("GET", "/api/v1/stock/purchases/suggested"): BACK_OFFICE,
    ("POST", "/api/v1/stock/purchases/<int:purchase_id>/receive"): BACK_OFFICE,
    ("POST", "/api/v1/stock/purchases/<int:purchase_id>/cancel"): BACK_OFFICE,
    ("GET", "/api/v1/stock/counts"): BACK_OFFICE,
    ("POST", "/api/v1/stock/counts"): KITCHEN_SIDE,
    ("GET", "/api/v1/stock/counts/<uuid:count_id>"): BACK_OFFICE,
    ("POST", "/api/v1/stock/counts/<uuid:count_id>/accept"): BACK_OFFICE,
    ("POST", "/api/v1/stock/counts/<uuid:count_id>/reject"): BACK_OFFICE,
    ("POST", "/api/v1/items/<int:item_id>/availability"): KITCHEN_SIDE,
}


MISSING_UUID = "00000000-0000-4000-8000-000000000999"


def _url(path: str) -> str:
    return re.sub(r"<[^>]+>", MISSING_ID, re.sub(r"<uuid:[^>]+>", MISSING_UUID, path))


def _call(client, method: str, path: str, headers: dict | None = None):
    """Call an endpoint with dummy input: a missing id, and an empty object as the body."""
    kwargs = {"headers": headers or {}}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = {}
    return client.open(_url(path), method=method, **kwargs)


def _cases(allowed: bool):
    for (method, path), roles in sorted(EXPECTED.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        for role in ROLES:
            if (roles is PUBLIC or role in roles) == allowed:
                yield pytest.param(method, path, role, id=f"{method} {path} as {role}")


def test_every_api_route_is_in_the_role_matrix(matrix):
    routes = set()
    for rule in matrix.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.rule == "/healthz":
            routes |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert sorted(routes - set(EXPECTED)) == [], "routes without an entry in EXPECTED"
    assert sorted(set(EXPECTED) - routes) == [], "entries in EXPECTED without a route"


@pytest.mark.parametrize("method, path, role", list(_cases(allowed=False)))
def test_a_role_outside_the_matrix_gets_403_forbidden_role(matrix, method, path, role):
    response = _call(matrix.client, method, path, matrix.headers(role))
    assert response.status_code == 403, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "forbidden_role"
    assert role in error["message"]


@pytest.mark.parametrize("method, path, role", list(_cases(allowed=True)))
def test_a_role_in_the_matrix_is_let_through(matrix, method, path, role):
    response = _call(matrix.client, method, path, matrix.headers(role))
    # Dummy ids and bodies may well answer 400, 404 or 422, but never "who are you" or "no".
    assert response.status_code not in (401, 403), response.get_json()
    assert response.status_code < 500, response.get_json()


@pytest.mark.parametrize(
    "method, path",
    [
        pytest.param(method, path, id=f"{method} {path}")
        for (method, path), roles in sorted(EXPECTED.items())
        if roles is not PUBLIC
    ],
)
def test_no_token_gets_401_on_every_non_public_endpoint(matrix, method, path):
    response = _call(matrix.client, method, path)
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["error"]["code"] == "token_missing"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "method, path",
    [
        pytest.param(method, path, id=f"{method} {path}")
        for (method, path), roles in sorted(EXPECTED.items())
        if roles is PUBLIC
    ],
)
def test_public_endpoints_answer_without_a_token(matrix, method, path):
    response = _call(matrix.client, method, path)
    assert response.status_code not in (401, 403), response.get_json()
    assert response.status_code < 500, response.get_json()


# Changes to money rules, secrets, and where food and paper go need a strong sign-in: a
# password (+ TOTP) sign-in, or a PIN sign-in whose password was confirmed minutes ago.
STRONG = sorted(
    [
        ("POST", "/api/v1/auth/totp/enroll"),
        ("POST", "/api/v1/auth/totp/confirm"),
        ("POST", "/api/v1/auth/device-tokens"),
        ("POST", "/api/v1/auth/screen-pairings"),
        ("POST", "/api/v1/menu/import"),
        ("POST", "/api/v1/reports/import"),
        ("POST", "/api/v1/staff/<int:obj_id>/pin"),
        ("DELETE", "/api/v1/staff/<int:obj_id>/totp"),
        ("PUT", "/api/v1/modifier-groups/<int:obj_id>/items"),
        ("PUT", "/api/v1/categories/order"),
        ("PUT", "/api/v1/categories/<int:obj_id>/items/order"),
        ("PUT", "/api/v1/items/<int:obj_id>/photo"),
        ("DELETE", "/api/v1/items/<int:obj_id>/photo"),
        ("PATCH", "/api/v1/branch"),
        ("PUT", "/api/v1/cloud/organisations/<int:organisation_id>/catalogue"),
    ]
    + [
        (method, path)
        for name in (
            "categories",
            "items",
            "modifier-groups",
            "modifiers",
            "promotions",
            "printers",
            "stations",
            "staff",
            "ingredients",
            "recipe-lines",
        )
        for method, path in _resource(name, read=BACK_OFFICE)
        if method != "GET"
    ]
)


@pytest.mark.parametrize("method, path", [pytest.param(m, p, id=f"{m} {p}") for m, p in STRONG])
def test_a_pin_sign_in_may_not_make_sensitive_changes(matrix, method, path):
    role = MANAGER if MANAGER in EXPECTED[(method, path)] else OWNER
    response = _call(matrix.client, method, path, matrix.headers(role, method="pin"))
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "strong_auth_required"


def test_every_strong_endpoint_says_so_and_no_other_does(matrix):
    endpoints = matrix.app.extensions["pos_api"].endpoints
    declared = {(ep.method, ep.full_rule) for ep in endpoints if ep.strong_auth}
    assert sorted(declared) == STRONG


def test_an_owner_signed_in_by_pin_may_not_change_branch_settings(client, auth, demo):
    before = client.get("/api/v1/branch", headers=auth(WAITER)).get_json()
    response = client.patch(
        "/api/v1/branch", json={"name": "Renamed by PIN"}, headers=auth(OWNER, method="pin")
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "strong_auth_required"
    assert client.get("/api/v1/branch", headers=auth(WAITER)).get_json() == before


@pytest.mark.parametrize("method", ["pin", "password"])
def test_a_manager_may_not_change_branch_settings_however_signed_in(client, auth, demo, method):
    response = client.patch(
        "/api/v1/branch", json={"name": "Renamed"}, headers=auth(MANAGER, method=method)
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden_role"


def test_an_owner_signed_in_with_password_changes_branch_settings(client, auth, demo):
    response = client.patch(
        "/api/v1/branch", json={"name": "Demo Bistro Olaya"}, headers=auth(OWNER)
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "Demo Bistro Olaya"
    assert client.get("/api/v1/branch", headers=auth(CASHIER)).get_json()["name"] == (
        "Demo Bistro Olaya"
    )
