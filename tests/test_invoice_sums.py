"""Tax invoices and credit notes of many orders, taken through the API on the demo
restaurant (modifiers priced and free, line and order discounts, a service charge, every
kind of split, refunds by units and by amount): each one, printed as the receipt printer
prints it and read back, adds up to its totals, names its goods, and its QR code carries the
same total and VAT.
"""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy import select
from test_receipts import assert_adds_up, lines_of

from pos_app.billing.models import Invoice
from pos_app.billing.zatca import decode_qr
from pos_app.branch.models import Branch
from pos_app.menu.models import MenuItem
from printers.receipts import render_receipt
from printers.render import PaperLayout
from table_service.models import DiningTable

ORDERS = 36
ENGLISH = PaperLayout.for_paper(80, bilingual=False)


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def catalog(demo, db):
    """Each item's id and, per modifier group, its bounds and modifier ids; the tables."""
    with db() as s:
        s.scalar(select(Branch)).service_charge_bp = 1000
        items = {
            item.name: (
                item.id,
                [
                    (group.min_choices, group.max_choices, [m.id for m in group.modifiers])
                    for group in item.modifier_groups
                ],
            )
            for item in s.scalars(select(MenuItem).where(MenuItem.active))
        }
        tables = [t.id for t in s.scalars(select(DiningTable).order_by(DiningTable.id))]
    return items, tables


def random_line(rng: random.Random, items: dict, seat: int | None) -> dict:
    name = rng.choice(sorted(items))
    item_id, groups = items[name]
    chosen = []
    for low, high, ids in groups:
        chosen += rng.sample(ids, rng.randint(low, min(high, len(ids))))
    return {
        "id": new_id(),
        "item_id": item_id,
        "quantity": rng.choice([1, 1, 1, 2, 3]),
        "modifier_ids": chosen,
        **({"seat": seat} if seat else {}),
    }


def place_order(client, rng, items, table_id, headers) -> dict:
    seats = rng.choice([0, 2, 3])
    lines = [
        random_line(rng, items, rng.choice([None, *range(1, seats + 1)]) if seats else None)
        for _ in range(rng.randint(1, 6))
    ]
    body = {"id": new_id(), "lines": lines}
    if table_id is None:
        body.update(type="takeaway", customer_name="Guest")
    else:
        body.update(type="dine_in", table_id=table_id, guests=max(seats, 1))
    answer = client.post("/api/v1/orders", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def discount(client, rng, order, headers) -> None:
    choice = rng.choice(["none", "line", "order", "both"])
    bodies = []
    if choice in ("line", "both"):
        line = rng.choice(order["lines"])
        kind = rng.choice(["percent", "amount", "comp"])
        bodies.append(
            {"line_id": line["id"], "kind": kind, "percent_bp": 1500, "amount_minor": 350}
        )
    if choice in ("order", "both"):
        bodies.append(
            {"kind": rng.choice(["percent", "amount"]), "percent_bp": 1000, "amount_minor": 500}
        )
    for body in bodies:
        if body["kind"] != "percent":
            body.pop("percent_bp")
        if body["kind"] != "amount":
            body.pop("amount_minor")
        body.update(id=new_id(), reason="regular guest")
        answer = client.post(f"/api/v1/orders/{order['id']}/discounts", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_json()


def split(client, rng, order, headers) -> dict:
    bill = client.get(f"/api/v1/orders/{order['id']}/bill", headers=headers).get_json()
    kinds = ["none", "equal", "items"]
    if any(line["seat"] for line in bill["lines"]):
        kinds.append("seats")
    if bill["total_minor"] >= 2:
        kinds.append("amounts")
    kind = rng.choice(kinds)
    body = {"kind": kind}
    if kind == "equal":
        body["count"] = rng.randint(2, 4)
    elif kind == "amounts":
        first = rng.randint(1, bill["total_minor"] - 1)
        body["amounts"] = [first, bill["total_minor"] - first]
    elif kind == "items":
        parts = [[] for _ in range(rng.randint(1, 3))]
        for line in bill["lines"]:
            for _ in range(line["quantity"]):
                parts[rng.randrange(len(parts))].append({"line_id": line["line_id"], "quantity": 1})
        body["parts"] = [p for p in parts if p]
    answer = client.post(f"/api/v1/orders/{order['id']}/split", json=body, headers=headers)
    assert answer.status_code == 200, (body, answer.get_json())
    return answer.get_json()


def pay_all(client, order, bill, headers) -> None:
    parts = bill["parts"] or [{"number": 1}]
    for part in parts:
        body = {
            "id": new_id(),
            "tender": "card",
            "card_method": "mada",
            "last4": "4242",
            "reference": f"TRM-{part['number']}",
        }
        if bill["parts"]:
            body["part"] = part["number"]
        answer = client.post(f"/api/v1/orders/{order['id']}/payments", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_json()


def refund_some(client, rng, headers) -> None:
    invoices = client.get("/api/v1/invoices", headers=headers).get_json()["items"]
    for summary in rng.sample(invoices, min(10, len(invoices))):
        number = summary["number"]
        invoice = client.get(f"/api/v1/invoices/{number}", headers=headers).get_json()
        if invoice["kind"] != "invoice" or invoice["total_minor"] == 0:
            continue
        how = rng.choice(["lines", "amount", "all"])
        body = {"reason": "guest complaint", "tender": "card", "reference": f"RF-{number}"}
        refundable = [li for li in invoice["document"]["lines"] if li["line_id"]]
        if how == "lines" and refundable:
            line = rng.choice(refundable)
            body["lines"] = [{"line_id": line["line_id"], "quantity": 1}]
        elif how == "amount":
            body["amount_minor"] = max(1, invoice["total_minor"] // 3)
        answer = client.post(f"/api/v1/invoices/{number}/refunds", json=body, headers=headers)
        assert answer.status_code in (201, 422), answer.get_json()


def test_every_invoice_and_credit_note_adds_up_on_paper(client, catalog, auth, db):
    items, tables = catalog
    manager = auth("manager")
    rng = random.Random(15)
    for n in range(ORDERS):
        table = tables[n % len(tables)] if n % 4 else None
        order = place_order(client, rng, items, table, manager)
        discount(client, rng, order, manager)
        bill = split(client, rng, order, manager)
        pay_all(client, order, bill, manager)
    refund_some(client, rng, manager)

    with db(write=False) as s:
        papers = list(s.scalars(select(Invoice).order_by(Invoice.id)))
        seen = {"invoice": 0, "credit_note": 0, "modifier": 0, "share": 0, "adjustment": 0}
        for paper in papers:
            doc = dict(paper.document)
            assert doc["total_minor"] == paper.total_minor and doc["vat_minor"] == paper.vat_minor
            lines = lines_of(render_receipt(doc, ENGLISH))
            assert_adds_up(lines, doc)
            qr = decode_qr(paper.qr)
            assert (qr[4], qr[5]) == (
                f"{paper.total_minor / 100:.2f}",
                f"{paper.vat_minor / 100:.2f}",
            ), "the QR's total and VAT are the paper's"
            assert doc["lines"] and not any(li["name"].startswith("Share ") for li in doc["lines"])
            seen[paper.kind] += 1
            seen["modifier"] += any(
                m.get("amount_minor") for li in doc["lines"] for m in li["modifiers"]
            )
            seen["share"] += any(li.get("share") for li in doc["lines"])
            seen["adjustment"] += bool(doc["adjustments"])
    # The run covered what it is about.
    assert seen["invoice"] >= ORDERS and seen["credit_note"] >= 4, seen
    assert min(seen["modifier"], seen["share"], seen["adjustment"]) >= 5, seen
