"""The waiter's handheld page (/handheld) in a real Chromium against the real server (gevent).

One order goes all the way: table 4, Hummus and a Mixed grill (its side is required), sent to
the kitchen, bumped by the cold station and expo, announced as ready on the phone, served.
Then the Wi-Fi drops: what the waiter types survives a reload, waits while offline and is
sent exactly once when the network is back. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from live import Api, ApiCalls, eventually

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
WAITER_PIN = "7301"
# navigator.vibrate does nothing in a headless browser: record the calls instead.
RECORD_VIBRATION = (
    "window.__vibrations = [];"
    "navigator.vibrate = function (p) { window.__vibrations.push(p); return true; };"
)


@pytest.fixture
def server(module_server, demo):
    """The real server (one per module) over the demo restaurant."""
    return module_server


@pytest.fixture
def waiter(make_staff):
    return make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")


@pytest.fixture
def phone(browser, server, waiter):
    """A phone-sized page signed in as the waiter, on /handheld."""
    context = browser.new_context(
        base_url=server, viewport=PHONE, has_touch=True, locale="en-US", service_workers="block"
    )
    context.add_init_script(RECORD_VIBRATION)
    page = context.new_page()
    page.goto("/login")
    page.fill("#pin", WAITER_PIN)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url("**/handheld")  # a waiter starts on the handheld
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    yield page
    context.close()


@pytest.fixture
def kitchen(server, token_for):
    return Api(server, token_for("kitchen"))


@pytest.fixture
def manager(server, token_for):
    return Api(server, token_for("manager", "password"))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def open_cart(page) -> None:
    """Open the order drawer and make sure it stays open (a push may re-render it)."""
    cart = page.locator("#hh-cart")
    for _ in range(5):
        if cart.get_attribute("data-open") == "true":
            page.wait_for_timeout(300)
            if cart.get_attribute("data-open") == "true":
                return
        page.get_by_test_id("cart-toggle").click()
        page.wait_for_timeout(200)
    expect(cart).to_have_attribute("data-open", "true")


def open_category(page, name: str) -> None:
    page.get_by_test_id("categories").get_by_role("tab", name=name).click()


def item(page, name: str):
    return page.locator(f'.hh-item[data-name="{name}"]')


def table_order(api: Api, label: str) -> list[dict]:
    return [o for o in api.get("/orders")["items"] if o["table_label"] == label]


def bump_at(api: Api, code: str, order_id: str) -> None:
    station = next(s for s in api.get("/stations")["items"] if s["code"] == code)
    snapshot = api.get(f"/stations/{station['id']}/snapshot")
    tickets = [t for t in snapshot["tickets"] if t["order_id"] == order_id and not t["held"]]
    assert tickets, snapshot
    for ticket in tickets:
        status, body = api.call("POST", f"/tickets/{ticket['id']}/bump")
        assert status == 200, body


def test_an_order_from_table_to_kitchen_to_ready_and_served(phone, kitchen):
    page = phone
    hall = page.get_by_test_id("floor-map")
    expect(hall.locator(".hh-table")).to_have_count(10)
    expect(page.get_by_test_id("legend")).to_contain_text("Bill asked")
    expect(page.get_by_test_id("table-4")).to_have_attribute("data-status", "free")
    box = eventually(lambda: page.get_by_test_id("table-4").bounding_box())
    assert box["width"] >= 56 and box["height"] >= 56  # a thumb fits
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    shot(page, "handheld-floor.png")

    page.get_by_test_id("table-4").click()
    page.get_by_test_id("guests-3").click()
    expect(page.get_by_test_id("order-title")).to_have_text("Table 4")
    open_category(page, "Starters")
    expect(item(page, "Hummus")).to_contain_text("18.00 SAR")
    item(page, "Hummus").click()

    open_category(page, "From the grill")
    item(page, "Mixed grill").click()
    sheet = page.get_by_test_id("item-sheet")
    expect(sheet).to_contain_text("Choose 1")
    add = page.get_by_test_id("sheet-add")
    expect(add).to_be_disabled()  # the side is required: no adding without it
    add.click(force=True)
    expect(sheet).to_be_visible()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)  # still only the hummus
    shot(page, "handheld-modifiers.png")
    sheet.get_by_role("radio", name="Saffron rice").click()
    expect(add).to_be_enabled()
    expect(add).to_contain_text("79.00 SAR")
    page.get_by_test_id("seat-2").click()
    page.get_by_test_id("line-allergy").fill("nuts")
    add.click()
    expect(sheet).to_be_hidden()

    page.get_by_test_id("cart-toggle").click()
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="Not sent")).to_have_count(2)
    expect(page.get_by_test_id("course-1")).to_be_visible()
    expect(page.get_by_test_id("course-2")).to_be_visible()
    expect(page.get_by_test_id("cart-total")).to_contain_text("97.00 SAR")
    shot(page, "handheld-order.png")

    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("table-4")).to_have_attribute("data-status", "ordered")
    [order] = eventually(lambda: table_order(kitchen, "4"))
    assert order["status"] == "in_kitchen" and order["guests"] == 3
    assert order["type"] == "dine_in" and order["waiter_name"] == "Nour"
    got = sorted(
        (li["name"], li["quantity"], li["course"], li["seat"], li["allergy"], li["sent_quantity"])
        for li in order["lines"]
    )
    assert got == [("Hummus", 1, 1, None, "", 1), ("Mixed grill", 1, 2, 2, "nuts", 1)]
    grill = next(li for li in order["lines"] if li["name"] == "Mixed grill")
    assert [m["name"] for m in grill["modifiers"]] == ["Saffron rice"]

    # The mains wait as a held course; the waiter sees it and may fire it later.
    page.get_by_test_id("table-4").click()
    page.get_by_test_id("cart-toggle").click()
    expect(page.get_by_test_id("fire-course-2")).to_be_visible()
    page.get_by_test_id("back-to-floor").click()

    bump_at(kitchen, "cold", order["id"])
    bump_at(kitchen, "expo", order["id"])
    notice = page.get_by_test_id("ready-notice")
    expect(notice).to_have_text(re.compile(f"Order {order['number']} — Table 4 ready"))
    expect(page.get_by_test_id("table-4")).to_have_attribute("data-status", "ready")
    expect(page.get_by_test_id("table-ready-badge")).to_have_count(1)
    assert page.evaluate("window.__vibrations.length") >= 1
    shot(page, "handheld-ready.png")

    page.get_by_test_id("notice-served").click()
    expect(notice).to_have_count(0)
    expect(page.get_by_test_id("table-4")).to_have_attribute("data-status", "served")
    assert kitchen.get(f"/orders/{order['id']}")["status"] == "served"


def test_unsent_lines_survive_a_reload_and_an_offline_send_goes_once(phone, kitchen):
    page = phone
    page.get_by_test_id("table-5").click()
    page.get_by_test_id("guests-2").click()
    open_category(page, "Starters")
    item(page, "Moutabal").click()
    item(page, "Moutabal").click()

    page.reload()
    expect(page.get_by_test_id("order-title")).to_have_text("Table 5")
    page.get_by_test_id("cart-toggle").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-line")).to_contain_text("2×")
    expect(page.get_by_test_id("cart-line")).to_contain_text("Not sent")

    calls = ApiCalls(page)
    page.context.set_offline(True)
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "offline")
    open_category(page, "Cold drinks")
    item(page, "Mineral water").click()
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("outbox")).to_contain_text("will send when back online")
    expect(page.get_by_test_id("table-5")).to_contain_text("Waiting to send")
    calls.settled()
    assert table_order(kitchen, "5") == []  # nothing left the phone

    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_be_hidden(timeout=15000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.get_by_test_id("table-5")).to_have_attribute("data-status", "ordered")
    [order] = eventually(lambda: table_order(kitchen, "5"))
    assert sorted((li["name"], li["quantity"]) for li in order["lines"]) == [
        ("Mineral water", 1),
        ("Moutabal", 2),
    ]
    calls.settled()  # a second send would have its answer by now
    assert len(table_order(kitchen, "5")) == 1
    assert len(kitchen.get(f"/orders/{order['id']}")["lines"]) == 2


def test_a_stale_version_puts_the_waiters_lines_on_the_order_as_it_is_now(phone, manager):
    page = phone
    status, order = manager.call(
        "POST",
        "/orders",
        {
            "id": "6f1c2a3e-1b2c-4d5e-8f90-123456789abc",
            "type": "dine_in",
            "table_id": next(
                t["id"] for t in manager.get("/tables?active=true")["items"] if t["label"] == "6"
            ),
            "guests": 2,
            "lines": [],
        },
    )
    assert status == 201, order
    expect(page.get_by_test_id("table-6")).to_have_attribute("data-status", "seated")
    page.get_by_test_id("table-6").click()
    open_category(page, "Salads")
    item(page, "Fattoush").click()
    # The phone drops off the Wi-Fi; meanwhile another handheld changes the order, so the
    # version this phone knows is stale when it sends.
    page.context.set_offline(True)
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "offline")
    status, changed = manager.call(
        "PATCH", f"/orders/{order['id']}", {"version": order["version"], "notes": "window seat"}
    )
    assert status == 200 and changed["version"] == order["version"] + 1
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("outbox")).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_test_id("toast")).to_contain_text("your items were added to it again")
    expect(page.get_by_test_id("table-6")).to_have_attribute("data-status", "ordered")
    now = manager.get(f"/orders/{order['id']}")
    assert now["notes"] == "window seat"  # the other handheld's change stands
    assert [(li["name"], li["sent_quantity"]) for li in now["lines"]] == [("Fattoush", 1)]


def test_the_arabic_handheld_is_right_to_left_with_arabic_names(phone):
    page = phone
    page.goto("/lang/ar?next=/handheld")
    page.wait_for_url("**/handheld")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("floor-tabs")).to_contain_text("الصالة")
    expect(page.get_by_test_id("floor-tabs")).to_contain_text("التراس")
    page.get_by_test_id("table-2").click()
    page.get_by_test_id("guests-2").click()
    open_category(page, "المقبلات")
    expect(page.get_by_test_id("items")).to_contain_text("حمص")
    expect(page.locator('.hh-item[data-name="Hummus"]')).to_contain_text("18.00 ر.س")
    page.locator('.hh-item[data-name="Hummus"]').click()
    # Right to left for real: the back button sits at the right edge, the actions left.
    back = eventually(lambda: page.get_by_test_id("back-to-floor").bounding_box())
    actions = eventually(lambda: page.get_by_test_id("order-actions").bounding_box())
    assert back["x"] > actions["x"]
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.get_by_test_id("cart-toggle").click()
    expect(page.get_by_test_id("cart-line")).to_contain_text("حمص")
    shot(page, "handheld-ar.png")


def menu_item_id(api: Api, name: str) -> int:
    menu = api.get("/menu")
    return next(i["id"] for c in menu["categories"] for i in c["items"] if i["name"]["en"] == name)


def table_id(api: Api, label: str) -> int:
    return next(t["id"] for t in api.get("/tables?active=true")["items"] if t["label"] == label)


def open_order_at(api: Api, label: str, order_id: str, items: list[str]) -> dict:
    """A dine-in order made on another device (ids are UUIDs made from the order's)."""
    lines = [
        {"id": f"{order_id[:-2]}{i:02d}", "item_id": menu_item_id(api, name), "quantity": 2}
        for i, name in enumerate(items, 1)
    ]
    body = {"id": order_id, "type": "dine_in", "table_id": table_id(api, label), "guests": 2}
    status, order = api.call("POST", "/orders", {**body, "lines": lines, "fire": True})
    assert status == 201, order
    return order


def test_table_actions_move_merge_fire_void_bill_and_clear(phone, manager):
    page = phone
    first = open_order_at(
        manager, "1", "0a6c1d2e-3f40-4a5b-8c6d-7e8f90a1b200", ["Tabbouleh", "Chicken burger"]
    )
    second = open_order_at(manager, "2", "2b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b200", ["Hummus"])
    expect(page.get_by_test_id("table-1")).to_have_attribute("data-status", "ordered")
    expect(page.get_by_test_id("table-2")).to_have_attribute("data-status", "ordered")

    page.get_by_test_id("table-1").click()
    page.get_by_test_id("order-actions").click()
    page.get_by_test_id("action-move").click()
    expect(page.get_by_test_id("pick-1")).to_have_count(0)
    expect(page.get_by_test_id("pick-2")).to_have_count(0)  # taken: not a place to move to
    page.get_by_test_id("pick-3").click()
    expect(page.get_by_test_id("order-title")).to_have_text("Table 3")
    page.get_by_test_id("back-to-floor").click()
    # The guests sat and ate at table 1: it needs clearing before the next party.
    expect(page.get_by_test_id("table-1")).to_have_attribute("data-status", "dirty")
    expect(page.get_by_test_id("table-3")).to_have_attribute("data-status", "ordered")

    page.get_by_test_id("table-3").click()
    page.get_by_test_id("order-actions").click()
    page.get_by_test_id("action-merge").click()
    page.get_by_test_id("pick-2").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(3)  # the merge has landed
    open_cart(page)
    merged = manager.get(f"/orders/{first['id']}")
    assert sorted(li["name"] for li in merged["lines"]) == ["Chicken burger", "Hummus", "Tabbouleh"]
    assert manager.get(f"/orders/{second['id']}")["status"] == "closed"

    # The burger (course 2) waits held behind the tabbouleh (course 1): fire it.
    open_cart(page)  # a push that re-renders the order may have closed the drawer
    page.get_by_test_id("fire-course-2").click()
    expect(page.get_by_test_id("fire-course-2")).to_have_count(0)
    assert manager.get(f"/orders/{first['id']}")["released_course"] == 2

    burger = page.get_by_test_id("cart-line").filter(has_text="Chicken burger")
    burger.get_by_test_id("void-line").click()
    expect(page.get_by_test_id("void-confirm")).to_be_disabled()  # a reason first
    page.get_by_test_id("void-qty-minus").click()
    page.get_by_test_id("void-reason-reason_wrong_item").click()
    page.get_by_test_id("void-confirm").click()
    expect(burger).to_contain_text("1×")
    shot(page, "handheld-cart-sent.png")
    voided = manager.get(f"/orders/{first['id']}")
    line = next(li for li in voided["lines"] if li["name"] == "Chicken burger")
    assert line["quantity"] == 1 and line["void_reason"] == "Wrong item entered"

    page.get_by_test_id("order-actions").click()
    page.get_by_test_id("action-bill").click()
    page.get_by_test_id("back-to-floor").click()
    expect(page.get_by_test_id("table-3")).to_have_attribute("data-status", "bill_asked")

    expect(page.get_by_test_id("table-2")).to_have_attribute("data-status", "dirty")
    page.get_by_test_id("table-2").click()
    page.get_by_test_id("mark-clean").click()
    expect(page.get_by_test_id("table-2")).to_have_attribute("data-status", "free")
    page.get_by_test_id("table-1").click()
    page.get_by_test_id("mark-clean").click()
    expect(page.get_by_test_id("table-1")).to_have_attribute("data-status", "free")
    shot(page, "handheld-floor-busy.png")


def test_takeaway_and_delivery_orders_need_their_customer_details(phone, manager):
    page = phone
    page.get_by_test_id("new-delivery").click()
    start = page.get_by_test_id("start-order")
    page.get_by_test_id("customer-name").fill("Huda")
    page.get_by_test_id("customer-phone").fill("0501234567")
    expect(start).to_be_disabled()  # no address yet
    page.get_by_test_id("customer-address").fill("Olaya St 12, Riyadh")
    start.click()
    expect(page.get_by_test_id("order-title")).to_have_text("Delivery · Huda")
    open_category(page, "Burgers")
    item(page, "Chicken burger").click()
    page.get_by_test_id("sheet-add").click()  # extras and "without" are optional
    page.get_by_test_id("rush").click()
    page.get_by_test_id("send").click()
    order = eventually(
        lambda: [o for o in manager.get("/orders")["items"] if o["type"] == "delivery"]
    )[0]
    assert order["customer_address"] == "Olaya St 12, Riyadh" and order["rush"] is True
    assert [li["name"] for li in order["lines"]] == ["Chicken burger"]

    page.get_by_test_id("show-orders").click()
    rows = page.get_by_test_id("order-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Huda")
