"""Owners' reports (issue 20): figures against hand-computed ones on a small fixed data set,
roll-ups equal to the facts they sum (hypothesis), and the report's bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos_app import clock
from pos_app.auth.models import Staff
from pos_app.auth.tokens import issue_token
from pos_app.db import unit_of_work
from pos_app.menu.models import MenuItem
from pos_app.reports import facts, query
from table_service.models import DiningTable

RIYADH = timedelta(hours=3)


def new_id() -> str:
    return str(uuid.uuid4())


def at_local(year, month, day, hour, minute) -> None:
    """Move the clock to this Riyadh wall time (the demo branch's zone; cut-off 04:00)."""
    target = datetime(year, month, day, hour, minute, tzinfo=UTC) - RIYADH
    clock.reset()
    clock.advance((target - clock.utcnow()).total_seconds())


@pytest.fixture
def shop(app, client, demo, make_staff, db):
    with db(write=False) as s:
        items = {i.name: i.id for i in s.scalars(select(MenuItem))}
        tables = {t.label: t.id for t in s.scalars(select(DiningTable))}
    people = {
        "Sara": make_staff("waiter", name="Sara T", pin="5101").id,
        "Omar": make_staff("waiter", name="Omar K", pin="5102").id,
        "Huda": make_staff("cashier", name="Huda C", pin="5103").id,
        "Khalid": make_staff("manager", name="Khalid M", pin="5104").id,
    }

    class Shop:
        def headers(self, name):
            with app.app_context(), unit_of_work() as s:
                raw = issue_token(s, s.get(Staff, people[name]), 8, "test", "pin")
            return {"Authorization": f"Bearer {raw}"}

        def order(self, waiter, lines, table=None, **kw):
            body = {
                "id": new_id(),
                "type": "dine_in" if table else "takeaway",
                "lines": [
                    {"id": new_id(), "item_id": items[n], "quantity": q, **extra}
                    for n, q, extra in lines
                ],
                "fire": True,
                **kw,
            }
            if table:
                body.update(table_id=tables[table], guests=2)
            r = client.post("/api/v1/orders", json=body, headers=self.headers(waiter))
            assert r.status_code == 201, r.get_json()
            return r.get_json()

        def post(self, who, url, body, code=201):
            r = client.post(url, json=body, headers=self.headers(who))
            assert r.status_code == code, r.get_json()
            return r.get_json()

        def pay(self, order_id, part=None, tender="cash", **kw):
            body = {"id": new_id(), "tender": tender, **kw}
            if part is not None:
                body["part"] = part
            if tender == "card":
                body.setdefault("card_method", "mada")
            return self.post("Huda", f"/api/v1/orders/{order_id}/payments", body)

        def report(self, who="owner", **params):
            r = client.get("/api/v1/reports/sales", query_string=params, headers=who)
            assert r.status_code == 200, r.get_json()
            return r.get_json()

    return Shop()


def test_figures_match_the_hand_computed_set(shop, auth, client):
    """Four paid orders around the cut-off, an equal split and a split by seat, a comp, a
    percent and an amount discount, a void, a cancelled order, a tip on card, and a refund
    issued the next month: every figure worked out by hand (docs/reports.md's rules)."""
    at_local(2027, 1, 31, 3, 50)  # before the 04:00 cut-off: business day Saturday 30 January
    shop.post("Huda", "/api/v1/shifts", {"float_minor": 10_000})
    o1 = shop.order("Sara", [("Hummus", 1, {}), ("Soft drink", 1, {})])
    paid1 = shop.pay(o1["id"])  # 18 + 7 = 25.00 cash
    invoice1 = paid1["parts"][0]["invoice_number"]

    at_local(2027, 1, 31, 4, 10)  # after the cut-off: business day Sunday 31 January
    o2 = shop.order(
        "Sara",
        [("Chicken burger", 2, {}), ("Caesar salad", 1, {}), ("Fattoush", 1, {})],
        table="4",
    )  # 72 + 28 + 22 = 122.00
    caesar = next(li for li in o2["lines"] if li["name"] == "Caesar salad")
    shop.post(
        "Khalid",
        f"/api/v1/orders/{o2['id']}/discounts",
        {"kind": "comp", "line_id": caesar["id"], "reason": "hair in the salad"},
    )
    bill = shop.post(
        "Khalid",
        f"/api/v1/orders/{o2['id']}/discounts",
        {"kind": "percent", "percent_bp": 1000, "reason": "regular guest"},
    )
    assert bill["total_minor"] == 8_460  # (122 - 28) less 10 % = 84.60
    shop.post("Huda", f"/api/v1/orders/{o2['id']}/split", {"kind": "equal", "count": 2}, 200)
    shop.pay(o2["id"], part=1)  # 42.30 cash
    shop.pay(o2["id"], part=2, tender="card", tip_minor=500)  # 42.30 card + 5.00 tip

    at_local(2027, 1, 31, 12, 0)
    o3 = shop.order("Omar", [("Hummus", 1, {"seat": 1}), ("Fattoush", 1, {"seat": 2})], table="5")
    shop.post(
        "Khalid",
        f"/api/v1/orders/{o3['id']}/discounts",
        {"kind": "amount", "amount_minor": 400, "reason": "late food"},
    )
    parts = shop.post("Huda", f"/api/v1/orders/{o3['id']}/split", {"kind": "seats"}, 200)["parts"]
    assert [p["total_minor"] for p in parts] == [1_620, 1_980]  # 4.00 off shared 18:22
    shop.pay(o3["id"], part=1)
    shop.pay(o3["id"], part=2)

    o4 = shop.order("Omar", [("Hummus", 2, {})])
    hummus = o4["lines"][0]
    shop.post(
        "Omar",
        f"/api/v1/orders/{o4['id']}/lines/{hummus['id']}/void",
        {"version": o4["version"], "quantity": 1, "reason": "guest changed mind"},
        200,
    )
    shop.pay(o4["id"])  # 18.00 cash

    o5 = shop.order("Omar", [("Fattoush", 1, {})])
    shop.post(
        "Omar",
        f"/api/v1/orders/{o5['id']}/cancel",
        {"version": o5["version"], "reason": "guest left"},
        200,
    )

    at_local(2027, 2, 1, 13, 0)  # the next month: the refund counts here
    shop.post(
        "Huda",
        f"/api/v1/invoices/{invoice1}/refunds",
        {"amount_minor": 1_000, "reason": "cold hummus", "approver_pin": "5104", "tender": "cash"},
    )

    owner = auth("owner")
    january = shop.report(owner, period="month", date="2027-01-15")
    s = january["report"]["sales"]
    assert s == {
        "gross_minor": 2_500 + 12_200 + 4_000 + 1_800,
        "discount_minor": 940 + 400,
        "comp_minor": 2_800,
        "service_minor": 0,
        "sales_minor": 16_360,  # 25.00 + 84.60 + 36.00 + 18.00
        "refund_minor": 0,
        "net_minor": 16_360,
        # VAT of each invoice from its total, half up: 326 + (552 + 552) + (211 + 258) + 235
        "vat_minor": 2_134,
        "net_ex_vat_minor": 16_360 - 2_134,
        "tip_minor": 500,
        "orders": 4,  # an order split in two is one order
        "documents": 6,
        "average_ticket_minor": 4_090,
    }
    r = january["report"]
    assert {x["tender"]: (x["amount_minor"], x["tip_minor"]) for x in r["by_tender"]} == {
        "cash": (2_500 + 4_230 + 3_600 + 1_800, 0),
        "card": (4_230, 500),
    }
    items = {x["key"]: (x["quantity"], x["revenue_minor"], x["comp_minor"]) for x in r["by_item"]}
    assert items == {
        "Chicken burger": (2.0, 7_200, 0),  # half of each burger on each equal part
        "Caesar salad": (1.0, 0, 2_800),
        "Hummus": (3.0, 5_400, 0),  # the voided one is not sold
        "Fattoush": (2.0, 4_400, 0),  # the cancelled one is not sold
        "Soft drink": (1.0, 700, 0),
    }
    staff = {x["staff"]: x for x in r["by_staff"]}
    assert (staff["Sara T"]["sales_minor"], staff["Sara T"]["orders"]) == (10_960, 2)
    assert (staff["Omar K"]["sales_minor"], staff["Omar K"]["orders"]) == (5_400, 2)
    assert staff["Omar K"]["voids"] == 1 and staff["Omar K"]["void_minor"] == 1_800
    assert staff["Sara T"]["average_ticket_minor"] == 5_480
    adjust = {x["kind"]: (x["count"], x["amount_minor"]) for x in r["adjustments"]}
    assert adjust == {
        "void": (1, 1_800),
        "comp": (1, 2_800),
        "discount": (2, 940 + 400),
        "cancel": (1, 2_200),
    }
    reasons = {(a["kind"], a["reason"], a["actor"]) for a in january["adjustments"]}
    assert ("comp", "hair in the salad", "Khalid M") in reasons
    assert ("cancel", "guest left", "Omar K") in reasons
    # The heat map: weekday of the business day (Monday 0) and the local hour.
    assert r["heat"][5][3] == 2_500  # Saturday's business day, 03:50
    assert r["heat"][6][4] == 8_460  # Sunday, 04:10
    assert {d["day"]: d["net_minor"] for d in january["series"]} == {
        "2027-01-30": 2_500,
        "2027-01-31": 13_860,
    }
    assert r["vat"]["standard_sales_vat_minor"] == 2_134

    day30 = shop.report(owner, period="day", date="2027-01-30")["report"]["sales"]
    assert (day30["sales_minor"], day30["orders"]) == (2_500, 1)

    february = shop.report(owner, period="month", date="2027-02-01")
    f = february["report"]["sales"]
    assert (f["sales_minor"], f["refund_minor"], f["net_minor"]) == (0, 1_000, -1_000)
    assert f["vat_minor"] == -130  # the credit note's VAT: round(1000 x 15 / 115)
    # February is running (today is the 1st): compared to as many days of January.
    previous = february["report"]["previous"]
    assert (previous["from"], previous["to"]) == ("2027-01-01", "2027-01-01")
    assert february["report"]["period"]["to_date"] == "2027-02-01"
    # A month that is over is compared to the whole month before.
    assert january["report"]["previous"]["to"] == "2026-12-31"
    refunds = [a for a in february["adjustments"] if a["kind"] == "refund"]
    assert [(a["amount_minor"], a["reason"], a["approver"]) for a in refunds] == [
        (1_000, "cold hummus", "Khalid M")
    ]
    # The items table as CSV, both languages.
    csv = client.get(
        "/api/v1/reports/export.csv",
        query_string={"period": "month", "date": "2027-01-15", "table": "items"},
        headers=owner,
    )
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "Chicken burger,برجر دجاج,2.0,7200" in csv.data.decode()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"period": "custom", "from": "2027-02-01", "to": "2027-01-01"}, "to"),
        ({"period": "custom", "from": "2025-01-01", "to": "2027-01-01"}, "to"),
        ({"period": "custom", "from": "2027-01-01"}, "to"),
        ({"period": "month", "date": "2027-13-01"}, "date"),
        ({"period": "fortnight"}, "period"),
        ({"period": "year", "date": "9999-06-01"}, "date"),  # the year after would not exist
        ({"period": "week", "date": "0001-01-01"}, "date"),
        ({"period": "custom", "from": "0001-01-01", "to": "0001-12-31"}, "from"),
        ({"period": "day", "date": "2026-12-04\x00"}, "date"),
        ({"period": "day", "date": "9" * 5000}, "date"),
        ({"period": "day", "branch": "x" * 401}, "branch"),
    ],
)
def test_bad_periods_are_refused_with_the_field_to_fix(client, demo, auth, params, field):
    r = client.get("/api/v1/reports/sales", query_string=params, headers=auth("owner"))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


