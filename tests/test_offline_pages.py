"""A reload while the branch server is down: the handheld, the kitchen screen and the cashier
load from the service worker's copy, say they are offline, and go on when the server is back.

Each test runs the real server (gevent, `python -m pos_app.server`), signs a page in Chromium,
waits for the service worker to keep the page, then kills the server process for real
(SIGKILL: no goodbye to the sockets), reloads, and starts the server again on the same port.
Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import shutil
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from live import PROJECT_DIR, Api, ApiCalls, eventually, free_port, server_process

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
TILL = {"width": 1280, "height": 800}
WAITER_PIN, COOK_PIN, CASHIER_PIN = "7302", "2469", "3302"


class Branch:
    """The branch server of one test: started, killed for real, started again on its port."""

    def __init__(self, database_url: str, folder: Path):
        self.database_url, self.folder, self.port = database_url, folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stack, self.proc = None, None

    def start(self, project: Path = PROJECT_DIR) -> None:
        self.stack = ExitStack()
        url, self.proc = self.stack.enter_context(
            server_process(self.database_url, self.folder, port=self.port, project=project)
        )
        assert url == self.url

    def kill(self) -> None:
        """SIGKILL, as a power cut or a crash would: no socket is closed politely."""
        self.proc.kill()
        self.proc.wait()
        self.stack.close()

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.close()


@pytest.fixture
def branch(database_url, arabic_catalog, demo, tmp_path):
    server = Branch(database_url, tmp_path)
    server.start()
    yield server
    server.stop()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def sign_in(browser, branch: Branch, pin: str, path: str, viewport: dict):
    """A page (service workers allowed) signed in with `pin` on `path`, its copy kept."""
    context = browser.new_context(
        base_url=branch.url, viewport=viewport, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    page.goto(f"/login?next={path}")
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(f"**{path}")
    kept(page)
    return page


def kept(page) -> None:
    """The service worker controls the page and keeps its shell."""
    expect(page.locator("html")).to_have_attribute("data-offline", "ready", timeout=15000)


def loaded_from_the_device(page) -> None:
    """The page came from the service worker's copy and says so, loud."""
    expect(page.locator("html")).to_have_attribute("data-offline", "shell")
    banner = page.locator("#offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-state", "shell")
    expect(banner).to_contain_text("the branch server cannot be reached")


def caches_of(page) -> list[str]:
    return sorted(page.evaluate("caches.keys()"))


def table_orders(api: Api, label: str) -> list[dict]:
    return [o for o in api.get("/orders")["items"] if o["table_label"] == label]


def item(page, name: str):
    return page.locator(f'.hh-item[data-name="{name}"]')


def open_cart(page) -> None:
    cart = page.locator("#hh-cart")
    if cart.get_attribute("data-open") != "true":
        page.get_by_test_id("cart-toggle").click()
    expect(cart).to_have_attribute("data-open", "true")


def test_the_handheld_reloads_with_the_server_down_and_sends_the_order_once_when_back(
    browser, branch, make_staff, token_for
):
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    kitchen = Api(branch.url, token_for("kitchen"))
    page = sign_in(browser, branch, WAITER_PIN, "/handheld", PHONE)
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    page.get_by_test_id("table-5").click()
    page.get_by_test_id("guests-2").click()
    page.get_by_test_id("categories").get_by_role("tab", name="Starters").click()
    item(page, "Moutabal").click()
    item(page, "Moutabal").click()
    order_id = page.evaluate("location.hash").removeprefix("#order=")
    uuid.UUID(order_id)

    branch.kill()
    page.reload()
    loaded_from_the_device(page)
    # The worker answers the page and its files, never the API: no answer passes for fresh.
    fetched = "path => fetch(path, {cache: 'no-store'}).then(r => r.status, () => 'failed')"
    assert page.evaluate(fetched, "/api/v1/menu") == "failed"
    assert page.evaluate(fetched, "/static/js/handheld.js") == 200
    expect(page.get_by_test_id("order-title")).to_have_text("Table 5")
    open_cart(page)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-line")).to_contain_text("2×")
    # The waiter goes on: one more dish, and Send, with the server still down.
    page.get_by_test_id("categories").get_by_role("tab", name="Cold drinks").click()
    item(page, "Mineral water").click()
    page.get_by_test_id("send").click()  # back to the floor, the order waiting to go
    expect(page.get_by_test_id("outbox")).to_contain_text("Waiting to send: 1")
    expect(page.get_by_test_id("table-5")).to_contain_text("Waiting to send")
    shot(page, "offline-handheld-reloaded.png")

    calls = ApiCalls(page)
    branch.start()
    expect(page.get_by_test_id("outbox")).to_be_hidden(timeout=20000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("table-5")).to_have_attribute("data-status", "ordered")
    [order] = eventually(lambda: table_orders(kitchen, "5"))
    assert order["id"] == order_id  # the draft's own UUID: a retry is the same order
    assert sorted((li["name"], li["quantity"]) for li in order["lines"]) == [
        ("Mineral water", 1),
        ("Moutabal", 2),
    ]
    calls.settled()  # a second send would have its answer by now
    assert len(table_orders(kitchen, "5")) == 1
    assert len(kitchen.get(f"/orders/{order_id}")["lines"]) == 2
    shot(page, "offline-handheld-back.png")
    page.context.close()


