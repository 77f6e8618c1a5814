"""Bills, discounts, splits, payments, tax invoices, credit notes and the till on the demo
restaurant, through the API."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from pos_app.audit import AuditEntry
from pos_app.auth.models import LoginAttempt
from pos_app.billing.models import Invoice, Payment
from pos_app.billing.zatca import decode_qr
from pos_app.menu.models import MenuItem
from pos_app.orders.models import Order
from printers.escpos_text import decode_escpos
from printers.models import PrintJob
from printers.receipts import render_receipt
from printers.render import PaperLayout
from table_service.models import DiningTable


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def menu(demo, db):
    with db(write=False) as s:
        return {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "tables": {t.label: t.id for t in s.scalars(select(DiningTable))},
        }


@pytest.fixture
def staff(auth):
    return {
        "waiter": auth("waiter"),
        "cashier": auth("cashier"),
        "manager": auth("manager"),
    }


def line(menu, name, qty=1, **kw):
    return {"id": new_id(), "item_id": menu["items"][name], "quantity": qty, **kw}


def four_guests(client, menu, headers, table="4"):
    """Seats 1-4 at a table: a main and a drink each, and a shared starter."""
    lines = [
        line(menu, "Caesar salad", seat=1),
        line(menu, "Fresh orange juice", seat=1),
        line(menu, "Chicken burger", seat=2),
        line(menu, "Soft drink", seat=2),
        line(menu, "Fattoush", seat=3),
        line(menu, "Mineral water", seat=3),
        line(menu, "Falafel (6 pieces)", seat=4),
        line(menu, "Lemon mint", seat=4),
        line(menu, "Hummus"),  # shared
    ]
    body = {
        "id": new_id(),
        "type": "dine_in",
        "table_id": menu["tables"][table],
        "guests": 4,
        "lines": lines,
        "fire": True,
    }
    response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def open_shift(client, headers, float_minor=50_000):
    response = client.post("/api/v1/shifts", json={"float_minor": float_minor}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["shift"]


def pay(client, order_id, headers, **body):
    body.setdefault("id", new_id())
    return client.post(f"/api/v1/orders/{order_id}/payments", json=body, headers=headers)


def receipt_jobs(db):
    with db(write=False) as s:
        return [
            (j.kind, j.document, list(j.marks))
            for j in s.scalars(select(PrintJob).order_by(PrintJob.id))
            if j.kind in ("receipt", "pre_bill", "report", "drawer")
        ]


def test_demo_table_split_by_seat_cash_and_card_refund_and_z(client, menu, staff, db):
    """The issue's acceptance: four guests split by seat, cash and card, four receipts with
    consecutive invoice numbers and right VAT; a refund gives a credit note; the Z balances."""
    cashier = staff["cashier"]
    open_shift(client, cashier, 50_000)
    order = four_guests(client, menu, staff["waiter"])
    bill = client.get(f"/api/v1/orders/{order['id']}/bill", headers=cashier).get_json()
    # 28 + 16 + 36 + 7 + 22 + 5 + 16 + 15 + 18 = 163.00 SAR, VAT 15 % included:
    # VAT = round(16300 × 15 / 115) = round(2126.09) = 21.26.
    assert bill["total_minor"] == 16_300
    assert bill["vat_minor"] == 2_126 and bill["net_minor"] == 14_174

    split = client.post(
        f"/api/v1/orders/{order['id']}/split", json={"kind": "seats"}, headers=cashier
    )
    assert split.status_code == 200, split.get_json()
    parts = split.get_json()["parts"]
    assert [p["label"] for p in parts] == ["Seat 1", "Seat 2", "Seat 3", "Seat 4"]
    # Each seat pays its own lines and a quarter of the shared hummus (4.50).
    assert [p["total_minor"] for p in parts] == [4_850, 4_750, 3_150, 3_550]
    assert sum(p["total_minor"] for p in parts) == 16_300

    # Seat 1 and 3 pay cash (with change), seats 2 and 4 by card.
    r = pay(client, order["id"], cashier, part=1, tender="cash", tendered_minor=5_000)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["payments"][0]["change_minor"] == 150
    r = pay(
        client,
        order["id"],
        cashier,
        part=2,
        tender="card",
        card_method="mada",
        last4="4242",
        reference="TRM-778812",
        tip_minor=500,
    )
    assert r.status_code == 201, r.get_json()
    r = pay(client, order["id"], cashier, part=3, tender="cash", tendered_minor=5_000)
    r = pay(client, order["id"], cashier, part=4, tender="card", card_method="visa", last4="1111")
    assert r.status_code == 201, r.get_json()
    final = r.get_json()
    assert final["order_status"] == "paid" and final["remaining_minor"] == 0

    numbers = [p["invoice_number"] for p in final["parts"]]
    first = int(numbers[0].split("-")[1])
    assert numbers == [f"INV-{n:06d}" for n in range(first, first + 4)]

    with db(write=False) as s:
        invoices = s.scalars(
            select(Invoice).where(Invoice.kind == "invoice").order_by(Invoice.number)
        ).all()
        assert [i.total_minor for i in invoices] == [4_850, 4_750, 3_150, 3_550]
        # VAT of each invoice from its own total: round(total × 15 / 115), half up:
        # 632.61 -> 633, 619.57 -> 620, 410.87 -> 411, 463.04 -> 463 (sum 2127, whole 2126:
        # within the documented bound of floor(4 / 2) = 2).
        assert [i.vat_minor for i in invoices] == [633, 620, 411, 463]
        assert [i.net_minor + i.vat_minor for i in invoices] == [i.total_minor for i in invoices]
        table = s.get(DiningTable, menu["tables"]["4"])
        assert table.status.value == "dirty"  # the guests left: to be cleared

    # Four receipts went to the receipt printer, each with its QR and its number.
    receipts = [doc for kind, doc, _ in receipt_jobs(db) if kind == "receipt"]
    assert [d["number"] for d in receipts] == numbers
    # The shared hummus: a quarter of it on each seat's invoice, named as such.
    shared = [li for r in receipts for li in r["lines"] if li["name"] == "Hummus"]
    assert [(li["share"], li["amount_minor"]) for li in shared] == [({"num": 1, "den": 4}, 450)] * 4
    assert "1/4 x Hummus" in decode_escpos(render_receipt(receipts[0], PaperLayout()))
    qr = decode_qr(receipts[0]["qr"])
    assert qr[1] == "Demo Bistro" and qr[2] == "399999999900003"
    assert qr[4] == "48.50" and qr[5] == "6.33"
    issued = datetime.fromisoformat(receipts[0]["issued_at"]).astimezone(UTC)
    assert qr[3] == issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert abs((datetime.now(UTC) - issued).total_seconds()) < 60

    # A refund of one orange juice on seat 1's invoice, approved by a manager: a credit note.
    juice = next(li for li in receipts[0]["lines"] if li["name"] == "Fresh orange juice")
    refund = client.post(
        f"/api/v1/invoices/{numbers[0]}/refunds",
        json={
            "lines": [{"line_id": juice["line_id"], "quantity": 1}],
            "reason": "juice was warm",
            "approver_pin": "4444",
            "tender": "cash",
        },
        headers=cashier,
    )
    assert refund.status_code == 201, refund.get_json()
    note = refund.get_json()
    assert note["kind"] == "credit_note" and note["number"].startswith("CN-")
    assert note["document"]["references"] == numbers[0]
    assert note["total_minor"] == 1_600 and note["vat_minor"] == 209
    assert decode_qr(note["qr"])[4] == "16.00"

    # The Z report balances: counted cash = float + cash sales - cash refund.
    x = client.get("/api/v1/reports/x", headers=cashier).get_json()
    expected_cash = 50_000 + 4_850 + 3_150 - 1_600
    assert x["figures"]["expected"]["cash"] == expected_cash
    assert x["figures"]["expected"]["card"] == 4_750 + 500 + 3_550
    z = client.post(
        "/api/v1/reports/z",
        json={"counted": {"cash": expected_cash, "card": 8_800}},
        headers=cashier,
    )
    assert z.status_code == 201, z.get_json()
    report = z.get_json()
    assert all(t["difference_minor"] == 0 for t in report["tenders"])
    assert report["figures"]["gross_sales_minor"] == 16_300
    assert report["figures"]["refunds_minor"] == 1_600
    assert report["figures"]["invoices"] == 4 and report["figures"]["credit_notes"] == 1
    kinds = [kind for kind, _, _ in receipt_jobs(db)]
    assert kinds.count("report") == 1
    # Nothing left for the next Z.
    after = client.get("/api/v1/reports/x", headers=cashier).get_json()
    assert after["figures"]["invoices"] == 0


def test_receipt_bytes_decode_with_qr_and_arabic(client, menu, staff, db, app):
    """The receipt job renders: number, VAT, change, the QR payload, Arabic as an image."""
    from printers.documents import render_job
    from printers.models import Printer

    open_shift(client, staff["cashier"])
    order = four_guests(client, menu, staff["waiter"])
    r = pay(client, order["id"], staff["cashier"], tender="cash", tendered_minor=20_000)
    assert r.status_code == 201, r.get_json()
    with db(write=False) as s:
        job = s.scalars(select(PrintJob).where(PrintJob.kind == "receipt")).one()
        data = render_job(job, s.get(Printer, job.printer_id))
    assert isinstance(data, bytes), data
    text = decode_escpos(data)
    number = r.get_json()["parts"][0]["invoice_number"]
    assert number in text
    assert "163.00" in text and "21.26" in text and "37.00" in text  # total, VAT, change
    from printers.escpos_text import qr_payloads, raster_images

    payloads = qr_payloads(data)
    assert payloads == [r.get_json()["parts"][0]["qr"]]
    fields = decode_qr(payloads[0])
    assert fields[4] == "163.00" and fields[5] == "21.26"
    assert raster_images(data), "Arabic names print as images"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tender": "card", "card_method": "visa", "amount_minor": 999_999}, "amount_minor"),
        ({"tender": "cash", "tip_minor": -100}, "tip_minor"),
        (
            {"tender": "card", "card_method": "visa", "reference": "4111 1111 1111 1111"},
            "reference",
        ),
        ({"tender": "card", "card_method": "visa", "last4": "41111"}, "last4"),
        ({"tender": "card", "card_method": "visa", "tendered_minor": 50_000}, "tendered_minor"),
        ({"tender": "bitcoin"}, "tender"),
    ],
)
def test_bad_payments_are_refused_and_write_nothing(client, menu, staff, db, body, field):
    open_shift(client, staff["cashier"])
    order = four_guests(client, menu, staff["waiter"])
    r = pay(client, order["id"], staff["cashier"], **body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]
    with db(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 0
        assert s.scalar(select(func.count()).select_from(Invoice)) == 0


def test_cash_needs_an_open_shift(client, menu, staff):
    order = four_guests(client, menu, staff["waiter"])
    r = pay(client, order["id"], staff["cashier"], tender="cash")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_open_shift"


def test_paying_a_cancelled_order_is_refused(client, menu, staff):
    order = four_guests(client, menu, staff["waiter"])
    client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        json={"version": order["version"], "reason": "guests left"},
        headers=staff["manager"],
    )
    r = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "order_cancelled"


def test_payment_is_idempotent_on_its_id(client, menu, staff, db):
    order = four_guests(client, menu, staff["waiter"])
    body = {"id": new_id(), "tender": "card", "card_method": "mada", "amount_minor": 10_000}
    first = pay(client, order["id"], staff["cashier"], **body)
    again = pay(client, order["id"], staff["cashier"], **body)
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json()["paid_minor"] == 10_000


def test_partial_payments_then_the_rest(client, menu, staff):
    open_shift(client, staff["cashier"])
    order = four_guests(client, menu, staff["waiter"])
    r = pay(client, order["id"], staff["cashier"], tender="wallet", amount_minor=10_000)
    assert r.get_json()["remaining_minor"] == 6_300 and r.get_json()["order_status"] != "paid"
    assert r.get_json()["parts"][0]["invoice_number"] is None
    r = pay(
        client,
        order["id"],
        staff["cashier"],
        tender="voucher",
        voucher_code="GIFT-1",
        amount_minor=1_600,
    )
    r = pay(client, order["id"], staff["cashier"], tender="cash", tendered_minor=10_000)
    bill = r.get_json()
    assert bill["order_status"] == "paid" and bill["parts"][0]["invoice_number"]
    # The bill cannot change once payment started.
    order_now = bill["order_version"]
    more = client.post(
        f"/api/v1/orders/{order['id']}/lines",
        json={"version": order_now, "lines": [line(menu, "Espresso")]},
        headers=staff["waiter"],
    )
    assert more.status_code == 409


def test_discount_over_threshold_needs_another_managers_pin(client, menu, staff, db, make_staff):
    order = four_guests(client, menu, staff["waiter"])
    url = f"/api/v1/orders/{order['id']}/discounts"
    body = {"kind": "percent", "percent_bp": 2_000, "reason": "regular guest"}
    r = client.post(url, json=body, headers=staff["waiter"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "approval_required"
    make_staff("waiter", pin="5151", name="Self approver")
    r = client.post(url, json={**body, "approver_pin": "9999"}, headers=staff["waiter"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "wrong_approver_pin"
    # A waiter's PIN answers like a wrong one: approvals do not tell whose PIN it is.
    r = client.post(url, json={**body, "approver_pin": "5151"}, headers=staff["waiter"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "wrong_approver_pin"
    r = client.post(url, json={**body, "approver_pin": "4444"}, headers=staff["waiter"])
    assert r.status_code == 201, r.get_json()
    bill = r.get_json()
    assert bill["total_minor"] == 16_300 - 3_260
    assert bill["discounts"][0]["approved_by"] == "Khalid"
    with db(write=False) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "order.discounted")).one()
        assert entry.approver_id is not None and entry.reason == "regular guest"
    # A small discount needs nobody.
    r = client.post(
        url,
        json={"kind": "amount", "amount_minor": 500, "reason": "late food"},
        headers=staff["waiter"],
    )
    assert r.status_code == 201


def test_waiter_cannot_approve_own_discount(client, menu, make_staff, token_for):
    token = token_for("manager", pin="7272")
    headers = {"Authorization": f"Bearer {token}"}
    order = four_guests(client, menu, headers)
    # A manager needs no approval; but a manager's own PIN as approver of a cashier is fine.
    cashier_token = token_for("cashier", pin="7373")
    r = client.post(
        f"/api/v1/orders/{order['id']}/discounts",
        json={"kind": "percent", "percent_bp": 5_000, "reason": "test", "approver_pin": "7373"},
        headers={"Authorization": f"Bearer {cashier_token}"},
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "self_approval"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "percent", "percent_bp": 10_001, "reason": "too much"}, "percent_bp"),
        ({"kind": "percent", "percent_bp": 0, "reason": "nothing"}, "percent_bp"),
        ({"kind": "comp", "reason": "no line"}, "line_id"),
        ({"kind": "amount", "reason": "no amount"}, "amount_minor"),
    ],
)
def test_bad_discounts(client, menu, staff, body, field):
    order = four_guests(client, menu, staff["waiter"])
    r = client.post(f"/api/v1/orders/{order['id']}/discounts", json=body, headers=staff["manager"])
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "equal", "count": 0}, "count"),
        ({"kind": "amounts", "amounts": [10_000, 10_000]}, "amounts"),
        ({"kind": "equal"}, "count"),
    ],
)
def test_bad_splits(client, menu, staff, body, field):
    order = four_guests(client, menu, staff["waiter"])
    r = client.post(f"/api/v1/orders/{order['id']}/split", json=body, headers=staff["cashier"])
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"], r.get_json()


def test_equal_split_and_items_split(client, menu, staff):
    order = four_guests(client, menu, staff["waiter"])
    url = f"/api/v1/orders/{order['id']}/split"
    parts = client.post(url, json={"kind": "equal", "count": 3}, headers=staff["cashier"])
    assert [p["total_minor"] for p in parts.get_json()["parts"]] == [5_434, 5_433, 5_433]
    lines = order["lines"]
    body = {
        "kind": "items",
        "parts": [
            [{"line_id": li["id"], "quantity": 1} for li in lines[:4]],
            [{"line_id": li["id"], "quantity": 1} for li in lines[4:]],
        ],
    }
    parts = client.post(url, json=body, headers=staff["cashier"]).get_json()["parts"]
    assert [p["total_minor"] for p in parts] == [8_700, 7_600]
    missing = {"kind": "items", "parts": body["parts"][:1]}
    r = client.post(url, json=missing, headers=staff["cashier"])
    assert r.status_code == 422


def test_refund_limits_and_approval(client, menu, staff, db):
    open_shift(client, staff["cashier"])
    order = four_guests(client, menu, staff["waiter"])
    bill = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada").get_json()
    number = bill["parts"][0]["invoice_number"]
    url = f"/api/v1/invoices/{number}/refunds"
    r = client.post(url, json={"amount_minor": 1_000, "reason": "cold"}, headers=staff["cashier"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "approval_required"
    r = client.post(
        url, json={"amount_minor": 40_000, "reason": "too much"}, headers=staff["manager"]
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "refund_too_large"
    r = client.post(url, json={"reason": "all wrong", "restock": False}, headers=staff["manager"])
    assert r.status_code == 201 and r.get_json()["total_minor"] == 16_300
    assert r.get_json()["vat_minor"] == bill["vat_minor"]
    r = client.post(url, json={"amount_minor": 1, "reason": "again"}, headers=staff["manager"])
    assert r.status_code == 422
    with db(write=False) as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "invoice.refunded")).one()
        order_row = s.get(Order, order["id"])
        assert order_row.status.value == "paid"


def test_a_refund_refuses_a_card_number_in_its_reference_and_writes_nothing(
    client, menu, staff, db
):
    open_shift(client, staff["cashier"])
    order = four_guests(client, menu, staff["waiter"])
    bill = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada").get_json()
    url = f"/api/v1/invoices/{bill['parts'][0]['invoice_number']}/refunds"
    for body in (
        {"reason": "cold", "reference": "4111 1111 1111 1111"},
        {"reason": "card 4111-1111-1111-1111 charged twice"},
    ):
        r = client.post(url, json=body, headers=staff["manager"])
        assert r.status_code == 422, r.get_json()
        assert r.get_json()["error"]["code"] == "card_number_refused"
    with db(write=False) as s:
        assert not s.scalars(select(Invoice).where(Invoice.references_id.is_not(None))).all()
        assert "4111" not in " ".join(p.reference for p in s.scalars(select(Payment)))
    r = client.post(url, json={"reason": "cold", "reference": "RRN 0042"}, headers=staff["manager"])
    assert r.status_code == 201


def test_drawer_no_sale_and_cash_movements_are_audited(client, staff, db, demo):
    cashier = staff["cashier"]
    r = client.post("/api/v1/drawer/no-sale", json={"reason": "change for a 500"}, headers=cashier)
    assert r.status_code == 409
    open_shift(client, cashier, 10_000)
    assert (
        client.post(
            "/api/v1/drawer/no-sale", json={"reason": "change for a 500"}, headers=cashier
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/drawer/cash",
            json={"kind": "out", "amount_minor": 2_500, "reason": "ice delivery"},
            headers=cashier,
        ).status_code
        == 201
    )
    x = client.get("/api/v1/reports/x", headers=cashier).get_json()
    assert x["figures"]["expected"]["cash"] == 7_500 and x["figures"]["no_sales"] == 1
    with db(write=False) as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"drawer.opened", "drawer.cash_out", "shift.opened"} <= actions
    kinds = [k for k, _, _ in receipt_jobs(db)]
    assert kinds.count("drawer") == 3
    assert client.get("/api/v1/reports/x", headers=staff["waiter"]).status_code == 403


def test_z_refuses_open_orders(client, menu, staff):
    four_guests(client, menu, staff["waiter"])
    r = client.post("/api/v1/reports/z", json={"counted": {"cash": 0}}, headers=staff["cashier"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "orders_open"


def test_pre_bill_prints_and_reprint_is_marked(client, menu, staff, db):
    order = four_guests(client, menu, staff["waiter"])
    r = client.post(f"/api/v1/orders/{order['id']}/bill/print", headers=staff["waiter"])
    assert r.status_code == 200
    bill = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada").get_json()
    number = bill["parts"][0]["invoice_number"]
    r = client.post(f"/api/v1/invoices/{number}/reprint", headers=staff["cashier"])
    assert r.status_code == 200
    jobs = receipt_jobs(db)
    assert [k for k, _, _ in jobs] == ["pre_bill", "receipt", "receipt"]
    assert jobs[-1][2] == ["REPRINT"]
    with db(write=False) as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "invoice.reprinted")).one()


def test_qr_is_base64_tlv(client, menu, staff):
    order = four_guests(client, menu, staff["waiter"])
    bill = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada").get_json()
    raw = base64.b64decode(bill["parts"][0]["qr"])
    assert raw[0] == 1 and raw[2 : 2 + raw[1]] == b"Demo Bistro"


def test_invoice_qr_as_svg(client, menu, staff):
    order = four_guests(client, menu, staff["waiter"])
    bill = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada").get_json()
    number = bill["parts"][0]["invoice_number"]
    r = client.get(f"/api/v1/invoices/{number}/qr.svg", headers=staff["waiter"])
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert b"<svg" in r.data
    missing = client.get("/api/v1/invoices/INV-999999/qr.svg", headers=staff["waiter"])
    assert missing.status_code == 404


def test_happy_hour_promotion_from_the_back_office(client, menu, staff, auth):
    owner = auth("owner")
    bad = client.post(
        "/api/v1/promotions",
        json={"name": "Broken", "kind": "happy_hour", "percent_bp": 2000, "start_time": "17:00"},
        headers=owner,
    )
    assert bad.status_code == 422
    created = client.post(
        "/api/v1/promotions",
        json={
            "name": "Juice hour",
            "name_ar": "ساعة العصير",
            "kind": "happy_hour",
            "percent_bp": 5000,
            "item_ids": [menu["items"]["Fresh orange juice"]],
        },
        headers=owner,
    )
    assert created.status_code == 201, created.get_json()
    order = four_guests(client, menu, staff["waiter"])
    bill = client.get(f"/api/v1/orders/{order['id']}/bill", headers=staff["waiter"]).get_json()
    assert bill["total_minor"] == 16_300 - 800
    juice = next(li for li in bill["lines"] if li["name"] == "Fresh orange juice")
    assert juice["adjustments"][0]["label"] == "Juice hour"
    assert juice["amount_minor"] == 800


def test_buy_one_get_one_and_combo(client, menu, staff, auth):
    owner = auth("owner")
    client.post(
        "/api/v1/promotions",
        json={
            "name": "Soft drink 1+1",
            "kind": "buy_x_get_y",
            "buy_quantity": 1,
            "get_quantity": 1,
            "item_ids": [menu["items"]["Soft drink"]],
        },
        headers=owner,
    )
    client.post(
        "/api/v1/promotions",
        json={
            "name": "Burger meal",
            "kind": "combo",
            "combo_price_minor": 4_500,
            "item_ids": [menu["items"]["Chicken burger"], menu["items"]["French fries"]],
        },
        headers=owner,
    )
    body = {
        "id": new_id(),
        "type": "takeaway",
        "lines": [
            line(menu, "Soft drink", qty=2),
            line(menu, "Chicken burger"),
            line(menu, "French fries"),
        ],
    }
    order = client.post("/api/v1/orders", json=body, headers=staff["waiter"]).get_json()
    bill = client.get(f"/api/v1/orders/{order['id']}/bill", headers=staff["waiter"]).get_json()
    # 2 × 7 - 7 free + (36 + 12 -> 45 combo) = 52.00
    assert bill["total_minor"] == 700 + 4_500


def test_price_override_needs_a_manager_and_is_audited(client, menu, staff, db):
    order = four_guests(client, menu, staff["waiter"])
    juice = next(li for li in order["lines"] if li["name"] == "Fresh orange juice")
    url = f"/api/v1/orders/{order['id']}/lines/{juice['id']}/price"
    body = {"unit_price_minor": 1_000, "reason": "small glass"}
    r = client.post(url, json=body, headers=staff["waiter"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "approval_required"
    r = client.post(url, json={**body, "approver_pin": "4444"}, headers=staff["waiter"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["total_minor"] == 16_300 - 600
    with db(write=False) as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "order_line.price_overridden")
        ).one()
        assert entry.before == {"unit_price_minor": 1_600} and entry.approver_id
        assert entry.reason == "small glass"


def test_a_takeaway_paid_first_is_cooked_and_closes_when_picked_up(client, menu, staff, auth):
    waiter, cashier = staff["waiter"], staff["cashier"]
    body = {
        "id": new_id(),
        "type": "takeaway",
        "customer_name": "Huda",
        "lines": [line(menu, "Hummus")],
    }
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    bill = pay(client, order["id"], cashier, tender="card", card_method="mada").get_json()
    assert bill["parts"][0]["invoice_number"] and bill["paid_at"]
    assert bill["order_status"] == "open"  # paid, but the kitchen has not had it yet
    url = f"/api/v1/orders/{order['id']}"
    current = client.get(url, headers=waiter).get_json()
    fired = client.post(f"{url}/fire", json={"version": current["version"]}, headers=waiter)
    assert fired.status_code == 200 and fired.get_json()["status"] == "in_kitchen"
    version = fired.get_json()["version"]
    more = client.post(
        f"{url}/lines", json={"version": version, "lines": [line(menu, "Espresso")]}, headers=waiter
    )
    assert more.status_code in (409, 422)  # the bill is paid: nothing more on it
    cancel = client.post(
        f"{url}/cancel", json={"version": version, "reason": "left"}, headers=auth("manager")
    )
    assert cancel.status_code == 409 and cancel.get_json()["error"]["code"] == "order_paid"
    again = pay(client, order["id"], cashier, tender="card", card_method="mada")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "order_paid"
    handed = client.post(f"{url}/hand-over", json={"version": version}, headers=waiter)
    assert handed.status_code == 200 and handed.get_json()["status"] == "paid"


def test_partial_refunds_then_the_rest_net_the_vat_to_zero(client, menu, staff, db):
    order = four_guests(client, menu, staff["waiter"])
    bill = pay(client, order["id"], staff["cashier"], tender="card", card_method="mada").get_json()
    number = bill["parts"][0]["invoice_number"]
    url = f"/api/v1/invoices/{number}/refunds"
    notes = []
    for amount in (1_001, 333, 7):  # odd amounts: each note's VAT is rounded on its own
        r = client.post(
            url, json={"amount_minor": amount, "reason": "partial"}, headers=staff["manager"]
        )
        assert r.status_code == 201, r.get_json()
        notes.append(r.get_json())
    rest = client.post(url, json={"reason": "the rest"}, headers=staff["manager"]).get_json()
    notes.append(rest)
    assert sum(n["total_minor"] for n in notes) == bill["total_minor"]
    assert sum(n["vat_minor"] for n in notes) == bill["vat_minor"]  # nets to exactly zero
    assert [n["number"] for n in notes] == sorted(n["number"] for n in notes)
    assert all(n["net_minor"] + n["vat_minor"] == n["total_minor"] for n in notes)
    with db(write=False) as s:
        invoice = s.scalars(select(Invoice).where(Invoice.display_number == number)).one()
        assert invoice.refunded_minor == invoice.total_minor


@pytest.mark.parametrize("case", ["right PIN", "wrong PIN", "PIN changed meanwhile"])
def test_an_approval_pin_is_checked_without_holding_sqlites_write_lock(
    client, menu, staff, db, writer_during_argon2, case
):
    """A manager's approval PIN goes through argon2 (~100 ms) before the writer's transaction
    (Command.prepare): orders need not wait for it, and what it found is checked again (in
    the last case the manager gets a new PIN while the PIN is checked)."""
    order = four_guests(client, menu, staff["waiter"])
    url = f"/api/v1/orders/{order['id']}/discounts"
    body = {"kind": "percent", "percent_bp": 2_000, "reason": "regular guest"}
    new_pin = "UPDATE staff SET pin_hash = 'changed' WHERE name = 'Khalid'"
    other_writer = writer_during_argon2(new_pin if case == "PIN changed meanwhile" else None)
    pin = "9999" if case == "wrong PIN" else "4444"
    r = client.post(url, json={**body, "approver_pin": pin}, headers=staff["waiter"])

    assert other_writer == ["got the lock"]
    with db(write=False) as s:
        failures = s.scalar(select(func.count()).select_from(LoginAttempt))
    if case == "right PIN":
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["discounts"][0]["approved_by"] == "Khalid"
        assert failures == 0
    else:  # refused as a wrong PIN, the failure counted in the writer's transaction
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "wrong_approver_pin"
        assert failures > 0
        assert (
            client.get(f"/api/v1/orders/{order['id']}/bill", headers=staff["waiter"]).get_json()[
                "discounts"
            ]
            == []
        )


def test_the_owners_receipt_texts_and_tips_reach_the_till_and_the_paper(
    client, menu, staff, db, auth
):
    """Back office, Branch: a footer and a header on every receipt (kept with the invoice, so
    a reprint is the same after a change), and the tip buttons the till offers."""
    from printers.documents import render_job
    from printers.models import Printer

    owner = auth("owner")
    texts = {
        "receipt_header": "Open daily 12:00-01:00",
        "receipt_footer": "Thank you for your visit",
        "receipt_footer_ar": "شكراً لزيارتكم",
        "tip_suggestions": [1500, 500, 1000],
    }
    changed = client.patch("/api/v1/branch", json=texts, headers=owner)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["tip_suggestions"] == [500, 1000, 1500]  # in order
    with db(write=False) as s:
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "branch.updated")).all()
        assert audited[-1].after["receipt_footer"] == "Thank you for your visit"

    open_shift(client, staff["cashier"])
    order = four_guests(client, menu, staff["waiter"])
    bill = client.get(f"/api/v1/orders/{order['id']}/bill", headers=staff["cashier"]).get_json()
    assert bill["tip_suggestions_bp"] == [500, 1000, 1500]
    r = pay(client, order["id"], staff["cashier"], tender="cash", tendered_minor=20_000)
    assert r.status_code == 201, r.get_json()
    client.patch("/api/v1/branch", json={"receipt_footer": "New footer"}, headers=owner)
    with db(write=False) as s:
        job = s.scalars(select(PrintJob).where(PrintJob.kind == "receipt")).one()
        text = decode_escpos(render_job(job, s.get(Printer, job.printer_id)))
    assert "Open daily 12:00-01:00" in text and "Thank you for your visit" in text
    assert "New footer" not in text, "the paper keeps the texts it was issued with"

    off = client.patch("/api/v1/branch", json={"tip_suggestions": []}, headers=owner)
    assert off.get_json()["tip_suggestions"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"tip_suggestions": [1000, 1000]}, "tip_suggestions"),
        ({"tip_suggestions": [0]}, "tip_suggestions"),
        ({"tip_suggestions": [5001]}, "tip_suggestions"),
        ({"tip_suggestions": [1, 2, 3, 4, 5]}, "tip_suggestions"),
        ({"tip_suggestions": [1] * 100_000}, "tip_suggestions"),
        ({"tip_suggestions": "10,15"}, "tip_suggestions"),
        ({"tip_suggestions": [10.5]}, "tip_suggestions"),
        ({"tip_suggestions": [True]}, "tip_suggestions"),
        ({"tip_suggestions": None}, "tip_suggestions"),
        ({"receipt_footer": "x" * 401}, "receipt_footer"),
        ({"receipt_header_ar": ["شكرا"]}, "receipt_header_ar"),
        ({"receipt_header": "Thanks\u0000"}, "receipt_header"),
    ],
)
def test_bad_receipt_texts_and_tips_are_refused_and_change_nothing(client, demo, auth, body, field):
    owner = auth("owner")
    before = client.get("/api/v1/branch", headers=owner).get_json()
    response = client.patch("/api/v1/branch", json=body, headers=owner)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    after = client.get("/api/v1/branch", headers=owner).get_json()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
