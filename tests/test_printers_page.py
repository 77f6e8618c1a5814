"""The back office's printers page (/admin/printers) in a real Chromium, against the real
server running its virtual printers as `make run` does (POS_VIRTUAL_PRINTERS=1).

Screenshots land in tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from live import free_port, server_process
from sqlalchemy import select

from pos_app.menu.models import MenuItem
from printers.models import Printer

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_the_printers_page_shows_health_test_prints_and_what_each_virtual_printer_printed(
    browser, demo, db, make_staff, token_for, database_url, arabic_catalog, tmp_path
):
    with db() as s:  # the demo's printers, on ports free here (not 9101...)
        for printer in s.scalars(select(Printer)):
            printer.port = free_port()
        hummus = s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))
    make_staff("manager", email="printers@example.com", password="printers-pass", locale="en")
    waiter = {"Authorization": f"Bearer {token_for('waiter')}"}

    with server_process(database_url, tmp_path, POS_VIRTUAL_PRINTERS="1") as (url, _proc):
        context = browser.new_context(
            base_url=url, viewport={"width": 1280, "height": 900}, locale="en-US"
        )
        page = context.new_page()
        page.goto("/admin/printers")  # not signed in: the back-office login, then back here
        page.fill("input[name=email]", "printers@example.com")
        page.fill("input[name=password]", "printers-pass")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/printers$"))
        page.evaluate("window.sameDocument = true")

        rows = page.get_by_test_id("printer-row")
        expect(rows).to_have_count(5)
        grill = page.locator('[data-testid=printer-row][data-name="Grill printer"]')
        expect(grill.get_by_test_id("printer-status")).to_have_text("Not checked yet")
        grill.get_by_test_id("test-print").click()
        expect(page.get_by_test_id("message")).to_have_text("Test page sent to Grill printer.")
        expect(grill.get_by_test_id("printer-status")).to_have_text("Online")
        grill_paper = page.locator('[data-testid=virtual-printer][data-name="Grill printer"]')
        expect(grill_paper.get_by_test_id("virtual-ticket")).to_have_count(1)
        expect(grill_paper.get_by_test_id("paper")).to_contain_text("TEST PRINT")

        for label in ("first", "second"):
            body = {
                "id": str(uuid.uuid4()),
                "type": "takeaway",
                "customer_name": label,
                "fire": True,
                "lines": [
                    {"id": str(uuid.uuid4()), "item_id": hummus, "quantity": 1, "modifier_ids": []}
                ],
            }
            response = requests.post(f"{url}/api/v1/orders", json=body, headers=waiter, timeout=10)
            assert response.status_code == 201, response.text
        cold_paper = page.locator('[data-testid=virtual-printer][data-name="Cold kitchen printer"]')
        tickets = cold_paper.get_by_test_id("virtual-ticket")
        expect(tickets).to_have_count(2)  # refreshed by itself, no reload
        expect(tickets.first.get_by_test_id("paper")).to_contain_text("second")  # newest first
        expect(tickets.nth(1).get_by_test_id("paper")).to_contain_text("first")
        expect(tickets.first.get_by_test_id("paper")).to_contain_text("1 x Hummus")
        cold = page.locator('[data-testid=printer-row][data-name="Cold kitchen printer"]')
        expect(cold.get_by_test_id("printer-status")).to_have_text("Online")
        expect(cold.get_by_test_id("queue-depth")).to_have_text("0")
        assert page.evaluate("window.sameDocument") is True
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin-printers.png"), full_page=True)

        page.get_by_test_id("lang-ar").click()
        page.wait_for_url(re.compile(r"/admin/printers"))
        expect(page.locator("h1")).to_have_text("الطابعات")
        expect(grill.get_by_test_id("test-print")).to_have_text("طباعة تجريبية")
        expect(grill.get_by_test_id("printer-status")).to_have_text("متصلة")
        page.screenshot(path=str(ARTIFACTS / "admin-printers-ar.png"))
        context.close()


def _sign_in_and_print(browser, url: str, locale: str, hummus: int, waiter: dict):
    """A manager's page on /admin/printers, and one chit (Hummus: Arabic name) at cold."""
    context = browser.new_context(
        base_url=url,
        viewport={"width": 1280, "height": 900},
        locale="en-US",  # the device says US English; the page's language must decide
        timezone_id="America/New_York",  # and the branch's time zone, not the device's
    )
    page = context.new_page()
    page.goto("/admin/printers")
    page.fill("input[name=email]", "paper@example.com")
    page.fill("input[name=password]", "paper-pass")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/printers$"))
    if locale == "ar":
        page.get_by_test_id("lang-ar").click()
        page.wait_for_url(re.compile(r"/admin/printers"))
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": f"PAPER-{locale}",
        "fire": True,
        "lines": [{"id": str(uuid.uuid4()), "item_id": hummus, "quantity": 2}],
    }
    response = requests.post(f"{url}/api/v1/orders", json=body, headers=waiter, timeout=10)
    assert response.status_code == 201, response.text
    return context, page


