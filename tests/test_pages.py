"""The browser pages through Flask's test client: language, CSRF, logins, roles, logout, 2FA."""

import html
import json
import re
import time
from urllib.parse import urlencode

import pyotp
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from conftest import TRANSLATIONS_DIR

from pos_app import clock
from pos_app.demo import DEMO_FILE

PROJECT_DIR = TRANSLATIONS_DIR.parent.parent
AR_PO = TRANSLATIONS_DIR / "ar" / "LC_MESSAGES" / "messages.po"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _compiled_arabic(arabic_catalog):
    """Every page test runs with the Arabic catalog compiled (before the app is made)."""
    return arabic_catalog


def csrf_of(page: str) -> str:
    """The CSRF token in a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def pin_login(client, pin: str, query: str = ""):
    """Open the PIN page, then send its form with `pin` (as a handheld's browser does)."""
    token = csrf_of(text_of(client.get("/login" + query, headers=ENGLISH)))
    return client.post("/login" + query, data={"csrf_token": token, "pin": pin})


def backoffice_login(client, email: str, password: str, otp: str = ""):
    token = csrf_of(text_of(client.get("/backoffice/login")))
    form = {"csrf_token": token, "email": email, "password": password, "otp": otp}
    return client.post("/backoffice/login", data=form)


def logout(client):
    token = csrf_of(text_of(client.get("/home")))
    return client.post("/logout", data={"csrf_token": token})


# -- the catalog -----------------------------------------------------------------------------


def test_the_arabic_catalog_is_compiled(arabic_catalog):
    assert arabic_catalog.exists()
    with arabic_catalog.open("rb") as f:
        compiled = read_mo(f)
    assert compiled.get("Log in").string == "تسجيل الدخول"
    assert compiled.get("Kitchen").string == "طاهٍ"  # a role name added by hand in i18n.py


def test_every_message_has_an_arabic_translation():
    with AR_PO.open("rb") as f:
        catalog = read_po(f, locale="ar")
    messages = [m for m in catalog if m.id]
    assert len(messages) > 40
    assert [m.id for m in messages if not m.string or not m.string.strip()] == []
    assert [m.id for m in messages if m.fuzzy] == []
    assert [m.id for m in catalog.obsolete.values()] == []
    # Placeholders survive translation (`%(name)s` and the like).
    assert [(m.id, errors) for m, errors in catalog.check()] == []
    # An English msgstr is a forgotten translation, not an Arabic one.
    assert [m.id for m in messages if m.string == m.id] == []
    for role in ("Owner", "Manager", "Cashier", "Waiter", "Kitchen"):
        assert catalog.get(role) is not None, role


def test_every_text_in_the_code_is_in_the_arabic_catalog():
    """New `_()` text needs `make messages` and an Arabic translation before it ships."""
    with (PROJECT_DIR / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    in_code = {
        (message if isinstance(message, str) else message[0], context)
        for _file, _line, message, _comments, context in extract_from_dir(
            PROJECT_DIR, method_map, options_map, keywords
        )
    }
    with AR_PO.open("rb") as f:
        catalog = read_po(f, locale="ar")
    in_catalog = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog}
    assert sorted(in_code - in_catalog, key=str) == []


# -- language --------------------------------------------------------------------------------


def test_login_page_is_english_by_default_and_arabic_once_chosen(client):
    page = text_of(client.get("/login", headers=ENGLISH))
    assert '<html lang="en" dir="ltr">' in page
    assert "<h1>Log in</h1>" in page and "Enter your PIN" in page
    assert 'data-testid="lang-ar"' in page

    switched = client.get("/lang/ar?next=/login", headers=ENGLISH)
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"

    page = text_of(client.get("/login", headers=ENGLISH))
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1>تسجيل الدخول</h1>" in page
    assert "أدخل رمزك السري" in page and "غير متصل — جارٍ إعادة الاتصال…" in page
    assert "Log in" not in page and 'data-testid="lang-en"' in page


def test_an_arabic_browser_gets_arabic_pages_without_choosing(client):
    page = text_of(client.get("/login", headers={"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"}))
    assert '<html lang="ar" dir="rtl">' in page and "تسجيل الدخول" in page


def test_signing_in_keeps_the_devices_language(app, client, make_staff):
    """Issue 15: the demo's Arabic-speaking waiter turned an English device Arabic."""
    make_staff("waiter", pin="2468", name="Sara", locale="ar")
    assert '<html lang="en" dir="ltr">' in text_of(client.get("/login", headers=ENGLISH))
    response = pin_login(client, "2468")
    assert response.headers["Location"] == "/handheld"  # a waiter starts on the handheld
    page = text_of(client.get("/home", headers=ENGLISH))
    assert '<html lang="en" dir="ltr">' in page and "Welcome, Sara" in page
    # The switch on any page changes it, and this device remembers it past a sign-out and in
    # a new browser session (the long-lived cookie, not the session's).
    switched = client.get("/lang/ar?next=/home")
    assert "pos_lang=ar" in switched.headers["Set-Cookie"]
    assert "Max-Age=" in switched.headers["Set-Cookie"]
    page = text_of(client.get("/home", headers=ENGLISH))
    assert '<html lang="ar" dir="rtl">' in page
    assert "أهلًا، Sara" in page and "Sara · نادل" in page and "تسجيل الخروج" in page
    logout(client)
    fresh = app.test_client()
    fresh.set_cookie("pos_lang", "ar")
    assert '<html lang="ar" dir="rtl">' in text_of(fresh.get("/login", headers=ENGLISH))


def test_an_english_staff_member_on_an_arabic_device_gets_arabic(client, make_staff):
    make_staff("waiter", pin="2469", name="Tom", locale="en")
    arabic = {"Accept-Language": "ar-SA,ar;q=0.9"}
    token = csrf_of(text_of(client.get("/login", headers=arabic)))
    client.post("/login", data={"csrf_token": token, "pin": "2469"}, headers=arabic)
    assert '<html lang="ar" dir="rtl">' in text_of(client.get("/home", headers=arabic))


# -- forms and logins ------------------------------------------------------------------------


def test_a_form_post_without_the_csrf_token_is_refused(client, make_staff):
    make_staff("waiter", pin="1111")
    client.get("/login")  # the session has a CSRF token; the form below does not carry it
    assert client.post("/login", data={"pin": "1111"}).status_code == 400
    bad = {"pin": "1111", "csrf_token": "forged"}
    assert client.post("/login", data=bad).status_code == 400
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/home").status_code == 302  # nobody was signed in


def test_pin_login_through_the_form_greets_the_staff_member(client, make_staff):
    make_staff("waiter", pin="1111", name="Sara")
    response = pin_login(client, "1111")
    assert response.status_code == 302 and response.headers["Location"] == "/handheld"
    page = text_of(client.get("/home", headers=ENGLISH))
    assert '<h1 data-testid="welcome">Welcome, Sara</h1>' in page
    assert "Sara · Waiter" in page and "Floor and orders" in page


def test_a_wrong_pin_shows_the_message_in_the_pages_language(client, make_staff):
    make_staff("waiter", pin="1111")
    response = pin_login(client, "9999")
    assert response.status_code == 401
    assert 'data-testid="login-error">Wrong PIN.</p>' in text_of(response)
    client.get("/lang/ar")
    response = pin_login(client, "9998")
    assert "الرمز السري غير صحيح." in text_of(response)


def test_a_waiter_opening_the_admin_menu_gets_the_forbidden_page(client, make_staff):
    make_staff("waiter", pin="1111")
    pin_login(client, "1111")
    response = client.get("/admin/menu", headers=ENGLISH)
    assert response.status_code == 403
    assert "Not for your role" in text_of(response)


def test_the_admin_menu_sends_a_stranger_to_the_back_office_login(client):
    response = client.get("/admin/menu")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/login?next=/admin/menu")


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_back_office_login_shows_the_menu_in_both_languages(client, demo, make_staff, role):
    make_staff(role, email=f"{role}.test@example.com", password="a long password")
    response = backoffice_login(client, f"{role}.test@example.com", "a long password")
    assert response.status_code == 302 and response.headers["Location"] == "/admin"

    page = html.unescape(text_of(client.get("/admin/menu", headers=ENGLISH)))
    assert "<h1>Menu</h1>" in page
    menu = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for category in menu["categories"]:
        assert category["name"]["en"] in page and category["name"]["ar"] in page
        for item in category["items"]:
            assert item["en"] in page and item["ar"] in page
    assert page.count('data-testid="menu-table"') == len(menu["categories"])

    client.get("/lang/ar")
    page = text_of(client.get("/admin/menu"))
    assert '<html lang="ar" dir="rtl">' in page and "<h1>قائمة الطعام</h1>" in page
    assert "مرحلة التقديم" in page and menu["categories"][0]["name"]["en"] in page


def test_the_printers_page_is_for_the_back_office_and_linked_from_its_home(
    client, demo, make_staff
):
    assert (
        client.get("/admin/printers")
        .headers["Location"]
        .startswith("/backoffice/login?next=/admin/printers")
    )
    make_staff("waiter", pin="1111")
    pin_login(client, "1111")
    assert 'href="/admin/printers"' not in text_of(client.get("/home", headers=ENGLISH))
    assert client.get("/admin/printers", headers=ENGLISH).status_code == 403
    logout(client)

    make_staff("manager", email="printers.test@example.com", password="a long password")
    backoffice_login(client, "printers.test@example.com", "a long password")
    assert 'href="/admin/printers"' in text_of(client.get("/home", headers=ENGLISH))
    page = html.unescape(text_of(client.get("/admin/printers", headers=ENGLISH)))
    assert "<h1>Printers</h1>" in page and page.count('data-testid="printer-row"') == 5
    for name in ("Grill printer", "Cold kitchen printer", "Receipt printer"):
        assert f'data-name="{name}"' in page
    assert "What the virtual printers printed" not in page  # none run in this process
    client.get("/lang/ar")
    page = text_of(client.get("/admin/printers"))
    assert "<h1>الطابعات</h1>" in page and "طباعة تجريبية" in page


def test_back_office_login_with_a_wrong_password_says_so(client, make_staff):
    make_staff("owner", email="boss@example.com", password="a long password")
    response = backoffice_login(client, "boss@example.com", "not it")
    assert response.status_code == 401
    assert "Wrong email or password." in text_of(response)


def test_logout_revokes_the_sessions_token(app, client, make_staff):
    make_staff("waiter", pin="1111", name="Sara")
    pin_login(client, "1111")
    cookie = client.get_cookie("session").value
    assert client.get("/home").status_code == 200

    response = logout(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    # The same cookie, replayed from anywhere, no longer opens the home page.
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "home",
    ],
)
def test_login_never_sends_the_browser_off_site(client, make_staff, target):
    make_staff("waiter", pin="1111")
    response = pin_login(client, "1111", "?" + urlencode({"next": target}))
    assert response.status_code == 302
    assert response.headers["Location"] == "/handheld"


