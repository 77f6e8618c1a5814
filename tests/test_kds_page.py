"""The kitchen display page (/kds) in a real Chromium against the real gevent server.

Orders are fired over HTTP as a handheld would; the page must show them live (no reload),
bump, start and recall over its socket, and lose nothing across a network drop.
Screenshots land in tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
import requests
from live import running_server
from sqlalchemy import select

from pos_app.menu.models import MenuItem, Modifier, Station
from printers.models import Printer
from printers.render import decode_escpos
from printers.virtual import VirtualPrinter
from table_service.models import DiningTable

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LANDSCAPE = {"width": 1280, "height": 800}
FULL_HD = {"width": 1920, "height": 1080}
# Not the demo cook's 2222: that PIN would sign in the demo's Arabic-speaking "Cook".
COOK_PIN = "2468"


@pytest.fixture(scope="module")
def server(database_url, arabic_catalog, tmp_path_factory):
    with running_server(database_url, tmp_path_factory.mktemp("kds")) as url:
        yield url


class Shop:
    """The demo restaurant's ids, and a waiter and a cook that talk to the server over HTTP."""

    def __init__(self, url: str, ids: dict, waiter: str, cook: str):
        self.url = url
        self.ids = ids
        self.waiter = {"Authorization": f"Bearer {waiter}"}
        self.cook = {"Authorization": f"Bearer {cook}"}

    def line(self, item: str, quantity: int = 1, mods=(), **kw) -> dict:
        return {
            "id": str(uuid.uuid4()),
            "item_id": self.ids["items"][item],
            "quantity": quantity,
            "modifier_ids": [self.ids["mods"][m] for m in mods],
            **kw,
        }

    def order(self, *lines: dict, table: str | None = "1", **kw) -> dict:
        body = {"id": str(uuid.uuid4()), "fire": True, "lines": list(lines), **kw}
        if table:
            body.update(type="dine_in", table_id=self.ids["tables"][table], guests=2)
        else:
            body.setdefault("type", "takeaway")
        return self.call("post", "/api/v1/orders", body, expect_status=201)

    def call(self, method: str, path: str, body=None, expect_status=200, headers=None) -> dict:
        response = requests.request(
            method, self.url + path, json=body, headers=headers or self.waiter, timeout=10
        )
        assert response.status_code == expect_status, response.text
        return response.json() if response.content else {}

    def snapshot(self, code: str) -> dict:
        return self.call(
            "get", f"/api/v1/stations/{self.ids['stations'][code]}/snapshot", headers=self.cook
        )


@pytest.fixture
def shop(server, demo, db, token_for) -> Shop:
    with db(write=False) as s:
        ids = {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "mods": {m.name: m.id for m in s.scalars(select(Modifier))},
            "stations": {st.code: st.id for st in s.scalars(select(Station))},
            "tables": {t.label: t.id for t in s.scalars(select(DiningTable))},
        }
    return Shop(server, ids, token_for("waiter", name="Yusuf"), token_for("kitchen"))


@pytest.fixture
def context(browser, server, shop, make_staff):
    """A kitchen screen's browser (landscape, touch, English), its cook signed in."""
    make_staff("kitchen", pin=COOK_PIN, name="Chef", locale="en")
    context = browser.new_context(
        base_url=server, viewport=LANDSCAPE, has_touch=True, locale="en-US"
    )
    yield context
    context.close()


def open_screen(context, station: str, viewport=None, websocket=None):
    """A page on /kds?station=..., signed in through the PIN page, live and in sync."""
    page = context.new_page()
    if viewport:
        page.set_viewport_size(viewport)
    if websocket:
        page.route_web_socket(re.compile(r"/socket\.io/"), websocket)
    page.goto(f"/kds?station={station}")
    if "/login" in page.url:
        page.fill("#pin", COOK_PIN)
        page.get_by_test_id("pin-submit").tap()
        page.wait_for_url(re.compile(r"/kds\?station="))
    wait_live(page)
    return page


