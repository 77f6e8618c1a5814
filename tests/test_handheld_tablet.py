"""The waiter's handheld on a tablet and the small things of issue 15, in a real Chromium.

A tablet (820x1180 portrait, 1180x820 landscape) shows the floor, the menu and the check side
by side; a phone (390x844) keeps one screen at a time. A long note gets a counter and is
refused visibly past the server's limit; a party bigger than 8 can be seated; the labels on
the status colours of the floor map reach 4.5:1. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
PORTRAIT = {"width": 820, "height": 1180}
LANDSCAPE = {"width": 1180, "height": 820}
WAITER_PIN = "7302"
STATUSES = ("free", "seated", "ordered", "ready", "served", "bill_asked", "dirty")


@pytest.fixture
def server(module_server, demo):
    """The real server (one per module) over the demo restaurant."""
    return module_server


@pytest.fixture
def handheld(browser, server, make_staff):
    """Open /handheld signed in as a waiter, in a viewport of the test's choosing."""
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    contexts = []

    def open_at(viewport: dict, locale: str = "en-US"):
        context = browser.new_context(
            base_url=server,
            viewport=viewport,
            has_touch=True,
            locale=locale,
            service_workers="block",
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#pin", WAITER_PIN)
        page.get_by_test_id("pin-submit").click()
        page.wait_for_url("**/handheld")
        expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
        expect(page.get_by_test_id("floor-map").locator(".hh-table")).to_have_count(10)
        return page

    yield open_at
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found, f"{selector} is not on the screen"
    return found


def seat_table(page, label: str, guests: int) -> None:
    page.get_by_test_id(f"table-{label}").click()
    page.get_by_test_id(f"guests-{guests}").click()
    expect(page.get_by_test_id("order-title")).to_have_text(f"Table {label}")


@pytest.mark.parametrize(
    "viewport, name",
    [(PORTRAIT, "portrait"), (LANDSCAPE, "landscape")],
    ids=["820x1180", "1180x820"],
)
def test_a_tablet_shows_floor_menu_and_check_side_by_side(handheld, viewport, name):
    page = handheld(viewport)
    floor, menu, cart = (box(page, s) for s in ("#hh-floor", ".hh-menu", "#hh-cart"))
    shot(page, f"handheld-tablet-{name}-floor.png")
    expect(page.get_by_test_id("order-title")).to_have_text("Choose a table")
    seat_table(page, "4", 2)
    page.locator('.hh-item[data-name="Hummus"]').click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    # The floor stays on screen beside the order, with the open table marked.
    expect(page.get_by_test_id("floor-map")).to_be_visible()
    expect(page.get_by_test_id("table-4")).to_have_attribute("aria-current", "true")
    floor, menu, cart = (box(page, s) for s in ("#hh-floor", ".hh-menu", "#hh-cart"))
    width, height = viewport["width"], viewport["height"]
    # The check is a column of its own at the end side, as tall as the floor and the menu.
    assert (
        cart["x"] >= menu["x"] + menu["width"] - 1 and cart["x"] >= floor["x"] + floor["width"] - 1
    )
    assert cart["height"] >= 0.6 * height and cart["width"] >= 280
    if name == "landscape":
        # Three columns: floor | menu | check, each the full height below the bars.
        assert floor["x"] + floor["width"] <= menu["x"] + 1
        assert min(floor["height"], menu["height"]) >= 0.6 * height
        assert abs(floor["y"] + floor["height"] - (menu["y"] + menu["height"])) <= 2
    else:
        # Portrait: the floor over the menu in the wider column, the check beside both.
        assert floor["y"] + floor["height"] <= menu["y"] + 1
        assert floor["height"] >= 0.3 * height and menu["height"] >= 0.3 * height
    # The floor map fills its pane (not a quarter of the height) and the menu has 3+ columns.
    plan = box(page, "#hh-map")
    assert plan["height"] >= 0.6 * floor["height"] - 120 or plan["width"] >= 0.85 * floor["width"]
    items = page.locator(".hh-item")
    tops = [items.nth(i).bounding_box()["y"] for i in range(min(items.count(), 6))]
    assert tops.count(tops[0]) >= 3, tops
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert width and height
    shot(page, f"handheld-tablet-{name}-order.png")


def test_a_phone_keeps_one_screen_at_a_time(handheld):
    page = handheld(PHONE)
    expect(page.get_by_test_id("order-view")).to_be_hidden()
    seat_table(page, "4", 2)
    expect(page.locator("#hh-floor")).to_be_hidden()
    menu = box(page, ".hh-menu")
    assert menu["width"] >= PHONE["width"] - 2  # the menu has the whole width
    items = page.locator(".hh-item")
    assert items.nth(0).bounding_box()["y"] == items.nth(1).bounding_box()["y"]
    assert items.nth(2).bounding_box()["y"] > items.nth(0).bounding_box()["y"]  # two columns
    shot(page, "handheld-phone-order.png")


def test_a_long_note_gets_a_counter_and_is_refused_visibly_past_the_limit(handheld):
    page = handheld(PHONE)
    seat_table(page, "4", 2)
    page.get_by_test_id("categories").get_by_role("tab", name="From the grill").click()
    page.locator('.hh-item[data-name="Mixed grill"]').click()
    sheet = page.get_by_test_id("item-sheet")
    sheet.locator("[data-testid^=mod-]").first.click()  # its side is required
    note, count = page.get_by_test_id("line-note"), page.get_by_test_id("line-note-count")
    expect(count).to_have_text("0 of 300 characters")
    note.fill("no onions " * 5)
    expect(count).to_have_text("50 of 300 characters")
    expect(page.get_by_test_id("sheet-add")).to_be_enabled()
    long_note = ("Guest asks: well done, sauce on the side, no onions. " * 20)[:1032]
    note.fill(long_note)  # as a paste: nothing is cut
    assert len(note.input_value()) == 1032
    expect(count).to_have_text("Too long: 1032 of 300 characters. Shorten it by 732.")
    expect(count).to_have_attribute("data-over", "true")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("sheet-add")).to_be_disabled()
    shot(page, "handheld-note-too-long.png")
    note.fill(long_note[:300])
    expect(count).to_have_text("300 of 300 characters")
    page.get_by_test_id("sheet-add").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    assert long_note[:300].strip() in page.locator("#hh-cart-lines").inner_text()


