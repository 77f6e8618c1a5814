"""Pairing a kitchen screen by the short code it shows (/pair), typed in the back office."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pos_app import clock
from pos_app.audit import AuditEntry
from pos_app.auth.models import AuthToken


@pytest.fixture
def screen(app):
    return app.test_client()


def shown_code(screen) -> str:
    page = screen.get("/pair").get_data(as_text=True)
    return re.search(r'data-testid="pair-code">([A-Z0-9 ]+)<', page).group(1)


def pair(client, headers, code, staff_id, status=201):
    body = {"code": code, "staff_id": staff_id, "device_name": "Grill screen"}
    response = client.post("/api/v1/auth/screen-pairings", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_screen_shows_a_code_a_manager_types_it_and_the_screen_is_signed_in(
    client, screen, demo, db, auth, make_staff
):
    cook = make_staff("kitchen", name="Grill cook")
    manager = auth("manager")
    code = shown_code(screen)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{3} [A-HJKMNP-Z2-9]{3}", code)
    assert shown_code(screen) == code  # the same screen keeps its code while it waits
    assert screen.get("/pair/status").get_json() == {"state": "waiting"}
    assert screen.get("/kds").status_code == 302  # not signed in yet

    paired = pair(client, manager, code.lower().replace(" ", "-"), cook.id)  # as typed
    assert paired == {"staff_id": cook.id, "device_name": "Grill screen"}
    assert screen.get("/pair/status").get_json() == {"state": "paired", "next": "/kds"}
    kds = screen.get("/kds")
    assert kds.status_code == 200, kds.headers.get("Location")
    assert screen.get("/pair").headers["Location"] == "/kds"  # signed in: no new code
    with db(write=False) as s:
        token = s.scalar(select(AuthToken).where(AuthToken.staff_id == cook.id))
        assert token.method == "device" and token.device == "device:Grill screen"
        audited = s.scalar(select(AuditEntry).where(AuditEntry.action == "auth.screen_paired"))
        assert audited.target_id == str(cook.id)

    # The code pairs one screen only.
    again = pair(client, manager, code, cook.id, status=404)
    assert again["error"]["code"] == "pairing_not_found"


def test_wrong_codes_count_against_the_manager_and_lock_them_out(client, demo, auth, make_staff):
    cook = make_staff("kitchen", name="Cold cook")
    manager = auth("manager")
    for _ in range(10):
        pair(client, manager, "ZZZ ZZZ", cook.id, status=404)
    locked = pair(client, manager, "ZZZ ZZZ", cook.id, status=429)
    assert locked["error"]["code"] == "rate_limited"


def test_a_code_expires_after_ten_minutes(client, screen, demo, auth, make_staff):
    cook = make_staff("kitchen", name="Fry cook")
    code = shown_code(screen)
    clock.advance(11 * 60)
    pair(client, auth("manager"), code, cook.id, status=404)
    assert screen.get("/pair/status").get_json() == {"state": "expired"}
    assert shown_code(screen) != code  # a new one


@pytest.mark.parametrize(
    "role, body, status, field",
    [
        ("waiter", None, 403, None),
        ("manager", {"code": "ABC DEF", "staff_id": "x"}, 422, "staff_id"),
        ("manager", {"code": "<script>", "staff_id": 1}, 422, "code"),
        ("manager", {"code": "A" * 40, "staff_id": 1}, 422, "code"),
        ("manager", {"code": "ABC\u0000DEF", "staff_id": 1}, 422, "code"),
        ("manager", {"code": ["ABC"], "staff_id": 1}, 422, "code"),
    ],
)
def test_bad_pairing_requests(client, demo, auth, role, body, status, field):
    body = body or {"code": "ABC DEF", "staff_id": 1}
    response = client.post("/api/v1/auth/screen-pairings", json=body, headers=auth(role))
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["fields"]


def test_a_screen_is_paired_only_with_a_kitchen_login(client, screen, demo, auth, make_staff):
    waiter = make_staff("waiter", name="Not a screen")
    answer = pair(client, auth("manager"), shown_code(screen), waiter.id, status=422)
    assert answer["error"]["fields"] == {"staff_id": ["not an active kitchen login"]}


def test_a_pin_signed_in_manager_must_confirm_the_password(client, screen, demo, auth, make_staff):
    cook = make_staff("kitchen", name="Pastry cook")
    answer = pair(client, auth("manager", method="pin"), shown_code(screen), cook.id, status=403)
    assert answer["error"]["code"] == "strong_auth_required"
