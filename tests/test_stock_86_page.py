"""86 reaching every device, in a real Chromium against the real gevent server (issue 21).

The demo restaurant with its stock: lamb 1000 g, a Mixed grill takes 200 g, so the fifth one
sold empties it. The waiter's handheld, open all along, greys the grill without a reload and
gets it back when a delivery is received; the kitchen screen lists it in its 86 strip, and a
cook 86es Hummus from the screen's panel; a draft typed offline with a dish 86'd meanwhile is
refused with the reason shown and kept. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from live import Api, ApiCalls, eventually
from test_kds_expo import kds_socket
from test_kds_page import wait_live

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
LANDSCAPE = {"width": 1280, "height": 800}
WAITER_PIN = "7302"
MANAGER_PIN = "7303"
COOK_PIN = "2469"  # not the demo cook's 2222


@pytest.fixture
def server(module_server, demo_stock):
    """The real server (one per module) over the demo restaurant with its stock."""
    return module_server


@pytest.fixture
def seller(server, token_for):
    """Another waiter, selling through the API."""
    return Api(server, token_for("waiter", name="Sami"))


@pytest.fixture
def manager(server, token_for):
    return Api(server, token_for("manager", "password"))


@pytest.fixture
def cook(server, token_for):
    return Api(server, token_for("kitchen"))


def signed_in(browser, server, pin: str, landing: str, viewport=PHONE):
    """A page signed in with `pin` through the PIN page, on its role's home."""
    context = browser.new_context(
        base_url=server, viewport=viewport, has_touch=True, locale="en-US", service_workers="block"
    )
    page = context.new_page()
    page.goto("/login?next=" + quote(landing))
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(re.compile(re.escape(landing)))
    return page


@pytest.fixture
def phone(browser, server, make_staff):
    """The waiter's handheld, live."""
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    page = signed_in(browser, server, WAITER_PIN, "/handheld")
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    page.evaluate("window.__notReloaded = true")
    return page


@pytest.fixture
def screen(browser, server, make_staff):
    """The cold station's kitchen screen, its cook signed in, sound on."""
    make_staff("kitchen", pin=COOK_PIN, name="Chef", locale="en")
    page = signed_in(browser, server, COOK_PIN, "/kds?station=cold", LANDSCAPE)
    wait_live(page)
    page.get_by_test_id("sound-hint").tap()  # browsers play sound only after a tap
    expect(page.get_by_test_id("sound-hint")).to_be_hidden()
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def item(page, name: str):
    return page.locator(f'.hh-item[data-name="{name}"]')


def open_table(page, label: str, category: str) -> None:
    page.get_by_test_id(f"table-{label}").click()
    page.get_by_test_id("guests-2").click()
    expect(page.get_by_test_id("order-title")).to_have_text(f"Table {label}")
    page.get_by_test_id("categories").get_by_role("tab", name=category).click()


def menu_ids(api: Api) -> tuple[dict, dict]:
    menu = api.get("/menu")
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    mods = {m["name"]["en"]: m["id"] for g in menu["modifier_groups"] for m in g["modifiers"]}
    return items, mods


def sell_grill(api: Api) -> tuple[int, dict]:
    """A takeaway Mixed grill, fired (its lamb leaves the stock at fire)."""
    items, mods = menu_ids(api)
    line = {
        "id": str(uuid.uuid4()),
        "item_id": items["Mixed grill"],
        "quantity": 1,
        "modifier_ids": [mods["Grilled vegetables"]],
    }
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Guest",
        "lines": [line],
        "fire": True,
    }
    return api.call("POST", "/orders", body)


def sell_until_the_lamb_runs_out(api: Api) -> None:
    for _ in range(5):
        status, body = sell_grill(api)
        assert status == 201, body
    status, body = sell_grill(api)
    assert status == 409 and body["error"]["code"] == "sold_out", body


