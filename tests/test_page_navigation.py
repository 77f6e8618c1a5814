"""Where each role lands, the brand link, the home tiles, Back to the login page, the favicon
and the device's language: Flask's test client for the answers, a real Chromium for what a
person does (screenshots in tests/artifacts/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ENGLISH = {"Accept-Language": "en"}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1180, "height": 820}
SCREENS = {  # role -> where it lands after its PIN
    "waiter": "/handheld",
    "kitchen": "/kds",
    "cashier": "/cashier",
    "manager": "/admin",
    "owner": "/admin",
}
TILES = {  # role -> the home tiles it gets, in order
    "waiter": ["handheld", "cashier"],
    "cashier": ["handheld", "cashier"],
    "kitchen": ["screen", "stock_count"],
    "manager": [
        "handheld",
        "cashier",
        "screen",
        "stock_count",
        "home",
        "menu",
        "staff",
        "printers",
        "security",
    ],
    "owner": [
        "handheld",
        "cashier",
        "screen",
        "stock_count",
        "home",
        "menu",
        "staff",
        "printers",
        "security",
    ],
}


@pytest.fixture(autouse=True)
def _compiled_arabic(arabic_catalog):
    return arabic_catalog


def text_of(response) -> str:
    return response.get_data(as_text=True)


def pin_login(client, pin: str, query: str = ""):
    page = text_of(client.get("/login" + query, headers=ENGLISH))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login" + query, data={"csrf_token": token, "pin": pin})


@pytest.mark.parametrize("role", list(SCREENS))
def test_each_role_lands_on_its_screen_and_the_brand_link_goes_back(client, make_staff, role):
    make_staff(role, pin="7311")
    response = pin_login(client, "7311")
    assert response.status_code == 302 and response.headers["Location"] == SCREENS[role]
    screen = text_of(client.get(SCREENS[role], headers=ENGLISH))
    assert f'class="brand" href="{SCREENS[role]}"' in screen
    assert client.get("/").headers["Location"] == SCREENS[role]
    home = text_of(client.get("/home", headers=ENGLISH))
    assert re.findall(r'data-testid="tile-(\w+)"', home) == TILES[role]
    assert "tile-soon" not in home and "arrive with the orders release" not in home
    for tile in re.findall(r'class="tile" href="([^"]+)"', home):
        answer = client.get(tile, headers=ENGLISH)  # no tile leads to a 403
        if answer.status_code == 302:  # the two-factor page asks a PIN sign-in for the password
            assert answer.headers["Location"].startswith("/backoffice/login?next=" + tile)
        else:
            assert answer.status_code == 200, tile


def test_the_brand_link_of_a_stranger_is_the_login(client):
    assert 'class="brand" href="/login"' in text_of(client.get("/login", headers=ENGLISH))


@pytest.mark.parametrize("next_", ["", "?next=https://evil.example/", "?next=//evil.example/"])
def test_the_login_page_sends_signed_in_staff_on_to_their_screen(client, make_staff, next_):
    make_staff("waiter", pin="7312")
    pin_login(client, "7312")
    response = client.get("/login" + next_)
    assert response.status_code == 302 and response.headers["Location"] == "/handheld"
    assert client.get("/login?next=/cashier").headers["Location"] == "/cashier"


def test_the_favicon_is_served_as_an_icon_and_named_by_every_page(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "max-age" in icon.headers["Cache-Control"]
    svg = client.get("/static/favicon.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    page = text_of(client.get("/login"))
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in page


@pytest.mark.parametrize("cookie", ["fr", "../ar", "a" * 5000, "ar\x00", ""])
def test_a_forged_language_cookie_falls_back_to_the_browsers(client, cookie):
    client.set_cookie("pos_lang", cookie)
    response = client.get("/login", headers=ENGLISH)
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in text_of(response)


# -- in the browser ---------------------------------------------------------------------------


@pytest.fixture
def server(module_server, demo):
    """The real server (one per module) over the demo restaurant."""
    return module_server


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def new_page(browser, server, viewport=PHONE, locale="en-US"):
    context = browser.new_context(
        base_url=server, viewport=viewport, locale=locale, service_workers="block"
    )
    return context, context.new_page()


def sign_in(page, pin: str, lands: str) -> None:
    page.goto("/login")
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(f"**{lands}")


def test_back_twice_from_the_handheld_stays_on_the_handheld(browser, server, make_staff):
    make_staff("waiter", pin="7313", name="Nour", locale="en")
    context, page = new_page(browser, server)
    try:
        sign_in(page, "7313", "/handheld")
        expect(page.get_by_test_id("floor-map").locator(".hh-table")).to_have_count(10)
        page.get_by_test_id("table-4").click()
        page.get_by_test_id("guests-2").click()
        page.wait_for_url("**/handheld#order=*")
        page.go_back()
        page.wait_for_url(re.compile(r".*/handheld(#floor)?$"))
        page.go_back()  # to the PIN page in the history: the server sends a signed-in device on
        page.wait_for_url(re.compile(r".*/handheld$"))
        expect(page.get_by_test_id("handheld")).to_be_visible()
        expect(page.get_by_test_id("pin-form")).to_have_count(0)
        shot(page, "back-twice-handheld.png")
    finally:
        context.close()


def test_a_manager_lands_on_live_tiles_and_the_brand_link_brings_them_back(
    browser, server, make_staff
):
    make_staff("manager", pin="7314", name="Hadi", locale="en")
    context, page = new_page(browser, server, viewport=TABLET)
    try:
        sign_in(page, "7314", "/admin")  # a manager starts in the back office
        page.goto("/home")
        tiles = page.get_by_test_id("home-tiles").locator("a.tile")
        expect(tiles).to_have_count(9)
        assert all(float(t.evaluate("e => getComputedStyle(e).opacity")) == 1 for t in tiles.all())
        shot(page, "home-manager.png")
        for tile, lands in (
            ("tile-handheld", "/handheld"),
            ("tile-cashier", "/cashier"),
            ("tile-screen", "/kds"),
        ):
            page.get_by_test_id(tile).click()
            page.wait_for_url(f"**{lands}")
            expect(page.get_by_test_id("error-page")).to_have_count(0)
            expect(page.get_by_test_id("brand")).to_have_attribute("href", "/admin")
            if lands == "/kds":  # the kitchen screen opens on its station picker (a dialog)
                page.goto("/home")
                continue
            page.get_by_test_id("brand").click()
            page.wait_for_url("**/admin")
            page.goto("/home")
    finally:
        context.close()


def test_the_brand_link_takes_a_cook_back_to_the_kitchen_screen(browser, server, make_staff):
    make_staff("kitchen", pin="7315", name="Chef", locale="en")
    context, page = new_page(browser, server, viewport=TABLET)
    try:
        sign_in(page, "7315", "/kds")
        page.goto("/home")
        expect(page.get_by_test_id("home-tiles").locator("a.tile")).to_have_count(2)  # +stock count
        page.get_by_test_id("brand").click()
        page.wait_for_url("**/kds")
    finally:
        context.close()


def test_the_browser_fetches_the_favicon_as_an_image(browser, server):
    context, page = new_page(browser, server)
    try:
        page.goto("/login")
        for href in page.locator("link[rel=icon]").evaluate_all("ls => ls.map(l => l.href)"):
            answer = page.request.get(href)
            assert answer.ok and answer.headers["content-type"].startswith("image/"), href
    finally:
        context.close()


def test_the_demo_waiter_keeps_an_english_device_english_until_someone_switches(
    browser, server, make_staff
):
    """Issue 15: PIN 1111 (the demo's Sara, an Arabic speaker) turned an English device Arabic."""
    make_staff("waiter", pin="7316", name="Salma", locale="ar")
    context, page = new_page(browser, server)
    try:
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        sign_in(page, "7316", "/handheld")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_test_id("new-takeaway")).to_have_text("Takeaway")
        # The switch on the screen, then a sign-out and a sign-in again: Arabic stays.
        page.get_by_test_id("lang-ar").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.get_by_role("button", name="تسجيل الخروج").click()
        page.wait_for_url("**/login")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        shot(page, "login-remembers-arabic.png")
        sign_in(page, "7316", "/handheld")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.get_by_test_id("new-takeaway")).to_have_text("سفري")
    finally:
        context.close()