def test_login_follows_next_within_the_site(client, make_staff):
    make_staff("manager", pin="4444")
    response = pin_login(client, "4444", "?next=/admin/menu")
    assert response.headers["Location"] == "/admin/menu"
    off_site = client.get("/lang/ar?" + urlencode({"next": "https://evil.example/"}))
    assert off_site.headers["Location"] == "/"


# -- two-factor sign-in ----------------------------------------------------------------------


def test_two_factor_enrolment_then_the_back_office_login_needs_the_code(client, make_staff):
    make_staff("owner", name="Huda", email="huda@example.com", password="a long password")
    assert backoffice_login(client, "huda@example.com", "a long password").status_code == 302

    page = text_of(client.get("/admin/security", headers=ENGLISH))
    assert "Set up two-factor sign-in" in page
    page = text_of(
        client.post("/admin/security", data={"csrf_token": csrf_of(page), "action": "start"})
    )
    qr = re.search(r'data-testid="totp-qr">(.*?)</div>', page, re.S).group(1)
    assert qr.lstrip().startswith(("<?xml", "<svg")) and "<svg" in qr and "<path" in qr
    secret = re.search(r"<code[^>]*>([A-Z2-7]+)</code>", page).group(1)

    confirm = {"csrf_token": csrf_of(page), "action": "confirm"}
    wrong = text_of(client.post("/admin/security", data={**confirm, "code": _not_now(secret)}))
    assert "Wrong two-factor code." in wrong
    # The QR already scanned stays valid: the page shows the same secret again.
    assert 'data-testid="totp-qr"' in wrong and f">{secret}</code>" in wrong
    assert 'data-testid="totp-enabled"' not in text_of(client.get("/admin/security"))
    code = pyotp.TOTP(secret).now()
    page = text_of(client.post("/admin/security", data={**confirm, "code": code}))
    assert 'data-testid="totp-enabled"' in page
    logout(client)

    response = backoffice_login(client, "huda@example.com", "a long password")
    assert response.status_code == 401
    assert "Enter the code from your authenticator app." in text_of(response)
    client.get("/lang/ar")
    response = backoffice_login(client, "huda@example.com", "a long password")
    assert response.status_code == 401
    assert "أدخل رمز التحقق من تطبيق المصادقة." in text_of(response)
    response = backoffice_login(client, "huda@example.com", "a long password", _not_now(secret))
    assert response.status_code == 401 and "رمز التحقق غير صحيح." in text_of(response)
    assert client.get("/admin/menu").status_code == 302

    clock.advance(30)  # the code that confirmed the enrolment is spent: the next step's
    code = pyotp.TOTP(secret).at(clock.utcnow())
    response = backoffice_login(client, "huda@example.com", "a long password", code)
    assert response.status_code == 302 and response.headers["Location"] == "/admin"
    assert client.get("/admin/menu").status_code == 200


def _not_now(secret: str) -> str:
    """A six-digit code that is not valid now (nor one step either side)."""
    totp, now = pyotp.TOTP(secret), time.time()
    valid = {totp.at(now + 30 * step) for step in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