def receive_lamb(manager: Api, grams: int = 5000) -> None:
    """A delivery of lamb from the demo's butcher, ordered and received."""
    meat = next(s for s in manager.get("/suppliers")["items"] if s["name"] == "Al Waha Meats")
    lamb = next(i for i in manager.get("/ingredients")["items"] if i["code"] == "lamb")
    status, po = manager.call(
        "POST",
        "/stock/purchases",
        {"supplier_id": meat["id"], "lines": [{"ingredient_id": lamb["id"], "quantity": grams}]},
    )
    assert status == 201, po
    status, got = manager.call(
        "POST",
        f"/stock/purchases/{po['id']}/receive",
        {"lines": [{"ingredient_id": lamb["id"], "quantity": grams, "cost_minor": 32500}]},
    )
    assert status == 200 and got["status"] == "received", got


def table_orders(api: Api, label: str) -> list[dict]:
    return [o for o in api.get("/orders")["items"] if o["table_label"] == label]


def test_the_lamb_runs_out_and_the_grill_greys_on_the_open_handheld_then_comes_back(
    phone, seller, manager
):
    page = phone
    open_table(page, "4", "From the grill")
    grill = item(page, "Mixed grill")
    expect(grill).to_be_enabled()
    expect(grill).not_to_have_class(re.compile(r"\bis-sold-out\b"))

    sell_until_the_lamb_runs_out(seller)
    expect(grill).to_have_class(re.compile(r"\bis-sold-out\b"))  # live: no reload
    expect(grill).to_be_disabled()  # a waiter cannot add it
    expect(grill.get_by_test_id("sold-out")).to_have_text("Out of stock")
    expect(item(page, "Lamb kofta")).to_have_class(re.compile(r"\bis-sold-out\b"))
    expect(item(page, "Shish tawook")).to_be_enabled()  # no lamb in it
    expect(page.get_by_test_id("sheet-86")).to_have_count(0)
    shot(page, "stock-86-handheld-grill-out.png")

    receive_lamb(manager)
    expect(grill).not_to_have_class(re.compile(r"\bis-sold-out\b"))
    expect(grill).to_be_enabled()
    grill.click()  # it sells again: its sheet opens, no 86 button for a waiter
    expect(page.get_by_test_id("item-sheet")).to_be_visible()
    expect(page.get_by_test_id("sheet-86")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True


def test_the_kitchen_screen_lists_the_grill_in_its_86_strip_and_a_cook_86es_hummus(
    phone, screen, seller, cook
):
    strip = screen.get_by_test_id("stock-strip")
    expect(strip).to_contain_text("Nothing 86'd.")
    open_table(phone, "3", "Starters")
    hummus = item(phone, "Hummus")
    expect(hummus).to_be_enabled()

    sell_until_the_lamb_runs_out(seller)
    grill = strip.locator('[data-testid=eighty-six-item][data-name="Mixed grill"]')
    expect(grill).to_have_attribute("data-why", "stock")
    expect(grill).to_contain_text("Out of stock")
    expect(strip.locator("[data-testid=stock-alert][data-code=lamb]")).to_have_attribute(
        "data-state", "out"
    )
    kds = screen.get_by_test_id("kds")
    expect(kds).to_have_attribute("data-stock-alerts", re.compile(r"^[1-9]"))
    expect(kds).to_have_attribute("data-alarms", re.compile(r"^[1-9]"))  # it chimed
    expect(screen.get_by_test_id("toast").last).to_contain_text("Out of Lamb")
    shot(screen, "stock-86-kds-strip.png")

    screen.get_by_test_id("eighty-six-open").tap()
    panel = screen.get_by_test_id("eighty-six-panel")
    expect(panel).to_be_visible()
    tile = panel.locator('.kds-86-tile[data-name="Mixed grill"]')
    expect(tile).to_have_attribute("data-state", "stock")
    expect(tile).to_contain_text("Out of stock: Lamb")
    box = eventually(lambda: panel.locator('.kds-86-tile[data-name="Hummus"]').bounding_box())
    assert box["height"] >= 96 and box["width"] >= 200  # a wet thumb finds it
    tile.tap(force=True)  # aria-disabled: out of stock, the stock brings it back, not a tap
    expect(screen.get_by_test_id("toast").last).to_contain_text("stays off until stock arrives")
    expect(tile).to_have_attribute("data-state", "stock")

    panel.locator('.kds-86-tile[data-name="Hummus"]').tap()
    expect(panel.locator('.kds-86-tile[data-name="Hummus"]')).to_have_attribute("data-state", "86")
    expect(hummus).to_have_class(re.compile(r"\bis-sold-out\b"))  # the handheld, at once
    expect(hummus.get_by_test_id("sold-out")).to_have_text("86'd")
    expect(strip.locator('[data-name="Hummus"]')).to_have_attribute("data-why", "86")
    menu = cook.get("/menu")
    got = next(i for c in menu["categories"] for i in c["items"] if i["name"]["en"] == "Hummus")
    assert got["available"] is False and got["sold_out"] == "86"
    shot(screen, "stock-86-kds-panel.png")

    panel.locator('.kds-86-tile[data-name="Hummus"]').tap()
    expect(panel.locator('.kds-86-tile[data-name="Hummus"]')).to_have_attribute("data-state", "on")
    expect(hummus).to_be_enabled()
    expect(strip.locator('[data-name="Hummus"]')).to_have_count(0)
    assert phone.evaluate("window.__notReloaded") is True

    # In Arabic the strip reads right to left: the 86 button at the right edge, names in Arabic.
    screen.goto("/lang/ar?next=" + quote("/kds?station=cold"))
    wait_live(screen)
    expect(screen.locator("html")).to_have_attribute("dir", "rtl")
    grill = screen.get_by_test_id("stock-strip").locator('[data-name="Mixed grill"]')
    expect(grill).not_to_contain_text("Mixed grill")
    button = eventually(lambda: screen.get_by_test_id("eighty-six-open").bounding_box())
    chip = eventually(lambda: grill.bounding_box())
    assert button["x"] > chip["x"]
    shot(screen, "stock-86-kds-ar.png")


def test_an_offline_draft_with_a_dish_86d_meanwhile_is_refused_with_the_reason_and_kept(
    phone, cook
):
    page = phone
    open_table(page, "5", "Starters")
    item(page, "Hummus").click()
    item(page, "Moutabal").click()
    page.context.set_offline(True)
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "offline")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("outbox")).to_contain_text("will send when back online")

    items, _mods = menu_ids(cook)
    status, body = cook.call("POST", f"/items/{items['Hummus']}/availability", {"available": False})
    assert status == 200 and body["available"] is False, body

    calls = ApiCalls(page)
    page.context.set_offline(False)
    outbox = page.get_by_test_id("outbox")
    expect(outbox).to_contain_text("Not sent: 1")
    calls.settled()
    assert table_orders(cook, "5") == []  # refused whole: nothing half-sent
    outbox.click()
    alert = page.get_by_test_id("order-alert")
    expect(alert).to_contain_text("Hummus (86'd) is no longer available")
    page.get_by_test_id("cart-toggle").click()
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)  # kept, both
    expect(lines.filter(has_text="Hummus")).to_have_attribute("data-state", "refused")
    expect(item(page, "Hummus")).to_have_class(re.compile(r"\bis-sold-out\b"))
    shot(page, "stock-86-handheld-refused.png")

    page.reload()  # kept on the device, and not sent again by itself
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("order-alert")).to_contain_text("no longer available")
    calls = ApiCalls(page)
    calls.settled()
    assert table_orders(cook, "5") == []

    page.get_by_test_id("remove-sold-out").click()
    expect(page.get_by_test_id("order-alert")).to_be_hidden()
    page.get_by_test_id("send").click()
    [order] = eventually(lambda: table_orders(cook, "5"))
    assert [(li["name"], li["quantity"]) for li in order["lines"]] == [("Moutabal", 1)]