def wait_live(page) -> None:
    """Connected, joined and rendered (the board knows its station's sequence number)."""
    page.wait_for_function(
        "() => { const k = document.getElementById('kds');"
        " return k.dataset.live === '1' && k.dataset.seq !== undefined && k.dataset.seq !== ''; }"
    )


def card(page, number):
    return page.locator(f'[data-testid=ticket][data-order="{number}"]')


def caught_up(page, shop: Shop, code: str) -> int:
    """Wait until the board has applied every event of station `code` that the server has
    numbered (its data-seq is the server's); that seq. A push that came twice, or late,
    would be on the board by then: no need to wait "a moment" for it."""
    seq = shop.snapshot(code)["seq"]
    expect(page.get_by_test_id("kds")).to_have_attribute("data-seq", str(seq))
    return seq


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_a_fired_ticket_appears_live_counts_and_is_bumped_and_recalled_by_touch(context, shop):
    page = open_screen(context, "cold")
    expect(page.get_by_test_id("station-name")).to_have_text("Cold kitchen")
    expect(page.get_by_test_id("empty")).to_be_visible()
    hint = page.get_by_test_id("sound-hint")
    expect(hint).to_be_visible()
    hint.tap()  # browsers play sound only after a tap
    expect(hint).to_be_hidden()
    chimes = int(page.get_by_test_id("kds").get_attribute("data-chimes") or 0)

    order = shop.order(shop.line("Hummus", 2), table="5")
    ticket = card(page, order["number"])
    expect(ticket).to_have_count(1)  # live: no reload
    expect(page.get_by_test_id("kds")).to_have_attribute("data-chimes", str(chimes + 1))
    expect(ticket.get_by_test_id("place")).to_have_text("Table 5")
    expect(ticket.get_by_test_id("item-name")).to_have_text(["Hummus"])
    expect(ticket.locator(".kds-qty")).to_have_text(["2"])
    expect(ticket.locator(".kds-waiter")).to_contain_text("Yusuf")
    expect(ticket).to_have_class(re.compile(r"\bis-new\b"))  # it flashes
    expect(page.get_by_test_id("all-day-row")).to_have_text(["2Hummus"])
    expect(page.get_by_test_id("count-open")).to_have_text("1")

    timer = ticket.get_by_test_id("timer")
    expect(timer).to_have_text(re.compile(r"^0:0\d$"))
    expect(timer).to_have_class(re.compile(r"\bis-ok\b"))
    first = timer.inner_text()
    expect(timer).not_to_have_text(first, timeout=3000)  # it counts, second by second

    ticket.get_by_test_id("start").tap()
    expect(ticket).to_have_attribute("data-status", "started")
    expect(ticket.get_by_test_id("start")).to_have_count(0)
    assert shop.snapshot("cold")["tickets"][0]["status"] == "started"

    bump = ticket.get_by_test_id("bump")
    assert bump.bounding_box()["height"] >= 64  # a wet thumb finds it
    bump.tap()
    expect(card(page, order["number"])).to_have_count(0)
    expect(page.get_by_test_id("all-day-row")).to_have_count(0)

    page.get_by_test_id("recall-last").tap()
    expect(card(page, order["number"])).to_have_count(1)
    assert [t["status"] for t in shop.snapshot("cold")["tickets"]] == ["started"]

    # Bumped again, then brought back from the drawer of recent tickets.
    card(page, order["number"]).get_by_test_id("bump").tap()
    expect(card(page, order["number"])).to_have_count(0)
    page.get_by_test_id("recent-open").tap()
    drawer = page.get_by_test_id("recent-drawer")
    expect(drawer).to_be_visible()
    row = drawer.get_by_test_id("recent-row").first
    expect(row).to_contain_text(f"#{order['number']}")
    shot(page, "kds-recent.png")
    row.get_by_test_id("recall").tap()
    expect(drawer).to_be_hidden()
    expect(card(page, order["number"])).to_have_count(1)
    expect(card(page, order["number"])).to_have_class(re.compile(r"\bis-selected\b"))


