"""Who sees which branch in the cloud (issue 19): organisations own branches; an owner or a
manager is given an organisation's every branch or some; nobody sees a branch by default; a
branch not yours is answered as one that does not exist (403 alike, nothing of its data)."""

from __future__ import annotations

import pytest
from conftest import app_config
from sqlalchemy import select

from pos_app import create_app
from pos_app.cloud import access
from pos_app.cloud.models import CloudBranch, CloudOrder
from pos_app.db import unit_of_work


@pytest.fixture
def cloud(app, database_url):
    """A cloud app over the test database: two companies, three branches, an order each."""
    cloud = create_app({**app_config(database_url), "POS_MODE": "cloud"})
    with cloud.app_context(), unit_of_work() as s:
        grills, cafe = access.organisation(s, "Grills Co"), access.organisation(s, "Cafe Co")
        for code, org in (("riyadh", grills), ("jeddah", grills), ("cafe", cafe)):
            branch = CloudBranch(code=code, name=code.title(), key="k" * 40)
            branch.organisation_id = org.id
            s.add(branch)
            s.flush()
            s.add(
                CloudOrder(
                    branch_id=branch.id,
                    order_id=f"00000000-0000-4000-8000-00000000000{branch.id % 10}",
                    number=7,
                    business_day="2026-12-04",
                    type="dine_in",
                    status="paid",
                    total_minor=4500,
                    seq=1,
                )
            )
    yield cloud
    cloud.extensions["pos_engine"].dispose()


def give(cloud, staff_id: int, organisation: str, code: str | None = None) -> None:
    with cloud.app_context(), unit_of_work() as s:
        org = access.organisation(s, organisation)
        branch = s.scalar(select(CloudBranch).where(CloudBranch.code == code)) if code else None
        access.grant(s, staff_id, org, branch)


def codes(cloud, headers) -> list[str]:
    answer = cloud.test_client().get("/api/v1/cloud/branches", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [b["code"] for b in answer.get_json()["items"]]


def test_each_sees_the_branches_given_and_nothing_of_the_others(cloud, make_staff, token_for):
    owner = make_staff("owner", email="owner@grills.example", password="a long password")
    manager = make_staff("manager", email="m@grills.example", password="a long password")
    stranger = make_staff("owner", email="owner@cafe.example", password="a long password")
    heads = {}
    for who in (owner, manager, stranger):
        with cloud.app_context(), unit_of_work() as s:
            from pos_app.auth.models import Staff
            from pos_app.auth.tokens import issue_token

            token = issue_token(s, s.get(Staff, who.id), 8, "test", "password")
        heads[who.id] = {"Authorization": f"Bearer {token}"}
    assert codes(cloud, heads[owner.id]) == []  # nobody sees a branch by default

    give(cloud, owner.id, "Grills Co")
    give(cloud, manager.id, "Grills Co", "jeddah")
    assert codes(cloud, heads[owner.id]) == ["jeddah", "riyadh"]
    assert codes(cloud, heads[manager.id]) == ["jeddah"]
    assert codes(cloud, heads[stranger.id]) == []

    client = cloud.test_client()
    mine = client.get("/api/v1/cloud/branches/jeddah", headers=heads[manager.id])
    assert mine.status_code == 200
    assert mine.get_json()["recent_orders"][0]["number"] == 7
    theirs = client.get("/api/v1/cloud/branches/riyadh", headers=heads[manager.id])
    unknown = client.get("/api/v1/cloud/branches/nowhere", headers=heads[manager.id])
    assert theirs.status_code == unknown.status_code == 403
    assert theirs.get_json() == unknown.get_json()  # not a hint that riyadh exists
    assert theirs.get_json()["error"]["code"] == "not_your_branch"
    for hostile in ("riyadh%00", "x" * 5000, "..%2F..%2Fetc", "%D8%B1"):
        answer = client.get(f"/api/v1/cloud/branches/{hostile}", headers=heads[owner.id])
        assert answer.status_code in (403, 404, 422), (hostile, answer.status_code)  # NUL: 422

    # A new branch of the company is seen by whoever has the whole company.
    with cloud.app_context(), unit_of_work() as s:
        org = access.organisation(s, "Grills Co")
        s.add(CloudBranch(code="dammam", name="Dammam", key="d" * 40, organisation_id=org.id))
    assert codes(cloud, heads[owner.id]) == ["dammam", "jeddah", "riyadh"]
    assert codes(cloud, heads[manager.id]) == ["jeddah"]


def test_a_branch_server_has_no_cloud_branches(app, client, auth):
    assert client.get("/api/v1/cloud/branches/riyadh", headers=auth("owner")).status_code == 404


def test_access_is_given_and_taken_by_command(cloud, make_staff):
    make_staff("owner", email="Owner@Grills.example", password="a long password")
    make_staff("waiter", email="w@grills.example")
    runner = cloud.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["pos", "cloud-access", *args])

    given = run("--email", "owner@grills.example", "--organisation", "Grills Co")
    assert given.exit_code == 0, given.output
    assert "sees every branch of Grills Co" in given.output
    assert "no organisation" in run("--email", "owner@grills.example", "--organisation", "X").output
    other = run(
        "--email", "owner@grills.example", "--organisation", "Grills Co", "--branch", "cafe"
    )
    assert other.exit_code != 0 and "has no branch 'cafe'" in other.output
    waiter = run("--email", "w@grills.example", "--organisation", "Grills Co")
    assert waiter.exit_code != 0 and "no owner or manager" in waiter.output
    with cloud.app_context(), unit_of_work(write=False) as s:
        from pos_app.auth.models import Staff

        staff = s.scalar(select(Staff).where(Staff.role == "owner"))
        assert len(access.visible_branch_ids(s, staff.id)) == 2
    taken = run("--email", "owner@grills.example", "--organisation", "Grills Co", "--revoke")
    assert taken.exit_code == 0 and "no longer sees" in taken.output
    with cloud.app_context(), unit_of_work(write=False) as s:
        assert access.visible_branch_ids(s, staff.id) == set()
