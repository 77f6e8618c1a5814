"""PIN guessing: the branch's PIN-space budget, per-device lockouts, the managers' alert,
approval PINs, and decoy argon2 checks (security review, parts 3, 4 and 10)."""

from __future__ import annotations

import secrets
import threading
import uuid

import pytest
from sqlalchemy import func, select

from pos_app import clock, offhub
from pos_app.audit import AuditEntry
from pos_app.extensions import socketio
from pos_app.menu.models import MenuItem

BUDGET = 10  # POS_LOGIN_PIN_BUDGET's default


def new_device_id() -> str:
    """A device id as a browser or API client keeps one (never used to sign in)."""
    return secrets.token_urlsafe(32)


def login(client, body, addr="10.0.0.7", device=None):
    headers = {"X-POS-Device": device} if device else {}
    return client.post(
        "/api/v1/auth/login", json=body, headers=headers, environ_base={"REMOTE_ADDR": addr}
    )


def wrong_pins(taken: set[str]):
    """Four-digit PINs nobody has, in the order an attacker would try them."""
    return (f"{n:04d}" for n in range(10_000) if f"{n:04d}" not in taken)


def known_handheld(client, pin: str, addr: str = "192.168.1.20") -> str:
    """A handheld that signed in once: its device id."""
    device = new_device_id()
    response = login(client, {"pin": pin}, addr, device)
    assert response.status_code == 200, response.get_json()
    assert response.get_json().get("device_id", device) == device
    return device


def spend_budget(client, taken: set[str], addr_of=lambda n: f"10.1.0.{n}") -> None:
    """Wrong PINs from devices never seen, each from a new address: the whole budget."""
    guesses = wrong_pins(taken)
    for n in range(BUDGET):
        assert login(client, {"pin": next(guesses)}, addr_of(n)).status_code == 401


def alerts(db) -> list[AuditEntry]:
    with db(write=False) as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.pin_guessing")).all()


# -- the PIN space: changing address or cookie resets nothing ----------------------------------


def test_rotating_addresses_does_not_reset_the_pin_space_budget(client, make_staff):
    make_staff("waiter", pin="1111")
    spend_budget(client, {"1111"})
    # The review's attack went on from 23 loopback addresses; every further try now waits,
    # the right PIN included.
    for n in range(BUDGET, 23):
        refused = login(client, {"pin": "1111"}, f"10.1.0.{n}")
        assert refused.status_code == 429, refused.get_json()
        assert refused.get_json()["error"]["code"] == "rate_limited"
        assert 3500 <= int(refused.headers["Retry-After"]) <= 3600


def test_new_device_ids_do_not_reset_it_either(client, make_staff):
    make_staff("waiter", pin="1111")
    guesses = wrong_pins({"1111"})
    for _ in range(BUDGET):
        wrong = login(client, {"pin": next(guesses)}, "10.2.0.1", device=new_device_id())
        assert wrong.status_code == 401
        clock.advance(15)  # slower than the address limit (5 a minute)
    refused = login(client, {"pin": "1111"}, "10.2.0.1", device=new_device_id())
    assert refused.status_code == 429


def test_the_budget_comes_back_after_an_hour_then_doubles(client, make_staff):
    make_staff("waiter", pin="1111")
    spend_budget(client, {"1111"})
    clock.advance(3601)
    spend_budget(client, {"1111"}, addr_of=lambda n: f"10.3.0.{n}")
    refused = login(client, {"pin": "1111"}, "10.3.1.1")
    assert 7100 <= int(refused.headers["Retry-After"]) <= 7200


