"""Login by PIN and by password with TOTP, bearer tokens, expiry, revocation, rate limits."""

import pyotp
import pytest
from sqlalchemy import func, select

from pos_app import clock
from pos_app.auth.models import AuthToken, LoginAttempt, Staff
from pos_app.db import session as db_session


def login(client, body, addr="10.0.0.7"):
    return client.post("/api/v1/auth/login", json=body, environ_base={"REMOTE_ADDR": addr})


def test_pin_login_gives_a_token_that_opens_the_api(client, make_staff):
    staff = make_staff("waiter", pin="1111", name="Sara")
    response = login(client, {"pin": "1111"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["staff"] == {"id": staff.id, "name": "Sara", "role": "waiter", "locale": None}
    assert body["expires_in"] == 16 * 3600
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["name"] == "Sara"


def test_pins_and_passwords_are_stored_as_argon2_hashes(app, db, make_staff):
    make_staff("owner", pin="4321", email="o@example.com", password="a long password")
    with db(write=False) as s:
        staff = s.scalar(select(Staff))
        assert staff.pin_hash.startswith("$argon2id$") and "4321" not in staff.pin_hash
        assert staff.password_hash.startswith("$argon2id$")
        tokens = s.scalars(select(AuthToken.token_hash)).all()
    assert tokens == []


def test_wrong_pin_is_401_and_sixth_wrong_pin_in_a_minute_is_429(client, make_staff):
    make_staff("waiter", pin="1111")
    for _ in range(5):
        response = login(client, {"pin": "9999"})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "wrong_credentials"
    response = login(client, {"pin": "9999"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # Even the right PIN waits: the device is locked for the rest of the minute.
    assert login(client, {"pin": "1111"}).status_code == 429
    # Another handheld is not affected.
    assert login(client, {"pin": "1111"}, addr="10.0.0.8").status_code == 200
    clock.advance(61)
    assert login(client, {"pin": "1111"}).status_code == 200


def test_failed_passwords_for_one_account_are_limited_across_devices(client, make_staff):
    make_staff("owner", email="boss@example.com", password="correct horse battery")
    for n in range(5):
        bad = {"email": "boss@example.com", "password": "wrong password"}
        assert login(client, bad, addr=f"10.0.1.{n}").status_code == 401
    good = {"email": "boss@example.com", "password": "correct horse battery"}
    assert login(client, good, addr="10.0.1.99").status_code == 429


def test_password_login_needs_the_totp_code_once_enrolled(client, make_staff):
    make_staff("manager", email="m@example.com", password="manager password")
    body = {"email": "M@Example.com", "password": "manager password"}
    first = login(client, body)
    assert first.status_code == 200
    headers = {"Authorization": f"Bearer {first.get_json()['token']}"}
    enrolment = client.post("/api/v1/auth/totp/enroll", headers=headers).get_json()
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/")
    assert "<svg" in enrolment["qr_svg"]
    totp = pyotp.TOTP(enrolment["secret"])
    wrong = client.post("/api/v1/auth/totp/confirm", headers=headers, json={"code": "000000"})
    assert wrong.status_code == 401
    confirming = totp.now()
    ok = client.post("/api/v1/auth/totp/confirm", headers=headers, json={"code": confirming})
    assert ok.status_code == 204
    # The code that confirmed the enrolment is spent: it does not sign in as well.
    spent = login(client, {**body, "otp": confirming}, addr="10.0.2.9")
    assert spent.status_code == 401

    without = login(client, body, addr="10.0.2.1")
    assert without.status_code == 401
    assert without.get_json()["error"]["code"] == "otp_required"
    clock.advance(30)  # the next time step: a code not spent yet
    code = totp.at(clock.utcnow())
    assert login(client, {**body, "otp": code}, addr="10.0.2.2").status_code == 200
    # The same code again (seen over a shoulder) is refused within its window.
    replay = login(client, {**body, "otp": code}, addr="10.0.2.3")
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "otp_required"


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "token_missing"),
        ("Bearer not-a-real-token", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "token_missing"),
    ],
)
def test_missing_or_bad_tokens_are_401(client, header, code):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/menu", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_expire(client, auth, app):
    headers = auth("waiter")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(8 * 3600 + 1)  # the factory's tokens live 8 hours
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_logout_revokes_the_token(client, auth):
    headers = auth("waiter")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.get_json()["error"]["code"] == "token_revoked"


def test_deactivating_staff_revokes_their_tokens(client, auth, make_staff, token_for):
    waiter = make_staff("waiter", pin="2468")
    token = login(client, {"pin": "2468"}).get_json()["token"]
    response = client.delete(f"/api/v1/staff/{waiter.id}", headers=auth("manager"))
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert login(client, {"pin": "2468"}, addr="10.0.3.1").status_code == 401


def test_a_new_role_signs_the_staff_member_out(client, auth, make_staff):
    cashier = make_staff("cashier", pin="3579")
    token = login(client, {"pin": "3579"}).get_json()["token"]
    changed = client.patch(
        f"/api/v1/staff/{cashier.id}", json={"role": "waiter"}, headers=auth("owner")
    )
    assert changed.status_code == 200 and changed.get_json()["role"] == "waiter"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401 and me.get_json()["error"]["code"] == "token_revoked"


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "pin"),
        ({"pin": "12"}, "pin"),
        ({"pin": 1111}, "pin"),
        ({"email": "x@example.com"}, "password"),
        ({"email": "not-an-email", "password": "x"}, "email"),
        ({"pin": "1111", "email": "x@example.com", "password": "x"}, "pin"),
    ],
)
def test_bad_login_bodies_are_422_with_the_field(client, body, field):
    response = login(client, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_login_sessions_are_not_left_open(app, client, make_staff):
    make_staff("waiter", pin="1111")
    login(client, {"pin": "1111"})
    assert not db_session.registry.has()


def test_a_kitchen_screen_signs_in_with_its_device_token(client, make_staff, auth):
    cook = make_staff("kitchen", name="Grill screen")
    waiter = make_staff("waiter")
    manager = auth("manager")
    refused = client.post(
        "/api/v1/auth/device-tokens",
        headers=manager,
        json={"staff_id": waiter.id, "device": "grill tablet"},
    )
    assert refused.status_code == 422 and "staff_id" in refused.get_json()["error"]["fields"]
    made = client.post(
        "/api/v1/auth/device-tokens",
        headers=manager,
        json={"staff_id": cook.id, "device": "grill tablet", "days": 30},
    )
    assert made.status_code == 201
    body = made.get_json()
    assert body["expires_in"] == 30 * 86400
    page = client.get(body["login_url"])
    assert page.status_code == 302  # signed in, sent to the kitchen screen
    assert client.get("/home").status_code in (200, 302)
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["name"] == "Grill screen"
    assert client.get("/login/device?token=nope").status_code == 401


# -- step-up: a PIN sign-in made strong for a few minutes --------------------------------------


def step_up(client, headers, **body):
    return client.post("/api/v1/auth/step-up", json=body, headers=headers)


def test_a_manager_signed_in_by_pin_confirms_the_password_to_change_prices(
    client, demo, make_staff
):
    make_staff("manager", pin="6060", email="m@example.com", password="manager password")
    token = login(client, {"pin": "6060"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    item = client.get("/api/v1/items", headers=headers).get_json()["items"][0]
    url = f"/api/v1/items/{item['id']}"

    refused = client.patch(url, json={"price_minor": 1}, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "strong_auth_required"
    wrong = step_up(client, headers, password="not my password")
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "wrong_credentials"
    assert client.patch(url, json={"price_minor": 1}, headers=headers).status_code == 403

    confirmed = step_up(client, headers, password="manager password")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["expires_in"] == 600
    changed = client.patch(url, json={"price_minor": 2500}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["price_minor"] == 2500

    clock.advance(601)
    later = client.patch(url, json={"price_minor": 1}, headers=headers)
    assert later.status_code == 403
    assert later.get_json()["error"]["code"] == "strong_auth_required"


def test_step_up_needs_the_totp_code_once_enrolled_and_is_rate_limited(client, make_staff):
    make_staff("owner", pin="6161", email="o@example.com", password="owner password")
    strong = login(client, {"email": "o@example.com", "password": "owner password"})
    strong_headers = {"Authorization": f"Bearer {strong.get_json()['token']}"}
    secret = client.post("/api/v1/auth/totp/enroll", headers=strong_headers).get_json()["secret"]
    code = pyotp.TOTP(secret).now()
    assert (
        client.post(
            "/api/v1/auth/totp/confirm", headers=strong_headers, json={"code": code}
        ).status_code
        == 204
    )

    headers = {"Authorization": f"Bearer {login(client, {'pin': '6161'}).get_json()['token']}"}
    without = step_up(client, headers, password="owner password")
    assert without.status_code == 401 and without.get_json()["error"]["code"] == "otp_required"
    for _ in range(4):
        assert step_up(client, headers, password="wrong password").status_code == 401
    # Five failures for this account: even the right password and code wait now.
    right = step_up(client, headers, password="owner password", otp=pyotp.TOTP(secret).now())
    assert right.status_code == 429 and int(right.headers["Retry-After"]) <= 60


def test_a_pin_sign_in_is_sent_to_the_password_login_for_two_factor_set_up(client, make_staff):
    make_staff("manager", pin="6262", email="m2@example.com", password="manager password")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"csrf_token": token, "pin": "6262"}).status_code == 302
    response = client.get("/admin/security")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/login")


# -- the device cookie ------------------------------------------------------------------------


def test_the_login_page_gives_the_browser_a_device_cookie(app, client):
    response = client.get("/login")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("pos_device="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie
    # Kept: the next page load does not hand out another one.
    again = client.get("/login").headers.getlist("Set-Cookie")
    assert not any(c.startswith("pos_device=") for c in again)
    app.config["SESSION_COOKIE_SECURE"] = True
    fresh = app.test_client().get("/login").headers.getlist("Set-Cookie")
    assert any(c.startswith("pos_device=") and "Secure" in c for c in fresh)


def test_a_browser_that_signed_in_keeps_its_pin_login_when_others_are_locked_out(
    client, make_staff, app
):
    make_staff("waiter", pin="1111")
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"csrf_token": csrf, "pin": "1111"}).status_code == 302
    # Strangers spend the branch's budget of wrong PINs from devices it has never seen.
    stranger = app.test_client()
    for n in range(10):
        assert login(stranger, {"pin": f"{9000 + n}"}, f"10.8.0.{n}").status_code == 401
    assert login(stranger, {"pin": "1111"}, "10.8.1.1").status_code == 429
    home = client.get("/home").get_data(as_text=True)  # signed in, /login goes to the screen:
    csrf = home.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302  # sign out first
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"csrf_token": csrf, "pin": "1111"}).status_code == 302


