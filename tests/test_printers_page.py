"""The back office's printers page (/admin/printers) in a real Chromium, against the real
server running its virtual printers as `make run` does (POS_VIRTUAL_PRINTERS=1).

Screenshots land in tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

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
        expect(grill_paper.locator("pre")).to_contain_text("TEST PRINT")

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
        expect(tickets.first.locator("pre")).to_contain_text("second")  # newest first
        expect(tickets.nth(1).locator("pre")).to_contain_text("first")
        expect(tickets.first.locator("pre")).to_contain_text("1 x Hummus")
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