def test_a_managers_handheld_86es_a_dish_and_brings_it_back_a_waiters_may_not(
    browser, server, make_staff, phone, token_for
):
    make_staff("manager", pin=MANAGER_PIN, name="Rana", locale="en")
    boss = signed_in(browser, server, MANAGER_PIN, "/handheld")
    if "/handheld" not in boss.url:
        boss.goto("/handheld")
    expect(boss.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    open_table(boss, "6", "Starters")
    open_table(phone, "7", "Starters")

    hummus = item(boss, "Hummus")
    hummus.dispatch_event("pointerdown")  # a long press
    boss.wait_for_timeout(700)
    hummus.dispatch_event("pointerup")
    sheet = boss.get_by_test_id("eighty-six-sheet")
    expect(sheet).to_be_visible()
    expect(boss.get_by_test_id("eighty-six-state")).to_have_attribute("data-state", "on")
    boss.get_by_test_id("do-86").click()
    expect(item(phone, "Hummus")).to_have_class(re.compile(r"\bis-sold-out\b"))
    expect(hummus).to_have_class(re.compile(r"\bis-sold-out\b"))
    expect(boss.get_by_test_id("cart-line")).to_have_count(0)  # the press added nothing

    hummus.click(force=True)  # greyed (aria-disabled), yet a manager's tap opens its 86 sheet
    boss.get_by_test_id("un-86").click()
    expect(item(phone, "Hummus")).not_to_have_class(re.compile(r"\bis-sold-out\b"))

    # The waiter's role may not, whatever a page sends.
    waiter = Api(server, token_for("waiter"))
    items, _mods = menu_ids(waiter)
    status, body = waiter.call(
        "POST", f"/items/{items['Hummus']}/availability", {"available": False}
    )
    assert status == 403 and body["error"]["code"] == "forbidden_role", body


def test_a_kitchen_screen_hears_the_lamb_go_low_then_out(app, client, demo_stock, token_for):
    screen = kds_socket(app, client, token_for("kitchen"))
    waiter = {"Authorization": f"Bearer {token_for('waiter')}"}
    menu = client.get("/api/v1/menu", headers=waiter).get_json()
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    mods = {m["name"]["en"]: m["id"] for g in menu["modifier_groups"] for m in g["modifiers"]}

    def sell() -> None:
        body = {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "customer_name": "Guest",
            "fire": True,
            "lines": [
                {
                    "id": str(uuid.uuid4()),
                    "item_id": items["Mixed grill"],
                    "quantity": 1,
                    "modifier_ids": [mods["Grilled vegetables"]],
                }
            ],
        }
        r = client.post("/api/v1/orders", json=body, headers=waiter)
        assert r.status_code == 201, r.get_json()

    def alerts(got=None) -> list[dict]:
        got = screen.get_received("/kds") if got is None else got
        pushed = [p["args"][0] for p in got if p["name"] == "stock_alert"]
        return [a for a in pushed if a["ingredient"] == "lamb"]

    sell()
    assert alerts() == []  # 800 g left: above the reorder point (600 g)
    sell()
    [low] = alerts()
    assert (low["ingredient"], low["state"], low["was"], low["level_label"]) == (
        "lamb",
        "low",
        "ok",
        "600 g",
    )
    assert low["name"] == {"en": "Lamb", "ar": "لحم ضأن"} and "Mixed grill" in low["items"]
    for _ in range(3):
        sell()
    got = screen.get_received("/kds")
    assert [(a["state"], a["was"], a["level"]) for a in alerts(got)] == [("out", "low", 0)]
    # Running out 86es the dishes that need lamb: the screen hears the menu changed.
    assert "menu_changed" in [p["name"] for p in got]
    screen.disconnect("/kds")
