"""The menu as CSV: exported in both languages, imported with a preview, good rows in, bad
rows refused with their line and reason, unreadable files refused whole."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from pos_app.audit import AuditEntry
from pos_app.menu.models import Category, MenuItem


@pytest.fixture
def manager(auth):
    return auth("manager")


def import_csv(client, headers, text, apply=False, status=200):
    response = client.post(
        "/api/v1/menu/import", json={"csv": text, "apply": apply}, headers=headers
    )
    assert response.status_code == status, response.get_json()
    return response.get_json()


def count(db, model) -> int:
    with db(write=False) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_export_has_every_dish_in_both_languages(client, demo, manager):
    response = client.get("/api/v1/menu/export.csv", headers=manager)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    hummus = next(r for r in rows if r["name"] == "Hummus")
    assert hummus["name_ar"] == "حمص" and hummus["price"] == "18.00"
    assert hummus["category"] and hummus["category_ar"] and hummus["available"] == "yes"
    assert len(rows) == 32

    # Imported back as it is: nothing to change.
    report = import_csv(client, manager, text)
    assert report["unchanged"] == 32 and report["refused"] == 0


def test_two_bad_rows_are_refused_with_their_reasons_and_the_rest_imported(
    client, demo, db, manager
):
    text = (
        "name,name_ar,category,category_ar,price,station,course\r\n"
        "Hummus,حمص,,,19.00,,\r\n"  # an update: the price
        # new, in a new category:
        "Pumpkin soup,شوربة اليقطين,Winter specials,أطباق الشتاء,14.50,cold,1\r\n"
        "Grilled halloumi,حلوم مشوي,Starters,,-3,,\r\n"  # bad price
        "Kofta,كفتة,Mains,,38.00,grill2,\r\n"  # unknown station
    )
    before = count(db, MenuItem)
    preview = import_csv(client, manager, text)
    assert (preview["created"], preview["updated"], preview["refused"]) == (1, 1, 2)
    assert preview["applied"] is False and count(db, MenuItem) == before  # nothing written
    refused = {r["line"]: r["errors"] for r in preview["rows"] if r["action"] == "refused"}
    assert refused == {
        4: {"price": "a price like 12.50, from 0 to 1000000"},
        5: {"station": "no station with code 'grill2'"},
    }

    done = import_csv(client, manager, text, apply=True)
    assert (done["created"], done["updated"], done["refused"]) == (1, 1, 2)
    with db(write=False) as s:
        soup = s.scalar(select(MenuItem).where(MenuItem.name == "Pumpkin soup"))
        assert soup.price_minor == 1450 and soup.name_ar == "شوربة اليقطين" and soup.course == 1
        assert soup.category.name == "Winter specials" and soup.category.name_ar == "أطباق الشتاء"
        assert s.scalar(select(MenuItem.price_minor).where(MenuItem.name == "Hummus")) == 1900
        assert s.scalar(select(MenuItem).where(MenuItem.name == "Kofta")) is None
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["menu_item.updated", "category.created", "menu_item.created"]
    # The handhelds' menu has the new dish.
    menu = client.get("/api/v1/menu", headers=manager).get_json()
    assert "Pumpkin soup" in [i["name"]["en"] for c in menu["categories"] for i in c["items"]]


@pytest.mark.parametrize(
    "text, code, says",
    [
        ("name,price,colour\r\nTea,5,red\r\n", "bad_columns", "unknown column 'colour'"),
        ("name,name_ar\r\nTea,شاي\r\n", "bad_columns", "missing column 'price'"),
        ("name,price,name\r\nTea,5,Tea\r\n", "bad_columns", "a column appears twice"),
        ("name,price\r\nCaf\ufffd,5\r\n", "bad_encoding", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(client, demo, db, manager, text, code, says):
    before = count(db, MenuItem), count(db, AuditEntry)
    error = import_csv(client, manager, text, apply=True, status=422)["error"]
    assert error["code"] == code and says in " ".join(error["fields"]["csv"])
    assert (count(db, MenuItem), count(db, AuditEntry)) == before


def test_rows_refused_one_by_one(client, demo, db, manager):
    text = (
        "name,category,price,course,available\r\n"
        "Tea,,5,,\r\n"  # new, no category
        "Mint tea,Drinks,5,12,\r\n"  # course out of range
        "Green tea,Drinks,5,,maybe\r\n"  # not yes or no
        "Hummus,,18,,\r\n"
        "hummus,,18,,\r\n"  # the same dish twice
        ",Drinks,5,,\r\n"  # no name
        "Coffee,Drinks,5.005,,\r\n"  # more decimals than the currency has
        "Latte,Drinks,5,1,yes,extra\r\n"  # a cell too many
    )
    categories = count(db, Category)
    report = import_csv(client, manager, text, apply=True)
    refused = {r["line"]: sorted(r["errors"]) for r in report["rows"] if r["action"] == "refused"}
    assert refused == {
        2: ["category"],
        3: ["course"],
        4: ["available"],
        6: ["name"],
        7: ["name"],
        8: ["price"],
        9: ["row"],
    }
    assert report["unchanged"] == 1 and report["created"] == 0
    assert count(db, Category) == categories  # no category made for refused rows


def test_the_import_needs_a_password_sign_in(client, demo, auth):
    pin_manager = auth("manager", method="pin")
    response = client.post(
        "/api/v1/menu/import", json={"csv": "name,price\r\nTea,5\r\n"}, headers=pin_manager
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "strong_auth_required"


def test_a_name_a_spreadsheet_would_run_is_exported_as_text_and_comes_back(client, demo, manager):
    formula = '=HYPERLINK("http://evil.example","Hummus")'
    hummus = next(
        i
        for i in client.get("/api/v1/items", headers=manager).get_json()["items"]
        if i["name"] == "Hummus"
    )
    r = client.patch(f"/api/v1/items/{hummus['id']}", json={"name": formula}, headers=manager)
    assert r.status_code == 200, r.get_json()
    text = client.get("/api/v1/menu/export.csv", headers=manager).get_data(as_text=True)
    row = next(
        r
        for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
        if "HYPERLINK" in r["name"]
    )
    assert row["name"] == "'" + formula  # shown as text by spreadsheets
    report = import_csv(client, manager, text)
    assert report["refused"] == 0 and report["unchanged"] == 32  # the same name comes back