def test_the_bump_bar_selects_starts_bumps_and_recalls_and_a_void_strikes_through(context, shop):
    page = open_screen(context, "cold")
    hummus = shop.line("Hummus", 2)
    first = shop.order(hummus, shop.line("Fattoush"), table="1")
    second = shop.order(shop.line("Tabbouleh"), table="2")
    third = shop.order(shop.line("Moutabal"), table="3")
    expect(page.get_by_test_id("ticket")).to_have_count(3)
    expect(page.locator(".kds-key")).to_have_text(["1", "2", "3"])

    page.keyboard.press("2")
    expect(card(page, second["number"])).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("Enter")
    expect(card(page, second["number"])).to_have_count(0)
    expect(page.get_by_test_id("ticket")).to_have_count(2)

    page.keyboard.press("r")  # recall the last bumped
    expect(card(page, second["number"])).to_have_count(1)

    page.keyboard.press("1")
    page.keyboard.press("ArrowRight")
    expect(card(page, second["number"])).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("ArrowRight")
    expect(card(page, third["number"])).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("s")
    expect(card(page, third["number"])).to_have_attribute("data-status", "started")
    page.keyboard.press(" ")
    expect(card(page, third["number"])).to_have_count(0)

    # A line tapped is done; the ticket stays until its last line.
    ticket = card(page, first["number"])
    ticket.get_by_test_id("line").filter(has_text="Fattoush").tap()
    expect(ticket.get_by_test_id("line").filter(has_text="Fattoush")).to_have_class(
        re.compile(r"\bis-done\b")
    )
    expect(ticket).to_have_attribute("data-status", "started")

    # The waiter voids the hummus: struck through, with the reason, out of the all-day count.
    expect(page.get_by_test_id("all-day-row").filter(has_text="Hummus")).to_have_text("2Hummus")
    shop.call(
        "post",
        f"/api/v1/orders/{first['id']}/lines/{hummus['id']}/void",
        {"version": first["version"], "reason": "guest changed mind"},
    )
    line = ticket.get_by_test_id("line").filter(has_text="Hummus")
    expect(line).to_have_class(re.compile(r"\bis-void\b"))
    expect(line.get_by_test_id("void-reason")).to_contain_text("guest changed mind")
    decoration = line.locator(".kds-item").evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in decoration
    expect(page.get_by_test_id("all-day-row").filter(has_text="Hummus")).to_have_count(0)


def test_expo_shows_each_station_and_is_complete_when_the_last_one_bumps(context, shop):
    cold = open_screen(context, "cold")
    expo = open_screen(context, "expo")
    expect(expo.get_by_test_id("station-name")).to_have_text("Expo")
    shop.order(shop.line("Tabbouleh"), table="8")  # another order, still cooking
    order = shop.order(shop.line("Hummus"), shop.line("Falafel (6 pieces)", 2), table="7")
    ticket = card(expo, order["number"])
    expect(ticket).to_have_count(1)
    parts = ticket.get_by_test_id("part")
    expect(parts).to_have_count(2)
    expect(parts.filter(has_text="Fry")).to_have_attribute("data-status", "new")
    expect(parts.filter(has_text="Cold kitchen")).to_have_attribute("data-status", "new")
    names = ticket.get_by_test_id("item-name").all_inner_texts()
    assert sorted(names) == ["Falafel (6 pieces)", "Hummus"]
    expect(ticket).not_to_have_class(re.compile(r"\bis-complete\b"))

    fry = shop.snapshot("fry")["tickets"][0]
    shop.call("post", f"/api/v1/tickets/{fry['id']}/bump", headers=shop.cook)
    expect(parts.filter(has_text="Fry")).to_have_attribute("data-status", "done")
    expect(ticket).not_to_have_class(re.compile(r"\bis-complete\b"))

    card(cold, order["number"]).get_by_test_id("bump").tap()  # the cold ticket, by touch
    expect(parts.filter(has_text="Cold kitchen")).to_have_attribute("data-status", "done")
    expect(ticket).to_have_class(re.compile(r"\bis-complete\b"))
    expect(ticket.get_by_test_id("complete")).to_be_visible()
    shot(expo, "kds-expo.png")

    ticket.get_by_test_id("bump").tap()  # expo bumps: the order is ready
    expect(card(expo, order["number"])).to_have_count(0)
    assert shop.call("get", f"/api/v1/orders/{order['id']}")["status"] == "ready"


