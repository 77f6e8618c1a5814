"""The till as a Friday night uses it, through the API on the demo restaurant: cash with tips
and change, card tips, split bills and part payments with tips, the drawer opening for cash
(bytes on a real TCP listener), what the X report expects, and the Z report's credit notes,
net sales and VAT per rate, on paper (a golden file in tests/golden/).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from test_billing import line, menu, new_id, open_shift, pay, receipt_jobs, staff  # noqa: F401
from test_concurrency import at_once, slow
from test_printing import shop  # noqa: F401
from test_receipts import BRANCH, lines_of, row
from test_render import check_golden

from pos_app.audit import AuditEntry
from pos_app.billing.models import Payment
from pos_app.billing.till_paper import report_document
from pos_app.branch.models import Branch
from pos_app.outbox import OutboxEvent
from pos_app.signals import order_changed
from printers.documents import render_job
from printers.models import Printer, PrintJob
from printers.receipts import DRAWER_KICK
from printers.render import PaperLayout, decode_escpos
from printers.reports import render_report

BURGER_FALAFEL_WATER = ("Chicken burger", "Falafel (6 pieces)", "Mineral water")  # 57.00


def order_of(client, menu, headers, *names, table="5", kind="dine_in") -> dict:  # noqa: F811
    body = {"id": new_id(), "type": kind, "lines": [line(menu, n) for n in names], "fire": True}
    if kind == "dine_in":
        body.update(table_id=menu["tables"][table], guests=2)
    else:
        body["customer_name"] = "Huda"
    response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def x_figures(client, headers) -> dict:
    response = client.get("/api/v1/reports/x", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["figures"]


def rendered(db, job_kind: str) -> list[str]:
    """The decoded text of every queued job of a kind, as the receipt printer would print it."""
    with db(write=False) as s:
        jobs = s.scalars(select(PrintJob).where(PrintJob.kind == job_kind).order_by(PrintJob.id))
        return [decode_escpos(render_job(j, s.get(Printer, j.printer_id))) for j in jobs]


def added_up(p: dict) -> bool:
    return p["tendered_minor"] == p["amount_minor"] + p["tip_minor"] + p["change_minor"]


# -- point 4: cash with a tip ------------------------------------------------------------------


def test_cash_with_a_tip_gives_38_back_and_the_drawer_balances(client, menu, staff, db):  # noqa: F811
    cashier = staff["cashier"]
    open_shift(client, cashier, 10_000)
    order = order_of(client, menu, staff["waiter"], *BURGER_FALAFEL_WATER)
    assert (
        client.get(f"/api/v1/orders/{order['id']}/bill", headers=cashier).get_json()["total_minor"]
        == 5_700
    )

    r = pay(client, order["id"], cashier, tender="cash", tendered_minor=10_000, tip_minor=500)
    assert r.status_code == 201, r.get_json()
    [payment] = r.get_json()["payments"]
    assert (payment["amount_minor"], payment["tip_minor"]) == (5_700, 500)
    assert (payment["tendered_minor"], payment["change_minor"]) == (10_000, 3_800)
    assert r.get_json()["order_status"] == "paid"

    # The receipt adds up: bill 57.00 + tip 5.00, 100.00 handed over, 38.00 back.
    [receipt] = rendered(db, "receipt")
    text = receipt.splitlines()
    at = text.index(row(text, "Cash"))
    assert [t.split()[-1] for t in text[at : at + 8 : 2]] == ["57.00", "5.00", "100.00", "38.00"]
    assert [t.split()[0] for t in text[at + 2 : at + 8 : 2]] == ["Tip", "Amount", "Change"]
    assert "TOTAL" in receipt and "57.00 SAR" in receipt  # the tip is not on the tax invoice

    # The drawer holds 100 (float) + 100 - 38 = 162.00, and so says the X report.
    figures = x_figures(client, cashier)
    assert figures["expected"]["cash"] == 16_200
    assert figures["cash"]["sales_minor"] == 5_700 and figures["cash"]["tips_minor"] == 500
    assert figures["cash"]["change_minor"] == 3_800 and figures["gross_sales_minor"] == 5_700
    z = client.post("/api/v1/reports/z", json={"counted": {"cash": 16_200}}, headers=cashier)
    assert z.status_code == 201, z.get_json()
    [cash] = z.get_json()["tenders"]
    assert (cash["expected_minor"], cash["difference_minor"]) == (16_200, 0)

    # Audited and sent to the cloud, with the whole sum.
    with db(write=False) as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "payment.recorded")).one()
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "payment.recorded")).one()
    assert audit.after["change_minor"] == 3_800 and audit.after["drawer_opened"] is True
    assert audit.actor_name and added_up(event.payload) and event.payload["tip_minor"] == 500


def test_a_card_tip_is_charged_on_the_terminal_but_is_no_sale(client, menu, staff, db):  # noqa: F811
    cashier = staff["cashier"]
    open_shift(client, cashier, 10_000)
    order = order_of(client, menu, staff["waiter"], *BURGER_FALAFEL_WATER)
    r = pay(client, order["id"], cashier, tender="card", card_method="visa", last4="4242",
            tip_minor=500)  # fmt: skip
    assert r.status_code == 201, r.get_json()
    [payment] = r.get_json()["payments"]
    assert (payment["amount_minor"], payment["tendered_minor"], payment["change_minor"]) == (
        5_700,
        6_200,
        0,
    )
    [invoice] = client.get(f"/api/v1/invoices?order_id={order['id']}", headers=cashier).get_json()[
        "items"
    ]
    assert invoice["total_minor"] == 5_700  # VAT on the sale only
    figures = x_figures(client, cashier)
    assert figures["expected"] == {"cash": 10_000, "card": 6_200, "wallet": 0, "voucher": 0}
    assert figures["tips_by_tender"] == {"card": 500} and figures["gross_sales_minor"] == 5_700


def test_a_split_bill_with_a_tip_on_each_part(client, menu, staff, db):  # noqa: F811
    cashier = staff["cashier"]
    open_shift(client, cashier, 10_000)
    order = order_of(client, menu, staff["waiter"], *BURGER_FALAFEL_WATER)
    split = client.post(
        f"/api/v1/orders/{order['id']}/split", json={"kind": "equal", "count": 2}, headers=cashier
    )
    assert [p["total_minor"] for p in split.get_json()["parts"]] == [2_850, 2_850]
    # Part 1: 50.00 handed over with 3.00 tip: 28.50 + 3.00 + 18.50 back.
    r = pay(client, order["id"], cashier, part=1, tender="cash", tendered_minor=5_000,
            tip_minor=300)  # fmt: skip
    first = r.get_json()["payments"][0]
    assert (first["amount_minor"], first["change_minor"]) == (2_850, 1_850)
    assert r.get_json()["parts"][1]["remaining_minor"] == 2_850  # the tip paid nothing of part 2
    r = pay(client, order["id"], cashier, part=2, tender="card", card_method="mada", tip_minor=200)
    bill = r.get_json()
    assert bill["order_status"] == "paid" and all(added_up(p) for p in bill["payments"])
    figures = x_figures(client, cashier)
    assert figures["expected"]["cash"] == 10_000 + 2_850 + 300
    assert figures["expected"]["card"] == 2_850 + 200
    assert figures["tips_minor"] == 500 and figures["gross_sales_minor"] == 5_700
    waiter = client.get("/api/v1/auth/me", headers=staff["waiter"]).get_json()
    name = waiter.get("name") or waiter.get("staff", {}).get("name")
    assert figures["tips_by_waiter"] == [{"name": name, "tips_minor": 500}]


def test_a_tip_on_a_part_payment_then_the_rest(client, menu, staff, db):  # noqa: F811
    cashier = staff["cashier"]
    open_shift(client, cashier, 10_000)
    order = order_of(client, menu, staff["waiter"], *BURGER_FALAFEL_WATER)
    # 20.00 of the 57.00 in cash with a 2.00 tip, 25.00 handed over: 3.00 back.
    r = pay(client, order["id"], cashier, tender="cash", amount_minor=2_000, tendered_minor=2_500,
            tip_minor=200)  # fmt: skip
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["payments"][0]["change_minor"] == 300
    assert r.get_json()["remaining_minor"] == 3_700
    assert r.get_json()["parts"][0]["invoice_number"] is None
    r = pay(client, order["id"], cashier, tender="card", card_method="mada")
    assert r.get_json()["order_status"] == "paid"
    [receipt] = [doc for kind, doc, _ in receipt_jobs(db) if kind == "receipt"]
    assert [(p["tender"], p["amount_minor"], p["tip_minor"]) for p in receipt["payments"]] == [
        ("cash", 2_000, 200),
        ("card", 3_700, 0),
    ]
    assert x_figures(client, cashier)["expected"]["cash"] == 10_000 + 2_200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tender": "cash", "amount_minor": 5_700, "tendered_minor": 6_000, "tip_minor": 500},
         "tendered_minor"),
        ({"tender": "cash", "tendered_minor": 400, "tip_minor": 500}, "tendered_minor"),
        ({"tender": "card", "card_method": "visa", "tendered_minor": 5_700, "tip_minor": 500},
         "tendered_minor"),
        ({"tender": "cash", "tip_minor": "5.00"}, "tip_minor"),
        ({"tender": "cash", "tip_minor": 2.5}, "tip_minor"),
        ({"tender": "cash", "tip_minor": 10**15}, "tip_minor"),
        ({"tender": "cash", "tip_minor": None}, "tip_minor"),
        ({"tender": "cash", "tendered_minor": -10_000}, "tendered_minor"),
        ({"tender": "cash", "tendered_minor": [10_000]}, "tendered_minor"),
        ({"tender": "cash", "tip_minor": {"a": {"b": {"c": 1}}}}, "tip_minor"),
    ],
)  # fmt: skip
def test_tips_and_change_that_do_not_add_up_are_refused_and_nothing_moves(
    client,
    menu,  # noqa: F811
    staff,  # noqa: F811
    db,
    body,
    field,
):
    open_shift(client, staff["cashier"])
    order = order_of(client, menu, staff["waiter"], *BURGER_FALAFEL_WATER)
    r = pay(client, order["id"], staff["cashier"], **body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 0
        assert not s.scalars(
            select(AuditEntry).where(AuditEntry.action == "payment.recorded")
        ).all()
        assert not s.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "payment.recorded")
        ).all()
    assert [k for k, _, _ in receipt_jobs(db)] == ["drawer"]  # the shift's opening only


def test_twin_cash_payments_at_once_pay_and_open_the_drawer_once(app, client, menu, staff, db):  # noqa: F811
    cashier = staff["cashier"]
    open_shift(client, cashier)
    order = order_of(client, menu, staff["waiter"], "Hummus", kind="takeaway")
    body = {"id": str(uuid.uuid4()), "tender": "cash", "tendered_minor": 5_000, "tip_minor": 200}
    url = f"/api/v1/orders/{order['id']}/payments"
    with slow(order_changed):
        answers = at_once(app, [lambda c: c.post(url, json=body, headers=cashier)] * 2)
    assert [r.status_code for r in answers] == [201, 201], [r.get_json() for r in answers]
    assert answers[0].get_json()["payments"] == answers[1].get_json()["payments"]
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 1
    assert [k for k, _, _ in receipt_jobs(db)] == ["drawer", "drawer", "receipt"]


# -- point 5: the drawer opens for cash, on the till's printer -----------------------------------


def test_cash_payments_and_cash_refunds_kick_the_drawer_on_the_till_printer(shop, auth):  # noqa: F811
    cashier = auth("cashier")
    receipt = shop.vps["receipt"]

    def printed() -> list[bytes]:
        shop.print_all("receipt")
        assert receipt.wait_idle()
        return [job.data for job in receipt.jobs if job.complete]

    shop.call("post", "/api/v1/shifts", {"float_minor": 20_000}, 201, cashier)
    assert printed() == [DRAWER_KICK]  # the shift's opening, as before

    by_card = shop.order(shop.line("Hummus"), table="2")
    shop.call("post", f"/api/v1/orders/{by_card['id']}/payments",
              {"id": new_id(), "tender": "card", "card_method": "mada", "tip_minor": 300},
              201, cashier)  # fmt: skip
    jobs = printed()
    assert len(jobs) == 2 and jobs[1] != DRAWER_KICK  # the card's receipt, no drawer

    in_cash = shop.order(shop.line("Fattoush"), table="3")
    cash_body = {"id": new_id(), "tender": "cash", "tendered_minor": 5_000, "tip_minor": 200}
    paid = shop.call("post", f"/api/v1/orders/{in_cash['id']}/payments", cash_body, 201, cashier)
    jobs = printed()
    assert jobs[2] == DRAWER_KICK, decode_escpos(jobs[2])  # the drawer opens at once ...
    assert "Change" in decode_escpos(jobs[3]) and "26.00" in decode_escpos(jobs[3])  # ... then

    # A double tap sends the same payment again: nothing is paid, nothing opens twice.
    shop.call("post", f"/api/v1/orders/{in_cash['id']}/payments", cash_body, 201, cashier)
    assert len(printed()) == 4

    number = paid["parts"][0]["invoice_number"]
    refund = {"amount_minor": 500, "reason": "cold fattoush", "tender": "cash"}
    note = shop.call("post", f"/api/v1/invoices/{number}/refunds", refund, 201, shop.manager)
    jobs = printed()
    assert jobs[4] == DRAWER_KICK and note["number"] in decode_escpos(jobs[5])
    card_number = client_invoice(shop, by_card["id"])
    refund = {"amount_minor": 500, "reason": "too salty", "tender": "card"}
    shop.call("post", f"/api/v1/invoices/{card_number}/refunds", refund, 201, shop.manager)
    jobs = printed()
    assert len(jobs) == 7 and jobs[6] != DRAWER_KICK  # paid back on the card: no drawer
    assert [decode_escpos(j) for j in jobs].count("[DRAWER]\n") == 3
    assert DRAWER_KICK == b"\x1b@\x1bp\x00\x19\xfa"  # ESC p: pin 2, 50 ms on, 500 ms off


def client_invoice(till, order_id: str) -> str:
    bill = till.call("get", f"/api/v1/orders/{order_id}/bill")
    return bill["parts"][0]["invoice_number"]


# -- point 9: the Z report ---------------------------------------------------------------------


def test_the_z_shows_credit_note_numbers_net_sales_and_vat_per_rate(client, menu, staff, db):  # noqa: F811
    cashier, manager = staff["cashier"], staff["manager"]
    open_shift(client, cashier, 10_000)
    at_15 = order_of(client, menu, staff["waiter"], "Hummus", "Fattoush", table="2")  # 40.00
    r = pay(client, at_15["id"], cashier, tender="card", card_method="mada")
    inv_15 = r.get_json()["parts"][0]["invoice_number"]
    with db() as s:  # the rate changes between two sales (as on 1 July 2020: 5 % -> 15 %)
        s.scalars(select(Branch)).one().vat_rate_bp = 500
    at_5 = order_of(client, menu, staff["waiter"], "Chicken burger", table="3")  # 36.00
    r = pay(client, at_5["id"], cashier, tender="cash", tendered_minor=4_000)
    inv_5 = r.get_json()["parts"][0]["invoice_number"]

    url = "/api/v1/invoices/{}/refunds"
    cn_a = client.post(url.format(inv_15), json={"amount_minor": 1_000, "reason": "cold"},
                       headers=manager).get_json()  # fmt: skip
    cn_b = client.post(url.format(inv_5), json={"reason": "wrong order", "tender": "cash"},
                       headers=manager).get_json()  # fmt: skip
    # 40.00 at 15 %: VAT round(4000 × 15 / 115) = 5.22, net 34.78; its refund of 10.00 carries
    # VAT 1.30, net 8.70. 36.00 at 5 %: VAT round(3600 × 5 / 105) = 1.71, net 34.29, all back.
    assert (cn_a["vat_minor"], cn_b["vat_minor"]) == (130, 171)

    z = client.post("/api/v1/reports/z", json={"counted": {"cash": 10_000, "card": 3_000}},
                    headers=cashier)  # fmt: skip
    assert z.status_code == 201, z.get_json()
    f = z.get_json()["figures"]
    assert (f["first_credit_note"], f["last_credit_note"]) == (cn_a["number"], cn_b["number"])
    assert (f["first_invoice"], f["last_invoice"]) == (inv_15, inv_5)
    assert f["sales_after_refunds_minor"] == 7_600 - 1_000 - 3_600
    assert f["net_sales_excl_vat_minor"] == 3_478 + 3_429 - 870 - 3_429 == 2_608
    assert f["vat_due_minor"] == 522 + 171 - 130 - 171 == 392
    by_rate = [
        (v["rate_bp"], v["sales_net_minor"], v["refunds_net_minor"], v["vat_minor"])
        for v in f["vat_by_rate"]
    ]
    assert by_rate == [(500, 3_429, 3_429, 0), (1_500, 3_478, 870, 392)]
    assert f["expected"]["cash"] == 10_000  # 36.00 in, 36.00 paid back
    assert f["expected"]["card"] == 3_000  # 40.00 charged, 10.00 paid back to the card

    [paper] = rendered(db, "report")
    lines = paper.splitlines()
    assert row(lines, "Credit note numbers").endswith(f"{cn_a['number']} .. {cn_b['number']}")
    assert row(lines, "Invoice numbers").endswith(f"{inv_15} .. {inv_5}")
    assert row(lines, "Net sales excl. VAT").endswith(" 26.08")
    assert row(lines, "Sales excl. VAT 15%").endswith(" 34.78")
    assert row(lines, "Credit notes excl. VAT 15%").endswith(" -8.70")
    assert row(lines, "VAT 15%").endswith(" 3.92") and row(lines, "VAT 5%").endswith(" 0.00")
    assert row(lines, "Expected in the drawer").endswith(" 100.00")


def friday_figures() -> dict:
    """A Friday's till, as pos_app/billing/till_figures.py counts it."""
    return {
        "invoices": 212,
        "first_invoice": "INV-004301",
        "last_invoice": "INV-004512",
        "gross_sales_minor": 2_483_450,
        "vat_minor": 323_924,
        "net_sales_minor": 2_159_526,
        "discounts_minor": 41_200,
        "service_charge_minor": 0,
        "credit_notes": 3,
        "first_credit_note": "CN-000088",
        "last_credit_note": "CN-000090",
        "refunds_minor": 9_800,
        "refunds_vat_minor": 1_278,
        "refunds_net_minor": 8_522,
        "sales_after_refunds_minor": 2_473_650,
        "net_sales_excl_vat_minor": 2_151_004,
        "vat_due_minor": 322_646,
        "vat_by_rate": [
            {"rate_bp": 0, "sales_net_minor": 12_000, "sales_vat_minor": 0,
             "sales_gross_minor": 12_000, "refunds_net_minor": 0, "refunds_vat_minor": 0,
             "refunds_gross_minor": 0, "net_minor": 12_000, "vat_minor": 0, "gross_minor": 12_000},
            {"rate_bp": 1_500, "sales_net_minor": 2_147_526, "sales_vat_minor": 323_924,
             "sales_gross_minor": 2_471_450, "refunds_net_minor": 8_522,
             "refunds_vat_minor": 1_278, "refunds_gross_minor": 9_800, "net_minor": 2_139_004,
             "vat_minor": 322_646, "gross_minor": 2_461_650},
        ],
        "tips_minor": 38_500,
        "tips_by_tender": {"cash": 12_500, "card": 26_000},
        "tips_by_waiter": [{"name": "Sara", "tips_minor": 21_000},
                           {"name": "Omar", "tips_minor": 17_500}],
        "no_sales": 2,
        "cash": {"float_minor": 50_000, "sales_minor": 612_300, "tips_minor": 12_500,
                 "tendered_minor": 1_104_000, "change_minor": 479_200, "refunds_minor": 3_800,
                 "in_minor": 20_000, "out_minor": 15_000, "expected_minor": 676_000},
        "expected": {"cash": 676_000, "card": 1_894_050, "wallet": 0, "voucher": 0},
        "since": datetime(2026, 11, 27, 9, 2, tzinfo=UTC),
    }  # fmt: skip