def test_export_names_an_unknown_table(client, demo, auth):
    r = client.get(
        "/api/v1/reports/export.csv", query_string={"table": "secrets"}, headers=auth("manager")
    )
    assert r.status_code == 422 and "table" in r.get_json()["error"]["fields"]


_names = st.sampled_from(["Hummus", "Fattoush", "Burger", "Tea", "=cmd"])
_days = st.dates(min_value=date(2025, 11, 25), max_value=date(2027, 2, 5))
_sale = st.fixed_dictionaries(
    {
        "business_day": _days,
        "kind": st.sampled_from(["invoice", "credit_note", "imported"]),
        "order_type": st.sampled_from(["dine_in", "takeaway", "delivery"]),
        "staff": st.sampled_from(["Sara", "Omar"]),
        "hour": st.integers(0, 23),
        "orders": st.integers(0, 1),
        "total_minor": st.integers(0, 100_000),
        "vat_minor": st.integers(0, 10_000),
        "refund_minor": st.integers(0, 5_000),
        "discount_minor": st.integers(0, 5_000),
        "lines": st.lists(
            st.tuples(_names, st.integers(-3_000, 5_000), st.integers(-10_000, 50_000)),
            max_size=4,
        ),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sales=st.lists(_sale, max_size=30),
    start=_days,
    length=st.integers(0, 450),
)
@example(  # a whole year, a whole month and loose days in one period
    sales=[
        {
            "business_day": d,
            "kind": "invoice",
            "order_type": "takeaway",
            "staff": "Sara",
            "hour": 12,
            "orders": 1,
            "total_minor": 1_000,
            "vat_minor": 130,
            "refund_minor": 0,
            "discount_minor": 0,
            "lines": [("Tea", 1_000, 1_000)],
        }
        for d in (date(2025, 12, 30), date(2026, 6, 1), date(2027, 1, 15), date(2027, 2, 2))
    ],
    start=date(2025, 12, 30),
    length=400,
)
def test_rollups_equal_the_raw_aggregation(app, sales, start, length):
    """Random sales kept by `facts.apply` (the roll-ups' only writer): any period's sums from
    the roll-ups (whole years, whole months and loose days) equal the same sums taken from
    the facts."""
    from pos_app.reports.models import (
        ReportDaily,
        ReportLine,
        ReportMonthly,
        ReportSale,
        ReportYearly,
    )

    with app.app_context(), unit_of_work() as s:
        for model in (ReportLine, ReportSale, ReportDaily, ReportMonthly, ReportYearly):
            s.execute(model.__table__.delete().where(model.branch_id == 7))
        for n, sale in enumerate(sales):
            doc = f"D{n}"
            facts.apply(
                s,
                7,
                {
                    "sales": [
                        {
                            **{k: v for k, v in sale.items() if k != "lines"},
                            "doc": doc,
                            "business_day": sale["business_day"].isoformat(),
                        }
                    ],
                    "lines": [
                        {
                            "doc": doc,
                            "n": i,
                            "business_day": sale["business_day"].isoformat(),
                            "item": name,
                            "qty_milli": q,
                            "amount_minor": a,
                        }
                        for i, (name, q, a) in enumerate(sale["lines"])
                    ],
                },
            )
    end = start + timedelta(days=length)
    with app.app_context(), unit_of_work(write=False) as s:
        rolled = query.sums(s, [7], start, end)
        raw = query.raw_sums(s, [7], start, end)
    measures = ("n", "orders", "total_minor", "vat_minor", "refund_minor", "discount_minor")
    for dim in ("all", "type", "staff"):
        keys = {k for d, k in raw if d == dim} | {k for d, k in rolled if d == dim}
        for key in keys:
            assert {m: rolled[(dim, key)][m] for m in measures} == {
                m: raw[(dim, key)][m] for m in measures
            }, (dim, key)
    for key in {k for d, k in raw if d == "item"} | {k for d, k in rolled if d == "item"}:
        assert (rolled[("item", key)]["qty_milli"], rolled[("item", key)]["total_minor"]) == (
            raw[("item", key)]["qty_milli"],
            raw[("item", key)]["total_minor"],
        ), key
    with app.app_context(), unit_of_work() as s:
        for model in (ReportLine, ReportSale, ReportDaily, ReportMonthly, ReportYearly):
            s.execute(model.__table__.delete().where(model.branch_id == 7))


HEADER = "receipt,business_day,hour,order_type,staff,item,item_ar,category,category_ar,"
PAST = (
    HEADER
    + """quantity,amount,payment
R1,2026-03-02,13,dine_in,Old waiter,Mansaf,منسف,Mains,الأطباق الرئيسية,2,90.00,cash
R1,2026-03-02,13,dine_in,Old waiter,Tea,شاي,Drinks,المشروبات,1,5.00,cash
R2,2026-03-03,20,takeaway,,Mansaf,منسف,Mains,الأطباق الرئيسية,0.5,22.50,card
"""
)


def test_past_sales_import_whole_and_count_in_the_reports_marked(client, demo, auth, db):
    """A good file is checked (nothing kept), then imported whole: the sales count in March's
    report, marked imported, with their items, staff and tenders; never tax invoices; the
    same receipts again are refused and nothing is added."""
    from pos_app.billing.models import Invoice
    from pos_app.outbox import OutboxEvent

    owner = auth("owner")
    url = "/api/v1/reports/import"
    check = client.post(url, json={"csv": PAST}, headers=owner)
    assert check.status_code == 200, check.get_json()
    assert check.get_json() == {
        "applied": False,
        "sales": 2,
        "lines": 3,
        "total_minor": 11_750,
        "first_day": "2026-03-02",
        "last_day": "2026-03-03",
    }
    march = {"period": "month", "date": "2026-03-10"}
    r = client.get("/api/v1/reports/sales", query_string=march, headers=owner).get_json()
    assert r["report"]["sales"]["sales_minor"] == 0  # a check keeps nothing

    done = client.post(url, json={"csv": PAST, "apply": True}, headers=owner)
    assert done.status_code == 200 and done.get_json()["applied"] is True
    r = client.get("/api/v1/reports/sales", query_string=march, headers=owner).get_json()
    sales = r["report"]["sales"]
    assert (sales["sales_minor"], sales["orders"], r["report"]["imported_minor"]) == (
        11_750,
        2,
        11_750,
    )
    # VAT from the branch's 15 % (prices include it), half up, per line: 11.74 + 0.65 + 2.93.
    assert sales["vat_minor"] == 1_174 + 65 + 293
    items = {
        x["key"]: (x["quantity"], x["revenue_minor"], x["label_ar"]) for x in r["report"]["by_item"]
    }
    assert items == {"Mansaf": (2.5, 11_250, "منسف"), "Tea": (1.0, 500, "شاي")}
    assert {x["tender"]: x["amount_minor"] for x in r["report"]["by_tender"]} == {
        "cash": 9_500,
        "card": 2_250,
    }
    with db(write=False) as s:
        assert s.query(Invoice).count() == 0  # never tax invoices
        sent = s.query(OutboxEvent).filter(OutboxEvent.type == "report.facts").count()
        assert sent == 1  # on its way to the cloud
    again = client.post(url, json={"csv": PAST, "apply": True}, headers=owner)
    assert again.status_code == 422
    assert any("R1 was imported before" in m for m in again.get_json()["error"]["fields"]["csv"])
    r2 = client.get("/api/v1/reports/sales", query_string=march, headers=owner).get_json()
    assert r2["report"]["sales"] == sales


@pytest.mark.parametrize(
    "row, column",
    [
        ("R9,2026-02-30,12,dine_in,,Tea,,,,1,5.00,cash", "business_day"),
        ("R9,2099-01-01,12,dine_in,,Tea,,,,1,5.00,cash", "business_day"),
        ("R9,2026-03-02,24,dine_in,,Tea,,,,1,5.00,cash", "hour"),
        ("R9,2026-03-02,12,picnic,,Tea,,,,1,5.00,cash", "order_type"),
        ("R9,2026-03-02,12,dine_in,,Tea,,,,-1,5.00,cash", "quantity"),
        ("R9,2026-03-02,12,dine_in,,Tea,,,,1,5.001,cash", "amount"),
        ("R9,2026-03-02,12,dine_in,,Tea,,,,1,abc,cash", "amount"),
        ("R9,2026-03-02,12,dine_in,,,,,,1,5.00,cash", "item"),
        ("R9,2026-03-02,12,dine_in,,Tea,,,,1,5.00,bitcoin", "payment"),
        ("R9,2026-03-03,12,dine_in,,Tea,,,,1,5.00,cash", "business_day"),  # R9's day differs
        (f"{'R' * 31},2026-03-02,12,dine_in,,Tea,,,,1,5.00,cash", "receipt"),
        ("R9,2026-03-02,12,dine_in,,Tea\x00x,,,,1,5.00,cash", "NUL"),  # refused as a body
    ],
)
def test_a_past_sales_file_with_one_bad_row_imports_nothing(client, demo, auth, row, column):
    good = "R9,2026-03-02,12,dine_in,,Tea,,,,1,5.00,cash\n"
    text = PAST + good + row + "\n"
    r = client.post(
        "/api/v1/reports/import", json={"csv": text, "apply": True}, headers=auth("owner")
    )
    assert r.status_code == 422, r.get_json()
    problems = r.get_json()["error"]["fields"]["csv"]
    wanted = "NUL characters" if column == "NUL" else f", {column}:"
    assert any(wanted in p for p in problems), problems
    report = client.get(
        "/api/v1/reports/sales",
        query_string={"period": "month", "date": "2026-03-10"},
        headers=auth("owner"),
    ).get_json()
    assert report["report"]["sales"]["sales_minor"] == 0  # nothing half-imported


def test_a_past_sales_file_must_have_its_columns(client, demo, auth):
    r = client.post(
        "/api/v1/reports/import",
        json={"csv": "receipt,day\nR1,2026-01-01\n"},
        headers=auth("owner"),
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_columns"


def test_the_demo_history_fills_the_reports(app, demo, client, auth):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pos", "demo-history", "--days", "40", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    again = runner.invoke(args=["pos", "demo-history", "--days", "40", "--if-empty"])
    assert "not imported" in again.output
    r = client.get(
        "/api/v1/reports/sales",
        query_string={"period": "custom", "from": "2000-01-01", "to": "2000-12-31"},
        headers=auth("owner"),
    )
    assert r.status_code == 200
    from pos_app.branch.services import business_day, current_branch
    from pos_app.clock import utcnow
    from pos_app.db import unit_of_work as uow

    with app.app_context(), uow(write=False) as s:
        today = business_day(current_branch(s), utcnow())
    month = client.get(
        "/api/v1/reports/sales",
        query_string={
            "period": "custom",
            "from": (today - timedelta(days=40)).isoformat(),
            "to": today.isoformat(),
        },
        headers=auth("owner"),
    ).get_json()["report"]
    assert month["sales"]["orders"] > 500 and len(month["by_staff"]) >= 1
    assert month["by_item"][0]["revenue_minor"] > 0 and month["imported_minor"] > 0


def test_the_monthly_summary_prints_in_english_and_arabic(app, demo, client, auth):
    """Two A4 pages (English, then Arabic), from the same figures as the API; written to
    tests/artifacts/ to look at."""
    from pathlib import Path

    app.test_cli_runner().invoke(args=["pos", "demo-history", "--days", "40"])
    r = client.get("/api/v1/reports/monthly.pdf", headers=auth("owner"))
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.data
    assert pdf.startswith(b"%PDF") and b"/Count 2" in pdf  # two pages
    out = Path(__file__).resolve().parent / "artifacts"
    out.mkdir(exist_ok=True)
    (out / "monthly-summary.pdf").write_bytes(pdf)
    bad = client.get(
        "/api/v1/reports/monthly.pdf", query_string={"date": "2026-02-30"}, headers=auth("owner")
    )
    assert bad.status_code == 422 and "date" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/reports/monthly.pdf", headers=auth("waiter")).status_code == 403


def test_end_of_day_summaries_are_kept_and_follow_late_sales(app, client, demo, auth):
    """The scheduler's job keeps a summary of each ended day with sales (once), updates one
    when a late sale lands on it, and the API lists them newest first."""
    from pos_app.reports import summaries

    owner = auth("owner")
    assert (
        client.post(
            "/api/v1/reports/import", json={"csv": PAST, "apply": True}, headers=owner
        ).status_code
        == 200
    )
    now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # business day 4 March in Riyadh
    with app.app_context(), unit_of_work() as s:
        assert summaries.make_due(s, now, cloud=False) == 2  # 3 and 2 March; 1 March had none
    with app.app_context(), unit_of_work() as s:
        assert summaries.make_due(s, now, cloud=False) == 0  # nothing new
    listed = client.get("/api/v1/reports/summaries", headers=owner).get_json()["items"]
    assert [(x["business_day"], x["sales"]["sales_minor"]) for x in listed] == [
        ("2026-03-03", 2_250),
        ("2026-03-02", 9_500),
    ]
    assert listed[1]["best_sellers"][0]["key"] == "Mansaf" and listed[0]["branch"] == "this"
    late = HEADER + "quantity,amount,payment\nR7,2026-03-03,23,takeaway,,Tea,,,,2,10.00,cash\n"
    client.post("/api/v1/reports/import", json={"csv": late, "apply": True}, headers=owner)
    with app.app_context(), unit_of_work() as s:
        assert summaries.make_due(s, now, cloud=False) == 1
    listed = client.get("/api/v1/reports/summaries", headers=owner).get_json()["items"]
    assert listed[0]["sales"]["sales_minor"] == 3_250
    assert client.get("/api/v1/reports/summaries", headers=auth("cashier")).status_code == 403
    bad = client.get("/api/v1/reports/summaries", query_string={"limit": 0}, headers=owner)
    assert bad.status_code == 422


def test_an_upgraded_branchs_past_invoices_are_filled_in_once(shop, app, auth, db):
    """Sales made before the reports existed (their facts missing) are filled in by
    `flask pos report-backfill`, split bills counted as one order, and only once."""
    from pos_app.reports.models import (
        ReportDaily,
        ReportLine,
        ReportMonthly,
        ReportPayment,
        ReportSale,
        ReportYearly,
    )

    at_local(2027, 1, 31, 12, 0)
    shop.post("Huda", "/api/v1/shifts", {"float_minor": 0})
    order = shop.order("Sara", [("Hummus", 2, {}), ("Fattoush", 1, {})], table="4")
    shop.post("Huda", f"/api/v1/orders/{order['id']}/split", {"kind": "equal", "count": 2}, 200)
    shop.pay(order["id"], part=1)
    shop.pay(order["id"], part=2, tender="card")
    owner = auth("owner")
    before = shop.report(owner, period="day", date="2027-01-31")["report"]
    with db() as s:  # as on a branch that sold before migration 0017
        for model in (
            ReportLine,
            ReportSale,
            ReportPayment,
            ReportDaily,
            ReportMonthly,
            ReportYearly,
        ):
            s.execute(model.__table__.delete())
    assert shop.report(owner, period="day", date="2027-01-31")["report"]["sales"]["orders"] == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pos", "report-backfill"])
    assert "added 2 tax documents and 2 payments" in result.output, result.output
    after = shop.report(owner, period="day", date="2027-01-31")["report"]
    assert after["sales"] == before["sales"] and after["sales"]["orders"] == 1
    assert after["by_item"] == before["by_item"] and after["by_tender"] == before["by_tender"]
    again = runner.invoke(args=["pos", "report-backfill"])
    assert "added 0 tax documents and 0 payments" in again.output


def test_kitchen_speed_per_station_and_dish_from_fired_to_bumped(shop, auth, client, db):
    """Three grill tickets bumped 4, 10 and 20 minutes after firing (the grill is late after
    15 minutes by default) and one cold ticket after 2 minutes: averages, the 90th percentile
    (to its 30-second bucket) and the late count per station and per dish."""
    from kds.models import KitchenTicket
    from pos_app.menu.models import Station

    at_local(2027, 1, 31, 12, 0)
    cook = auth("kitchen")
    with db(write=False) as s:
        stations = {st.code: st.id for st in s.scalars(select(Station))}
    grill_minutes = (4, 10, 20)
    orders = [shop.order("Sara", [("Chicken burger", 1, {})]) for _ in grill_minutes]
    cold = shop.order("Sara", [("Hummus", 1, {})])
    waited = 0
    plan = sorted(
        [(m, o["id"], "grill") for m, o in zip(grill_minutes, orders, strict=True)]
        + [(2, cold["id"], "cold")]
    )
    for minutes, order_id, station in plan:
        clock.advance((minutes - waited) * 60)
        waited = minutes
        with db(write=False) as s:
            ticket = s.scalar(
                select(KitchenTicket).where(
                    KitchenTicket.order_id == order_id,
                    KitchenTicket.station_id == stations[station],
                )
            )
        r = client.post(f"/api/v1/tickets/{ticket.id}/bump", headers=cook)
        assert r.status_code == 200, r.get_json()
    kitchen = shop.report(auth("owner"), period="day", date="2027-01-31")["report"]["kitchen"]
    by_station = {k["station"]: k for k in kitchen["stations"]}
    grill = next(v for k, v in by_station.items() if "rill" in k)
    assert (grill["tickets"], grill["average_s"], grill["late"]) == (3, (4 + 10 + 20) * 60 // 3, 1)
    assert grill["p90_s"] == 20 * 60 + 30  # the upper edge of the 20:00-20:30 bucket
    items = {i["item"]: i for i in kitchen["items"]}
    assert items["Chicken burger"]["tickets"] == 3 and items["Hummus"]["average_s"] == 120


def test_the_summary_draws_any_name_staff_can_type():
    """Names are typed by staff and may hold anything (found by the API fuzzer: a branch
    name raqm could not lay out made the PDF a 500): every one is drawn, in both languages."""
    import random

    from pos_app.reports.paper import _Page

    pages, rnd = (_Page(False), _Page(True)), random.Random(20)
    names = ["\ud800x", "a\u202eb", "\x00\x01", "\u2029", "ﷺ" * 300, "\U0010ffff"]
    for _ in range(2000):
        names.append(
            "".join(
                chr(
                    rnd.choice(
                        [
                            rnd.randint(0, 0x2FFF),
                            rnd.randint(0x600, 0x6FF),
                            rnd.randint(0x10000, 0x10FFFF),
                        ]
                    )
                )
                for _ in range(rnd.randint(1, 30))
            )
        )
    for name in names:
        for page in pages:
            page.text(60, name)
            page.text(60, name, end=True)