def test_the_screen_in_arabic_mirrors_and_shows_arabic_item_names(context, shop):
    page = open_screen(context, "cold")
    shop.order(
        shop.line("Caesar salad", mods=["Grilled chicken"], allergy="nuts", seat=2),
        shop.line("Hummus", 2, note="extra olive oil"),
        table="4",
    )
    shop.order(shop.line("Fattoush"), table=None, customer_name="Ali", rush=True)
    expect(page.get_by_test_id("ticket")).to_have_count(2)
    page.get_by_test_id("lang-ar").click()
    page.wait_for_url(re.compile(r"/kds\?station=cold"))
    wait_live(page)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_test_id("station-name")).to_have_text("المطبخ البارد")
    names = page.get_by_test_id("item-name")
    expect(names).to_have_text(["فتوش", "سلطة سيزر", "حمص"])  # the rush order first
    expect(page.locator(".kds-mods li")).to_have_text(["دجاج مشوي"])
    # Right to left for real: tickets start at the right, the all-day panel is at the left.
    board = page.get_by_test_id("board").bounding_box()
    first = page.get_by_test_id("ticket").first.bounding_box()
    all_day = page.get_by_test_id("all-day").bounding_box()
    assert all_day["x"] < board["x"] < first["x"]
    assert first["x"] + first["width"] > board["x"] + board["width"] - 30
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    shot(page, "kds-ar.png")


def test_a_network_drop_shows_the_banner_and_loses_and_doubles_nothing(context, shop):
    page = open_screen(context, "cold")
    before = shop.order(shop.line("Hummus"), table="1")
    expect(card(page, before["number"])).to_have_count(1)
    seen = caught_up(page, shop, "cold")

    page.context.set_offline(True)
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.get_by_test_id("reconnecting")).to_be_visible()
    expect(page.get_by_test_id("kds")).to_have_class(re.compile(r"\bis-offline\b"))
    missed = [
        shop.order(shop.line("Fattoush"), table="2"),
        shop.order(shop.line("Tabbouleh", 3), table="3"),
    ]
    assert shop.snapshot("cold")["seq"] > seen  # numbered and pushed, to nobody
    assert page.get_by_test_id("kds").get_attribute("data-seq") == str(seen)
    expect(page.get_by_test_id("ticket")).to_have_count(1)
    shot(page, "kds-offline.png")

    page.context.set_offline(False)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.get_by_test_id("reconnecting")).to_be_hidden()
    for order in (before, *missed):
        expect(card(page, order["number"])).to_have_count(1)
    caught_up(page, shop, "cold")  # and nothing turns up twice
    assert page.get_by_test_id("ticket").count() == 3
    expect(page.get_by_test_id("all-day-row")).to_have_text(["3Tabbouleh", "1Fattoush", "1Hummus"])
    after = shop.order(shop.line("Moutabal"), table="6")  # and live pushes carry on
    expect(card(page, after["number"])).to_have_count(1)
    expect(page.get_by_test_id("ticket")).to_have_count(4)


