"""Every back-office page answers for the owner and the manager in both languages, with the
sections' menu, the one on screen marked; other roles get the forbidden page."""

from __future__ import annotations

import re

import pytest

SECTIONS = {
    "/admin": "home",
    "/admin/reports": "reports",
    "/admin/stock": "stock",
    "/admin/menu": "menu",
    "/admin/staff": "staff",
    "/admin/floors": "floors",
    "/admin/options": "options",
    "/admin/stations": "stations",
    "/admin/promotions": "promotions",
    "/admin/branch": "branch",
    "/admin/audit": "audit",
    "/admin/printers": "printers",
    "/admin/security": "security",
}


def sign_in(client, email: str, password: str) -> None:
    page = client.get("/backoffice/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "email": email, "password": password}
    response = client.post("/backoffice/login", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/admin"


@pytest.mark.parametrize("role", ["owner", "manager"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_section_answers_with_the_menu(client, demo, make_staff, arabic_catalog, role, lang):
    email = f"nav.{role}@example.com"
    make_staff(role, name=f"Nav {role}", email=email, password="a long password")
    sign_in(client, f"nav.{role}@example.com", "a long password")
    client.get(f"/lang/{lang}")
    for path, section in SECTIONS.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        page = response.get_data(as_text=True)
        assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in page
        links = re.findall(r'data-testid="nav-(\w+)"', page)
        assert links == list(SECTIONS.values()), path
        current = re.search(r'data-testid="nav-(\w+)"\s+aria-current="page"', page)
        assert current and current.group(1) == section, path


@pytest.mark.parametrize("role", ["waiter", "cashier", "kitchen"])
def test_the_back_office_is_forbidden_to_the_floor_and_the_kitchen(client, demo, make_staff, role):
    make_staff(role, pin="7391")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "pin": "7391"})
    for path in SECTIONS:
        assert client.get(path).status_code == 403, path