def test_known_handhelds_keep_working_while_unknown_devices_are_refused(client, make_staff):
    make_staff("waiter", pin="1111", name="Sara")
    make_staff("waiter", pin="1112", name="Omar")
    sara = known_handheld(client, "1111")
    # The attacker sits behind the same router as the handhelds (one address for all), then
    # moves on to other addresses once that one is limited.
    spend_budget(
        client, {"1111", "1112"}, addr_of=lambda n: "192.168.1.20" if n < 5 else f"10.7.0.{n}"
    )
    assert login(client, {"pin": "1112"}, "192.168.1.20").status_code == 429
    assert login(client, {"pin": "1112"}, "192.168.1.20", new_device_id()).status_code == 429
    again = login(client, {"pin": "1111"}, "192.168.1.20", device=sara)
    assert again.status_code == 200, again.get_json()
    # Another waiter on Sara's handheld too: it is the device that is known.
    assert login(client, {"pin": "1112"}, "192.168.1.20", device=sara).status_code == 200


# -- known devices: their own lockout, growing ------------------------------------------------


def test_one_waiters_typos_lock_only_their_handheld(client, make_staff):
    make_staff("waiter", pin="1111")
    make_staff("waiter", pin="1112")
    first, second = known_handheld(client, "1111"), known_handheld(client, "1112")
    for _ in range(5):
        assert login(client, {"pin": "9999"}, "192.168.1.20", first).status_code == 401
    assert login(client, {"pin": "1111"}, "192.168.1.20", first).status_code == 429
    # Same address (the shop's NAT), other handheld: not punished.
    assert login(client, {"pin": "1112"}, "192.168.1.20", second).status_code == 200
    assert login(client, {"pin": "1111"}, "192.168.1.20", second).status_code == 200


def test_a_handhelds_lockout_doubles_and_its_own_pin_does_not_reset_it(client, make_staff):
    make_staff("waiter", pin="1111")
    device = known_handheld(client, "1111")
    for expected in (60, 120, 240, 480):
        for _ in range(5):
            assert login(client, {"pin": "9999"}, "10.0.0.9", device).status_code == 401
        refused = login(client, {"pin": "1111"}, "10.0.0.9", device)
        assert refused.status_code == 429
        assert expected - 2 <= int(refused.headers["Retry-After"]) <= expected
        clock.advance(expected + 1)
        # A curious employee signing in with their own PIN between guesses resets nothing.
        assert login(client, {"pin": "1111"}, "10.0.0.9", device).status_code == 200


# -- the alert ------------------------------------------------------------------------------


def test_spending_the_budget_alerts_owners_and_managers_once(
    app, client, db, make_staff, token_for
):
    make_staff("waiter", pin="1111")
    screens = {
        role: socketio.test_client(
            app, namespace="/floor", auth={"token": token_for(role)}, flask_test_client=client
        )
        for role in ("owner", "manager", "waiter")
    }
    for screen in screens.values():
        assert screen.is_connected("/floor")
        screen.get_received("/floor")
    spend_budget(client, {"1111"})
    for _ in range(3):
        assert login(client, {"pin": "1111"}, "10.9.9.9").status_code == 429
    entries = alerts(db)
    assert len(entries) == 1
    assert entries[0].after["budget"] == "pin-space" and entries[0].after["known_device"] is False
    for role, screen in screens.items():
        got = [m for m in screen.get_received("/floor") if m["name"] == "security_alert"]
        assert len(got) == (0 if role == "waiter" else 1), role
        if got:
            assert got[0]["args"][0]["kind"] == "pin_guessing"
        screen.disconnect(namespace="/floor")


def test_wrong_pins_on_known_handhelds_alert_after_a_days_worth(client, db, make_staff):
    make_staff("waiter", pin="1111")
    devices = [known_handheld(client, "1111", f"10.4.0.{n}") for n in range(8)]
    guesses = wrong_pins({"1111"})
    for n in range(29):
        device = devices[n % 8]
        assert login(client, {"pin": next(guesses)}, "10.4.1.1", device).status_code == 401
    assert alerts(db) == []
    assert login(client, {"pin": next(guesses)}, "10.4.1.1", devices[5]).status_code == 401
    assert [e.after["budget"] for e in alerts(db)] == ["pin-failures"]


# -- approval PINs --------------------------------------------------------------------------