def test_a_busy_grill_looks_like_a_kitchen_screen(context, shop, db):
    """Timers change colour at the station's thresholds; rush, allergy, change, hold, void,
    staggered start and cancelled tickets each look different; both screen sizes fit."""
    with db() as s:
        grill = s.get(Station, shop.ids["stations"]["grill"])
        grill.warn_after_s, grill.late_after_s = 3, 6
    page = open_screen(context, "grill")
    oldest = shop.order(shop.line("Mixed grill", mods=["French fries"], seat=1), table="1")
    burger = shop.line("Classic beef burger", mods=["Medium", "No onion"])
    changed = shop.order(burger, shop.line("Lamb kofta", mods=["Saffron rice"]), table="2")
    expect(page.get_by_test_id("ticket")).to_have_count(2)
    timer = card(page, oldest["number"]).get_by_test_id("timer")
    expect(timer).to_have_class(re.compile(r"\bis-warn\b"), timeout=6000)
    expect(timer).to_have_class(re.compile(r"\bis-late\b"), timeout=6000)

    patched = shop.call(
        "patch",
        f"/api/v1/orders/{changed['id']}/lines/{burger['id']}",
        {
            "version": changed["version"],
            "modifier_ids": [shop.ids["mods"][m] for m in ("Well done", "No onion", "No pickles")],
        },
    )
    shop.call("post", f"/api/v1/orders/{changed['id']}/fire", {"version": patched["version"]})
    shop.order(
        shop.line("Ribeye steak 300 g", mods=["Rare", "Grilled vegetables"], allergy="sesame"),
        shop.line("Shish tawook", 2, mods=["Saffron rice"], note="no garlic sauce"),
        table="T2",
        rush=True,
    )
    delivery = shop.line("Chicken burger", 2, mods=["Cheese slice"])
    sent = shop.order(
        delivery,
        table=None,
        type="delivery",
        customer_name="Noura",
        customer_phone="0500000000",
        customer_address="King Fahd Rd",
    )
    shop.call(
        "post",
        f"/api/v1/orders/{sent['id']}/lines/{delivery['id']}/void",
        {"version": sent["version"], "quantity": 1, "reason": "out of buns"},
    )
    shop.order(
        shop.line("Lentil soup"), shop.line("Grilled salmon", mods=["Saffron rice"]), table="9"
    )
    shop.order(shop.line("Lentil soup"), shop.line("Cheese sambousek"), table="10", stagger=True)
    gone = shop.order(shop.line("Lamb kofta", mods=["French fries"]), table="T5")
    shop.call(
        "post",
        f"/api/v1/orders/{gone['id']}/cancel",
        {"version": gone["version"], "reason": "guest left"},
    )

    expect(page.get_by_test_id("ticket")).to_have_count(9)
    expect(page.get_by_test_id("change-badge")).to_have_count(1)
    change = page.get_by_test_id("change")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Medium, No onion")
    expect(change).to_contain_text("Well done, No onion, No pickles")
    expect(page.get_by_test_id("rush")).to_have_count(1)
    expect(page.get_by_test_id("allergy")).to_have_text(["⚠ ALLERGY: sesame"])
    expect(page.get_by_test_id("hold")).to_have_count(1)
    expect(page.locator(".kds-timer.is-held")).to_have_text(["HOLD"])
    expect(page.locator(".kds-timer.is-wait")).to_have_text([re.compile(r"^Start in \d+ min$")])
    expect(page.get_by_test_id("cancelled")).to_have_count(1)
    expect(page.get_by_test_id("void-reason")).to_contain_text(["out of buns", "guest left"])
    # All day: still to cook, without held tickets, void lines or what was voided.
    all_day = dict(
        reversed(row.split("\n", 1)) for row in page.get_by_test_id("all-day-row").all_inner_texts()
    )
    assert all_day["Chicken burger"] == "1" and "Grilled salmon" not in all_day
    assert all_day["Lamb kofta"] == "1"  # the cancelled order's kofta is not counted
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    shot(page, "kds-grill-en.png")
    page.set_viewport_size(FULL_HD)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    shot(page, "kds-grill-1920.png")


