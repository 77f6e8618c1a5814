"""The back office in a real Chromium against the real server (gevent): an owner on a
390-pixel phone in Arabic changes a price and sells a dish out, and a signed-in waiter's
handheld shows both without a reload; bad input is explained next to its field in Arabic and
nothing is saved; a manager on a laptop in English adds a waiter, and the waiter signs in
with the PIN the page showed. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from live import Api, eventually

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}
WAITER_PIN = "7302"


@pytest.fixture
def server(module_server, demo):
    return module_server


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


def back_office(browser, server, email, password, viewport, lang, path="/admin"):
    context = browser.new_context(
        base_url=server, viewport=viewport, has_touch=viewport is PHONE, service_workers="block"
    )
    page = context.new_page()
    page.goto(f"/lang/{lang}?next=/backoffice/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin$"))
    if path != "/admin":
        page.goto(path)
    page.evaluate("window.sameDocument = true")  # a reload would drop it
    return context, page


def handheld(browser, server, pin):
    context = browser.new_context(
        base_url=server, viewport=PHONE, has_touch=True, locale="en-US", service_workers="block"
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#pin", pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url("**/handheld")
    expect(page.get_by_test_id("link-state")).to_have_attribute("data-state", "live")
    page.get_by_test_id("table-2").click()
    page.get_by_test_id("guests-2").click()
    page.get_by_test_id("categories").get_by_role("tab", name="Starters").click()
    page.evaluate("window.sameDocument = true")
    return context, page


def no_sideways_scroll(page) -> bool:
    return not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_an_owner_on_an_arabic_phone_edits_the_menu_and_the_handheld_follows(
    browser, server, make_staff, token_for
):
    make_staff("owner", name="Huda", email="owner.bo@example.com", password="a long password")
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    api = Api(server, token_for("manager", "password"))
    hummus_id = next(i["id"] for i in api.get("/items")["items"] if i["name"] == "Hummus")

    waiter_ctx, phone = handheld(browser, server, WAITER_PIN)
    hummus_on_phone = phone.locator('.hh-item[data-name="Hummus"]')
    expect(hummus_on_phone).to_contain_text("18.00 SAR")

    owner_ctx, page = back_office(
        browser, server, "owner.bo@example.com", "a long password", PHONE, "ar"
    )
    # The home: right to left, today's figures, the sections' menu; nothing wider than the phone.
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("welcome")).to_contain_text("اليوم")
    expect(page.get_by_test_id("figures")).to_contain_text("المبيعات حتى الآن")
    expect(page.get_by_test_id("printers-figure")).to_contain_text("الكل متصلة (5)")
    assert no_sideways_scroll(page)
    shot(page, "backoffice-home-ar-phone.png")
    nav = page.get_by_test_id("bo-nav")
    first = eventually(lambda: nav.locator("a").first.bounding_box())
    second = eventually(lambda: nav.locator("a").nth(1).bounding_box())
    assert first["x"] > second["x"]  # right to left: the first section at the right
    page.get_by_test_id("nav-menu").click()
    page.wait_for_url("**/admin/menu")
    page.evaluate("window.sameDocument = true")
    expect(page.locator("h1")).to_have_text("قائمة الطعام")
    shot(page, "backoffice-menu-ar-phone-top.png")
    assert no_sideways_scroll(page)

    row = page.locator('[data-testid=item-row][data-name="Hummus"]')
    # Stations and courses by name, in Arabic, not codes.
    expect(row.locator("select[name=station_id] option:checked")).not_to_have_text("cold")
    price = row.get_by_test_id("price")

    # A price below zero: told next to the field, in Arabic; nothing saved.
    price.fill("-5")
    row.get_by_test_id("save").click()
    expect(row.locator('[data-error-for="price_minor"]')).to_have_text("أدخل سعرًا مثل 12.50.")
    expect(price).to_have_attribute("aria-invalid", "true")
    assert api.get(f"/items/{hummus_id}")["price_minor"] == 1800

    # A name another dish has: the server refuses, the page says so next to the name.
    row.locator("input[name=name]").fill("Fattoush")
    price.fill("19.50")
    row.get_by_test_id("save").click()
    expect(row.locator('[data-error-for="name"]')).to_have_text("مستخدم من قبل في عنصر آخر.")
    assert api.get(f"/items/{hummus_id}")["price_minor"] == 1800  # nothing half-saved

    # The minutes it takes to make: whole minutes, typed in Arabic digits too.
    row.get_by_test_id("prep-minutes").fill("٩٩٩")
    row.locator("input[name=name]").fill("Hummus")
    row.get_by_test_id("save").click()
    expect(row.locator('[data-error-for="prep_minutes"]')).to_have_text("دقائق كاملة من 0 إلى 240.")
    row.get_by_test_id("prep-minutes").fill("٧")

    # The right change: saved, and the waiter's handheld shows it, no reload.
    row.get_by_test_id("save").click()
    expect(page.get_by_test_id("message")).to_have_text("تم الحفظ.")
    expect(row.locator('[data-error-for="name"]')).to_have_text("")
    expect(row.get_by_test_id("save")).to_be_hidden()
    saved = api.get(f"/items/{hummus_id}")
    assert (saved["price_minor"], saved["prep_minutes"]) == (1950, 7)
    expect(hummus_on_phone).to_contain_text("19.50 SAR")

    # Sold out (86): greyed on the handheld at once, and cannot be tapped; then back.
    row.get_by_test_id("available").click()
    expect(row.get_by_test_id("available")).to_have_text("نفد")
    expect(page.get_by_test_id("message")).to_have_text("Hummus نفد على جميع الأجهزة.")
    expect(hummus_on_phone).to_be_disabled()
    # an English handheld says why: 86'd by hand (out of stock would say so)
    expect(hummus_on_phone.get_by_test_id("sold-out")).to_have_text("86'd")
    row.scroll_into_view_if_needed()
    shot(page, "backoffice-menu-ar-phone.png")
    shot(phone, "handheld-sold-out.png")
    row.get_by_test_id("available").click()
    expect(row.get_by_test_id("available")).to_have_text("متوفر")
    expect(hummus_on_phone).to_be_enabled()

    # A new dish named like one there is (whatever its case): said next to its name.
    add = page.get_by_test_id("add-item").first
    add.locator("input[name=name]").fill("HUMMUS")
    add.locator("input[name=price_minor]").fill("10")
    add.locator("button[type=submit]").click()
    expect(add.locator('[data-error-for="name"]')).to_have_text("مستخدم من قبل في عنصر آخر.")

    # Search finds a dish by its Arabic name.
    page.get_by_test_id("menu-search").fill("فتوش")
    expect(page.locator("[data-testid=item-row]:visible")).to_have_count(1)
    page.get_by_test_id("menu-search").fill("")

    assert page.evaluate("window.sameDocument") is True
    assert phone.evaluate("window.sameDocument") is True
    owner_ctx.close()
    waiter_ctx.close()


def test_a_manager_on_a_laptop_adds_a_waiter_who_signs_in_with_the_pin_shown(
    browser, server, make_staff
):
    make_staff("manager", name="Rami", email="manager.bo@example.com", password="a long password")
    context, page = back_office(
        browser, server, "manager.bo@example.com", "a long password", LAPTOP, "en", "/admin/staff"
    )
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    form = page.get_by_test_id("add-staff")
    # A manager may not make owners or managers: the choice is not even offered.
    expect(form.locator("select[name=role] option")).to_have_text(["Cashier", "Waiter", "Kitchen"])
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="name"]')).to_have_text("Required.")

    form.locator("input[name=name]").fill("Salma")
    form.locator("select[name=role]").select_option("waiter")
    form.locator("button[type=submit]").click()
    issued = page.get_by_test_id("issued-pin")
    expect(issued).to_contain_text("New PIN for Salma:")
    pin = re.search(r"(\d{4,8})", issued.inner_text()).group(1)
    row = page.locator('[data-testid=staff-row][data-name="Salma"]')
    expect(row.get_by_test_id("has-pin")).to_have_text("Yes")
    shot(page, "backoffice-staff-en-laptop.png")

    waiter = browser.new_context(base_url=server, viewport=PHONE, service_workers="block")
    phone = waiter.new_page()
    phone.goto("/login")
    phone.fill("#pin", pin)
    phone.get_by_test_id("pin-submit").click()
    phone.wait_for_url("**/handheld")
    expect(phone.get_by_test_id("who")).to_contain_text("Salma")

    # Deactivated: her handheld is signed out at once, and her PIN no longer works.
    row.get_by_test_id("toggle-active").click()
    expect(row.get_by_test_id("status")).to_have_text("Inactive")
    phone.wait_for_url(re.compile(r"/login\?next="))
    phone.fill("#pin", pin)
    phone.get_by_test_id("pin-submit").click()
    expect(phone.locator(".form-error")).to_contain_text("Wrong PIN")
    assert page.evaluate("window.sameDocument") is True
    waiter.close()
    context.close()


def test_an_owner_on_an_arabic_phone_moves_a_table_and_repoints_a_printer(
    browser, server, make_staff, token_for
):
    from printers.virtual import VirtualPrinter

    make_staff("owner", name="Huda", email="owner.fl@example.com", password="a long password")
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    api = Api(server, token_for("manager", "password"))
    tables = {t["label"]: t for t in api.get("/tables?active=true")["items"]}

    waiter_ctx, phone = handheld(browser, server, WAITER_PIN)
    phone.get_by_test_id("back-to-floor").click()  # the waiter looks at the hall's floor map
    expect(phone.get_by_test_id("table-1")).to_be_visible()
    table_1_was = phone.get_by_test_id("table-1").bounding_box()
    owner_ctx, page = back_office(
        browser, server, "owner.fl@example.com", "a long password", PHONE, "ar", "/admin/floors"
    )
    expect(page.locator("h1")).to_have_text("الطاولات والصالات")
    expect(page.get_by_test_id("floor-tabs")).to_contain_text("الصالة")
    one = page.locator('[data-testid=plan-table][data-label="1"]')
    expect(one).to_be_visible()
    assert no_sideways_scroll(page)

    def drag(node, cells_x, cells_y):
        box = node.bounding_box()
        cell = page.evaluate("parseFloat(document.querySelector('.bo-plan').style.backgroundSize)")
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(x + cells_x * cell * step / 5, y + cells_y * cell * step / 5)
        page.mouse.up()

    # Dropped onto table 2: refused, in Arabic, and table 1 stays where it was.
    drag(one, 3, 0)
    expect(page.get_by_test_id("message")).to_have_text("الطاولة 2 موجودة هناك.")
    assert api.get(f"/tables/{tables['1']['id']}")["x"] == 0

    # Down one square: saved, and the waiter's floor map shows it there without a reload.
    drag(one, 0, 1)
    expect(page.get_by_test_id("message")).to_have_text("نُقلت الطاولة 1.")
    moved = api.get(f"/tables/{tables['1']['id']}")
    assert (moved["x"], moved["y"]) == (0, 1)

    def table_1_moved():
        now = phone.get_by_test_id("table-1").bounding_box()
        assert (now["x"], now["y"]) != (table_1_was["x"], table_1_was["y"]), now
        return True

    eventually(table_1_moved)
    shot(page, "backoffice-floors-ar-phone.png")

    # Picked, renamed and given more seats; the handheld shows the new number.
    one.click()
    form = page.get_by_test_id("table-form")
    form.locator("input[name=label]").fill("1A")
    form.locator("input[name=seats]").fill("3")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_have_text("حُفظت الطاولة 1A.")
    expect(phone.get_by_test_id("table-1A")).to_be_visible()
    assert phone.evaluate("window.sameDocument") is True

    # The grill printer moved to another address: the next test print arrives there.
    new_place = VirtualPrinter("moved grill").start()
    try:
        page.get_by_test_id("nav-printers").click()
        page.wait_for_url("**/admin/printers")
        grill = page.locator('[data-testid=printer-settings][data-name="Grill printer"]')
        grill.locator("summary").click()
        form = grill.get_by_test_id("printer-form")
        form.locator("input[name=port]").fill("70000")
        form.locator("button[type=submit]").click()
        expect(form.locator('[data-error-for="port"]')).to_have_text("أدخل منفذًا من 1 إلى 65535.")
        form.locator("input[name=host]").fill("127.0.0.1")
        form.locator("input[name=port]").fill(str(new_place.port))
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("message")).to_contain_text("حُفظت Grill printer")
        printers = api.get("/printers")["items"]
        grill_id = next(p["id"] for p in printers if p["name"] == "Grill printer")
        assert api.get(f"/printers/{grill_id}")["port"] == new_place.port
        status, body = api.call("POST", f"/printers/{grill_id}/test-print")
        assert status in (200, 201, 202), body
        eventually(lambda: new_place.jobs, seconds=15)

        # A network printer needs its address: said next to the field, nothing saved.
        form.locator("input[name=host]").fill("")
        form.locator("button[type=submit]").click()
        expect(form.locator('[data-error-for="host"]')).to_have_text("مطلوب.")
        assert api.get(f"/printers/{grill_id}")["host"] == "127.0.0.1"
        # The printer is never offered as its own backup.
        own = form.locator("select[name=backup_printer_id] option", has_text="Grill printer")
        expect(own).to_have_count(0)
        assert no_sideways_scroll(page)
        shot(page, "backoffice-printers-ar-phone.png")
    finally:
        new_place.stop()
    owner_ctx.close()
    waiter_ctx.close()


def test_an_owner_changes_the_branch_settings_and_finds_the_change_in_the_audit_log(
    browser, server, make_staff, token_for
):
    make_staff("owner", name="Huda", email="owner.br@example.com", password="a long password")
    api = Api(server, token_for("manager", "password"))
    context, page = back_office(
        browser, server, "owner.br@example.com", "a long password", LAPTOP, "ar", "/admin/branch"
    )
    form = page.get_by_test_id("branch-form")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form.locator("input[name=vat_rate_bp]").fill("خمسة عشر")
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="vat_rate_bp"]')).to_have_text("أدخل نسبة مثل 15 أو 12.5.")
    form.locator("input[name=vat_rate_bp]").fill("15")
    form.locator("input[name=currency]").fill("SA")
    form.locator("button[type=submit]").click()
    currency_error = form.locator('[data-error-for="currency"]')
    expect(currency_error).to_have_text("ثلاثة أحرف لاتينية كبيرة، مثل SAR.")
    form.locator("input[name=currency]").fill("SAR")
    form.locator("input[name=name_ar]").fill("مطعم الديرة")
    form.locator("input[name=service_charge_bp]").fill("12.5")
    tips = form.get_by_test_id("tip-suggestions")
    expect(tips).to_have_value("10, 15, 20")
    tips.fill("10، 10")  # an Arabic comma, and twice the same
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="tip_suggestions"]')).not_to_be_empty()
    tips.fill("١٥، 10 , 12.5")  # Arabic digits and comma: read as people type them
    form.get_by_test_id("receipt-footer-ar").fill("شكراً لزيارتكم\nواي فاي: ضيوف")
    form.get_by_test_id("receipt-footer").fill("Thank you for your visit")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_have_text(
        "تم الحفظ. تستخدم الإيصالات والتقارير الإعدادات الجديدة من الآن."
    )
    branch = api.get("/branch")
    assert branch["service_charge_bp"] == 1250 and branch["name_ar"] == "مطعم الديرة"
    assert branch["tip_suggestions"] == [1000, 1250, 1500]
    assert branch["receipt_footer_ar"] == "شكراً لزيارتكم\nواي فاي: ضيوف"
    assert branch["receipt_footer"] == "Thank you for your visit"
    assert form.get_by_test_id("receipt-footer-ar").get_attribute("dir") == "rtl"

    page.get_by_test_id("nav-audit").click()
    page.wait_for_url("**/admin/audit")
    entries = page.get_by_test_id("audit-entry")
    expect(entries.first).to_have_attribute("data-action", "branch.updated")
    diff = entries.first.get_by_test_id("diff")
    expect(diff).to_contain_text("service_charge_bp")
    expect(diff).to_contain_text("1250")
    expect(entries.first).to_contain_text("Huda")
    page.get_by_test_id("audit-filters").locator("select[name=action]").select_option(
        "branch.updated"
    )
    expect(entries).to_have_count(1)
    filters = page.get_by_test_id("audit-filters")
    filters.locator("input[name=since]").fill("2026-12-10")
    filters.locator("input[name=until]").fill("2026-12-01")
    filters.locator("input[name=until]").dispatch_event("change")
    until_error = filters.locator('[data-error-for="until"]')
    expect(until_error).to_have_text("يجب أن يكون الانتهاء بعد البداية.")
    shot(page, "backoffice-audit-ar-laptop.png")

    # Station times: amber must come before red (said in Arabic); then saved in seconds.
    page.get_by_test_id("nav-stations").click()
    page.wait_for_url("**/admin/stations")
    grill = page.locator('[data-testid=station-form][data-code="grill"]')
    grill.locator("input[name=warn_after_s]").fill("20")
    grill.locator("input[name=late_after_s]").fill("12")
    grill.locator("button[type=submit]").click()
    expect(grill.locator('[data-error-for="warn_after_s"]')).to_have_text(
        "يجب أن يأتي وقت اللون البرتقالي قبل وقت اللون الأحمر."
    )
    grill.locator("input[name=warn_after_s]").fill("7.5")
    grill.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_contain_text("تستخدم شاشات المطبخ الأوقات الجديدة")
    station = next(s for s in api.get("/stations")["items"] if s["code"] == "grill")
    assert (station["warn_after_s"], station["late_after_s"]) == (450, 720)
    context.close()


def test_a_menu_csv_with_two_bad_rows_imports_the_rest_and_says_why(browser, server, make_staff):
    make_staff("manager", name="Rami", email="manager.csv@example.com", password="a long password")
    context, page = back_office(
        browser, server, "manager.csv@example.com", "a long password", LAPTOP, "ar", "/admin/menu"
    )
    box = page.get_by_test_id("csv")
    box.locator("summary").click()
    # Not UTF-8 (a Windows Arabic export): refused before anything is sent.
    legacy = "name,price\r\nشاي,5\r\n".encode("cp1256")
    box.get_by_test_id("csv-file").set_input_files(
        files=[{"name": "menu.csv", "mimeType": "text/csv", "buffer": legacy}]
    )
    expect(box.get_by_test_id("csv-error")).to_contain_text("ليس نصًا بترميز UTF-8")

    good_and_bad = (
        "name,name_ar,category,price,station\r\n"
        "Pumpkin soup,شوربة اليقطين,Winter specials,14.50,cold\r\n"
        "Hummus,,,19.00,\r\n"
        "Kofta,كفتة,Mains,-3,\r\n"
        "Shish tawook,شيش طاووق,Mains,38.00,grill2\r\n"
    ).encode()
    box.get_by_test_id("csv-file").set_input_files(
        files=[{"name": "menu.csv", "mimeType": "text/csv", "buffer": good_and_bad}]
    )
    expect(box.get_by_test_id("csv-summary")).to_have_text("1 جديد، 1 معدّل، 0 دون تغيير، 2 مرفوض.")
    refused = box.get_by_test_id("csv-refused-row")
    expect(refused).to_have_count(2)
    expect(refused.nth(0)).to_contain_text("4")
    expect(refused.nth(0)).to_contain_text("سعر مثل 12.50")
    expect(refused.nth(1)).to_contain_text("لا توجد محطة بالرمز grill2.")
    box.get_by_test_id("csv-apply").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("csv-summary")).to_have_text(
        "تم الاستيراد: 1 جديد، 1 معدّل؛ رُفض 2 من الصفوف."
    )
    expect(page.locator('[data-testid=item-row][data-name="Pumpkin soup"]')).to_have_count(1)
    hummus = page.locator('[data-testid=item-row][data-name="Hummus"]')
    expect(hummus.get_by_test_id("price")).to_have_value("19.00")
    expect(page.locator('[data-testid=item-row][data-name="Kofta"]')).to_have_count(0)
    shot(page, "backoffice-menu-import-ar.png")

    # Every price of a section up by 10 %, rounded to 0.50, seen first, then applied.
    bulk = page.get_by_test_id("bulk-price")
    bulk.locator("summary").click()
    form = bulk.get_by_test_id("bulk-form")
    form.get_by_test_id("bulk-percent").fill("1000")
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="percent"]')).to_contain_text("أدخل نسبة من")
    form.locator("select[name=category]").select_option(label="Winter specials")
    form.get_by_test_id("bulk-percent").fill("10")
    form.locator("button[type=submit]").click()
    preview = bulk.get_by_test_id("bulk-row")
    expect(preview).to_have_count(1)
    expect(preview.first).to_contain_text("14.50")
    expect(preview.first).to_contain_text("16.00")  # 15.95 rounded to the nearest 0.50
    bulk.get_by_test_id("bulk-apply").click()
    expect(page.get_by_test_id("message")).to_have_text("تغيّر 1 من الأسعار.")
    soup = page.locator('[data-testid=item-row][data-name="Pumpkin soup"]')
    expect(soup.get_by_test_id("price")).to_have_value("16.00")
    expect(soup.get_by_test_id("save")).to_be_hidden()
    context.close()


def test_a_kitchen_screen_is_paired_by_the_code_it_shows(browser, server, make_staff):
    make_staff("kitchen", name="Grill screen login")
    make_staff("manager", name="Rami", email="manager.pair@example.com", password="a long password")
    kitchen = browser.new_context(base_url=server, viewport=LAPTOP, service_workers="block")
    screen = kitchen.new_page()
    screen.goto("/pair")
    code = screen.get_by_test_id("pair-code").inner_text()
    expect(screen.get_by_test_id("pair-qr").locator("svg")).to_be_visible()

    context, page = back_office(
        browser, server, "manager.pair@example.com", "a long password", PHONE, "ar", "/admin/staff"
    )
    form = page.get_by_test_id("pair-form")
    form.get_by_test_id("pair-code-input").fill("ZZZ ZZZ")
    form.get_by_test_id("pair-login").select_option(label="Grill screen login")
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="code"]')).to_contain_text("لا توجد شاشة تعرض هذا الرمز")
    form.get_by_test_id("pair-code-input").fill(code.lower())
    form.locator("input[name=device_name]").fill("Grill screen")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_have_text(
        "تم الاقتران: تفتح الشاشة شاشة المطبخ بنفسها خلال لحظات."
    )
    screen.wait_for_url("**/kds", timeout=10_000)  # signed in by itself, nothing typed there
    expect(screen.get_by_test_id("error-page")).to_have_count(0)
    shot(page, "backoffice-pair-ar-phone.png")
    kitchen.close()
    context.close()


def test_a_manager_tries_a_happy_hour_on_a_sample_order_then_saves_it(
    browser, server, make_staff, token_for
):
    make_staff(
        "manager", name="Rami", email="manager.promo@example.com", password="a long password"
    )
    api = Api(server, token_for("manager", "password"))
    context, page = back_office(
        browser,
        server,
        "manager.promo@example.com",
        "a long password",
        LAPTOP,
        "en",
        "/admin/promotions",
    )
    form = page.get_by_test_id("new-promotion-form")
    expect(form.locator("input[name=percent_bp]")).to_be_visible()  # the happy hour's field
    expect(form.locator("input[name=combo_price_minor]")).to_be_hidden()
    form.locator("input[name=name]").fill("Juice hour")
    form.locator("input[name=percent_bp]").fill("20")
    form.locator("input[name=start_time]").fill("17:00")
    form.locator("input[name=end_time]").fill("19:00")
    form.locator("select[name=item_ids]").select_option(label="Fresh orange juice")
    sample = form.get_by_test_id("sample")
    sample.locator("select[name=sample_item]").nth(0).select_option(label="Fresh orange juice")
    sample.locator("input[name=sample_qty]").nth(0).fill("2")
    sample.locator("select[name=sample_item]").nth(1).select_option(label="Hummus")
    sample.locator("input[name=sample_at]").fill("2026-12-04T17:30")
    sample.get_by_test_id("preview").click()
    table = sample.get_by_test_id("preview-table")
    expect(table).to_contain_text("Fresh orange juice × 2")
    expect(table).to_contain_text("−")  # something comes off the juice
    expect(sample.get_by_test_id("preview-total")).to_contain_text("To pay")
    assert api.get("/promotions")["items"] == []  # a preview saves nothing

    sample.locator("input[name=sample_at]").fill("2026-12-04T20:30")
    sample.get_by_test_id("preview").click()
    expect(sample).to_contain_text("Not running at that time: nothing comes off.")

    form.locator("input[name=percent_bp]").fill("twenty")
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="percent_bp"]')).to_have_text(
        "Enter a percentage like 15 or 12.5."
    )
    form.locator("input[name=percent_bp]").fill("20")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    saved = page.locator('[data-testid=promotion][data-name="Juice hour"]')
    expect(saved).to_have_count(1)
    promo = api.get("/promotions")["items"][0]
    assert (promo["percent_bp"], promo["start_time"], promo["end_time"]) == (2000, "17:00", "19:00")
    saved.locator("summary").click()
    saved.get_by_test_id("toggle-promotion").click()
    expect(page.get_by_test_id("message")).to_have_text("Juice hour stopped.")
    assert api.get(f"/promotions/{promo['id']}")["active"] is False
    shot(page, "backoffice-promotions-en-laptop.png")
    context.close()


def test_a_section_is_renamed_sent_to_another_station_taken_off_and_added(
    browser, server, make_staff, token_for
):
    make_staff("owner", name="Huda", email="owner.sec@example.com", password="a long password")
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    api = Api(server, token_for("manager", "password"))
    waiter_ctx, phone = handheld(browser, server, WAITER_PIN)
    context, page = back_office(
        browser, server, "owner.sec@example.com", "a long password", PHONE, "ar", "/admin/menu"
    )
    starters = next(c for c in api.get("/categories")["items"] if c["name"] == "Starters")
    section = page.locator(f'.bo-cat[data-category="{starters["id"]}"]')
    section.get_by_test_id("section-settings").locator("summary").click()
    form = section.get_by_test_id("section-form")
    form.locator("input[name=name_ar]").fill("مقبلات باردة")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_have_text("حُفظ قسم Starters.")
    assert api.get(f"/categories/{starters['id']}")["name_ar"] == "مقبلات باردة"

    form.get_by_test_id("section-active").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("message")).to_have_text("أُزيل قسم Starters من القائمة.")
    expect(page.locator(f'.bo-cat[data-category="{starters["id"]}"]')).to_be_hidden()
    # The handheld's menu drops the section at once.
    expect(phone.get_by_test_id(f"cat-{starters['id']}")).to_have_count(0)
    assert phone.evaluate("window.sameDocument") is True

    add = page.get_by_test_id("add-section")
    add.locator("summary").click()
    add.locator("input[name=name]").fill("Starters")  # the name is still taken
    add.locator("button[type=submit]").click()
    expect(add.locator('[data-error-for="name"]')).to_have_text("مستخدم من قبل في عنصر آخر.")
    add.locator("input[name=name]").fill("Breakfast")
    add.locator("input[name=name_ar]").fill("الفطور")
    add.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("message")).to_have_text("أُضيف قسم Breakfast.")
    assert any(c["name"] == "Breakfast" for c in api.get("/categories")["items"])
    context.close()
    waiter_ctx.close()


def test_option_groups_and_their_prices_on_an_arabic_phone(browser, server, make_staff, token_for):
    make_staff("owner", name="Huda", email="owner.opt@example.com", password="a long password")
    api = Api(server, token_for("manager", "password"))
    context, page = back_office(
        browser, server, "owner.opt@example.com", "a long password", PHONE, "ar", "/admin/options"
    )
    group = page.get_by_test_id("option-group").first
    form = group.get_by_test_id("group-form")
    form.locator("input[name=min_choices]").fill("3")
    form.locator("input[name=max_choices]").fill("1")
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="min_choices"]')).to_have_text(
        "لا يمكن أن يكون أقل عدد يختاره الضيف أكبر من أكثر عدد."
    )
    form.locator("input[name=min_choices]").fill("0")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_contain_text("حُفظ")
    code = group.get_attribute("data-code")
    saved = next(g for g in api.get("/modifier-groups")["items"] if g["code"] == code)
    assert (saved["min_choices"], saved["max_choices"]) == (0, 1)

    add = group.get_by_test_id("add-option")
    add.locator("input[name=name]").fill("Extra garlic")
    add.locator("input[name=name_ar]").fill("ثوم إضافي")
    add.locator("input[name=price_delta_minor]").fill("abc")
    add.locator("button[type=submit]").click()
    expect(add.locator('[data-error-for="price_delta_minor"]')).to_contain_text(
        "أدخل سعرًا مثل 2.50"
    )
    add.locator("input[name=price_delta_minor]").fill("1.50")
    add.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("message")).to_have_text("أُضيفت Extra garlic.")
    added = [m for m in api.get("/modifiers")["items"] if m["name"] == "Extra garlic"]
    assert added and added[0]["price_delta_minor"] == 150 and added[0]["group_id"] == saved["id"]
    assert no_sideways_scroll(page)
    shot(page, "backoffice-options-ar-phone.png")
    context.close()


def test_an_owner_on_an_arabic_phone_resets_a_managers_password_and_two_factor(
    browser, server, make_staff
):
    """A manager lost her phone and her password: the owner sets a new password and turns
    her two-factor sign-in off; she signs in with the password and sets it up again."""
    import pyotp

    make_staff("owner", name="Huda", email="owner.pw@example.com", password="a long password")
    nadia = make_staff("manager", name="Nadia", email="nadia@example.com", password="old password")
    anonymous = Api(server, "")
    status, signed = anonymous.call(
        "POST", "/auth/login", {"email": "nadia@example.com", "password": "old password"}
    )
    assert status == 200, signed
    nadia_api = Api(server, signed["token"])
    secret = nadia_api.call("POST", "/auth/totp/enroll")[1]["secret"]
    confirmed = nadia_api.call("POST", "/auth/totp/confirm", {"code": pyotp.TOTP(secret).now()})
    assert confirmed[0] == 204

    context, page = back_office(
        browser, server, "owner.pw@example.com", "a long password", PHONE, "ar", "/admin/staff"
    )
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form = page.get_by_test_id("sign-in-form")
    form.get_by_test_id("sign-in-person").select_option(str(nadia.id))
    expect(form.get_by_test_id("sign-in-email")).to_have_value("nadia@example.com")
    form.get_by_test_id("sign-in-password").fill("short")
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="password"]')).to_have_text("10 أحرف على الأقل.")
    form.get_by_test_id("sign-in-password").fill("a new long password")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_contain_text("Nadia")
    assert nadia_api.call("GET", "/auth/me")[0] == 401, "a new password signs her out"
    new = {"email": "nadia@example.com", "password": "a new long password"}
    status, refused = anonymous.call("POST", "/auth/login", new)
    assert status == 401 and refused["error"]["code"] == "otp_required"

    row = page.locator(f'[data-testid=staff-row][data-staff="{nadia.id}"]')
    expect(row.get_by_test_id("has-totp")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_test_id("reset-totp").click()
    expect(row.get_by_test_id("has-totp")).to_be_hidden()
    expect(row.get_by_test_id("reset-totp")).to_have_count(0)
    assert anonymous.call("POST", "/auth/login", new)[0] == 200
    assert no_sideways_scroll(page)
    shot(page, "backoffice-staff-sign-in-ar-phone.png")
    assert page.evaluate("window.sameDocument") is True
    context.close()


def test_a_manager_makes_an_option_group_and_ticks_the_dishes_that_offer_it(
    browser, server, make_staff, token_for
):
    make_staff("manager", name="Rami", email="manager.grp@example.com", password="a long password")
    api = Api(server, token_for("manager", "password"))
    context, page = back_office(
        browser,
        server,
        "manager.grp@example.com",
        "a long password",
        LAPTOP,
        "en",
        "/admin/options",
    )
    add = page.get_by_test_id("add-group")
    add.locator("input[name=name]").fill("Choose your bread")
    add.locator("input[name=name_ar]").fill("اختر الخبز")
    add.locator("input[name=min_choices]").fill("2")
    add.locator("input[name=max_choices]").fill("1")
    add.locator("button[type=submit]").click()
    expect(add.locator('[data-error-for="min_choices"]')).not_to_be_empty()
    add.locator("input[name=min_choices]").fill("1")
    add.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("message")).to_contain_text("Choose your bread added.")
    group = page.locator("[data-testid=option-group]").filter(
        has=page.locator('input[name=name][value="Choose your bread"]')
    )
    expect(group).to_have_count(1)
    dishes = group.get_by_test_id("group-dishes")
    expect(dishes.get_by_test_id("dish-count")).to_have_text("0")
    dishes.locator("summary").click()
    dishes.get_by_label("Chicken burger").check()
    dishes.get_by_test_id("save-dishes").click()
    expect(page.get_by_test_id("message")).to_contain_text("the dishes that offer it are saved")
    group_id = int(group.get_attribute("data-group-id"))
    menu = api.get("/menu")
    burger = next(
        i for c in menu["categories"] for i in c["items"] if i["name"]["en"] == "Chicken burger"
    )
    assert group_id in burger["modifier_group_ids"]
    assert len(burger["modifier_group_ids"]) >= 2, "its other groups are kept"

    # Taken off: the page redraws it at the end, marked, with "Bring back".
    group.get_by_test_id("group-remove").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("message")).to_contain_text("taken off")
    off = page.locator(f'[data-testid=option-group][data-group-id="{group_id}"]')
    expect(off).to_have_attribute("data-inactive", "")
    off.get_by_test_id("group-restore").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("message")).to_contain_text("brought back")
    context.close()


def test_dishes_are_dragged_into_order_and_sections_stepped_on_a_phone(
    browser, server, make_staff, token_for
):
    make_staff("manager", name="Rami", email="manager.ord@example.com", password="a long password")
    api = Api(server, token_for("manager", "password"))

    def handheld_order():
        menu = api.get("/menu")
        return [c["id"] for c in menu["categories"]], {
            c["id"]: [i["name"]["en"] for i in c["items"]] for c in menu["categories"]
        }

    sections, dishes = handheld_order()
    context, page = back_office(
        browser, server, "manager.ord@example.com", "a long password", LAPTOP, "en", "/admin/menu"
    )
    first = page.locator(f'section[data-category="{sections[0]}"]')
    rows = first.get_by_test_id("item-row")
    names = dishes[sections[0]]
    # Drag the third dish above the first, by its handle.
    first.get_by_test_id("menu-table").scroll_into_view_if_needed()
    handle = rows.nth(2).get_by_test_id("drag").bounding_box()
    target = rows.nth(0).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 10, target["y"] + 5, steps=8)
    page.mouse.up()
    expect(page.get_by_test_id("message")).to_have_text("New order saved: handhelds show it now.")
    wanted = [names[2], names[0], names[1], *names[3:]]
    expect(rows).to_have_count(len(names))
    assert [r.get_attribute("data-name") for r in rows.all()] == wanted
    assert handheld_order()[1][sections[0]] == wanted
    context.close()

    # On an Arabic phone: the second section moved up a step with its ▲ button.
    context, page = back_office(
        browser, server, "manager.ord@example.com", "a long password", PHONE, "ar", "/admin/menu"
    )
    second = page.locator(f'section[data-category="{sections[1]}"]')
    box = second.get_by_test_id("section-up").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 48  # a thumb, not a mouse pointer
    second.get_by_test_id("section-up").click()
    expect(page.get_by_test_id("message")).to_have_text(
        "حُفظ الترتيب الجديد: تظهر على الأجهزة الآن."
    )
    assert handheld_order()[0][:2] == [sections[1], sections[0]]
    # The first dish's ▼ moves it one step down.
    rows = page.locator(f'section[data-category="{sections[0]}"]').get_by_test_id("item-row")
    rows.nth(0).get_by_test_id("move-down").click()
    expect(rows.nth(1)).to_have_attribute("data-name", wanted[0])
    assert no_sideways_scroll(page)
    shot(page, "backoffice-menu-order-ar-phone.png")
    assert page.evaluate("window.sameDocument") is True
    context.close()


def photo_png() -> bytes:
    """A camera-sized picture (2400 x 1600): the page makes it smaller before sending."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((2400, 1600)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_an_owner_on_an_arabic_phone_gives_a_dish_a_photo_and_the_handheld_shows_it(
    browser, server, make_staff, token_for
):
    make_staff("owner", name="Huda", email="owner.photo@example.com", password="a long password")
    make_staff("waiter", pin=WAITER_PIN, name="Nour", locale="en")
    api = Api(server, token_for("manager", "password"))
    hummus_id = next(i["id"] for i in api.get("/items")["items"] if i["name"] == "Hummus")
    waiter_ctx, phone = handheld(browser, server, WAITER_PIN)
    expect(phone.locator('.hh-item[data-name="Hummus"] [data-testid=item-photo]')).to_have_count(0)

    context, page = back_office(
        browser, server, "owner.photo@example.com", "a long password", PHONE, "ar", "/admin/menu"
    )
    row = page.locator('[data-testid=item-row][data-name="Hummus"]')
    expect(row.get_by_test_id("photo-none")).to_be_visible()
    expect(row.get_by_test_id("photo-thumb")).to_be_hidden()
    picker = row.get_by_test_id("photo-file")
    assert picker.get_attribute("accept") == "image/*" and picker.get_attribute("capture") is None
    pick = row.locator(".bo-photo-pick").bounding_box()
    assert pick["height"] >= 48  # a thumb's target

    # Not a picture: told next to the photo before anything is sent.
    picker.set_input_files(files=[{"name": "menu.pdf", "mimeType": "image/png", "buffer": b"%PDF"}])
    expect(row.get_by_test_id("photo-error")).not_to_be_empty()
    assert api.get(f"/items/{hummus_id}")["photo_url"] is None

    picker.set_input_files(
        files=[{"name": "hummus.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    thumb = row.get_by_test_id("photo-thumb")
    expect(thumb).to_be_visible()
    expect(thumb).to_have_attribute("src", re.compile(r"^/media/photos/[0-9a-f]{16}-thumb\.webp$"))
    expect(row.get_by_test_id("photo-error")).to_be_empty()
    assert eventually(lambda: thumb.evaluate("img => img.complete && img.naturalWidth") == 200)
    expect(row.get_by_test_id("photo-none")).to_be_hidden()
    saved = api.get(f"/items/{hummus_id}")
    assert saved["thumb_url"] == thumb.get_attribute("src")
    assert page.evaluate("window.sameDocument") is True  # no reload
    assert no_sideways_scroll(page)
    row.scroll_into_view_if_needed()
    shot(page, "backoffice-menu-photo-ar-phone.png")

    # The waiter's handheld shows the thumbnail on the dish at once, without a reload.
    on_phone = phone.locator('.hh-item[data-name="Hummus"] [data-testid=item-photo]')
    expect(on_phone).to_have_attribute("src", saved["thumb_url"])
    box = eventually(lambda: on_phone.bounding_box())
    assert (round(box["width"]), round(box["height"])) == (44, 44)
    assert phone.evaluate("window.sameDocument") is True
    shot(phone, "handheld-menu-photo.png")

    row.get_by_test_id("photo-remove").click()
    expect(row.get_by_test_id("photo-none")).to_be_visible()
    expect(row.get_by_test_id("photo-remove")).to_be_hidden()
    assert api.get(f"/items/{hummus_id}")["photo_url"] is None
    expect(on_phone).to_have_count(0)
    context.close()
    waiter_ctx.close()