def fire(api: Api, table: str, *dishes: str) -> dict:
    """A dine-in order sent to the kitchen, as a handheld sends it."""
    menu = api.get("/menu")
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    tables = {t["label"]: t["id"] for t in api.get("/tables?active=true")["items"]}
    lines = [{"id": str(uuid.uuid4()), "item_id": items[d], "quantity": 1} for d in dishes]
    body = {"id": str(uuid.uuid4()), "type": "dine_in", "table_id": tables[table], "guests": 2}
    status, order = api.call("POST", "/orders", {**body, "fire": True, "lines": lines})
    assert status == 201, order
    return order


def ticket(page, order: dict):
    return page.locator(f'[data-testid=ticket][data-order="{order["number"]}"]')


def test_the_kitchen_screen_reloads_with_its_last_board_and_catches_up_when_back(
    browser, branch, make_staff, token_for
):
    make_staff("kitchen", pin=COOK_PIN, name="Chef", locale="en")
    waiter = Api(branch.url, token_for("waiter"))
    first = fire(waiter, "3", "Hummus")
    page = sign_in(browser, branch, COOK_PIN, "/kds?station=cold", TILL)
    expect(ticket(page, first)).to_have_count(1)
    second = fire(waiter, "4", "Fattoush")
    expect(ticket(page, second)).to_have_count(1)  # pushed live; the board is kept with it

    branch.kill()
    page.reload()
    loaded_from_the_device(page)
    expect(page.get_by_test_id("station-name")).to_have_text("Cold kitchen")
    expect(ticket(page, first)).to_have_count(1)
    expect(ticket(page, second)).to_have_count(1)
    expect(page.get_by_test_id("reconnecting")).to_be_visible()
    shot(page, "offline-kds-reloaded.png")

    branch.start()
    third = fire(waiter, "6", "Tabbouleh")  # sent before the screen is back
    expect(page.locator("#kds")).to_have_attribute("data-live", "1", timeout=20000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(ticket(page, third)).to_have_count(1)
    fourth = fire(waiter, "7", "Moutabal")  # and one after: live again
    expect(ticket(page, fourth)).to_have_count(1)
    for order in (first, second, third):
        expect(ticket(page, order)).to_have_count(1)  # caught up: nothing lost, nothing twice
    expect(page.locator("[data-testid=ticket]")).to_have_count(4)
    shot(page, "offline-kds-back.png")
    page.context.close()


def test_the_cashier_reloads_offline_takes_no_payment_and_comes_back_live(
    browser, branch, make_staff, token_for
):
    make_staff("cashier", pin=CASHIER_PIN, name="Huda", locale="en")
    waiter = Api(branch.url, token_for("waiter"))
    order = fire(waiter, "8", "Fattoush")
    page = sign_in(browser, branch, CASHIER_PIN, "/cashier", TILL)
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    row = page.locator(f'[data-testid="order-row"][data-id="{order["id"]}"]')
    expect(row).to_be_visible()

    branch.kill()
    page.reload()
    loaded_from_the_device(page)
    # Nothing to pay with and nothing to tap: the screen is dimmed and inert until it is back.
    expect(page.get_by_test_id("pay-submit")).to_have_count(0)
    expect(page.get_by_test_id("cashier")).to_have_css("pointer-events", "none")
    shot(page, "offline-cashier-reloaded.png")

    branch.start()
    expect(page.locator("html")).not_to_have_attribute("data-offline", "shell", timeout=20000)
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.get_by_test_id("cashier")).to_have_css("pointer-events", "auto")
    row.click()
    expect(page.get_by_test_id("bill-title")).to_contain_text(f"Order {order['number']}")
    page.get_by_test_id("tender-card").click()
    page.get_by_test_id("last4").fill("4242")
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("bill-settled")).to_be_visible()
    payments = waiter.get(f"/orders/{order['id']}/bill")["payments"]
    assert [(p["tender"], p["last4"]) for p in payments] == [("card", "4242")]
    shot(page, "offline-cashier-back.png")
    page.context.close()


