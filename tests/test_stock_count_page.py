"""The stock-count page (/stock/count) in a real Chromium on a phone, against the real server.

A cook searches (English, Arabic, a code), types counts, loses the Wi-Fi, submits (the count
waits on the phone under a loud banner), gets the Wi-Fi back, and the count arrives exactly
once with its variance shown. A keyboard-wedge scanner and the camera (BarcodeDetector) jump
to the ingredient scanned; the Arabic page is right-to-left and fits the phone. Screenshots
land in tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from live import Api, ApiCalls, eventually
from test_page_security import pin_login

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
COOK_PIN = "6401"
DEMO_INGREDIENTS = 17  # pos_app/data/demo_stock.json
LAMB_BARCODE, CHICKEN_BARCODE = "6281000000011", "6281000000028"
# A camera and a detector for a headless browser: getUserMedia gives a canvas's stream and
# BarcodeDetector "sees" the chicken's barcode once the page asks it to look.
FAKE_CAMERA = """
window.__scans = [];
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["ean_13", "qr_code"]); }
  constructor(options) { window.__scans.push(options); }
  detect() { return Promise.resolve([{ rawValue: "CHICKEN", format: "ean_13" }]); }
};
navigator.mediaDevices.getUserMedia = function () {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 48;
  canvas.getContext("2d").fillRect(0, 0, 64, 48);
  window.__stream = canvas.captureStream(5);
  return Promise.resolve(window.__stream);
};
""".replace("CHICKEN", CHICKEN_BARCODE)


# -- the page's door: who may open it ---------------------------------------------------------


def test_the_count_page_is_for_cooks_and_managers_behind_the_pin_login(
    client, demo_stock, make_staff
):
    answer = client.get("/stock/count")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=/stock/count")
    make_staff("waiter", pin="6402")
    pin_login(client, "6402")
    assert client.get("/stock/count").status_code == 403
    assert 'href="/stock/count"' not in client.get("/home").get_data(as_text=True)
    for role, pin in (("kitchen", "6403"), ("manager", "6404"), ("owner", "6405")):
        other = client.application.test_client()
        make_staff(role, pin=pin)
        pin_login(other, pin)
        page = other.get("/stock/count", headers={"Accept-Language": "en"})
        assert page.status_code == 200, role
        assert page.headers["Cache-Control"] == "no-store"
        assert 'data-testid="tile-stock_count"' in other.get("/home").get_data(as_text=True)


def test_the_count_page_is_kept_for_offline_use(client, make_staff):
    script = client.get("/sw.js").get_data(as_text=True)
    config = json.loads(re.search(r"^var CONFIG = (.*);$", script, re.M).group(1))
    assert "/stock/count" in config["shells"]
    assert "/static/js/stock/count.js" in config["assets"]


# -- in the browser -----------------------------------------------------------------------------


@pytest.fixture
def server(module_server, demo_stock):
    """The real server (one per module) over the demo restaurant with its stock."""
    return module_server


@pytest.fixture
def cook(make_staff):
    return make_staff("kitchen", pin=COOK_PIN, name="Karim", locale="en")


@pytest.fixture
def manager(server, token_for):
    return Api(server, token_for("manager", "password"))


def phone_page(browser, server, locale="en-US", init_script=None):
    """A phone-sized page signed in as the cook, on /stock/count, the list drawn."""
    context = browser.new_context(
        base_url=server, viewport=PHONE, has_touch=True, locale=locale, service_workers="block"
    )
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto("/login?next=/stock/count")
    page.fill("#pin", COOK_PIN)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url("**/stock/count")
    expect(page.locator(".sc-row")).to_have_count(DEMO_INGREDIENTS)
    return page


@pytest.fixture
def phone(browser, server, cook):
    page = phone_page(browser, server)
    yield page
    assert page.errors == []


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled", full_page=True)


def search(page, text: str) -> None:
    page.get_by_test_id("search").fill(text)


def visible_rows(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('.sc-row')].filter((r) => !r.hidden)"
        ".map((r) => r.dataset.testid)"
    )


def fits_the_phone(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth && "
        "[...document.querySelectorAll('body *')].every((n) => {"
        "  const r = n.getBoundingClientRect();"
        "  return r.width === 0 || (r.left >= -1 && r.right <= window.innerWidth + 1); })"
    )


def count_lamb_chicken_and_buns(page) -> None:
    """Search three ways and type three counts (one in kilograms)."""
    search(page, "lamb")
    assert visible_rows(page) == ["ingredient-lamb"]
    page.get_by_test_id("qty-lamb").fill("0.8")
    page.get_by_test_id("unit-lamb-kg").click()
    expect(page.get_by_test_id("unit-lamb-kg")).to_have_attribute("aria-pressed", "true")
    search(page, "صدر دجاج")  # the Arabic name
    assert visible_rows(page) == ["ingredient-chicken"]
    page.get_by_test_id("qty-chicken").fill("14000")
    search(page, "bun")  # the code
    assert visible_rows(page) == ["ingredient-bun"]
    page.get_by_test_id("qty-bun").fill("55")
    search(page, "")
    assert len(visible_rows(page)) == DEMO_INGREDIENTS


def test_a_count_typed_offline_is_sent_once_when_the_wifi_is_back(phone, manager):
    page = phone
    box = page.get_by_test_id("qty-lamb").bounding_box()
    shot(page, "stock-count-start.png")
    assert box["height"] >= 56, box  # wet thumbs
    count_lamb_chicken_and_buns(page)
    expect(page.get_by_test_id("summary")).to_contain_text("3 / 17")

    # A count below zero never leaves the phone.
    page.get_by_test_id("qty-onion").fill("-3")
    expect(page.get_by_test_id("error-onion")).to_have_text("A count cannot be below zero.")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("notice")).to_contain_text("fix the marked counts")
    assert page.evaluate("document.getElementById('sc').dataset.state") == "counting"
    page.get_by_test_id("qty-onion").fill("")
    expect(page.get_by_test_id("error-onion")).to_be_hidden()

    # What was typed survives a reload.
    count_id = page.evaluate(
        "JSON.parse(localStorage['pos.stock.v1.count.staff.' + "
        "JSON.parse(document.getElementById('sc-boot').textContent)"
        ".staff.id]).id"
    )
    page.reload()
    expect(page.locator(".sc-row")).to_have_count(DEMO_INGREDIENTS)
    expect(page.get_by_test_id("qty-lamb")).to_have_value("0.8")
    expect(page.get_by_test_id("unit-lamb-kg")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("qty-chicken")).to_have_value("14000")

    # The Wi-Fi drops: the banner says so, the count waits on the phone.
    page.context.set_offline(True)
    expect(page.locator("#offline-banner")).to_be_visible()
    page.get_by_test_id("note").fill("Friday close")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("queued")).to_be_visible()
    expect(page.get_by_test_id("queued")).to_contain_text("Waiting to send")
    expect(page.get_by_test_id("qty-lamb")).to_be_disabled()
    shot(page, "stock-count-queued.png")
    assert manager.get("/stock/counts")["items"] == []

    # Back online: it goes by itself, once.
    page.context.set_offline(False)
    result = page.get_by_test_id("result")
    expect(result).to_be_visible()
    expect(page.locator("#offline-banner")).to_be_hidden()
    counts = eventually(lambda: manager.get("/stock/counts")["items"])
    assert [c["id"] for c in counts] == [count_id]
    [count] = counts
    assert count["note"] == "Friday close" and count["status"] == "submitted"
    lines = {line["name"]["en"]: line for line in count["lines"]}
    assert lines["Lamb"]["counted"] == 800 and lines["Lamb"]["expected"] == 1000
    assert lines["Lamb"]["variance_cost_minor"] == -1300  # 200 g at 65.00 a kilo
    assert lines["Chicken breast"]["counted"] == 14000 and lines["Burger bun"]["counted"] == 55

    lamb = page.get_by_test_id(f"variance-{lines['Lamb']['ingredient_id']}")
    expect(lamb).to_contain_text("800")
    expect(lamb).to_contain_text("1,000")
    expect(lamb).to_contain_text("-200")
    expect(lamb).to_contain_text("-13.00")
    expect(page.get_by_test_id("total-variance")).to_contain_text(
        f"{count['variance_cost_minor'] / 100:,.2f}"
    )
    expect(page.get_by_test_id("manager-note")).to_contain_text("A manager must accept")
    expect(page.get_by_test_id("count-state")).to_have_text("Waiting for a manager")
    assert fits_the_phone(page)
    shot(page, "stock-count-variance.png")

    # A reload shows the same result; a new count starts empty with a new id.
    page.reload()
    expect(page.get_by_test_id("result")).to_be_visible()
    page.get_by_test_id("new-count").click()
    expect(page.get_by_test_id("qty-lamb")).to_have_value("")
    expect(page.get_by_test_id("qty-lamb")).to_be_enabled()
    new_id = page.evaluate(
        "JSON.parse(localStorage['pos.stock.v1.count.staff.' + "
        "JSON.parse(document.getElementById('sc-boot').textContent)"
        ".staff.id]).id"
    )
    assert new_id != count_id
    assert len(manager.get("/stock/counts")["items"]) == 1


def test_a_count_whose_answer_was_lost_is_shown_as_sent_once(phone, manager):
    """The phone sent, the answer never came, it sends again: 409 duplicate counts as sent."""
    page = phone
    search(page, "rice")
    page.get_by_test_id("qty-rice").fill("19.5")
    page.get_by_test_id("unit-rice-kg").click()
    key = page.evaluate(
        "'pos.stock.v1.count.staff.' + "
        "JSON.parse(document.getElementById('sc-boot').textContent).staff.id"
    )
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("result")).to_be_visible()
    # Put the phone back as it was before the answer came, and load the page again.
    page.evaluate(
        f"""() => {{
          const kept = JSON.parse(localStorage['{key}']);
          kept.state = 'queued'; kept.result = null;
          localStorage['{key}'] = JSON.stringify(kept);
        }}"""
    )
    page.reload()
    expect(page.get_by_test_id("result")).to_be_visible()
    expect(page.get_by_test_id("duplicate")).to_be_visible()
    [count] = manager.get("/stock/counts")["items"]
    assert [line["counted"] for line in count["lines"]] == [19500]


def test_a_count_the_server_refuses_shows_its_field_message_and_stays(phone, manager):
    """An ingredient retired in the back office while the cook counted: 422 on its line."""
    page = phone
    search(page, "soda")
    page.get_by_test_id("qty-soda").fill("40")
    soda = next(i for i in manager.get("/ingredients")["items"] if i["code"] == "soda")
    status, body = manager.call("DELETE", f"/ingredients/{soda['id']}")
    assert status == 200, body
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-soda")).to_have_text("This ingredient is no longer in use.")
    expect(page.get_by_test_id("notice")).to_contain_text("fix the marked counts")
    assert page.evaluate("document.getElementById('sc').dataset.state") == "counting"
    expect(page.get_by_test_id("qty-soda")).to_be_enabled()
    assert manager.get("/stock/counts")["items"] == []


def test_a_keyboard_wedge_scan_jumps_to_the_ingredient(phone):
    page = phone
    page.get_by_test_id("search").click()
    page.keyboard.type(LAMB_BARCODE, delay=5)  # a scanner types fast, then Enter
    page.keyboard.press("Enter")
    assert visible_rows(page) == ["ingredient-lamb"]
    expect(page.get_by_test_id("qty-lamb")).to_be_focused()
    page.keyboard.type("950")
    page.keyboard.press("Enter")  # back to the search box for the next scan
    expect(page.get_by_test_id("search")).to_be_focused()
    page.keyboard.type(CHICKEN_BARCODE, delay=5)  # replaces the last code (it was selected)
    page.keyboard.press("Enter")
    assert visible_rows(page) == ["ingredient-chicken"]
    expect(page.get_by_test_id("qty-chicken")).to_be_focused()
    search(page, "")
    expect(page.get_by_test_id("qty-lamb")).to_have_value("950")

    page.get_by_test_id("search").fill("6280000000000")
    page.get_by_test_id("search").press("Enter")
    expect(page.get_by_test_id("notice")).to_contain_text("6280000000000")


def test_the_camera_scan_jumps_to_the_ingredient(browser, server, cook):
    page = phone_page(browser, server, init_script=FAKE_CAMERA)
    scan = page.get_by_test_id("scan")
    expect(scan).to_be_visible()
    assert scan.bounding_box()["height"] >= 56
    scan.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sc-row')].filter((r) => !r.hidden).length === 1"
    )
    assert visible_rows(page) == ["ingredient-chicken"]
    expect(page.get_by_test_id("scanner")).to_be_hidden()
    expect(page.get_by_test_id("qty-chicken")).to_be_focused()
    assert page.evaluate("window.__stream.getTracks().every((t) => t.readyState === 'ended')")
    assert page.evaluate("window.__scans")[0] == {"formats": ["ean_13", "qr_code"]}


def test_without_a_barcode_detector_there_is_no_scan_button(phone):
    expect(phone.get_by_test_id("scan")).to_be_hidden()


def test_the_arabic_page_is_right_to_left_and_fits_the_phone(browser, server, cook):
    page = phone_page(browser, server, locale="ar-SA")  # an Arabic phone: Arabic pages
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".sc-row")).to_have_count(DEMO_INGREDIENTS)
    lamb = page.get_by_test_id("ingredient-lamb")
    expect(lamb.locator(".sc-name-main")).to_have_text("لحم ضأن")
    expect(lamb.locator(".sc-name-sub")).to_contain_text("Lamb")
    assert fits_the_phone(page)
    shot(page, "stock-count-arabic.png")
    search(page, "لحم")
    assert set(visible_rows(page)) == {"ingredient-lamb", "ingredient-beef-mince"}
    page.get_by_test_id("qty-lamb").fill("٠٫٩")  # Arabic digits and decimal mark
    page.get_by_test_id("unit-lamb-kg").click()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("result")).to_be_visible()
    expect(page.get_by_test_id("variance")).to_contain_text("900")
    assert fits_the_phone(page)
    shot(page, "stock-count-arabic-variance.png")


# -- the server down: the page reloads from the phone ---------------------------------------


@pytest.fixture
def branch(database_url, arabic_catalog, demo_stock, tmp_path):
    """A server of this test's own, killed for real and started again (test_offline_pages)."""
    from test_offline_pages import Branch

    server = Branch(database_url, tmp_path)
    server.start()
    yield server
    server.stop()