def _box(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector, "el => { const r = el.getBoundingClientRect(); return {x: r.x, w: r.width}; }"
    )


def test_the_paper_shows_arabic_as_printed_and_dates_and_names_read_right_in_both_languages(
    browser, demo, db, make_staff, token_for, database_url, arabic_catalog, tmp_path
):
    with db() as s:
        for printer in s.scalars(select(Printer)):
            printer.port = free_port()
        hummus = s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))
    make_staff("manager", email="paper@example.com", password="paper-pass", locale="en")
    waiter = {"Authorization": f"Bearer {token_for('waiter')}"}
    riyadh = ZoneInfo("Asia/Riyadh")  # the demo branch's time zone
    ARTIFACTS.mkdir(exist_ok=True)

    with server_process(database_url, tmp_path, POS_VIRTUAL_PRINTERS="1") as (url, _proc):
        for locale in ("en", "ar"):
            context, page = _sign_in_and_print(browser, url, locale, hummus, waiter)
            cold = page.locator('[data-testid=virtual-printer][data-name="Cold kitchen printer"]')
            ticket = cold.get_by_test_id("virtual-ticket").first
            expect(ticket.get_by_test_id("paper")).to_contain_text(f"PAPER-{locale}")
            paper = ticket.get_by_test_id("paper")

            # The Arabic lines are the printer's dots, drawn as wide as the paper's text.
            images = paper.get_by_test_id("paper-image")
            assert images.count() >= 3
            expect(paper).not_to_contain_text("[image")
            widths = images.evaluate_all("els => els.map(e => [e.naturalWidth, e.complete])")
            assert all(w == [576, True] for w in widths), widths
            text_width = paper.locator("pre").first.evaluate(
                "el => { const r = document.createRange(); r.selectNodeContents(el);"
                " const s = getComputedStyle(el.parentElement);"
                " return el.parentElement.clientWidth - parseFloat(s.paddingLeft)"
                " - parseFloat(s.paddingRight); }"
            )
            image_width = images.first.evaluate("e => e.getBoundingClientRect().width")
            assert abs(image_width - text_width) <= 1.5, (image_width, text_width)

            # The time it arrived, in the page's language and the branch's time zone.
            caption = ticket.locator("figcaption bdi").first.inner_text()
            caption = caption.replace("\u202f", " ").replace("\xa0", " ")
            at = datetime.fromtimestamp(
                requests.get(
                    f"{url}/api/v1/printers/{cold.get_attribute('data-virtual')}/virtual-output",
                    headers=_manager_headers(url),
                    timeout=10,
                ).json()["items"][0]["at"],
                riyadh,
            )
            assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", caption), caption  # no M/D/YY
            assert re.search(r"[\u0660-\u0669]", caption) is None, caption  # Western digits
            assert str(at.year) in caption and f"{at:%M:%S}" in caption, (caption, at)
            if locale == "en":
                assert caption.startswith(f"{at:%b} {at.day}, {at.year}"), (caption, at)
                assert caption.endswith(f"{at:%-I:%M:%S %p}"), (caption, at)
            else:
                assert re.search("[\u0621-\u064a]", caption), caption  # Arabic words
                assert f"{at:%-I:%M:%S}" in caption, (caption, at)
                # "Updated {time}": the Arabic words on the right of the time, as read.
                updated = page.get_by_test_id("updated")
                expect(updated.locator("bdi")).to_have_count(1)
                words = updated.evaluate(
                    "el => { const r = document.createRange(); r.selectNodeContents(el.firstChild);"
                    " return r.getBoundingClientRect().x; }"
                )
                assert words > _box(page, "[data-testid=updated] bdi")["x"]
                # An English printer name inside an Arabic sentence stays whole.
                grill = page.locator('[data-testid=printer-row][data-name="Grill printer"]')
                grill.get_by_test_id("test-print").click()
                message = page.get_by_test_id("message")
                expect(message).to_contain_text("أُرسلت صفحة الطباعة التجريبية")
                expect(message.locator("bdi")).to_have_text("Grill printer")
                expect(grill.locator("td").first.locator("bdi")).to_have_text("Grill printer")
            ticket.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"admin-printers-paper-{locale}.png"))
            ticket.screenshot(path=str(ARTIFACTS / f"admin-printers-ticket-{locale}.png"))
            context.close()


def _manager_headers(url: str) -> dict:
    answer = requests.post(
        f"{url}/api/v1/auth/login",
        json={"email": "paper@example.com", "password": "paper-pass"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}
