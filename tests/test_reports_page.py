"""The owners' dashboard in a real Chromium against the real server: an owner on an English
laptop and a manager on an Arabic phone watch today's report; a cashier takes a payment and
both dashboards show the new sale without a reload (the `report_changed` push)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from live import Api
from test_backoffice_pages import LAPTOP, PHONE, back_office

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None


@pytest.fixture
def server(module_server, demo):
    return module_server


def dashboard(browser, server, email, password, viewport, lang):
    """Signed in to the back office (test_backoffice_pages.back_office), on the dashboard."""
    return back_office(browser, server, email, password, viewport, lang, "/admin/reports")


def test_the_dashboard_shows_a_payment_live_in_both_languages(
    browser, server, make_staff, token_for
):
    make_staff("owner", name="Rana", email="rana@example.com", password="a long password")
    make_staff("manager", name="Fahd", email="fahd@example.com", password="another long one")
    _, laptop = dashboard(browser, server, "rana@example.com", "a long password", LAPTOP, "en")
    _, phone = dashboard(browser, server, "fahd@example.com", "another long one", PHONE, "ar")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    for page in (laptop, phone):
        expect(page.get_by_test_id("live")).to_have_attribute("data-state", "live")
        expect(page.get_by_test_id("figure-net_minor")).to_have_text(re.compile(r"^0\.00"))
        expect(page.get_by_test_id("figure-orders")).to_have_text("0")
    expect(phone.get_by_test_id("headline")).to_contain_text("صافي المبيعات")
    expect(laptop.get_by_test_id("headline")).to_contain_text("Net sales")
    assert laptop.evaluate("typeof Chart === 'function'")

    cashier = Api(server, token_for("cashier"))
    waiter = Api(server, token_for("waiter"))
    menu = waiter.get("/menu")
    hummus = next(
        i["id"] for c in menu["categories"] for i in c["items"] if i["name"]["en"] == "Hummus"
    )
    status, _ = cashier.call("POST", "/shifts", {"float_minor": 0})
    assert status == 201
    order_id = str(uuid.uuid4())
    status, order = waiter.call(
        "POST",
        "/orders",
        {
            "id": order_id,
            "type": "takeaway",
            "lines": [{"id": str(uuid.uuid4()), "item_id": hummus, "quantity": 2}],
        },
    )
    assert status == 201, order
    status, paid = cashier.call(
        "POST", f"/orders/{order_id}/payments", {"id": str(uuid.uuid4()), "tender": "cash"}
    )
    assert status == 201, paid

    for page in (laptop, phone):
        expect(page.get_by_test_id("figure-net_minor")).to_have_text(re.compile(r"^36\.00"))
        expect(page.get_by_test_id("figure-orders")).to_have_text("1")
        assert page.evaluate("window.sameDocument === true")  # no reload
    expect(laptop.get_by_test_id("items")).to_contain_text("Hummus")
    # The month's PDF and a table's CSV download from the page (the token sent, not a link).
    with laptop.expect_download() as pdf:
        laptop.get_by_test_id("export-pdf").click()
    assert pdf.value.suggested_filename == "summary.pdf"
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    with laptop.expect_download() as items_csv:
        laptop.locator("[data-export=items]").click()
    assert "Hummus" in Path(items_csv.value.path()).read_text(encoding="utf-8")
    expect(phone.get_by_test_id("items")).to_contain_text("حمص")
    wide = phone.evaluate(  # what is wider than the phone, if anything
        """[...document.querySelectorAll('#reports-page *')]
        .filter((n) => n.getBoundingClientRect().width > window.innerWidth - 30)
        .map((n) => n.tagName + '.' + n.className).slice(0, 5)"""
    )
    assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth"), wide