def test_the_count_page_reloads_with_the_server_down_and_sends_once_when_back(
    browser, branch, cook, token_for
):
    from test_offline_pages import loaded_from_the_device, sign_in

    manager = Api(branch.url, token_for("manager", "password"))
    page = sign_in(browser, branch, COOK_PIN, "/stock/count", PHONE)  # its copy kept
    expect(page.locator(".sc-row")).to_have_count(DEMO_INGREDIENTS)
    page.get_by_test_id("qty-milk").fill("11.5")
    page.get_by_test_id("unit-milk-l").click()

    branch.kill()
    page.reload()
    loaded_from_the_device(page)
    expect(page.locator(".sc-row")).to_have_count(DEMO_INGREDIENTS)  # the list kept here
    expect(page.get_by_test_id("qty-milk")).to_have_value("11.5")
    page.get_by_test_id("qty-coffee").fill("2500")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("queued")).to_be_visible()
    shot(page, "stock-count-server-down.png")

    calls = ApiCalls(page)
    branch.start()
    expect(page.get_by_test_id("result")).to_be_visible(timeout=20000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    [count] = eventually(lambda: manager.get("/stock/counts")["items"])
    assert sorted((li["name"]["en"], li["counted"]) for li in count["lines"]) == [
        ("Coffee beans", 2500),
        ("Milk", 11500),
    ]
    calls.settled()  # a second send would have its answer by now
    assert len(manager.get("/stock/counts")["items"]) == 1
    assert page.evaluate("document.getElementById('sc').dataset.state") == "sent"
