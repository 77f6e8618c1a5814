"""The cashier's screen (/cashier) and the handheld's bill in a real Chromium against the real
server (gevent), on the demo restaurant.

Four guests at table 4 split by seat: seat 1 pays cash and sees the change, seat 2 pays by
card with the last four digits, and each paid seat shows its tax invoice number. A 20 %
discount by the cashier asks for a manager's PIN; Khalid's approves it. The Arabic screen is
right to left. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from live import Api, eventually, running_server

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TILL = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
CASHIER_PIN = "3333"  # Lina, the demo's cashier
MANAGER_PIN = "4444"  # Khalid, the demo's manager
WAITER_PIN = "7302"


@pytest.fixture
def server(module_server, demo):
    """The real server (one per module) over the demo restaurant."""
    return module_server


@pytest.fixture
def waiter_api(server, token_for):
    return Api(server, token_for("waiter"))


def signed_in(browser, server, pin: str, path: str, viewport=TILL):
    """A page signed in with `pin` on `path`."""
    context = browser.new_context(
        base_url=server, viewport=viewport, has_touch=True, locale="en-US", service_workers="block"
    )
    page = context.new_page()
    page.goto(f"/login?next={path}")
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(f"**{path}")
    return page


@pytest.fixture
def till(browser, server):
    """The cashier Lina on /cashier, live."""
    page = signed_in(browser, server, CASHIER_PIN, "/cashier")
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    yield page
    page.context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def new_order(api: Api, table: str, lines: list[tuple], guests: int) -> dict:
    """A dine-in order taken on a handheld, sent to the kitchen: (item name, seat[, quantity])
    per line."""
    menu = api.get("/menu")
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    tables = {t["label"]: t["id"] for t in api.get("/tables?active=true")["items"]}
    body = {
        "id": str(uuid.uuid4()),
        "type": "dine_in",
        "table_id": tables[table],
        "guests": guests,
        "fire": True,
        "lines": [
            {"id": str(uuid.uuid4()), "item_id": items[name], "quantity": qty, "seat": seat}
            for name, seat, qty in ((*line, 1)[:3] for line in lines)
        ],
    }
    status, order = api.call("POST", "/orders", body)
    assert status == 201, order
    return order


FOUR_GUESTS = [
    ("Caesar salad", 1),
    ("Fresh orange juice", 1),
    ("Chicken burger", 2),
    ("Soft drink", 2),
    ("Fattoush", 3),
    ("Mineral water", 3),
    ("Falafel (6 pieces)", 4),
    ("Lemon mint", 4),
    ("Hummus", None),  # shared
]


def open_bill(page, order: dict) -> None:
    row = page.locator(f'[data-testid="order-row"][data-id="{order["id"]}"]')
    expect(row).to_be_visible()
    row.click()
    expect(page.get_by_test_id("bill-title")).to_contain_text(f"Order {order['number']}")


def part(page, number: int):
    return page.locator(f'[data-testid="bill-part"][data-number="{number}"]')


def test_four_guests_split_by_seat_pay_cash_and_card_and_get_invoices(till, waiter_api):
    page = till
    shift = page.get_by_test_id("shift-state")
    expect(shift).to_have_attribute("data-state", "closed")
    shift.click()
    page.get_by_test_id("float-amount").fill("500")
    page.get_by_test_id("open-shift").click()
    expect(shift).to_have_attribute("data-state", "open")

    order = new_order(waiter_api, "4", FOUR_GUESTS, guests=4)  # arrives while the page is open
    open_bill(page, order)
    expect(page.get_by_test_id("bill-total")).to_contain_text("163.00 SAR")
    expect(page.get_by_test_id("bill-line")).to_have_count(9)
    expect(page.get_by_test_id("line-seat").first).to_contain_text("Seat 1")
    box = eventually(lambda: page.get_by_test_id("print-prebill").bounding_box())
    assert box["height"] >= 48  # a finger fits

    page.get_by_test_id("split-open").click()
    page.get_by_test_id("split-kind-seats").click()
    page.get_by_test_id("split-confirm").click()
    expect(page.get_by_test_id("bill-part")).to_have_count(4)
    expect(part(page, 1)).to_contain_text("48.50 SAR")
    expect(part(page, 2)).to_contain_text("47.50 SAR")
    expect(page.get_by_test_id("pay-due")).to_contain_text("48.50 SAR")  # seat 1 first

    # Seat 1: cash, 50 handed over; the change shows while typing and after paying.
    page.get_by_test_id("tender-cash").click()
    page.get_by_test_id("tendered").fill("50")
    expect(page.get_by_test_id("change-due")).to_have_text("1.50\u00a0SAR")
    shot(page, "cashier-cash.png")
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("change-result")).to_have_text("1.50\u00a0SAR")
    expect(part(page, 1)).to_have_attribute("data-status", "paid")
    first_invoice = part(page, 1).get_by_test_id("part-invoice")
    expect(first_invoice).to_contain_text("INV-")

    # Seat 2: card, Visa, last four digits.
    expect(page.get_by_test_id("pay-due")).to_contain_text("47.50 SAR")
    page.get_by_test_id("tender-card").click()
    page.get_by_test_id("card-visa").click()
    expect(page.get_by_test_id("pay-submit")).to_be_disabled()  # the last four digits first
    page.get_by_test_id("last4").fill("4242")
    page.get_by_test_id("card-reference").fill("T-889")
    page.get_by_test_id("pay-submit").click()
    expect(part(page, 2)).to_have_attribute("data-status", "paid")
    second_invoice = part(page, 2).get_by_test_id("part-invoice")
    expect(second_invoice).to_contain_text("INV-")
    numbers = [
        first_invoice.get_attribute("data-number"),
        second_invoice.get_attribute("data-number"),
    ]
    assert numbers[0] != numbers[1]
    expect(page.get_by_test_id("bill-remaining")).to_contain_text("67.00 SAR")
    shot(page, "cashier-split-paid.png")

    bill = waiter_api.get(f"/orders/{order['id']}/bill")
    assert [(p["tender"], p["amount_minor"], p["change_minor"]) for p in bill["payments"]] == [
        ("cash", 4_850, 150),
        ("card", 4_750, 0),
    ]
    assert bill["payments"][1]["last4"] == "4242"
    assert [p["invoice_number"] for p in bill["parts"][:2]] == numbers


def test_a_big_discount_by_the_cashier_needs_the_managers_pin(till, waiter_api):
    page = till
    order = new_order(waiter_api, "6", [("Hummus", 1), ("Fattoush", 1)], guests=2)
    open_bill(page, order)
    expect(page.get_by_test_id("bill-total")).to_contain_text("40.00 SAR")
    page.get_by_test_id("discount-open").click()
    page.get_by_test_id("pct-20").click()
    page.get_by_test_id("discount-reason-reason_regular").click()
    page.get_by_test_id("discount-apply").click()
    expect(page.get_by_test_id("approval-sheet")).to_be_visible()
    page.get_by_test_id("approver-pin").fill("9999")
    page.get_by_test_id("approve-submit").click()
    expect(page.get_by_test_id("modal-error")).to_contain_text("wrong")
    page.get_by_test_id("approver-pin").fill(MANAGER_PIN)
    shot(page, "cashier-approval.png")
    page.get_by_test_id("approve-submit").click()
    expect(page.get_by_test_id("approval-sheet")).to_have_count(0)
    expect(page.get_by_test_id("discount")).to_contain_text("Khalid")
    expect(page.get_by_test_id("bill-total")).to_contain_text("32.00 SAR")
    [discount] = waiter_api.get(f"/orders/{order['id']}/bill")["discounts"]
    assert discount["percent_bp"] == 2_000 and discount["approved_by"] == "Khalid"


def test_split_by_tapping_items_then_refund_with_approval_and_close_the_day(till, waiter_api):
    page = till
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("float-amount").fill("200")
    page.get_by_test_id("open-shift").click()
    expect(page.get_by_test_id("shift-state")).to_have_attribute("data-state", "open")
    order = new_order(waiter_api, "2", [("Hummus", None, 3), ("Fattoush", None)], guests=2)
    open_bill(page, order)
    expect(page.get_by_test_id("bill-total")).to_contain_text("76.00 SAR")

    page.get_by_test_id("split-open").click()
    page.get_by_test_id("split-kind-items").click()
    columns = page.get_by_test_id("split-part")
    expect(columns).to_have_count(2)
    units = columns.nth(0).get_by_test_id("split-unit")
    expect(units).to_have_count(4)
    expect(units.nth(1)).to_contain_text("2 of 3")
    columns.nth(1).get_by_test_id("split-part-pick").click()
    columns.nth(0).locator('[data-testid="split-unit"][data-name="Hummus"][data-unit="2"]').click()
    columns.nth(0).locator('[data-testid="split-unit"][data-name="Fattoush"]').click()
    expect(columns.nth(1).get_by_test_id("split-unit")).to_have_count(2)
    expect(columns.nth(0)).to_contain_text("36.00 SAR")
    shot(page, "cashier-split-items.png")
    page.get_by_test_id("split-confirm").click()
    expect(page.get_by_test_id("bill-part")).to_have_count(2)
    expect(part(page, 1)).to_contain_text("36.00 SAR")
    expect(part(page, 2)).to_contain_text("40.00 SAR")

    page.get_by_test_id("tender-card").click()
    page.get_by_test_id("card-mada").click()
    page.get_by_test_id("last4").fill("1234")
    page.get_by_test_id("pay-submit").click()
    expect(part(page, 1)).to_have_attribute("data-status", "paid")
    page.get_by_test_id("tender-cash").click()
    page.get_by_test_id("quick-exact").click()
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("bill-settled")).to_be_visible()
    expect(page.locator(f'[data-testid="order-row"][data-id="{order["id"]}"]')).to_have_count(0)

    page.get_by_test_id("refund-open").click()
    page.get_by_test_id("refund-how-amount").click()
    page.get_by_test_id("refund-amount").fill("10")
    page.get_by_test_id("refund-reason").fill("cold food")
    page.get_by_test_id("refund-submit").click()
    page.get_by_test_id("approver-pin").fill(MANAGER_PIN)
    page.get_by_test_id("approve-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("credit note CN-")

    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("x-report").click()
    expect(page.get_by_test_id("report")).to_contain_text("Gross sales")
    page.get_by_test_id("modal-close").click()
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("z-report").click()
    # 200 float + 40 cash sale - 10 paid back (the refund goes back by the invoice's tender).
    page.get_by_test_id("z-counted-cash").fill("225")
    expect(page.get_by_test_id("z-diff-cash")).to_have_text("-5.00\u00a0SAR")
    page.get_by_test_id("z-counted-card").fill("36")
    page.get_by_test_id("z-submit").click()
    result = page.get_by_test_id("z-result-sheet")
    expect(result).to_contain_text("Z report 1 closed")
    cash = result.locator('[data-testid="tender-row"][data-tender="cash"]')
    expect(cash).to_contain_text("230.00 SAR")
    expect(cash).to_contain_text("-5.00 SAR")
    shot(page, "cashier-z.png")
    expect(page.get_by_test_id("shift-state")).to_have_attribute("data-state", "closed")


def test_a_payment_sent_while_offline_is_retried_with_the_same_id_and_taken_once(till, waiter_api):
    page = till
    order = new_order(waiter_api, "8", [("Fattoush", None)], guests=1)
    open_bill(page, order)
    page.get_by_test_id("tender-card").click()
    page.get_by_test_id("last4").fill("9876")
    page.context.set_offline(True)
    expect(page.locator("#offline-banner")).to_be_visible()
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("pay-pending")).to_be_visible()
    expect(page.get_by_test_id("pay-panel")).to_have_count(0)  # no second payment meanwhile
    page.context.set_offline(False)
    expect(page.locator("#offline-banner")).to_be_hidden()
    page.get_by_test_id("pay-retry").click()
    expect(page.get_by_test_id("bill-settled")).to_be_visible()
    expect(page.get_by_test_id("part-invoice")).to_contain_text("INV-")
    payments = waiter_api.get(f"/orders/{order['id']}/bill")["payments"]
    assert [(p["tender"], p["last4"]) for p in payments] == [("card", "9876")]


def test_equal_and_amount_splits_and_the_drawers_cash_moves(till, waiter_api):
    page = till
    order = new_order(waiter_api, "9", [("Hummus", None), ("Fattoush", None)], guests=2)
    open_bill(page, order)
    page.get_by_test_id("split-open").click()
    page.get_by_test_id("split-kind-equal").click()
    page.get_by_test_id("split-count-plus").click()
    expect(page.get_by_test_id("split-count-value")).to_have_text("3")
    page.get_by_test_id("split-confirm").click()
    expect(page.get_by_test_id("bill-part")).to_have_count(3)

    page.get_by_test_id("split-open").click()
    page.get_by_test_id("split-kind-amounts").click()
    page.get_by_test_id("split-amount-1").fill("15")
    expect(page.get_by_test_id("split-confirm")).to_be_disabled()  # 25.00 still to share
    page.get_by_test_id("split-amount-2").fill("25")
    page.get_by_test_id("split-confirm").click()
    expect(page.get_by_test_id("bill-part")).to_have_count(2)
    expect(part(page, 1)).to_contain_text("15.00 SAR")
    expect(part(page, 2)).to_contain_text("25.00 SAR")

    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("float-amount").fill("100")
    page.get_by_test_id("open-shift").click()
    expect(page.get_by_test_id("shift-state")).to_have_attribute("data-state", "open")
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("cash-kind-out").click()
    page.get_by_test_id("cash-amount").fill("20")
    page.get_by_test_id("cash-reason").fill("ice from the market")
    page.get_by_test_id("cash-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Saved")
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("no-sale-reason").fill("change for a note")
    page.get_by_test_id("no-sale").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Drawer opened")
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("x-report").click()
    report = page.get_by_test_id("report")
    expect(report).to_contain_text("Cash out")
    expect(report).to_contain_text("-20.00 SAR")


def test_the_arabic_cashier_screen_is_right_to_left(till, waiter_api):
    page = till
    order = new_order(waiter_api, "3", [("Hummus", 1)], guests=1)
    page.goto("/lang/ar?next=/cashier")
    page.wait_for_url("**/cashier")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    row = page.locator(f'[data-testid="order-row"][data-id="{order["id"]}"]')
    row.click()
    expect(page.get_by_test_id("bill-total")).to_contain_text("18.00 ر.س")
    expect(page.get_by_test_id("bill")).to_contain_text("الإجمالي")
    # Mirrored for real: the orders list sits on the right, the bill on its left.
    orders = eventually(lambda: page.get_by_test_id("order-list").bounding_box())
    bill = eventually(lambda: page.get_by_test_id("bill-panel").bounding_box())
    assert orders["x"] > bill["x"]
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    shot(page, "cashier-ar.png")


def test_the_handhelds_bill_button_shows_the_total(browser, server, make_staff, waiter_api):
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    order = new_order(waiter_api, "7", [("Hummus", 1), ("Chicken burger", 2)], guests=2)
    page = signed_in(browser, server, WAITER_PIN, "/handheld", viewport=PHONE)
    try:
        page.get_by_test_id("table-7").click()
        expect(page.get_by_test_id("order-title")).to_have_text("Table 7")
        page.get_by_test_id("bill-button").click()
        expect(page.get_by_test_id("bill-view")).to_be_visible()
        total = waiter_api.get(f"/orders/{order['id']}/bill")["total_minor"]
        expect(page.get_by_test_id("bill-total")).to_contain_text(f"{total / 100:.2f} SAR")
        expect(page.get_by_test_id("tender-card")).to_be_visible()
        shot(page, "handheld-bill.png")
        page.get_by_test_id("bill-close").click()
        expect(page.get_by_test_id("bill-view")).to_be_hidden()
    finally:
        page.context.close()


def test_a_takeaway_paid_first_stays_on_the_list_marked_paid(till, waiter_api):
    page = till
    menu = waiter_api.get("/menu")
    hummus = next(
        i["id"] for c in menu["categories"] for i in c["items"] if i["name"]["en"] == "Hummus"
    )
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Huda",
        "lines": [{"id": str(uuid.uuid4()), "item_id": hummus, "quantity": 1}],
    }
    status, order = waiter_api.call("POST", "/orders", body)
    assert status == 201, order
    row = page.locator(f'[data-testid="order-row"][data-id="{order["id"]}"]')
    expect(row).to_be_visible()  # a takeaway reaches the till at once (the till room)
    payment = {"id": str(uuid.uuid4()), "tender": "card", "card_method": "mada"}
    status, bill = waiter_api.call("POST", f"/orders/{order['id']}/payments", payment)
    assert status == 201 and bill["paid_at"], bill
    expect(row.get_by_test_id("order-paid")).to_be_visible()


def test_a_manager_at_the_till_sees_a_security_alert_when_pins_are_guessed(
    browser, database_url, arabic_catalog, demo, tmp_path
):
    import requests

    with running_server(database_url, tmp_path, POS_LOGIN_PIN_BUDGET="3") as url:
        page = signed_in(browser, url, MANAGER_PIN, "/cashier")
        page.goto("/lang/ar?next=/cashier")  # this till reads Arabic (the device's choice)
        expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
        for pin in ("9001", "9002", "9003"):  # a stranger's phone, never signed in here
            answer = requests.post(f"{url}/api/v1/auth/login", json={"pin": pin}, timeout=10)
            assert answer.status_code == 401
        banner = page.get_by_test_id("security-alert")
        expect(banner).to_be_visible()
        # The till was switched to Arabic: the alert is in Arabic, with the source.
        expect(banner).to_contain_text("رموز سرية خاطئة كثيرة من أجهزة لم تسجّل الدخول هنا")
        expect(banner).to_contain_text("127.0.0.1")
        shot(page, "cashier-security-alert.png")
        banner.get_by_role("button").click()
        expect(banner).to_have_count(0)
        page.context.close()


# -- a Friday night at the till (issue 15: tips and change, clutter, double taps) ---------------


def visible_change_boxes(page) -> int:
    """How many "Change due" labels a cashier sees at once."""
    return page.locator('text="Change due" >> visible=true').count()


def covered(page, testid: str) -> bool:
    """Whether something else is on top of the middle of such an element on the screen."""
    return page.evaluate(
        """(id) => Array.from(document.querySelectorAll(`[data-testid="${id}"]`)).some((el) => {
          const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
          if (!r.width || y < 0 || y > innerHeight || x < 0 || x > innerWidth) return false;
          const hit = document.elementFromPoint(x, y);
          return !(hit && (hit === el || el.contains(hit)));
        })""",
        testid,
    )


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def open_shift_on_page(page, float_text: str) -> None:
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("float-amount").fill(float_text)
    page.get_by_test_id("open-shift").click()
    expect(page.get_by_test_id("shift-state")).to_have_attribute("data-state", "open")


def test_cash_with_a_tip_shows_the_right_change_once_and_toasts_cover_nothing(till, waiter_api):
    page = till
    open_shift_on_page(page, "100")
    order = new_order(waiter_api, "5", [("Chicken burger", 1), ("Falafel (6 pieces)", 2),
                                        ("Mineral water", 2)], guests=2)  # fmt: skip
    open_bill(page, order)
    expect(page.get_by_test_id("bill-total")).to_contain_text("57.00 SAR")
    expect(page.get_by_test_id("refund-open")).to_have_count(0)  # nothing paid: no refund
    page.get_by_test_id("split-open").click()
    page.get_by_test_id("split-kind-equal").click()
    page.get_by_test_id("split-confirm").click()
    expect(page.get_by_test_id("bill-part")).to_have_count(2)

    # Part 1: 28.50 and a 2.00 tip; the guest hands over 50.00: 19.50 back, not 21.50.
    page.get_by_test_id("tender-cash").click()
    expect(page.get_by_test_id("change-box")).to_be_hidden()  # nothing handed over yet
    page.get_by_test_id("tip").fill("2")
    expect(page.get_by_test_id("quick-exact")).to_be_visible()
    page.get_by_test_id("quick-5000").click()
    expect(page.get_by_test_id("change-due")).to_have_text("19.50\u00a0SAR")
    expect(page.get_by_test_id("pay-submit")).to_have_text("Pay 30.50\u00a0SAR")
    page.get_by_test_id("tendered").fill("30")
    expect(page.get_by_test_id("change-box")).to_contain_text("Not enough")
    expect(page.get_by_test_id("change-due")).to_have_text("0.50\u00a0SAR")
    expect(page.get_by_test_id("pay-submit")).to_be_disabled()
    page.get_by_test_id("tendered").fill("50")
    page.get_by_test_id("pay-submit").click()

    result = page.get_by_test_id("pay-result")
    expect(page.get_by_test_id("change-result")).to_have_text("19.50\u00a0SAR")
    expect(result).to_contain_text("Tip 2.00\u00a0SAR")
    expect(result).to_contain_text("Handed over 50.00\u00a0SAR")
    expect(part(page, 1)).to_have_attribute("data-status", "paid")
    expect(page.get_by_test_id("pay-due")).to_contain_text("28.50 SAR")  # part 2 is next
    assert visible_change_boxes(page) == 1, "one change box after a part is paid"
    size = eventually(lambda: page.get_by_test_id("change-result").bounding_box())
    assert size["height"] >= 48  # readable from across the counter

    # The toast says "Paid" where it covers nothing: not Pay, not the tenders, not the notes.
    toast = page.get_by_test_id("toast")
    expect(toast).to_be_visible()
    toast_box = toast.bounding_box()
    for testid in ("pay-submit", "tender-cash", "tender-card", "quick-exact", "tendered"):
        for box in [e.bounding_box() for e in page.get_by_test_id(testid).all()]:
            assert box and not overlaps(toast_box, box), testid
        assert not covered(page, testid), testid
    shot(page, "cashier-tip-change-once.png")

    expect(page.get_by_test_id("refund-open")).to_be_visible()  # part 1 has its invoice now

    # Part 2: typing the next tender puts the last change away; one change box again.
    page.get_by_test_id("tendered").fill("40")
    expect(result).to_have_count(0)
    expect(page.get_by_test_id("change-due")).to_have_text("11.50\u00a0SAR")
    assert visible_change_boxes(page) == 1
    page.get_by_test_id("keep-change").click()  # "keep the change"
    expect(page.get_by_test_id("tip")).to_have_value("11.50")
    expect(page.get_by_test_id("change-due")).to_have_text("0.00\u00a0SAR")
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("bill-settled")).to_be_visible()
    expect(page.get_by_test_id("pay-result")).to_contain_text("Paid")
    assert visible_change_boxes(page) == 0

    bill = waiter_api.get(f"/orders/{order['id']}/bill")
    assert [
        (p["amount_minor"], p["tip_minor"], p["tendered_minor"], p["change_minor"])
        for p in bill["payments"]
    ] == [(2_850, 200, 5_000, 1_950), (2_850, 1_150, 4_000, 0)]

    # The drawer: 100 + 50 - 19.50 + 40 = 170.50, as the X report expects.
    page.get_by_test_id("shift-state").click()
    page.get_by_test_id("x-report").click()
    cash = page.locator('[data-testid="tender-row"][data-tender="cash"]')
    expect(cash).to_contain_text("170.50 SAR")
    expect(page.get_by_test_id("report")).to_contain_text("Cash tips")
    shot(page, "cashier-x-tips.png")


def test_a_double_tap_on_pay_takes_the_payment_once(till, waiter_api):
    page = till
    open_shift_on_page(page, "50")
    order = new_order(waiter_api, "10", [("Hummus", None)], guests=1)
    open_bill(page, order)
    page.get_by_test_id("tender-cash").click()
    page.get_by_test_id("quick-exact").click()
    for testid, least in (("pay-submit", 72), ("tender-cash", 56), ("quick-exact", 56)):
        box = page.get_by_test_id(testid).bounding_box()
        assert box["height"] >= least, (testid, box)  # a thumb on a busy night
    page.get_by_test_id("pay-submit").dblclick()
    expect(page.get_by_test_id("bill-settled")).to_be_visible()
    page.get_by_test_id("pay-result").get_by_test_id("pay-result-done").click()
    expect(page.get_by_test_id("pay-result")).to_have_count(0)
    payments = waiter_api.get(f"/orders/{order['id']}/bill")["payments"]
    assert [(p["tender"], p["amount_minor"]) for p in payments] == [("cash", 1_800)]


def test_the_arabic_till_shows_the_change_right_to_left(till, waiter_api):
    page = till
    open_shift_on_page(page, "100")
    order = new_order(waiter_api, "1", [("Hummus", 1)], guests=1)
    page.goto("/lang/ar?next=/cashier")
    page.wait_for_url("**/cashier")
    page.locator(f'[data-testid="order-row"][data-id="{order["id"]}"]').click()
    page.get_by_test_id("tender-cash").click()
    page.get_by_test_id("tip").fill("2")
    page.get_by_test_id("tendered").fill("50")
    expect(page.get_by_test_id("change-due")).to_have_text("30.00\u00a0ر.س")
    expect(page.get_by_test_id("change-box")).to_contain_text("الباقي")
    expect(page.get_by_test_id("keep-change")).to_have_text("اعتبار الباقي إكرامية")
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("change-result")).to_have_text("30.00\u00a0ر.س")
    expect(page.get_by_test_id("pay-result")).to_contain_text("إكرامية 2.00")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    shot(page, "cashier-ar-change.png")


def test_a_tip_button_puts_its_share_of_the_bill_in_the_tip(till, waiter_api):
    """The branch's tip suggestions (10, 15, 20 % in the demo) as buttons by the tip field."""
    page = till
    order = new_order(
        waiter_api, "T2", [("Chicken burger", None), ("Mineral water", None, 2)], guests=1
    )
    open_bill(page, order)
    page.get_by_test_id("tender-card").click()
    tips = page.get_by_test_id("tip-suggestions")
    expect(tips.locator("button")).to_have_count(4)  # no tip, 10, 15, 20 %
    due = waiter_api.get(f"/orders/{order['id']}/bill")["remaining_minor"]
    page.get_by_test_id("tip-1500").click()
    expect(page.get_by_test_id("tip-1500")).to_have_attribute("aria-pressed", "true")
    tip = round(due * 0.15)
    expect(page.get_by_test_id("tip")).to_have_value(f"{tip / 100:.2f}")
    assert page.get_by_test_id("tip-1500").bounding_box()["height"] >= 48
    page.get_by_test_id("tip").fill("5")  # typed: no button is the tip any more
    expect(page.get_by_test_id("tip-1500")).to_have_attribute("aria-pressed", "false")
    page.get_by_test_id("tip-1000").click()
    page.get_by_test_id("last4").fill("4242")
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("bill-settled")).to_be_visible()
    payments = waiter_api.get(f"/orders/{order['id']}/bill")["payments"]
    assert [(p["amount_minor"], p["tip_minor"]) for p in payments] == [(due, round(due * 0.1))]
    page.get_by_test_id("pay-result").get_by_test_id("pay-result-done").click()
