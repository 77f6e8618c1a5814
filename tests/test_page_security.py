"""Pages, cookies and headers: the security headers on every answer, no caching of pages and
token answers, an encrypted session cookie, and every working screen under the CSP in a real
Chromium (Playwright, Debian's chromium) without a single violation."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import zlib
from pathlib import Path

import pytest
from live import running_server

from pos_app.web_security import SessionCipher

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ENGLISH = {"Accept-Language": "en"}
PASSWORD = "a long manager password"


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def pin_login(client, pin: str):
    """Sign in through the PIN form as a handheld's browser does; the login's answer."""
    page = client.get("/login", headers=ENGLISH).get_data(as_text=True)
    return client.post("/login", data={"csrf_token": csrf_of(page), "pin": pin})


def boot_token(page: str, element_id: str) -> str:
    """The bearer token a working screen hands its script (the boot JSON of the page)."""
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page)
    return json.loads(found.group(1))["token"]


def readable_forms(cookie: str) -> list[bytes]:
    """What anyone holding the cookie can read: its base64 parts, inflated where they inflate."""
    forms = [cookie.encode()]
    for part in cookie.lstrip(".").split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        forms.append(raw)
        with contextlib.suppress(zlib.error):
            forms.append(zlib.decompress(raw))
    return forms


def session_cookie_set_by(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header.split(";", 1)[0].removeprefix("session=")


# -- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/login", "/backoffice/login", "/healthz", "/api/v1/openapi.json", "/nowhere"]
)
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path, headers={"Host": "pos.local:5000"})
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self' ws://pos.local:5000 wss://pos.local:5000",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp, csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_forged_host_header_does_not_reach_the_policy(client):
    response = client.get("/login", headers={"Host": "evil.example;script-src *"})
    assert "evil" not in response.headers["Content-Security-Policy"]


def test_pages_and_answers_with_a_token_are_never_cached(client, demo, make_staff):
    make_staff("manager", pin="4811")
    assert client.get("/login").headers["Cache-Control"] == "no-store"  # its CSRF token
    pin_login(client, "4811")
    pages = ("/handheld", "/cashier", "/kds", "/stock/count", "/admin/printers", "/admin/menu")
    for path in (*pages, "/home"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    login = client.post("/api/v1/auth/login", json={"pin": "4811"})
    assert login.status_code == 200 and login.get_json()["token"]
    assert login.headers["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/js/lib/dom.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- the session cookie ---------------------------------------------------------------------


def test_the_session_cookie_does_not_reveal_the_bearer_token(client, make_staff):
    make_staff("waiter", pin="4812")
    login = pin_login(client, "4812")
    assert login.status_code == 302
    cookie = session_cookie_set_by(login)
    page = client.get("/handheld").get_data(as_text=True)
    token = boot_token(page, "hh-boot")  # the page still hands its script the token
    assert len(token) > 20
    for form in readable_forms(cookie):
        assert token.encode() not in form
        assert b"waiter" not in form  # nothing else of the session either


def test_a_changed_session_cookie_signs_nobody_in(app, client, make_staff):
    make_staff("waiter", pin="4813")
    cookie = session_cookie_set_by(pin_login(client, "4813"))
    assert client.get("/home").status_code == 200
    prefix, _, body = cookie.partition(".")
    middle = len(body) // 2
    flipped = body[:middle] + ("A" if body[middle] != "A" else "B") + body[middle + 1 :]
    for forged in (f"{prefix}.{flipped}", cookie[:-4], cookie + "AAAA"):
        stranger = app.test_client()
        stranger.set_cookie("session", forged)
        response = stranger.get("/home")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_sealed_with_another_key_signs_nobody_in(app, client, make_staff):
    make_staff("waiter", pin="4814")
    pin_login(client, "4814")
    real = client.get_cookie("session").value
    session = app.session_interface.get_signing_serializer(app).loads(real)
    other = SessionCipher("another branch's secret key", "session")
    forged = other.seal(app.session_interface.serializer.dumps(session).encode())
    stranger = app.test_client()
    stranger.set_cookie("session", forged)
    assert stranger.get("/home").status_code == 302


# -- the working screens in Chromium under the CSP ------------------------------------------

# Recorded from the first script on: every CSP violation the page meets.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' +
                    e.sourceFile + ':' + e.lineNumber);
});
"""


def signed_in_page(browser, url: str, pin: str, path: str):
    """A fresh browser signed in with `pin`, recording CSP violations and console errors."""
    viewport = {"width": 1280, "height": 800}
    context = browser.new_context(base_url=url, locale="en-US", viewport=viewport)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"/login?next={path}")
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(re.compile(re.escape(path.split("?")[0])))
    return page


def assert_no_violation(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)
    violations = page.evaluate("window.__csp")
    assert violations == [], violations
    blocked = [e for e in page.errors if "Content Security Policy" in e or "Refused" in e]
    assert blocked == [], blocked


def test_every_working_screen_runs_under_the_csp_without_a_violation(
    browser, database_url, arabic_catalog, demo, make_staff, tmp_path
):
    make_staff("waiter", pin="4821", locale="en")
    make_staff("cashier", pin="4822", locale="en")
    make_staff("kitchen", pin="4823", locale="en")
    make_staff("manager", pin="4824", locale="en", email="csp@example.com", password=PASSWORD)
    with running_server(database_url, tmp_path) as url:
        phone = signed_in_page(browser, url, "4821", "/handheld")
        tables = phone.locator("[data-testid^=table-]")
        expect(tables.first).to_be_visible()
        # The floor map places tables with inline positions set through the CSSOM.
        # Read in one script: the map is drawn again as the page's other reads arrive, and a
        # box read one call at a time could be of a tile already replaced (None).
        boxes = {
            tuple(b)
            for b in phone.evaluate(
                "() => [...document.querySelectorAll('[data-testid^=table-]')].slice(0, 4)"
                ".map((t) => [t.getBoundingClientRect().x, t.getBoundingClientRect().y])"
            )
        }
        assert len(boxes) == 4, boxes
        expect(phone.locator("#offline-banner")).to_be_hidden()  # its socket is connected
        assert_no_violation(phone, "handheld")

        kds = signed_in_page(browser, url, "4823", "/kds?station=grill")
        kds.wait_for_function("() => document.getElementById('kds').dataset.live === '1'")
        assert_no_violation(kds, "kds")

        count = signed_in_page(browser, url, "4823", "/stock/count")
        expect(count.get_by_test_id("empty")).to_be_visible()  # no stock in this demo
        assert_no_violation(count, "stock-count")

        till = signed_in_page(browser, url, "4822", "/cashier")
        expect(till.locator("#offline-banner")).to_be_hidden()
        assert_no_violation(till, "cashier")

        office = signed_in_page(browser, url, "4824", "/admin/printers")
        expect(office.locator("h1")).to_be_visible()
        assert_no_violation(office, "printers")
        # Two-factor set-up needs the password sign-in (a PIN is not strong enough).
        office.goto("/backoffice/login?next=/admin/security")
        office.fill("input[name=email]", "csp@example.com")
        office.fill("input[name=password]", PASSWORD)
        office.get_by_role("button", name="Log in").click()
        office.wait_for_url("**/admin/security")
        office.get_by_role("button", name="Set up two-factor sign-in").click()
        expect(office.get_by_test_id("totp-qr").locator("svg")).to_be_visible()  # inline SVG
        assert_no_violation(office, "security")
