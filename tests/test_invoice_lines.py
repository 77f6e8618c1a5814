"""What a tax invoice lists (pos_app/billing/invoice_lines.py), for many bills: every paper's
printed rows add up to its totals, and the papers of a split bill together list the bill.

Bills are priced by pos_app.billing (modifiers with prices, free and negative ones,
promotions aside: staff discounts on lines and on the order, service charge, VAT included or
not), split every way, printed with printers.receipts and read back as text.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_receipts import assert_adds_up, lines_of, make_invoice

from pos_app.billing import invoice_lines, pricing, split, tax
from pos_app.billing.tax import round_half_up
from printers.receipts import render_receipt
from printers.render import PaperLayout

ENGLISH = PaperLayout.for_paper(80, bilingual=False)
WHEN = datetime(2026, 11, 25, 21, 0)


# --- share_rows -----------------------------------------------------------------------------


@given(
    rows=st.lists(st.integers(-50_000, 200_000), min_size=1, max_size=8),
    weights=st.lists(st.integers(0, 30), min_size=1, max_size=6),
    data=st.data(),
)
def test_shares_add_up_both_ways(rows, weights, data):
    """Whatever the targets (even far from the weights), each row's shares make the row and
    each part's shares make its target."""
    spread = data.draw(
        st.lists(st.integers(-10_000, 10_000), min_size=len(weights) - 1, max_size=len(weights) - 1)
    )
    targets = [*spread, sum(rows) - sum(spread)]
    shares = invoice_lines.share_rows(rows, weights, targets)
    assert [sum(s) for s in shares] == rows
    assert [sum(s[k] for s in shares) for k in range(len(weights))] == targets


@given(
    rows=st.lists(st.integers(0, 200_000), min_size=1, max_size=8),
    weights=st.lists(st.integers(1, 30), min_size=1, max_size=6),
)
def test_proportional_targets_give_proportional_shares(rows, weights):
    """With targets in proportion, no share is more than one unit away from its exact
    fraction of its row, beyond what the part's own rounding needs."""
    targets = split.allocate(sum(rows), weights)
    shares = invoice_lines.share_rows(rows, weights, targets)
    whole = sum(weights)
    for row, share in zip(rows, shares, strict=True):
        for k, w in enumerate(weights):
            exact = row * w / whole
            assert abs(share[k] - exact) < len(rows) + 1


def test_a_part_of_no_weight_gets_nothing():
    shares = invoice_lines.share_rows([7900, 300, -500], [0, 2, 0], [0, 7700, 0])
    assert [s[0] for s in shares] == [0, 0, 0] and [s[1] for s in shares] == [7900, 300, -500]


def test_targets_that_do_not_share_the_rows_are_refused():
    with pytest.raises(ValueError):
        invoice_lines.share_rows([100], [1, 1], [60, 60])
    with pytest.raises(ValueError):
        invoice_lines.share_rows([100], [1, -1], [60, 40])


# --- bills split every way, printed and added up --------------------------------------------