def test_a_lost_push_is_noticed_by_its_number_and_fetched(context, shop):
    """The Wi-Fi drops one frame: the next push's seq shows the gap, join_station fills it."""
    dropped = []

    def lose_the_first_ticket(ws):
        server = ws.connect_to_server()

        def from_server(message):
            if not dropped and isinstance(message, str) and '"ticket_created"' in message:
                dropped.append(message)
                return
            ws.send(message)

        server.on_message(from_server)

    page = open_screen(context, "cold", websocket=lose_the_first_ticket)
    lost = shop.order(shop.line("Hummus"), table="1")
    for _ in range(500):  # up to 10 s; the route's handler runs while Playwright waits
        if dropped:
            break
        page.wait_for_timeout(20)
    expect(card(page, lost["number"])).to_have_count(0)
    assert len(dropped) == 1
    noticed = shop.order(shop.line("Fattoush"), table="2")
    expect(card(page, noticed["number"])).to_have_count(1)
    expect(card(page, lost["number"])).to_have_count(1)
    caught_up(page, shop, "cold")
    assert page.get_by_test_id("ticket").count() == 2


def test_the_station_is_remembered_and_can_be_picked(context, shop):
    page = open_screen(context, "bar")
    page.get_by_test_id("station-button").tap()
    picker = page.get_by_test_id("station-picker")
    expect(picker).to_be_visible()
    expect(picker.get_by_test_id("pick-expo")).to_contain_text("Expo")
    shot(page, "kds-picker.png")
    picker.get_by_test_id("pick-fry").tap()
    expect(page.get_by_test_id("station-name")).to_have_text("Fry")
    expect(page).to_have_url(re.compile(r"station=fry"))
    wait_live(page)

    page.get_by_test_id("recall-last").tap()  # nothing bumped yet: the server says no
    expect(page.get_by_test_id("toast")).to_have_text("Nothing bumped to recall.")

    order = shop.order(shop.line("Falafel (6 pieces)"), table="3")
    expect(card(page, order["number"])).to_have_count(1)
    card(page, order["number"]).locator(".kds-card-head").tap()  # the header starts it
    expect(card(page, order["number"])).to_have_attribute("data-status", "started")
    again = context.new_page()
    again.goto("/kds")  # no ?station=: the screen remembers
    wait_live(again)
    expect(again.get_by_test_id("station-name")).to_have_text("Fry")
    expect(card(again, order["number"])).to_have_count(1)


def test_a_revoked_login_sends_the_screen_back_to_the_pin_page(context, shop):
    page = open_screen(context, "cold")
    order = shop.order(shop.line("Hummus"), table="1")
    expect(card(page, order["number"])).to_have_count(1)
    token = page.locator('meta[name="pos-token"]').get_attribute("content")
    bearer = {"Authorization": f"Bearer {token}"}
    shop.call("post", "/api/v1/auth/logout", headers=bearer, expect_status=204)
    # No tap needed: the server drops the screen's socket with `session_revoked` at once.
    expect(page.get_by_test_id("toast")).to_have_text("Signed out: log in again.")
    page.wait_for_url(re.compile(r"/login\?next="))
    assert shop.snapshot("cold")["tickets"][0]["status"] == "new"  # nothing was bumped


def test_a_dropped_connection_comes_back_by_itself_and_catches_up(context, shop):
    """The server side goes away (a restart, a cable) without the device noticing: socket.io
    reconnects by itself, and join_station with the last seq brings what was missed."""
    cut = {"on": False}
    sockets = []

    def line(ws):
        if cut["on"]:
            ws.close()  # the server is not there
            return
        sockets.append((ws, ws.connect_to_server()))

    page = open_screen(context, "cold", websocket=line)
    first = shop.order(shop.line("Hummus"), table="1")
    expect(card(page, first["number"])).to_have_count(1)
    seen = caught_up(page, shop, "cold")

    cut["on"] = True
    for ws, server in sockets:
        server.close()
        ws.close()
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.get_by_test_id("kds")).to_have_class(re.compile(r"\bis-offline\b"))
    missed = shop.order(shop.line("Tabbouleh"), table="2")
    assert shop.snapshot("cold")["seq"] > seen  # numbered and pushed, to nobody
    assert page.get_by_test_id("kds").get_attribute("data-seq") == str(seen)
    expect(card(page, missed["number"])).to_have_count(0)

    cut["on"] = False  # back: the next retry gets through
    expect(page.locator("#offline-banner")).to_be_hidden(timeout=10000)
    expect(card(page, missed["number"])).to_have_count(1)
    expect(page.get_by_test_id("ticket")).to_have_count(2)