@pytest.mark.parametrize("guests", [14, 20])
def test_a_big_party_can_be_seated(handheld, guests):
    page = handheld(PHONE)
    page.get_by_test_id("table-9").click()  # seats 8
    sheet = page.get_by_test_id("guests-sheet")
    expect(sheet.locator(".hh-guest")).to_have_count(12)  # one tap up to 12
    go = page.get_by_test_id("guests-other-go")
    expect(go).to_be_disabled()
    page.get_by_test_id("guests-other").fill("100")
    expect(go).to_be_disabled()  # the server takes up to 99
    page.get_by_test_id("guests-other").fill(str(guests))
    shot(page, f"handheld-guests-{guests}.png")
    go.click()
    expect(page.get_by_test_id("order-title")).to_have_text("Table 9")
    expect(page.locator("#hh-order-sub")).to_contain_text(f"Guests: {guests}")
    page.locator('.hh-item[data-name="Hummus"]').click()
    page.locator('.hh-item[data-name="Hummus"]').click()
    page.get_by_test_id("cart-toggle").click()
    page.get_by_test_id("cart-line").first.locator(".hh-line-edit").click()
    expect(page.get_by_test_id(f"seat-{guests}")).to_be_visible()  # a seat for every guest


# WCAG 2 relative luminance and contrast, on the colours Chromium rendered.
CONTRAST_OF_PAGE = """
(statuses) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const map = document.getElementById("hh-map");
  return statuses.map((status) => {
    const tile = document.createElement("button");
    tile.className = "hh-table hh-st-" + status;
    const label = document.createElement("span");
    label.className = "hh-table-label";
    label.textContent = "7";
    const meta = document.createElement("span");
    meta.className = "hh-table-meta";
    meta.textContent = "#12";
    tile.append(label, meta);
    map.appendChild(tile);
    const style = getComputedStyle(tile);
    // A plain colour, or every colour of a striped gradient ("needs clearing").
    const backs = style.backgroundImage !== "none"
      ? style.backgroundImage.match(/rgba?\\([^)]+\\)/g).map(rgb)
      : [rgb(style.backgroundColor)];
    const worst = Math.min(...[label, meta].flatMap((part) =>
      backs.map((back) => ratio(rgb(getComputedStyle(part).color), back))));
    tile.remove();
    return [status, Math.round(worst * 100) / 100];
  });
}
"""


def test_table_labels_on_every_status_colour_reach_4_5_to_1(handheld):
    page = handheld(PHONE)
    ratios = dict(page.evaluate(CONTRAST_OF_PAGE, list(STATUSES)))
    assert set(ratios) == set(STATUSES)
    assert {s: r for s, r in ratios.items() if r < 4.5} == {}, ratios
    # The real tiles too: an ordered table (orange) as the map draws it.
    seat_table(page, "4", 2)
    page.locator('.hh-item[data-name="Hummus"]').click()
    page.get_by_test_id("cart-toggle").click()
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("table-4")).to_have_attribute("data-status", "ordered")
    shot(page, "handheld-ordered-contrast.png")
    back = page.get_by_test_id("table-4").evaluate("e => getComputedStyle(e).backgroundColor")
    assert back == "rgb(173, 90, 0)", back  # #ad5a00: 4.95:1 with white (was #e67700, 3.0:1)


def test_the_arabic_tablet_mirrors_the_three_panes(handheld):
    page = handheld(LANDSCAPE)
    page.goto("/lang/ar?next=/handheld")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    page.get_by_test_id("table-4").click()
    page.get_by_test_id("guests-2").click()
    expect(page.get_by_test_id("order-title")).to_have_text("طاولة 4")
    floor, menu, cart = (box(page, s) for s in ("#hh-floor", ".hh-menu", "#hh-cart"))
    # Right to left: the floor at the right, the check at the left, the menu between.
    assert floor["x"] >= menu["x"] + menu["width"] - 1
    assert menu["x"] >= cart["x"] + cart["width"] - 1
    shot(page, "handheld-tablet-landscape-ar.png")
