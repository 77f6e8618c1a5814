"""The menu managed in the cloud (issue 19): published for an organisation, pulled by its
branch (SQLite, its own file) from a real cloud process, applied whole in one transaction;
a version with a row the branch cannot take is not applied at all and says why; an order
taken before keeps its price. The cloud's endpoints: who may publish, bad files."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import TEST_SECRET, app_config
from sqlalchemy import select
from test_cloud_rebuild import Shop, cloud, demo_branch  # noqa: F401  (the cloud fixture)

from pos_app import create_app
from pos_app.cloud import access, pull
from pos_app.cloud.models import CloudBranch, SyncState
from pos_app.db import unit_of_work

HEADER = "category,category_ar,name,name_ar,price,station,course,prep_minutes,available\n"


def publish(database_url: str, tmp_path, text: str) -> subprocess.CompletedProcess:
    """`flask pos cloud-catalogue` as an owner runs it on the cloud's server."""
    path = tmp_path / "menu.csv"
    path.write_text(text, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "POS_MODE": "cloud",
        "POS_DATABASE_URL": database_url,
        "POS_INSTANCE_DIR": str(tmp_path / "cloud"),
        "POS_SECRET_KEY": TEST_SECRET,
    }
    command = [sys.executable, "-m", "flask", "--app", "pos_app", "pos", "cloud-catalogue"]
    return subprocess.run(
        [*command, "--organisation", "My restaurants", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )


def menu(app) -> dict[str, int]:
    from pos_app.menu.models import MenuItem

    with app.app_context(), unit_of_work(write=False) as s:
        return {i.name: i.price_minor for i in s.scalars(select(MenuItem).where(MenuItem.active))}


def state(app) -> SyncState:
    with app.app_context(), unit_of_work(write=False) as s:
        return s.get(SyncState, 1)


def test_a_menu_published_in_the_cloud_reaches_the_branch_whole_or_not_at_all(
    cloud,  # noqa: F811
    database_url,
    tmp_path,
):
    url, key = cloud
    path = tmp_path / "branch.sqlite3"
    app = demo_branch(path, url, key)
    shop = Shop(app)
    before = shop.order()  # Hummus at its old price, on an open order
    assert pull.pull_once(app) is None  # nothing published yet

    done = publish(
        database_url,
        tmp_path,
        HEADER
        + "Starters,مقبلات,Hummus,حمص,21.50,cold,1,4,yes\n"
        + "Starters,مقبلات,Beetroot salad,سلطة شمندر,17.00,cold,1,5,yes\n",
    )
    assert done.returncode == 0, done.stderr
    assert "menu version 1 published (2 dishes)" in done.stdout
    assert pull.pull_once(app) == 1
    prices = menu(app)
    assert prices["Hummus"] == 2150 and prices["Beetroot salad"] == 1700
    assert state(app).catalogue_version == 1 and state(app).catalogue_error == ""
    order = shop.client.get(f"/api/v1/orders/{before['id']}", headers=shop.waiter).get_json()
    assert order["lines"][0]["unit_price_minor"] == before["lines"][0]["unit_price_minor"]
    assert pull.pull_once(app) is None  # version 1 is the newest: nothing again

    # A version naming a station this branch does not have: not a single row of it applied.
    bad = publish(
        database_url,
        tmp_path,
        HEADER
        + "Starters,مقبلات,Hummus,حمص,99.00,cold,1,4,yes\n"
        + "Grill,مشاوي,Lamb chops,ريش غنم,88.00,tandoor,2,15,yes\n",
    )
    assert bad.returncode == 0, bad.stderr
    assert pull.pull_once(app) is None
    assert menu(app)["Hummus"] == 2150 and "Lamb chops" not in menu(app)
    held = state(app)
    assert held.catalogue_version == 1
    assert "menu version 2 not applied" in held.catalogue_error
    assert "Lamb chops" in held.catalogue_error and "station" in held.catalogue_error
    # The branch's home says so (and which version it runs when all is well).
    owner = shop.client.post(
        "/api/v1/auth/login", json={"email": "owner@example.com", "password": "owner-demo-pass"}
    ).get_json()["token"]
    today = shop.client.get(
        "/api/v1/backoffice/today", headers={"Authorization": f"Bearer {owner}"}
    ).get_json()
    assert today["sync"]["menu_version"] == 1
    assert today["sync"]["menu_error"].startswith("menu version 2 not applied")

    unreadable = publish(database_url, tmp_path, "dish;cost\nHummus;3\n")
    assert unreadable.returncode != 0 and "header row" in unreadable.stderr


@pytest.fixture
def cloud_app(app, database_url):
    cloud_app = create_app({**app_config(database_url), "POS_MODE": "cloud"})
    with cloud_app.app_context(), unit_of_work() as s:
        org = access.organisation(s, "Grills Co")
        s.add(CloudBranch(code="riyadh", name="Riyadh", key="k" * 40, organisation_id=org.id))
        access.organisation(s, "Cafe Co")
    yield cloud_app
    cloud_app.extensions["pos_engine"].dispose()


def test_only_who_has_the_whole_organisation_publishes_its_menu(cloud_app, make_staff):
    from pos_app.auth.models import Staff
    from pos_app.auth.tokens import issue_token
    from pos_app.cloud.models import CloudOrganisation

    owner = make_staff("owner", email="o@grills.example", password="a long password")
    branch_manager = make_staff("manager", email="m@grills.example", password="a long password")
    with cloud_app.app_context(), unit_of_work() as s:
        grills = s.scalar(select(CloudOrganisation).where(CloudOrganisation.name == "Grills Co"))
        cafe = s.scalar(select(CloudOrganisation).where(CloudOrganisation.name == "Cafe Co"))
        access.grant(s, owner.id, grills)
        access.grant(s, branch_manager.id, grills, s.scalar(select(CloudBranch)))
        tokens = {
            who.id: issue_token(s, s.get(Staff, who.id), 8, "test", "password")
            for who in (owner, branch_manager)
        }
        grills_id, cafe_id = grills.id, cafe.id
    client = cloud_app.test_client()

    def put(who, org_id, text):
        return client.put(
            f"/api/v1/cloud/organisations/{org_id}/catalogue",
            json={"csv": text},
            headers={"Authorization": f"Bearer {tokens[who.id]}"},
        )

    good = HEADER + "Starters,مقبلات,Hummus,حمص,21.50,cold,1,4,yes\n"
    first = put(owner, grills_id, good)
    assert first.status_code == 200 and first.get_json()["version"] == 1
    assert put(owner, grills_id, good).get_json()["version"] == 2
    assert put(branch_manager, grills_id, good).status_code == 403  # one branch only
    other, unknown = put(owner, cafe_id, good), put(owner, 99_999, good)
    assert other.status_code == unknown.status_code == 403
    assert other.get_json() == unknown.get_json()
    for bad in ("", "name;price\nx;1\n", "name,price,colour\nx,1,red\n", "x" * 1_000_001):
        answer = put(owner, grills_id, bad)
        assert answer.status_code in (413, 422), (bad[:20], answer.status_code)
    got = client.get(
        f"/api/v1/cloud/organisations/{grills_id}/catalogue",
        headers={"Authorization": f"Bearer {tokens[owner.id]}"},
    ).get_json()
    assert got["version"] == 2 and got["rows"] == 1 and got["organisation"] == "Grills Co"