@st.composite
def bills(draw):
    """(bill, goods) with modifiers, seats, staff discounts and a service charge."""
    count = draw(st.integers(1, 5))
    lines, mods = [], {}
    for i in range(count):
        price = draw(st.integers(0, 20_000))
        chosen = [
            {"name": f"Mod {i}{j}", "name_ar": f"خيار {j}", "price_delta_minor": delta}
            for j, delta in enumerate(draw(st.lists(st.integers(-price // 4, 2_000), max_size=3)))
        ]
        unit = price + sum(m["price_delta_minor"] for m in chosen)
        seat = draw(st.sampled_from([None, 1, 2, 3]))
        quantity = draw(st.integers(1, 4))
        line_id = f"l{i}"
        lines.append(
            pricing.PriceLine(line_id, i, None, f"Item {i}", f"صنف {i}", unit, quantity, seat, WHEN)
        )
        mods[line_id] = chosen
    discounts = []
    for n, line in enumerate(lines):
        kind = draw(st.sampled_from([None, "percent", "amount", "comp"]))
        if kind:
            discounts.append(
                pricing.DiscountSpec(
                    f"d{n}",
                    line.id,
                    kind,
                    percent_bp=draw(st.integers(1, 10_000)),
                    amount_minor=draw(st.integers(1, 5_000)),
                )
            )
    for n in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["percent", "amount"]))
        discounts.append(
            pricing.DiscountSpec(
                f"o{n}",
                None,
                kind,
                percent_bp=draw(st.integers(1, 5_000)),
                amount_minor=draw(st.integers(1, 3_000)),
            )
        )
    rule = tax.TaxRule(draw(st.sampled_from([1500, 500, 0])), draw(st.booleans()))
    service = draw(st.sampled_from([0, 0, 1000, 1250]))
    bill = pricing.price_bill(lines, discounts, [], rule, service)
    return bill, invoice_lines.goods_of(bill, mods)


@st.composite
def splits(draw, bill):
    """(kind, parts) of a split of `bill` as pos_app.billing.split makes it."""
    kinds = ["whole", "equal", "items"]
    if any(b.line.seat for b in bill.lines):
        kinds.append("seats")
    if bill.total_minor >= 3:
        kinds.append("amounts")
    kind = draw(st.sampled_from(kinds))
    if kind == "whole":
        return "whole", split.whole(bill)
    if kind == "equal":
        return kind, split.equally(bill, draw(st.integers(1, 5)))
    if kind == "seats":
        return kind, split.by_seat(bill)
    if kind == "amounts":
        count = draw(st.integers(2, 3))
        cuts = sorted(
            draw(
                st.sets(
                    st.integers(1, bill.total_minor - 1), min_size=count - 1, max_size=count - 1
                )
            )
        )
        edges = [0, *cuts, bill.total_minor]
        return kind, split.by_amounts(bill, [b - a for a, b in zip(edges, edges[1:], strict=False)])
    parts = draw(st.integers(1, 4))
    assignment = [[] for _ in range(parts)]
    for b in bill.lines:
        for _ in range(b.line.quantity):
            assignment[draw(st.integers(0, parts - 1))].append((b.line.id, 1))
    assignment = [a for a in assignment if a]
    return kind, split.by_items(bill, assignment)


def papers_of(bill, goods, kind, parts):
    """Each part's (document, lines, adjustments), as pos_app.billing.invoices issues it."""
    inclusive = bill.rule.inclusive
    views = [
        invoice_lines.PartView(
            p.number,
            kind,
            tuple(
                {"line_id": pl.line_id, "quantity": pl.quantity, "amount_minor": pl.amount_minor}
                for pl in p.lines
            ),
            p.total_minor if inclusive else p.net_minor,
            p.total_minor,
        )
        for p in parts
    ]
    order_rows = [invoice_lines.adjustment_dict(a) for a in bill.order_adjustments]
    for part in parts:
        lines, adjustments = invoice_lines.part_paper(goods, order_rows, views, part.number)
        doc = make_invoice(
            lines=lines,
            adjustments=adjustments,
            prices_include_vat=inclusive,
            vat_rate_bp=bill.rule.rate_bp,
            total_minor=part.total_minor,
            vat_minor=part.vat_minor,
            net_minor=part.net_minor,
            payments=[],
            qr=None,
        )
        yield doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_invoice_of_every_split_adds_up_on_paper(data):
    bill, goods = data.draw(bills())
    kind, parts = data.draw(splits(bill))
    docs = list(papers_of(bill, goods, kind, parts))
    for doc in docs:
        assert_adds_up(lines_of(render_receipt(doc, ENGLISH)), doc)
    # Together the parts' invoices list the whole bill: each item, modifier and discount.
    listed = Counter()
    for doc in docs:
        for line in doc["lines"]:
            listed[(line["line_id"], "item")] += line["item_minor"]
            for m in line["modifiers"]:
                listed[(line["line_id"], m["name"])] += m["amount_minor"]
            for a in line["adjustments"]:
                listed[(line["line_id"], a["source"])] += a["amount_minor"]
        for a in doc["adjustments"]:
            listed[(None, a["source"])] += a["amount_minor"]
    whole = Counter()
    for g in goods:
        whole[(g.line_id, "item")] += g.rows[0]
        for m, amount in zip(g.modifiers, g.rows[1:], strict=False):
            whole[(g.line_id, m["name"])] += amount
        for a in g.adjustments:
            whole[(g.line_id, a["source"])] += a["amount_minor"]
    for a in bill.order_adjustments:
        whole[(None, a.source)] += a.amount_minor
    rounding = listed.pop((None, "rounding"), 0)
    assert listed == whole
    assert rounding == 0 or not bill.rule.inclusive, "a rounding row only without VAT included"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_credit_note_for_some_units_adds_up(data):
    bill, goods = data.draw(bills())
    doc = next(papers_of(bill, goods, "whole", split.whole(bill)))
    line = data.draw(st.sampled_from(doc["lines"]))
    units = data.draw(st.integers(1, line["quantity"]))
    back = invoice_lines.refunded_line(line, units)
    assert back["amount_minor"] == round_half_up(line["amount_minor"] * units, line["quantity"])
    assert back["amount_minor"] == sum(invoice_lines.line_rows(back))
    if units == line["quantity"]:
        assert back == line
    total_sold = sum(li["amount_minor"] for li in doc["lines"])
    base = back["amount_minor"] + data.draw(st.integers(-back["amount_minor"], 1_000))
    adjustments = invoice_lines.credit_adjustments(
        doc["adjustments"], back["amount_minor"], total_sold, base
    )
    assert back["amount_minor"] + sum(a["amount_minor"] for a in adjustments) == base
