"""The waiter's handheld on a tablet and the small things of issue 15, in a real Chromium.

A tablet (820x1180 portrait, 1180x820 landscape) shows the floor, the menu and the check side
by side; a phone (390x844) keeps one screen at a time. A long note gets a counter and is
refused visibly past the server's limit; a party bigger than 8 can be seated; the labels on
the status colours of the floor map reach 4.5:1. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from live import running_server

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
PORTRAIT = {"width": 820, "height": 1180}
LANDSCAPE = {"width": 1180, "height": 820}
WAITER_PIN = "7302"
STATUSES = ("free", "seated", "ordered", "ready", "served", "bill_asked", "dirty")


@pytest.fixture
def server(database_url, arabic_catalog, demo, tmp_path):
    with running_server(database_url, tmp_path) as url:
        yield url


@pytest.fixture
def handheld(browser, server, make_staff):
    """Open /handheld signed in as a waiter, in a viewport of the test's choosing."""
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    contexts = []

    def open_at(viewport: dict, locale: str = "en-US"):
        context = browser.new_context(
            base_url=server,
            viewport=viewport,
            has_touch=True,
            locale=locale,
            service_workers="block",
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#pin", WAITER_PIN)
        page.get_by_test_id("pin-submit").click()
        page.wait_for_url("**/handheld")
        expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
        expect(page.get_by_test_id("floor-map").locator(".hh-table")).to_have_count(10)
        return page

    yield open_at
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found, f"{selector} is not on the screen"
    return found


def seat_table(page, label: str, guests: int) -> None:
    page.get_by_test_id(f"table-{label}").click()
    page.get_by_test_id(f"guests-{guests}").click()
    expect(page.get_by_test_id("order-title")).to_have_text(f"Table {label}")


@pytest.mark.parametrize(
    "viewport, name",
    [(PORTRAIT, "portrait"), (LANDSCAPE, "landscape")],
    ids=["820x1180", "1180x820"],
)
def test_a_tablet_shows_floor_menu_and_check_side_by_side(handheld, viewport, name):
    page = handheld(viewport)
    floor, menu, cart = (box(page, s) for s in ("#hh-floor", ".hh-menu", "#hh-cart"))
    shot(page, f"handheld-tablet-{name}-floor.png")
    expect(page.get_by_test_id("order-title")).to_have_text("Choose a table")
    seat_table(page, "4", 2)
    page.locator('.hh-item[data-name="Hummus"]').click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    # The floor stays on screen beside the order, with the open table marked.
    expect(page.get_by_test_id("floor-map")).to_be_visible()
    expect(page.get_by_test_id("table-4")).to_have_attribute("aria-current", "true")
    floor, menu, cart = (box(page, s) for s in ("#hh-floor", ".hh-menu", "#hh-cart"))
    width, height = viewport["width"], viewport["height"]
    # The check is a column of its own at the end side, as tall as the floor and the menu.
    assert (
        cart["x"] >= menu["x"] + menu["width"] - 1 and cart["x"] >= floor["x"] + floor["width"] - 1
    )
    assert cart["height"] >= 0.6 * height and cart["width"] >= 280
    if name == "landscape":
        # Three columns: floor | menu | check, each the full height below the bars.
        assert floor["x"] + floor["width"] <= menu["x"] + 1
        assert min(floor["height"], menu["height"]) >= 0.6 * height
        assert abs(floor["y"] + floor["height"] - (menu["y"] + menu["height"])) <= 2
    else:
        # Portrait: the floor over the menu in the wider column, the check beside both.
        assert floor["y"] + floor["height"] <= menu["y"] + 1
        assert floor["height"] >= 0.3 * height and menu["height"] >= 0.3 * height
    # The floor map fills its pane (not a quarter of the height) and the menu has 3+ columns.
    plan = box(page, "#hh-map")
    assert plan["height"] >= 0.6 * floor["height"] - 120 or plan["width"] >= 0.85 * floor["width"]
    items = page.locator(".hh-item")
    tops = [items.nth(i).bounding_box()["y"] for i in range(min(items.count(), 6))]
    assert tops.count(tops[0]) >= 3, tops
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert width and height
    shot(page, f"handheld-tablet-{name}-order.png")


def test_a_phone_keeps_one_screen_at_a_time(handheld):
    page = handheld(PHONE)
    expect(page.get_by_test_id("order-view")).to_be_hidden()
    seat_table(page, "4", 2)
    expect(page.locator("#hh-floor")).to_be_hidden()
    menu = box(page, ".hh-menu")
    assert menu["width"] >= PHONE["width"] - 2  # the menu has the whole width
    items = page.locator(".hh-item")
    assert items.nth(0).bounding_box()["y"] == items.nth(1).bounding_box()["y"]
    assert items.nth(2).bounding_box()["y"] > items.nth(0).bounding_box()["y"]  # two columns
    shot(page, "handheld-phone-order.png")
