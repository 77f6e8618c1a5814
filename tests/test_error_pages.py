"""Error pages: styled, in the page's language (Arabic right to left), with the way back.

404, 403, 405, 429, 500 and an expired form, for a stranger (back to the login) and for a
signed-in waiter (back to the handheld); API paths keep the JSON envelope. Flask's test client
for the answers, a real Chromium against the real server for what a person sees (screenshots
in tests/artifacts/).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import abort

from pos_app.errors import RateLimited

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ENGLISH = {"Accept-Language": "en"}
ARABIC = {"Accept-Language": "ar"}
PHONE = {"width": 390, "height": 844}
WAITER_PIN = "7303"


@pytest.fixture(autouse=True)
def _compiled_arabic(arabic_catalog):
    return arabic_catalog


def text_of(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, pin: str) -> None:
    token = csrf_of(text_of(client.get("/login", headers=ENGLISH)))
    assert client.post("/login", data={"csrf_token": token, "pin": pin}).status_code == 302


def failing_routes(app) -> None:
    """Routes that fail the ways a page can, added before the app's first request."""

    def boom():
        raise RuntimeError("a bug")

    def crowded():
        abort(429)

    def locked():
        raise RateLimited("too many", retry_after=42)

    app.add_url_rule("/test/boom", "test_boom", boom)
    app.add_url_rule("/test/crowded", "test_crowded", crowded)
    app.add_url_rule("/test/locked", "test_locked", locked)
    app.add_url_rule("/api/v1/test/boom", "test_api_boom", boom)


def error_of(page: str) -> dict:
    """The status, title, text and way back that an error page shows."""
    found = {
        key: re.search(pattern, page, re.S).group(1).strip()
        for key, pattern in {
            "status": r'data-testid="error-page" data-status="(\d+)"',
            "title": r'data-testid="error-title">(.*?)</h1>',
            "text": r'data-testid="error-text">(.*?)</p>',
            "back": r'href="([^"]+)" data-testid="error-back"',
        }.items()
    }
    found["status"] = int(found["status"])
    return found


@pytest.mark.parametrize(
    "method, path, status, english, arabic",
    [
        ("GET", "/nowhere", 404, "Page not found", "الصفحة غير موجودة"),
        ("GET", "/backoffice/nothing", 404, "Page not found", "الصفحة غير موجودة"),
        ("GET", "/logout", 405, "Not allowed here", "غير مسموح هنا"),
        ("POST", "/login", 400, "This form expired", "انتهت صلاحية هذا النموذج"),
        ("GET", "/test/crowded", 429, "Too many tries", "محاولات كثيرة جدًا"),
        ("GET", "/test/boom", 500, "Something went wrong", "حدث خطأ ما"),
    ],
)
def test_a_stranger_gets_a_styled_page_in_the_browsers_language(
    app, client, method, path, status, english, arabic
):
    failing_routes(app)
    for headers, title, html in (
        (ENGLISH, english, 'lang="en" dir="ltr"'),
        (ARABIC, arabic, 'lang="ar" dir="rtl"'),
    ):
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == status and response.mimetype == "text/html"
        page = text_of(response)
        assert f"<html {html}>" in page
        assert 'href="/static/css/app.css"' in page and 'data-testid="brand"' in page
        shown = error_of(page)
        assert shown["status"] == status and shown["title"] == title
        assert shown["back"] == "/login"  # nobody is signed in: the way back is the login
        assert "Werkzeug" not in page and "Not Found</h1>" not in page


def test_a_signed_in_waiter_is_sent_back_to_the_handheld(app, client, make_staff):
    failing_routes(app)
    make_staff("waiter", pin=WAITER_PIN, name="Nour")
    sign_in(client, WAITER_PIN)
    for path, status in (("/admin/menu", 403), ("/nowhere", 404), ("/test/boom", 500)):
        page = text_of(client.get(path, headers=ENGLISH))
        shown = error_of(page)
        assert shown["status"] == status
        assert shown["back"] == "/handheld" and "Back to my screen" in page
    page = text_of(client.get("/admin/menu", headers=ARABIC))
    assert error_of(page)["title"] == "هذه الصفحة ليست ضمن صلاحياتك"
    assert '<html lang="ar" dir="rtl">' in page and "العودة إلى شاشتي" in page