@pytest.fixture
def discount(client, demo, db, auth):
    """Post a 20 % discount (needs a manager's approval) on a new order, with a PIN."""
    with db(write=False) as s:
        item = s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))
    waiter = auth("waiter")

    def post(pin: str, headers=waiter, addr="10.0.0.7", device=None):
        order = {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "lines": [{"id": str(uuid.uuid4()), "item_id": item, "quantity": 1}],
        }
        made = client.post("/api/v1/orders", json=order, headers=headers)
        assert made.status_code == 201, made.get_json()
        body = {"kind": "percent", "percent_bp": 2_000, "reason": "guest", "approver_pin": pin}
        return client.post(
            f"/api/v1/orders/{order['id']}/discounts",
            json=body,
            headers={**headers, **({"X-POS-Device": device} if device else {})},
            environ_base={"REMOTE_ADDR": addr},
        )

    return post


def test_a_waiters_pin_as_approver_answers_like_a_wrong_pin(discount, make_staff, monkeypatch):
    make_staff("waiter", pin="5151")
    checks = count_argon2_checks(monkeypatch)
    answers = {}
    for pin in ("9999", "5151"):
        checks.clear()
        response = discount(pin)
        answers[pin] = (response.status_code, response.get_json(), len(checks))
    assert answers["9999"] == answers["5151"]
    assert answers["9999"][0] == 403
    assert answers["9999"][1]["error"]["code"] == "wrong_approver_pin"
    assert answers["9999"][2] == 1  # one argon2 check each: a decoy for the wrong PIN
    assert discount("4444").status_code == 201  # the demo manager


def test_wrong_approval_pins_count_per_actor_and_in_the_pin_space(client, db, discount, auth, demo):
    handheld = known_handheld(client, "1111")  # Sara's, signed in before all this
    guesses = wrong_pins({"1111", "1112", "2222", "3333", "4444"})
    first, second = auth("waiter"), auth("waiter")
    for headers in (first, second):
        for _ in range(5):
            assert discount(next(guesses), headers).status_code == 403
    refused = discount("4444", first)
    assert refused.status_code == 429  # this waiter's approvals wait
    assert [e.after["what"] for e in alerts(db)] == ["approval"]
    # The budget is spent: a device never seen may not try a PIN now, a known one may.
    assert login(client, {"pin": "1111"}, "10.5.0.1").status_code == 429
    assert discount("4444", auth("waiter")).status_code == 429  # from a device never seen
    assert discount("4444", auth("waiter"), device=handheld).status_code == 201


# -- the same cost whether an account or PIN exists ------------------------------------------


def count_argon2_checks(monkeypatch) -> list:
    """Record every argon2 verification (the decoy ones included)."""
    calls: list = []
    real = offhub.run

    def counting(purpose, fn, *args):
        if getattr(fn, "__name__", "") == "verify":
            calls.append(args)
        return real(purpose, fn, *args)

    monkeypatch.setattr(offhub, "run", counting)
    return calls


def test_an_unknown_email_costs_the_same_argon2_check_as_a_wrong_password(
    client, make_staff, monkeypatch
):
    make_staff("owner", email="boss@example.com", password="correct horse battery")
    checks = count_argon2_checks(monkeypatch)
    answers = []
    for email in ("boss@example.com", "nobody@example.com"):
        checks.clear()
        response = login(client, {"email": email, "password": "wrong password"})
        answers.append((response.status_code, response.get_json(), len(checks)))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (401, answers[0][1]) and answers[0][2] == 1


# -- PostgreSQL: guesses sent at once do not slip past the budget ----------------------------


def test_guesses_sent_at_once_spend_the_budget_once(app, db, make_staff):
    make_staff("waiter", pin="1111")
    guesses = list(zip(range(30), wrong_pins({"1111"}), strict=False))
    statuses: list[int] = []
    start = threading.Barrier(len(guesses))

    def guess(n: int, pin: str) -> None:
        start.wait()
        response = login(app.test_client(), {"pin": pin}, f"10.6.0.{n}")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=g) for g in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * BUDGET + [429] * (len(guesses) - BUDGET)
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1  # one alert
