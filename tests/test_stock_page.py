"""The back office's stock page in a real Chromium against the real server: a manager on an
English laptop watches the levels while the lamb sells out (the `stock_alert` push shows a
banner and the table turns without a reload), is told a recipe cannot consume itself,
orders from the suggested order and receives it (more than ordered only once ticked), and the
level rises; a manager on an Arabic phone reads the page right to left without sideways
scrolling and accepts a count submitted from a phone. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import re
import uuid

import pytest
from live import Api
from sqlalchemy import select
from test_backoffice_pages import LAPTOP, PHONE, back_office, no_sideways_scroll, shot

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None


@pytest.fixture
def server(module_server, demo_stock):
    return module_server


@pytest.fixture
def ids(db, demo_stock):
    """Ids of the demo's ingredients (by code), dishes and options (by English name)."""
    from pos_app.menu.models import MenuItem, Modifier
    from pos_app.stock.models import Ingredient

    with db(write=False) as s:
        return {
            "ingredients": {i.code: i.id for i in s.scalars(select(Ingredient))},
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "mods": {m.name: m.id for m in s.scalars(select(Modifier))},
        }


def sell_mixed_grill(waiter: Api, ids: dict) -> int:
    status, body = waiter.call(
        "POST",
        "/orders",
        {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "customer_name": "Guest",
            "fire": True,
            "lines": [
                {
                    "id": str(uuid.uuid4()),
                    "item_id": ids["items"]["Mixed grill"],
                    "quantity": 1,
                    "modifier_ids": [ids["mods"]["Grilled vegetables"]],
                }
            ],
        },
    )
    return status


def level_row(page, code):
    return page.get_by_test_id("levels-table").locator(f"tr[data-code='{code}']")


def test_a_manager_sees_the_lamb_run_out_live_and_receives_a_delivery(
    browser, server, make_staff, token_for, ids
):
    make_staff("manager", name="Fahd", email="fahd@example.com", password="another long one")
    _, page = back_office(
        browser, server, "fahd@example.com", "another long one", LAPTOP, "en", "/admin/stock"
    )
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    expect(page.get_by_test_id("live")).to_have_attribute("data-state", "live")
    lamb = level_row(page, "lamb")
    expect(lamb).to_have_attribute("data-state", "ok")
    expect(lamb).to_contain_text("Lamb")
    expect(lamb).to_contain_text("1 kg")
    expect(page.get_by_test_id("alerts")).to_contain_text("Nothing is low or out.")

    waiter = Api(server, token_for("waiter"))
    for _ in range(5):  # 200 g each: low at 600 g, out at nothing
        assert sell_mixed_grill(waiter, ids) == 201
    banner = page.locator("[data-testid=stock-alert][data-ingredient=lamb]")
    expect(banner).to_have_attribute("data-state", "out")
    expect(banner).to_contain_text("Lamb has run out")
    expect(banner).to_contain_text("Mixed grill")
    expect(lamb).to_have_attribute("data-state", "out")
    expect(lamb.get_by_test_id("state")).to_have_text("Out")  # in words, not colour alone
    expect(page.get_by_test_id("alerts-table")).to_contain_text("Lamb")
    expect(page.get_by_test_id("eighty-six")).to_contain_text("Mixed grill")
    assert page.evaluate("window.sameDocument === true")  # no reload
    shot(page, "stock-laptop-lamb-out.png")

    # A dish that would consume itself is refused, next to the field.
    recipe = page.get_by_test_id("recipe-form")
    recipe.get_by_test_id("recipe-owner").select_option(label="Mixed grill")
    expect(recipe.get_by_test_id("recipe-table")).to_contain_text("Lamb")
    recipe.get_by_test_id("recipe-takes").select_option(f"dish:{ids['items']['Mixed grill']}")
    recipe.get_by_test_id("recipe-quantity").fill("1")
    recipe.get_by_test_id("add-recipe-line").click()
    expect(recipe.locator("[data-error-for=uses_item_id]")).to_have_text(
        "A recipe cannot consume itself."
    )
    expect(recipe.get_by_test_id("recipe-line")).to_have_count(3)  # nothing was added

    # The suggested order fills the lines; the order is made and received through the page.
    order = page.get_by_test_id("purchase-form")
    order.get_by_test_id("po-supplier").select_option(label="Al Waha Meats")
    order.get_by_test_id("suggest").click()
    lamb_line = order.get_by_test_id("po-line").filter(
        has=page.locator(f"option[value='{ids['ingredients']['lamb']}']:checked")
    )
    expect(lamb_line).to_have_count(1)
    expect(lamb_line.locator("select[data-field=unit]")).to_have_value("kg")
    order.get_by_test_id("create-po").click()
    card = page.get_by_test_id("purchases").get_by_test_id("purchase").first
    expect(card).to_have_attribute("data-status", "open")
    expect(card).to_contain_text("Al Waha Meats")
    lamb_in = card.locator(f"input[data-ingredient='{ids['ingredients']['lamb']}']")
    lamb_in.fill("9000")  # more than the order's 6.14 kg
    card.get_by_test_id("receive").click()
    expect(card.locator("[data-error-for='lines.0.quantity']")).to_contain_text("At most")
    expect(page.get_by_test_id("message")).to_contain_text("More than was ordered")
    card.get_by_test_id("over-ok").check()
    card.get_by_test_id("receive").click()
    expect(page.get_by_test_id("message")).to_contain_text("received")
    expect(lamb).to_have_attribute("data-state", "ok")
    expect(lamb).to_contain_text("9 kg")
    expect(page.locator("[data-testid=stock-alert][data-ingredient=lamb]")).to_have_attribute(
        "data-state", "ok"
    )
    expect(page.get_by_test_id("eighty-six")).not_to_contain_text("Mixed grill")
    movements = page.get_by_test_id("movements-table")
    expect(movements).to_contain_text("Delivery")
    expect(movements).to_contain_text("Sale")
    assert page.evaluate("window.sameDocument === true")
    assert errors == [], errors
    shot(page, "stock-laptop-received.png")