def test_a_rate_limit_on_a_page_says_how_long_to_wait(app, client):
    failing_routes(app)
    response = client.get("/test/locked", headers=ENGLISH)
    assert response.status_code == 429 and response.headers["Retry-After"] == "42"
    assert error_of(text_of(response))["text"] == "Wait 42 seconds, then try again."
    assert "انتظر 42 ثانية" in text_of(client.get("/test/locked", headers=ARABIC))


def test_api_paths_keep_the_json_envelope(app, client):
    failing_routes(app)
    for path, method, status, code in (
        ("/api/v1/nowhere", "GET", 404, "not_found"),
        ("/api/v1/test/boom", "GET", 500, "internal_error"),
        ("/api/v1/auth/login", "GET", 405, "method_not_allowed"),
    ):
        response = client.open(path, method=method)
        assert response.status_code == status and response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == code


def test_the_bare_back_office_addresses_lead_somewhere(client, make_staff):
    response = client.get("/backoffice")
    assert response.status_code == 302 and response.headers["Location"] == "/backoffice/login"
    response = client.get("/admin")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/login?next=/admin")
    make_staff("manager", pin="7304")
    sign_in(client, "7304")
    assert client.get("/backoffice").headers["Location"] == "/admin"
    assert client.get("/admin").status_code == 200  # the back office's home


# -- in the browser ---------------------------------------------------------------------------


@pytest.fixture
def server(module_server, demo):
    """The real server (one per module) over the demo restaurant."""
    return module_server


def answer_with(status: int, body: str):
    """A Playwright route handler answering `status` with `body`."""

    def handle(route):
        route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return handle


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_error_pages_in_the_browser_look_like_the_app_and_lead_back(
    browser, server, app, make_staff, lang
):
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    context = browser.new_context(
        base_url=server, viewport=PHONE, locale="en-US", service_workers="block"
    )
    page = context.new_page()
    try:
        if lang == "ar":
            page.goto("/lang/ar?next=/login")
        # A stranger: 404, then the way back to the login.
        page.goto("/backoffice/nothing")
        expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "404")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        title = {"en": "Page not found", "ar": "الصفحة غير موجودة"}[lang]
        expect(page.get_by_test_id("error-title")).to_have_text(title)
        card = page.get_by_test_id("error-page")
        styled = card.evaluate("e => getComputedStyle(e).backgroundColor")
        assert styled not in ("rgba(0, 0, 0, 0)", "transparent")  # app.css is applied
        brand = page.locator(".brand").bounding_box()
        actions = page.locator(".topbar-actions").bounding_box()
        assert (brand["x"] > actions["x"]) == (lang == "ar")  # right to left in Arabic
        shot(page, f"error-404-{lang}.png")
        page.get_by_test_id("error-back").click()
        page.wait_for_url("**/login")
        expect(page.get_by_test_id("pin-form")).to_be_visible()

        # A form sent with a stale CSRF token: "this form expired", not a bare 400.
        page.evaluate("document.querySelector('[name=csrf_token]').value = 'stale'")
        page.fill("#pin", WAITER_PIN)
        page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "400")
        shot(page, f"error-csrf-{lang}.png")

        # Signed in: a 403 and a 405 lead back to the waiter's screen.
        page.goto("/login")
        page.fill("#pin", WAITER_PIN)
        page.get_by_test_id("pin-submit").click()
        page.wait_for_url("**/handheld")
        for path, status in (("/admin/menu", "403"), ("/logout", "405")):
            page.goto(path)
            expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", status)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            shot(page, f"error-{status}-{lang}.png")
        page.get_by_test_id("error-back").click()
        page.wait_for_url("**/handheld")

        # 429 and 500 as this app renders them (no route of the real server fails on purpose).
        failing_routes(app)
        client = app.test_client()
        headers = {"Accept-Language": lang}
        for path, status in (("/test/locked", 429), ("/test/boom", 500)):
            body = text_of(client.get(path, headers=headers))
            page.route(f"**{path}", answer_with(status, body))
            page.goto(path)
            expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", str(status))
            expect(page.locator("html")).to_have_attribute("lang", lang)
            shot(page, f"error-{status}-{lang}.png")
    finally:
        context.close()