def friday_z() -> dict:
    return report_document(
        "z_report",
        friday_figures(),
        {"cash": 675_500, "card": 1_894_050},
        number=41,
        day=date(2026, 11, 27),
        printed_by="Lina",
        header=BRANCH,
        currency="SAR",
        exponent=2,
        to=datetime(2026, 11, 27, 23, 48, tzinfo=UTC),
    )


def test_the_printed_z_matches_golden():
    check_golden("report-80-z-till", render_report(friday_z(), PaperLayout.for_paper(80)))


def test_the_printed_z_reads_as_an_auditor_needs():
    lines = lines_of(render_report(friday_z(), PaperLayout.for_paper(80)))
    assert "Z REPORT #41 - DAY CLOSED" in lines
    assert row(lines, "Invoice numbers").endswith("INV-004301 .. INV-004512")
    assert row(lines, "Credit note numbers").endswith("CN-000088 .. CN-000090")
    assert row(lines, "Refunds incl. VAT").endswith(" -98.00")
    assert row(lines, "Net sales excl. VAT").endswith(" 21,510.04")
    net = lines[lines.index("Net of refunds") :]
    assert row(net, "VAT  ").endswith(" 3,226.46")  # the VAT due, after the credit notes
    assert row(lines, "Sales excl. VAT 0%").endswith(" 120.00")
    assert row(lines, "Credit notes excl. VAT 15%").endswith(" -85.22")
    assert row(lines, "VAT 15%").endswith(" 3,226.46")
    assert row(lines, "Tips total (not sales)").endswith(" 385.00")
    assert row(lines, "Waiter: Sara").endswith(" 210.00")
    assert row(lines, "Expected in the drawer").endswith(" 6,760.00")
    assert row(lines, "  Over/short").endswith(" -5.00")
    assert all(len(t) <= 48 for t in lines if not t.startswith("["))
