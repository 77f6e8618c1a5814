"""The acceptance path of the orders issue, in two real browsers against the real server:
a waiter fires an order on a phone, the grill and expo screens show it without a reload,
the cooks bump it by touch, and the waiter's phone says it is ready."""

from __future__ import annotations

import re
from pathlib import Path

from live import running_server

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAITER_PIN, COOK_PIN = "7311", "7322"


def sign_in(context, path: str, pin: str):
    page = context.new_page()
    page.goto(path)
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(re.compile(re.escape(path.split("?")[0])))
    return page


def kds_live(page) -> None:
    page.wait_for_function(
        "() => { const k = document.getElementById('kds');"
        " return k.dataset.live === '1' && k.dataset.seq !== ''; }"
    )


def test_a_waiter_fires_the_grill_and_expo_bump_and_the_phone_says_ready(
    browser, database_url, arabic_catalog, demo, make_staff, tmp_path
):
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    make_staff("kitchen", pin=COOK_PIN, name="Chef", locale="en")
    with running_server(database_url, tmp_path) as url:
        phone_ctx = browser.new_context(
            base_url=url, viewport={"width": 390, "height": 844}, has_touch=True, locale="en-US"
        )
        kitchen_ctx = browser.new_context(
            base_url=url, viewport={"width": 1280, "height": 800}, has_touch=True, locale="en-US"
        )
        phone = sign_in(phone_ctx, "/handheld", WAITER_PIN)
        grill = sign_in(kitchen_ctx, "/kds?station=grill", COOK_PIN)
        expo = kitchen_ctx.new_page()
        expo.goto("/kds?station=expo")
        kds_live(grill)
        kds_live(expo)
        expect(phone.get_by_test_id("link-state")).to_have_attribute("data-state", "live")

        # The waiter: table 7, a mixed grill with its side, straight to the kitchen.
        phone.get_by_test_id("table-7").click()
        phone.get_by_test_id("guests-2").click()
        phone.get_by_test_id("categories").get_by_role("tab", name="From the grill").click()
        phone.locator('.hh-item[data-name="Mixed grill"]').click()
        sheet = phone.get_by_test_id("item-sheet")
        sheet.get_by_role("radio", name="Grilled vegetables").click()
        phone.get_by_test_id("sheet-add").click()
        phone.get_by_test_id("cart-toggle").click()
        phone.get_by_test_id("send").click()

        # The grill screen shows it without a reload; so does expo.
        ticket = grill.locator("[data-testid=ticket]").first
        expect(ticket).to_be_visible(timeout=5000)
        expect(ticket.get_by_test_id("place")).to_have_text("Table 7")
        expect(ticket.get_by_test_id("item-name")).to_have_text(["Mixed grill"])
        expo_card = expo.locator("[data-testid=ticket]").first
        expect(expo_card).to_be_visible(timeout=5000)
        ARTIFACTS.mkdir(exist_ok=True)
        grill.screenshot(path=str(ARTIFACTS / "e2e-grill.png"))

        # The cooks bump it by touch: grill, then expo.
        ticket.get_by_test_id("bump").tap()
        expect(grill.locator("[data-testid=ticket]")).to_have_count(0)
        expect(expo_card).to_have_class(re.compile("is-complete"), timeout=5000)
        expo_card.get_by_test_id("bump").tap()

        # The waiter's phone says so.
        notice = phone.get_by_test_id("ready-notice")
        expect(notice).to_contain_text("Table 7 ready", timeout=5000)
        expect(phone.get_by_test_id("table-7")).to_have_attribute("data-status", "ready")
        phone.screenshot(path=str(ARTIFACTS / "e2e-phone-ready.png"))
        phone_ctx.close()
        kitchen_ctx.close()
