"""The cloud's page for owners, in Chromium against a real cloud process: every branch with its
last contact and whether it caught up; orders a branch pushes appear without a reload; in
Arabic the page reads right to left."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from pos_app.cloud.models import CloudBranch

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

KEY = "page-key-" + "p" * 30


@pytest.fixture
def cloud_server(database_url, arabic_catalog, tmp_path):
    from live import server_process

    env = {"POS_MODE": "cloud", "POS_PRINT_PROCESS": "0", "POS_SCHEDULER": "0"}
    with server_process(database_url, tmp_path, **env) as (url, _proc):
        yield url


def test_orders_pushed_by_a_branch_appear_on_the_cloud_page_live(
    browser, cloud_server, app, db, make_staff
):
    import json
    import time
    import urllib.request

    from pos_app.cloud.signing import headers

    with db() as s:
        s.add(CloudBranch(code="riyadh", name="مشاوي الرياض", key=KEY))
        s.add(CloudBranch(code="jeddah", name="Jeddah", key=KEY + "j"))
    huda = make_staff(
        "owner", name="Huda", email="cloud.owner@example.com", password="a long password"
    )
    with db() as s:  # Huda's company: both branches
        from pos_app.cloud import access

        org = access.organisation(s, "Huda's restaurants")
        for branch in s.scalars(select(CloudBranch)):
            branch.organisation_id = org.id
        access.grant(s, huda.id, org)
    context = browser.new_context(
        base_url=cloud_server, viewport={"width": 390, "height": 844}, service_workers="block"
    )
    page = context.new_page()
    page.goto("/lang/ar?next=/backoffice/login")
    page.fill("input[name=email]", "cloud.owner@example.com")
    page.fill("input[name=password]", "a long password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/cloud$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    riyadh = page.locator('[data-testid=cloud-branch][data-code="riyadh"]')
    expect(riyadh.locator('[data-field="contact"]')).to_have_text("لا اتصال بعد")
    expect(riyadh.locator('[data-field="orders"]')).to_have_text("0")

    order_id = str(uuid.uuid4())
    order = {"id": order_id, "number": 1, "status": "fired", "total_minor": 4500}
    events = [
        {
            "seq": 1,
            "event_id": str(uuid.uuid4()),
            "type": "order.created",
            "aggregate_type": "order",
            "aggregate_id": order_id,
            "payload": order,
            "created_at": "2026-12-04T12:00:00+00:00",
        }
    ]
    printers = [
        {"name": "طابعة الشواية", "online": False, "backup_in_use": True, "queue_depth": 2},
        {"name": "Receipt printer", "online": True},
    ]
    body = json.dumps(
        {"branch": "riyadh", "head": 3, "events": events, "printers": printers}
    ).encode()
    request = urllib.request.Request(
        f"{cloud_server}/api/v1/sync/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            **headers("riyadh", KEY, int(time.time()), body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read())["high_water"] == 1
    # No reload: the page asks again every 5 s.
    expect(riyadh.locator('[data-field="orders"]')).to_have_text("1", timeout=12_000)
    expect(riyadh.locator('[data-field="sync"]')).to_have_text("متأخر 2 أحداث")
    expect(riyadh).to_have_attribute("data-state", "behind")
    # The grill's printer is down: said in red, with its backup printing and what waits.
    down = riyadh.locator('[data-field="printers"]')
    expect(down).to_have_text("طابعة الشواية: غير متصلة · الطابعة الاحتياطية تطبع · 2 في الانتظار")
    expect(down).to_have_attribute("data-state", "down")
    jeddah = page.locator('[data-testid=cloud-branch][data-code="jeddah"]')
    expect(jeddah.locator('[data-field="printers"]')).to_have_text("لم تُبلغ عن أي طابعة")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    with db(write=False) as s:
        assert s.scalar(select(CloudBranch.high_water).where(CloudBranch.code == "riyadh")) == 1
    context.close()