def test_a_manager_on_an_arabic_phone_accepts_a_count(browser, server, make_staff, token_for, ids):
    make_staff("manager", name="Huda", email="huda@example.com", password="a long password")
    _, page = back_office(
        browser, server, "huda@example.com", "a long password", PHONE, "ar", "/admin/stock"
    )
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    lamb = level_row(page, "lamb")
    expect(lamb).to_contain_text("لحم ضأن")
    expect(page.get_by_test_id("counts")).not_to_contain_text("لحم ضأن")

    cook = Api(server, token_for("kitchen"))
    status, count = cook.call(
        "POST",
        "/stock/counts",
        {
            "id": str(uuid.uuid4()),
            "lines": [
                {"ingredient_id": ids["ingredients"]["lamb"], "quantity": 0.8, "unit": "kg"},
                {"ingredient_id": ids["ingredients"]["onion"], "quantity": 8000},
            ],
        },
    )
    assert status == 201, count
    page.get_by_test_id("refresh").click()
    card = page.get_by_test_id("count")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("لحم ضأن")
    expect(card).to_contain_text("−200")  # 800 g counted, 1 kg expected
    expect(card.get_by_test_id("count-value")).to_contain_text("-13.00")  # 200 g at 65.00/kg
    assert no_sideways_scroll(page), page.evaluate(
        """[...document.querySelectorAll('#stock-page *')]
        .filter((n) => n.getBoundingClientRect().width > window.innerWidth)
        .map((n) => n.tagName + '.' + n.className).slice(0, 5)"""
    )
    shot(page, "stock-phone-ar-count.png")
    card.get_by_test_id("accept-count").click()
    expect(page.get_by_test_id("count")).to_have_count(0)
    expect(lamb).to_contain_text("800")
    expect(lamb).to_have_attribute("data-state", "ok")
    expect(page.get_by_test_id("movements-table")).to_contain_text("200")
    assert no_sideways_scroll(page)
    assert page.evaluate("window.sameDocument === true")
    assert re.search("[\u0600-\u06ff]", page.get_by_test_id("levels").inner_text())