def test_the_screen_says_when_its_printer_is_offline_or_out_of_paper_and_reprints(
    context, shop, db
):
    """The cold station's printer goes dark, then runs out of paper: the screen says so at
    once (printer_status pushes, no seq) and clears when the server's worker finds it back;
    a ticket's Reprint prints its chit again."""
    cold_vp, bar_vp = VirtualPrinter("cold").start(), VirtualPrinter("bar").start()
    try:
        with db() as s:
            for printer in s.scalars(select(Printer)):
                if printer.name in ("Cold kitchen printer", "Bar printer"):
                    printer.port = (cold_vp if printer.name.startswith("Cold") else bar_vp).port
        page = open_screen(context, "cold")
        banner = page.get_by_test_id("printer-banner")
        expect(banner).to_be_hidden()

        cold_vp.stop()
        order = shop.order(shop.line("Hummus"), table="1")
        expect(banner).to_be_visible()
        expect(banner).to_have_attribute("data-state", "offline")
        expect(page.get_by_test_id("printer-banner-text")).to_have_text(
            "Printer offline — chits go to the backup printer"
        )
        expect(page.get_by_test_id("printer-banner-name")).to_have_text("Cold kitchen printer")
        expect(card(page, order["number"])).to_have_count(1)  # the tickets are all there
        shot(page, "kds-printer-offline.png")
        wait_for_chit(bar_vp, "BACKUP FROM Cold kitchen printer")  # retried, then the backup

        cold_vp.restart()  # back: the worker's status check finds it, the banner goes
        expect(banner).to_be_hidden(timeout=8000)

        card(page, order["number"]).get_by_test_id("reprint").tap()
        expect(page.get_by_test_id("toast")).to_have_text("Reprint sent to the printer.")
        reprint = wait_for_chit(cold_vp, "REPRINT")
        assert f"#{order['number']} " in reprint and "1 x Hummus" in reprint

        cold_vp.mode = "paper_out"
        shop.order(shop.line("Fattoush"), table="2")
        expect(page.get_by_test_id("printer-banner-text")).to_have_text(
            "Out of paper — chits go to the backup printer"
        )
        expect(banner).to_have_attribute("data-state", "paper_out")
        # A screen opened now (here: in Arabic) learns it from the printers' health.
        page.get_by_test_id("lang-ar").click()
        page.wait_for_url(re.compile(r"/kds\?station=cold"))
        wait_live(page)
        expect(page.get_by_test_id("printer-banner-text")).to_have_text(
            "نفد الورق — تُطبع التذاكر على الطابعة الاحتياطية"
        )
        shot(page, "kds-printer-paper-out-ar.png")
        # The pushes carried no seq and the screen's numbering is untouched by them.
        seq = str(shop.snapshot("cold")["seq"])
        expect(page.get_by_test_id("kds")).to_have_attribute("data-seq", seq)

        cold_vp.mode = "normal"  # paper loaded
        expect(banner).to_be_hidden(timeout=8000)
    finally:
        cold_vp.stop()
        bar_vp.stop()


def wait_for_chit(printer, text: str, seconds: float = 8) -> str:
    """The first complete chit the virtual printer received with `text` on it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for job in printer.jobs:
            decoded = decode_escpos(job.data)
            if job.complete and text in decoded:
                return decoded
        time.sleep(0.05)
    pytest.fail(f"no chit with {text!r} at {printer.name} within {seconds} s")
