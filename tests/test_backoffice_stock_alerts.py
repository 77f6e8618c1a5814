"""The back office's home shows stock alerts live (issue 21), in a real Chromium against the
real server: a manager on an English laptop has /admin open while a waiter sells Mixed grills
through the API; the lamb turns Low on the card after the third and Out after the fifth, with a
banner naming the dishes it takes off the menu and the dish listed as off the menu, all
without a reload; an owner on a 390-pixel Arabic phone reads the card right to left with
nothing wider than the screen. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import pytest
from live import Api
from sqlalchemy import select
from test_backoffice_pages import LAPTOP, PHONE, back_office, no_sideways_scroll, shot
from test_stock_page import sell_mixed_grill

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

# The card's and the banners' parts (the sections' menu scrolls sideways on a phone by design).
WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll(
      '[data-testid=stock-card], [data-testid=stock-card] *, [data-testid=stock-banners] *')]
    .filter((n) => n.getBoundingClientRect().right > window.innerWidth + 1
      || n.getBoundingClientRect().left < -1)
    .map((n) => n.tagName + '.' + n.className).slice(0, 5)"""


@pytest.fixture
def server(module_server, demo_stock):
    return module_server


@pytest.fixture
def ids(db, demo_stock):
    """Ids of the demo's dishes and options, by English name (what sell_mixed_grill needs)."""
    from pos_app.menu.models import MenuItem, Modifier

    with db(write=False) as s:
        return {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "mods": {m.name: m.id for m in s.scalars(select(Modifier))},
        }


def open_home(browser, server, make_staff, role, email, viewport, lang):
    make_staff(role, name="Fahd", email=email, password="a long password")
    _, page = back_office(browser, server, email, "a long password", viewport, lang)
    card = page.get_by_test_id("stock-card")
    expect(card).to_have_attribute("data-live", "live")  # pushes will arrive
    expect(card).not_to_have_attribute("aria-busy", "true")
    return page, card


def test_a_manager_sees_the_lamb_go_low_then_out_on_the_home_without_a_reload(
    browser, server, make_staff, token_for, ids
):
    page, card = open_home(
        browser, server, make_staff, "manager", "home.stock@example.com", LAPTOP, "en"
    )
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    expect(card.get_by_test_id("stock-none")).to_have_text("Nothing is low or out.")
    expect(card.get_by_test_id("stock-alert")).to_have_count(0)
    expect(card.get_by_test_id("open-stock")).to_have_attribute("href", "/admin/stock")
    expect(card.get_by_test_id("open-stock")).to_have_text("Open stock")

    waiter = Api(server, token_for("waiter"))
    for _ in range(3):  # 200 g each of 1 kg: 400 g left, the reorder point is 600 g
        assert sell_mixed_grill(waiter, ids) == 201
    lamb = card.locator("[data-testid=stock-alert][data-code=lamb]")
    expect(lamb).to_have_attribute("data-state", "low")
    expect(lamb.get_by_test_id("state")).to_have_text("Low")  # a word, not colour alone
    expect(lamb).to_contain_text("Lamb")
    # Low since the 2nd (600 g is at the reorder point): the push came then, the level is
    # read again on every push and on the figures' tick.
    expect(lamb.get_by_test_id("level")).to_contain_text("g left, reorder at 600\u00a0g")
    expect(card.get_by_test_id("stock-none")).to_be_hidden()
    expect(page.get_by_test_id("stock-banner")).to_have_count(0)  # low is the card's alone

    for _ in range(2):  # nothing left
        assert sell_mixed_grill(waiter, ids) == 201
    banner = page.locator("[data-testid=stock-banner][data-ingredient=lamb]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Lamb has run out: ")
    expect(banner).to_contain_text("Mixed grill")
    expect(banner).to_contain_text("Lamb kofta")
    expect(banner).to_contain_text("are off the menu")
    expect(lamb).to_have_attribute("data-state", "out")
    expect(lamb.get_by_test_id("state")).to_have_text("Out")
    expect(lamb.get_by_test_id("level")).to_contain_text("0\u00a0g left")
    off = card.locator("[data-testid=eighty-sixed][data-name='Mixed grill']")
    expect(off).to_have_attribute("data-why", "stock")
    expect(off).to_contain_text("out of stock")
    expect(card.get_by_test_id("eighty-six-none")).to_be_hidden()
    shot(page, "home-stock-laptop-lamb-out.png")

    banner.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("stock-banner")).to_have_count(0)
    expect(lamb).to_have_attribute("data-state", "out")  # the card still says so
    assert page.evaluate("window.sameDocument === true")  # no reload
    assert errors == [], errors


def test_an_owner_on_an_arabic_phone_reads_the_stock_alerts_right_to_left(
    browser, server, make_staff, token_for, ids
):
    page, card = open_home(browser, server, make_staff, "owner", "home.ar@example.com", PHONE, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    waiter = Api(server, token_for("waiter"))
    for _ in range(5):
        assert sell_mixed_grill(waiter, ids) == 201
    banner = page.locator("[data-testid=stock-banner][data-ingredient=lamb]")
    expect(banner).to_contain_text("لحم ضأن")
    lamb = card.locator("[data-testid=stock-alert][data-code=lamb]")
    expect(lamb).to_have_attribute("data-state", "out")
    expect(lamb).to_contain_text("لحم ضأن")
    off = card.locator("[data-testid=eighty-sixed][data-name='Mixed grill']")
    expect(off).to_be_visible()
    assert "Mixed grill" not in off.inner_text()  # the dish's Arabic name
    for target in (card.get_by_test_id("open-stock"), banner.get_by_role("button")):
        assert target.bounding_box()["height"] >= 44  # a thumb's target
    card.scroll_into_view_if_needed()
    assert no_sideways_scroll(page), page.evaluate(WIDER_THAN_THE_SCREEN)
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
    assert page.evaluate("window.sameDocument === true")
    shot(page, "home-stock-phone-ar-lamb-out.png")