def kept_shell_text(page) -> str:
    """The kept copy of this page, as the service worker would serve it."""
    return page.evaluate(
        """async () => {
            for (const name of await caches.keys()) {
                const hit = await (await caches.open(name)).match(location.pathname);
                if (hit) return await hit.text();
            }
            return null;
        }"""
    )


def test_logout_and_a_revoked_session_leave_nothing_of_the_user_on_the_device(
    browser, branch, make_staff, token_for
):
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    page = sign_in(browser, branch, WAITER_PIN, "/handheld", PHONE)
    version = page.locator("html").get_attribute("data-offline-version")
    assert caches_of(page) == [f"pos-shell-{version}", f"pos-static-{version}"]
    token = page.evaluate("sessionStorage.getItem('pos.offline.token')")
    csrf = page.locator('form[action="/logout"] input[name=csrf_token]').input_value()
    assert token and csrf
    shell = kept_shell_text(page)
    assert "Nour" in shell and 'id="hh-boot"' in shell
    assert token not in shell and csrf not in shell  # the copy on the device holds no secret

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login*")  # the form's redirect, or the revoked socket's
    expect(page.locator("#pin")).to_be_visible()
    eventually(lambda: caches_of(page) == [])
    assert page.evaluate("sessionStorage.getItem('pos.offline.token')") is None

    # A revoked session (logout elsewhere, a new PIN, deactivation) forgets it all the same.
    make_staff("kitchen", pin=COOK_PIN, name="Chef", locale="en")
    fire(Api(branch.url, token_for("waiter")), "2", "Hummus")
    kds = sign_in(browser, branch, COOK_PIN, "/kds?station=cold", TILL)
    expect(kds.locator("[data-testid=ticket]")).to_have_count(1)
    assert kds.evaluate("Object.keys(localStorage).some(k => k.startsWith('pos.offline.keep.'))")
    cook = Api(branch.url, kds.evaluate("sessionStorage.getItem('pos.offline.token')"))
    status, _body = cook.call("POST", "/auth/logout")
    assert status == 204
    kds.wait_for_url("**/login?next=*")
    eventually(lambda: caches_of(kds) == [])
    assert not kds.evaluate("Object.keys(localStorage).some(k => k.startsWith('pos.offline.'))")

    branch.kill()  # with nothing kept, a reload while offline is the browser's own error page
    with pytest.raises(Exception, match="ERR_"):
        kds.goto("/kds?station=cold")
    page.context.close()
    kds.context.close()


def upgraded_copy(folder: Path) -> Path:
    """This checkout with one script changed: the next release."""
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "artifacts", "instance", "__pycache__", "*_cache"
    )
    copy = folder / "next-release"
    shutil.copytree(PROJECT_DIR, copy, ignore=ignore)
    with (copy / "static/js/handheld.js").open("a") as script:
        script.write('\nwindow.__posRelease = "next";\n')
    return copy


def test_a_new_release_replaces_the_kept_files_so_no_old_script_runs_after_an_upgrade(
    browser, branch, make_staff, tmp_path
):
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    page = sign_in(browser, branch, WAITER_PIN, "/handheld", PHONE)
    old = page.locator("html").get_attribute("data-offline-version")
    assert page.evaluate("window.__posRelease") is None

    branch.kill()
    branch.start(project=upgraded_copy(tmp_path))
    page.reload()  # online: the new page and the new script, though the old worker answered
    assert page.evaluate("window.__posRelease") == "next"
    page.wait_for_function(
        "old => { const v = document.documentElement.dataset.offlineVersion;"
        " return document.documentElement.dataset.offline === 'ready' && v && v !== old; }",
        arg=old,
    )
    new = page.locator("html").get_attribute("data-offline-version")
    eventually(lambda: caches_of(page) == [f"pos-shell-{new}", f"pos-static-{new}"])

    branch.kill()
    page.reload()  # offline: the new release's copy, never the old one
    loaded_from_the_device(page)
    assert page.evaluate("window.__posRelease") == "next"
    page.context.close()