def test_step_up_refuses_hostile_bodies_and_a_replayed_code(client, make_staff, auth):
    make_staff("manager", pin="6363", email="m3@example.com", password="manager password")
    strong = login(client, {"email": "m3@example.com", "password": "manager password"})
    strong_headers = {"Authorization": f"Bearer {strong.get_json()['token']}"}
    secret = client.post("/api/v1/auth/totp/enroll", headers=strong_headers).get_json()["secret"]
    confirm = {"code": pyotp.TOTP(secret).now()}
    assert client.post("/api/v1/auth/totp/confirm", headers=strong_headers, json=confirm)
    headers = {"Authorization": f"Bearer {login(client, {'pin': '6363'}).get_json()['token']}"}
    for body, field in (
        ({}, "password"),
        ({"password": "x" * 201}, "password"),
        ({"password": ["manager password"]}, "password"),
        ({"password": "manager password", "otp": "12ab56"}, "otp"),
    ):
        response = step_up(client, headers, **body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    clock.advance(30)  # the confirming code is spent: the next time step's
    code = pyotp.TOTP(secret).at(clock.utcnow())
    first = step_up(client, headers, password="manager password", otp=code)
    # The code already used to confirm, or used once here, does not open a second step-up.
    replay = step_up(client, headers, password="manager password", otp=code)
    assert first.status_code == 200, first.get_json()
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "otp_required"
    response = step_up(client, auth("cashier"), password="whatever")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden_role"


@pytest.mark.parametrize(
    "device", ["x", "a" * 31, "a" * 65, "é" * 40, "../../etc/passwd" + "a" * 30, "a b" * 20]
)
def test_a_malformed_device_id_counts_as_none(client, make_staff, device):
    make_staff("waiter", pin="1111")
    response = client.post(
        "/api/v1/auth/login", json={"pin": "1111"}, headers={"X-POS-Device": device}
    )
    assert response.status_code == 200
    assert response.get_json()["device_id"] != device  # a new, well-formed id instead


@pytest.mark.parametrize("right", [True, False], ids=["right PIN", "wrong PIN"])
def test_a_pin_is_checked_without_holding_sqlites_write_lock(
    client, db, make_staff, writer_during_argon2, right
):
    """argon2 (~100 ms) runs in a read transaction: orders need not wait for a login."""
    staff = make_staff("waiter")
    other_writer = writer_during_argon2()
    pin = staff.test_pin if right else "0000"
    response = login(client, {"pin": pin})

    assert other_writer == ["got the lock"]
    assert response.status_code == (200 if right else 401)
    if not right:  # the failure still counted, in the writer's transaction that followed
        with db(write=False) as s:
            assert s.scalar(select(func.count()).select_from(LoginAttempt)) > 0


def _enrolled_manager(client, make_staff, email="lost.phone@example.com", role="manager"):
    """A manager (or `role`) with two-factor sign-in, and their signed-in headers."""
    manager = make_staff(role, name="Lost phone", email=email, password="manager password")
    body = {"email": email, "password": "manager password"}
    headers = {"Authorization": f"Bearer {login(client, body).get_json()['token']}"}
    secret = client.post("/api/v1/auth/totp/enroll", headers=headers).get_json()["secret"]
    code = {"code": pyotp.TOTP(secret).now()}
    assert client.post("/api/v1/auth/totp/confirm", headers=headers, json=code).status_code == 204
    return manager, headers, body


def test_an_owner_turns_off_a_managers_two_factor_when_the_phone_is_lost(
    client, demo, db, auth, make_staff
):
    from pos_app.audit import AuditEntry

    manager, manager_headers, body = _enrolled_manager(client, make_staff)
    clock.advance(30)
    assert login(client, body, addr="10.0.3.1").get_json()["error"]["code"] == "otp_required"
    url = f"/api/v1/staff/{manager.id}/totp"
    assert client.delete(url, headers=auth("manager")).status_code == 403  # owners only
    assert client.delete(url, headers=auth("owner", method="pin")).status_code == 403  # strong
    owner = auth("owner")
    assert client.delete(url, headers=owner).status_code == 204
    assert client.get("/api/v1/auth/me", headers=manager_headers).status_code == 401  # signed out
    assert login(client, body, addr="10.0.3.2").status_code == 200  # the password alone again
    again = client.delete(url, headers=owner)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "no_totp"
    with db(write=False) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff.totp_reset")).one()
        assert entry.target_id == str(manager.id)
    assert client.delete("/api/v1/staff/999999/totp", headers=owner).status_code == 404
    assert client.delete("/api/v1/staff/x/totp", headers=owner).status_code == 404


def test_an_owner_does_not_turn_off_their_own_two_factor_here(client, demo, make_staff):
    owner, headers, _body = _enrolled_manager(client, make_staff, "own@example.com", "owner")
    answer = client.delete(f"/api/v1/staff/{owner.id}/totp", headers=headers)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "own_totp"
