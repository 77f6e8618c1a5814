"""The pure money rules of bills: rounding and VAT, promotions and discounts, splits."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.billing import split
from pos_app.billing.pricing import (
    Bill,
    DiscountSpec,
    PriceLine,
    price_bill,
)
from pos_app.billing.promotions import PromotionSpec
from pos_app.billing.tax import (
    TaxRule,
    gross_of,
    round_half_up,
    split_gross,
    vat_of_gross,
    vat_of_net,
)

INCL = TaxRule(1500, True)
EXCL = TaxRule(1500, False)
FRIDAY_6PM = datetime(2024, 5, 3, 18, 0)  # 3 May 2024 was a Friday (weekday 4)
PROPERTY = settings(max_examples=200, deadline=None)


def line(
    line_id: str,
    item_id: int,
    price: int,
    quantity: int = 1,
    *,
    seat: int | None = None,
    category_id: int | None = None,
    at: datetime = FRIDAY_6PM,
) -> PriceLine:
    """A line named after its id, ordered on Friday at 18:00 unless told."""
    return PriceLine(
        line_id, item_id, category_id, line_id.title(), f"ع-{line_id}", price, quantity, seat, at
    )


def amounts(bill: Bill) -> dict[str, int]:
    """Each line's amount after its adjustments, by line id."""
    return {b.line.id: b.amount_minor for b in bill.lines}


# --- rounding and VAT -------------------------------------------------------------------------


def test_round_half_up_rounds_exact_halves_away_from_zero():
    assert [round_half_up(n, 2) for n in (-3, -1, 0, 1, 3)] == [-2, -1, 0, 1, 2]
    assert round_half_up(4, 10) == 0 and round_half_up(5, 10) == 1 and round_half_up(-5, 10) == -1
    assert round_half_up(14, 10) == 1 and round_half_up(-16, 10) == -2
    with pytest.raises(ValueError):
        round_half_up(1, 0)


def test_vat_comes_out_of_the_total_with_vat():
    # 100.00 x 1500 / 11500 = 13.0435 -> 13.04; net the difference.
    assert split_gross(10000, INCL) == (8696, 1304)
    # 45.00 -> 5.8696 -> 5.87
    assert split_gross(4500, INCL) == (3913, 587)
    # 0.01 -> 0.0013 -> 0.00: a total too small to carry VAT is all net.
    assert split_gross(1, INCL) == (1, 0)
    # 11.50 -> exactly 1.50; 0.23 -> 3 x 3 / 23 = exactly 0.03.
    assert split_gross(1150, INCL) == (1000, 150)
    assert split_gross(23, INCL) == (20, 3)
    # 5 %: 21.00 x 500 / 10500 = exactly 1.00.
    assert vat_of_gross(2100, 500) == 100


def test_exclusive_net_gives_back_the_same_vat():
    # 86.96 x 0.15 = 13.044 -> 13.04 added: total 100.00, and 100.00 carries 13.04 again.
    assert vat_of_net(8696, 1500) == 1304
    assert gross_of(8696, EXCL) == 10000
    assert split_gross(10000, EXCL) == (8696, 1304)
    # 0.10 x 0.15 = 0.015 -> 0.02 (half up): total 0.12, whose VAT 0.01565 -> 0.02 again.
    assert gross_of(10, EXCL) == 12
    assert split_gross(12, EXCL) == (10, 2)
    # Inclusive prices are the total as they are.
    assert gross_of(8696, INCL) == 8696


def test_a_negative_rate_is_refused():
    with pytest.raises(ValueError, match="rate"):
        TaxRule(-1, True)
    with pytest.raises(ValueError, match="rate"):
        vat_of_gross(100, -5)


@PROPERTY
@given(net=st.integers(-(10**10), 10**10), rate=st.integers(0, 10_000))
def test_vat_taken_out_of_an_exclusive_total_is_the_vat_added(net, rate):
    added = vat_of_net(net, rate)
    assert vat_of_gross(net + added, rate) == added


@PROPERTY
@given(net=st.integers(0, 10**6), rate=st.sampled_from([1, 500, 1500, 9999, 10_000]))
def test_exclusive_roundtrip_at_rates_near_the_edges(net, rate):
    rule = TaxRule(rate, False)
    assert split_gross(gross_of(net, rule), rule) == (net, vat_of_net(net, rate))


# --- promotions -------------------------------------------------------------------------------


def test_a_plain_bill_is_priced_as_listed():
    bill = price_bill([line("burger", 1, 4500, 2), line("cola", 3, 500)], [], [], INCL)
    assert (bill.subtotal_minor, bill.line_adjustments_minor) == (9500, 0)
    # 9500 x 1500 / 11500 = 1239.13
    assert (bill.taxable_minor, bill.total_minor, bill.vat_minor, bill.net_minor) == (
        9500,
        9500,
        1239,
        8261,
    )
    assert bill.order_adjustments == () and bill.service_charge_minor == 0


def test_happy_hour_takes_percent_off_lines_ordered_in_its_window():
    promo = PromotionSpec(
        7, "Happy hour", "ساعة السعادة", "happy_hour", percent_bp=2000,
        weekdays=(4,), start="17:00", end="19:00", category_ids=(2,),
    )  # fmt: skip
    lines = [
        line("cola", 3, 500, 3, category_id=2),
        line("late_cola", 3, 500, category_id=2, at=FRIDAY_6PM.replace(hour=19)),
        line("burger", 1, 4500, category_id=1),
        line("thursday_cola", 3, 500, category_id=2, at=FRIDAY_6PM - timedelta(days=1)),
    ]
    bill = price_bill(lines, [], [promo], INCL)
    assert amounts(bill) == {"cola": 1200, "late_cola": 500, "burger": 4500, "thursday_cola": 500}
    (adjustment,) = bill.lines[0].adjustments
    assert adjustment.amount_minor == -300 and adjustment.source == "promotion:7"
    assert (adjustment.label, adjustment.label_ar) == ("Happy hour", "ساعة السعادة")
    assert bill.line_adjustments_minor == -300 and bill.total_minor == 6700


def test_a_window_that_crosses_midnight_belongs_to_the_day_it_starts():
    promo = PromotionSpec(
        1, "Late", "", "happy_hour", percent_bp=5000, weekdays=(4,), start="22:00", end="02:00"
    )
    saturday = datetime(2024, 5, 4)
    lines = [
        line("fri_2330", 1, 1000, at=FRIDAY_6PM.replace(hour=23, minute=30)),
        line("sat_0130", 1, 1000, at=saturday.replace(hour=1, minute=30)),
        line("sat_0200", 1, 1000, at=saturday.replace(hour=2)),
        line("sat_2230", 1, 1000, at=saturday.replace(hour=22, minute=30)),
        line("fri_0130", 1, 1000, at=FRIDAY_6PM.replace(hour=1, minute=30)),
    ]
    bill = price_bill(lines, [], [promo], INCL)
    assert amounts(bill) == {
        "fri_2330": 500,
        "sat_0130": 500,
        "sat_0200": 1000,
        "sat_2230": 1000,
        "fri_0130": 1000,
    }
    # No Arabic name configured: the English one stands in.
    assert bill.lines[0].adjustments[0].label_ar == "Late"


def test_buy_two_get_one_frees_the_cheapest_units_across_lines():
    promo = PromotionSpec(3, "2+1", "2+1", "buy_x_get_y", buy_quantity=2, get_quantity=1,
                          item_ids=(1, 2))  # fmt: skip
    lines = [line("burger", 1, 4500, 2), line("chicken", 2, 3900, 2), line("cola", 3, 500)]
    bill = price_bill(lines, [], [promo], INCL)
    # Four matching units make one group of three: the cheapest (a chicken) is free.
    assert amounts(bill) == {"burger": 9000, "chicken": 3900, "cola": 500}
    assert bill.lines[1].adjustments[0].amount_minor == -3900


def test_buy_two_get_one_with_two_groups_frees_the_two_cheapest_units():
    promo = PromotionSpec(3, "2+1", "2+1", "buy_x_get_y", buy_quantity=2, get_quantity=1)
    lines = [line("a", 1, 1000), line("b", 2, 900), line("c", 3, 800), line("d", 4, 100, 3)]
    bill = price_bill(lines, [], [promo], INCL)
    assert amounts(bill) == {"a": 1000, "b": 900, "c": 800, "d": 100}


def test_combo_prices_each_complete_set_and_spreads_the_saving_by_price():
    promo = PromotionSpec(5, "Meal", "وجبة", "combo", item_ids=(1, 2, 3), combo_price_minor=5000)
    lines = [line("burger", 1, 4500, 2), line("fries", 2, 1200), line("cola", 3, 500, 2)]
    bill = price_bill(lines, [], [promo], INCL)
    # One set (one fries): 6200 - 5000 = 1200 saved, shared 4500 : 1200 : 500 by largest
    # remainder = 870.97 / 232.26 / 96.77 -> 871 / 232 / 97.
    assert amounts(bill) == {"burger": 9000 - 871, "fries": 1200 - 232, "cola": 1000 - 97}
    assert bill.total_minor == 11200 - 1200


def test_combo_takes_the_dearest_units_first_and_never_raises_a_price():
    promo = PromotionSpec(5, "Meal", "وجبة", "combo", item_ids=(1, 2), combo_price_minor=5000)
    lines = [line("plain", 1, 4500), line("cheese", 1, 5000), line("fries", 2, 1200)]
    bill = price_bill(lines, [], [promo], INCL)
    # cheese + fries = 6200 -> 5000: 1200 shared 5000 : 1200 = 967.74 / 232.26 -> 968 / 232.
    assert amounts(bill) == {"plain": 4500, "cheese": 4032, "fries": 968}
    dear = PromotionSpec(6, "Dear", "", "combo", item_ids=(1, 2), combo_price_minor=9000)
    assert price_bill(lines, [], [dear], INCL).line_adjustments_minor == 0


def test_a_unit_takes_one_promotion_at_most_in_promotion_id_order():
    happy = PromotionSpec(1, "Happy", "", "happy_hour", percent_bp=5000, item_ids=(1,))
    combo = PromotionSpec(2, "Meal", "", "combo", item_ids=(1, 2), combo_price_minor=1000)
    lines = [line("burger", 1, 4000, 2), line("fries", 2, 1000)]
    bill = price_bill(lines, [], [combo, happy], INCL)
    # Happy hour (id 1) takes both burgers first: no burger is left for the combo.
    assert amounts(bill) == {"burger": 4000, "fries": 1000}
    assert [a.source for a in bill.lines[0].adjustments] == ["promotion:1"]


# --- discounts and service charge -------------------------------------------------------------


def test_line_discounts_apply_after_promotions_on_what_remains():
    happy = PromotionSpec(1, "Happy", "", "happy_hour", percent_bp=2000, item_ids=(3,))
    discounts = [
        DiscountSpec("d1", "cola", "percent", percent_bp=1250, reason="regular"),
        DiscountSpec("d2", "burger", "amount", amount_minor=1000),
        DiscountSpec("d3", "fries", "comp", reason="cold"),
        DiscountSpec("d4", "burger", "amount", amount_minor=99999),
    ]
    lines = [line("cola", 3, 500, 3), line("burger", 1, 4500), line("fries", 2, 1200)]
    bill = price_bill(lines, discounts, [happy], INCL)
    # cola: 1500 - 20 % = 1200, then 12.5 % of 1200 = 150 -> 1050.
    assert amounts(bill) == {"cola": 1050, "burger": 0, "fries": 0}
    cola, burger, fries = bill.lines
    assert [(a.label, a.label_ar, a.amount_minor) for a in cola.adjustments] == [
        ("Happy", "Happy", -300),
        ("Discount 12.5%", "خصم 12.5%", -150),
    ]
    assert [a.amount_minor for a in burger.adjustments] == [-1000, -3500]
    assert [(a.label, a.label_ar, a.source) for a in fries.adjustments] == [
        ("Comp", "ضيافة", "discount:d3")
    ]
    assert bill.line_adjustments_minor == -(300 + 150 + 4500 + 1200)
    assert bill.total_minor == 1050


def test_order_discounts_then_service_charge_then_exclusive_vat():
    discounts = [
        DiscountSpec("o1", None, "percent", percent_bp=1000),
        DiscountSpec("o2", None, "amount", amount_minor=500),
    ]
    bill = price_bill([line("steak", 1, 10000)], discounts, [], EXCL, service_charge_bp=1000)
    # 10000 - 10 % = 9000 - 5.00 = 8500; service 10 % = 850; taxable 9350;
    # VAT added 9350 x 0.15 = 1402.5 -> 1403; total 10753, and 10753 x 15/115 = 1402.57 -> 1403.
    labels = [(a.label, a.label_ar, a.amount_minor, a.source) for a in bill.order_adjustments]
    assert labels == [
        ("Discount 10%", "خصم 10%", -1000, "discount:o1"),
        ("Discount", "خصم", -500, "discount:o2"),
        ("Service charge 10%", "رسوم الخدمة 10%", 850, "service_charge"),
    ]
    assert (bill.service_charge_minor, bill.taxable_minor) == (850, 9350)
    assert (bill.total_minor, bill.vat_minor, bill.net_minor) == (10753, 1403, 9350)


def test_service_charge_rounds_half_up_and_order_amounts_never_go_below_zero():
    bill = price_bill([line("tea", 1, 9999)], [], [], INCL, service_charge_bp=1250)
    assert bill.service_charge_minor == 1250  # 1249.875
    assert bill.order_adjustments[0].label == "Service charge 12.5%"
    big = DiscountSpec("o", None, "amount", amount_minor=50000)
    bill = price_bill([line("tea", 1, 900)], [big], [], EXCL, service_charge_bp=1000)
    assert bill.order_adjustments[0].amount_minor == -900
    assert (bill.taxable_minor, bill.total_minor, bill.vat_minor) == (0, 0, 0)


@pytest.mark.parametrize(
    ("lines", "discount", "promotion", "message"),
    [
        (
            [line("a", 1, 100)],
            DiscountSpec("d", "a", "percent", percent_bp=10001),
            None,
            "0..10000",
        ),
        ([line("a", 1, 100)], DiscountSpec("d", "a", "percent", percent_bp=-1), None, "0..10000"),
        ([line("a", 1, 100)], DiscountSpec("d", "a", "amount", amount_minor=-1), None, "negative"),
        ([line("a", 1, 100)], DiscountSpec("d", None, "comp"), None, "comp needs a line"),
        ([line("a", 1, 100)], DiscountSpec("d", "zz", "comp"), None, "unknown line 'zz'"),
        ([line("a", 1, 100)], DiscountSpec("d", "a", "free"), None, "kind"),
        ([line("a", 1, 100, -1)], None, None, "quantity"),
        ([line("a", 1, 100, 0)], None, None, "quantity"),
        ([line("a", 1, -100)], None, None, "negative price"),
        ([line("a", 1, 1), line("a", 1, 1)], None, None, "unique"),
        ([], None, PromotionSpec(1, "x", "", "happy_hour", percent_bp=20000), "0..10000"),
        ([], None, PromotionSpec(1, "x", "", "happy_hour", start="25:00", end="02:00"), "range"),
        ([], None, PromotionSpec(1, "x", "", "happy_hour", start="5pm", end="19:00"), "HH:MM"),
        ([], None, PromotionSpec(1, "x", "", "happy_hour", start="17:00"), "both"),
        ([], None, PromotionSpec(1, "x", "", "buy_x_get_y", buy_quantity=2), "at least 1"),
        ([], None, PromotionSpec(1, "x", "", "combo", combo_price_minor=100), "item_ids"),
        ([], None, PromotionSpec(1, "x", "", "bogus"), "kind"),
        ([], None, [PromotionSpec(1, "x", "", "combo", item_ids=(1,))] * 2, "unique"),
    ],
)
def test_what_cannot_be_priced_is_refused_with_a_reason(lines, discount, promotion, message):
    with pytest.raises(ValueError, match=message):
        promotions = promotion if isinstance(promotion, list) else [promotion] if promotion else []
        price_bill(lines, [discount] if discount else [], promotions, INCL)


def test_a_service_charge_over_100_percent_is_refused():
    with pytest.raises(ValueError, match="service charge"):
        price_bill([], [], [], INCL, service_charge_bp=10001)


# --- splits -----------------------------------------------------------------------------------


def seated_bill() -> Bill:
    """burger x2 at seat 1, cola at seat 2, fries shared; 10 % service, 15 % inclusive.

    Lines 9000 + 500 + 1200 = 10700; service 1070; total 11770; VAT 11770 x 15/115 =
    1535.22 -> 1535; net 10235.
    """
    lines = [
        line("burger", 1, 4500, 2, seat=1),
        line("cola", 3, 500, seat=2),
        line("fries", 2, 1200),
    ]
    return price_bill(lines, [], [], INCL, service_charge_bp=1000)


def summary(parts: list[split.Part]) -> list[tuple]:
    """What a guest reads on each part: label, total, VAT, net."""
    return [(p.label, p.label_ar, p.total_minor, p.vat_minor, p.net_minor) for p in parts]


def test_allocate_shares_exactly_by_largest_remainder():
    assert split.allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert split.allocate(5, [1, 0, 1]) == [3, 0, 2]
    assert split.allocate(10, [3, 7]) == [3, 7]
    assert split.allocate(7, [0, 0, 0]) == [3, 2, 2]
    assert split.allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert split.allocate(0, [5, 5]) == [0, 0]
    with pytest.raises(ValueError):
        split.allocate(10, [])
    with pytest.raises(ValueError, match="negative"):
        split.allocate(10, [1, -1])


def test_whole_bill_is_one_part_with_the_bill_vat():
    bill = seated_bill()
    assert (bill.total_minor, bill.vat_minor, bill.net_minor) == (11770, 1535, 10235)
    (part,) = split.whole(bill)
    assert summary([part]) == [("Whole bill", "الفاتورة كاملة", 11770, 1535, 10235)]
    assert [(pl.line_id, pl.quantity, pl.amount_minor) for pl in part.lines] == [
        ("burger", 2, 9000),
        ("cola", 1, 500),
        ("fries", 1, 1200),
    ]


def test_split_by_seat_shares_unseated_lines_equally():
    parts = split.by_seat(seated_bill())
    # Seat 1: burgers 9000 + half the fries 600 = 9600 (+ 960 service) = 10560,
    # VAT 1377.39 -> 1377. Seat 2: 500 + 600 = 1100 (+ 110) = 1210, VAT 157.83 -> 158.
    assert summary(parts) == [
        ("Seat 1", "مقعد 1", 10560, 1377, 9183),
        ("Seat 2", "مقعد 2", 1210, 158, 1052),
    ]
    assert [p.seat for p in parts] == [1, 2]
    # The fries' one unit goes to seat 1, its price is shared by both.
    assert [(pl.line_id, pl.quantity, pl.amount_minor) for pl in parts[1].lines] == [
        ("cola", 1, 500),
        ("fries", 0, 600),
    ]


def test_split_by_items_splits_a_line_by_units():
    bill = seated_bill()
    parts = split.by_items(bill, [[("burger", 1), ("fries", 1)], [("burger", 1), ("cola", 1)]])
    # 4500 + 1200 = 5700 (+ 570) = 6270, VAT 817.83 -> 818; 4500 + 500 = 5000 (+ 500) = 5500,
    # VAT 717.39 -> 717.
    assert summary(parts) == [
        ("Part 1", "جزء 1", 6270, 818, 5452),
        ("Part 2", "جزء 2", 5500, 717, 4783),
    ]
    assert [pl.amount_minor for pl in parts[0].lines] == [4500, 1200]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ([[("burger", 2), ("cola", 1)]], "'Fries' \\(fries\\): 0 units assigned, it has 1"),
        ([[("burger", 3), ("cola", 1), ("fries", 1)]], "'Burger' \\(burger\\): 3 units"),
        ([[("burger", 2), ("cola", 1), ("fries", 1)], []], "part 2 has no items"),
        ([[("burger", 2), ("cola", 1), ("fries", 1), ("tea", 1)]], "unknown line 'tea'"),
        ([[("burger", 2), ("cola", 1), ("fries", 1), ("cola", 0)]], "must be positive"),
        ([], "at least one part"),
    ],
)
def test_split_by_items_refuses_an_assignment_that_is_not_exact(assignment, message):
    with pytest.raises(ValueError, match=message):
        split.by_items(seated_bill(), assignment)


def test_split_equally_and_the_vat_bound():
    parts = split.equally(seated_bill(), 3)
    # 11770 / 3 = 3923.33: the first part takes the extra halala. Each part's VAT rounds up
    # (3924 -> 511.83, 3923 -> 511.70), so the parts' VAT is 1536, one more than the bill's
    # 1535: within floor(3 / 2) = 1.
    assert summary(parts) == [
        ("1/3", "1/3", 3924, 512, 3412),
        ("2/3", "2/3", 3923, 512, 3411),
        ("3/3", "3/3", 3923, 512, 3411),
    ]
    with pytest.raises(ValueError, match="at least one part"):
        split.equally(seated_bill(), 0)


def test_split_by_amounts_must_add_up_to_the_bill():
    parts = split.by_amounts(seated_bill(), [5000, 6770])
    # 5000 x 15/115 = 652.17 -> 652; 6770 -> 883.04 -> 883.
    assert summary(parts) == [
        ("Part 1", "جزء 1", 5000, 652, 4348),
        ("Part 2", "جزء 2", 6770, 883, 5887),
    ]
    with pytest.raises(ValueError, match="add up to 11000, the bill is 11770: 770 short"):
        split.by_amounts(seated_bill(), [5000, 6000])
    with pytest.raises(ValueError, match="10 over"):
        split.by_amounts(seated_bill(), [5000, 6780])
    with pytest.raises(ValueError, match="positive"):
        split.by_amounts(seated_bill(), [11770, 0])


def test_split_by_seat_needs_a_seat():
    bill = price_bill([line("tea", 1, 500)], [], [], INCL)
    with pytest.raises(ValueError, match="no line has a seat"):
        split.by_seat(bill)


# --- properties over random bills and splits --------------------------------------------------

WEEK = datetime(2024, 4, 29)  # a Monday


@st.composite
def price_lines(draw) -> list[PriceLine]:
    """One to six lines of four items in three categories, ordered some time in one week."""
    count = draw(st.integers(1, 6))
    return [
        PriceLine(
            id=f"l{n}",
            item_id=draw(st.integers(1, 4)),
            category_id=draw(st.one_of(st.none(), st.integers(1, 3))),
            name=f"Item {n}",
            name_ar=f"صنف {n}",
            unit_price_minor=draw(st.integers(0, 20_000)),
            quantity=draw(st.integers(1, 5)),
            seat=draw(st.one_of(st.none(), st.integers(1, 3))),
            ordered_at_local=WEEK + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 - 1))),
        )
        for n in range(count)
    ]


@st.composite
def discount_specs(draw, line_ids: list[str]) -> list[DiscountSpec]:
    """Up to four discounts on lines or the order, of every kind."""
    specs = []
    for n in range(draw(st.integers(0, 4))):
        line_id = draw(st.one_of(st.none(), st.sampled_from(line_ids)))
        kinds = ["percent", "amount"] + (["comp"] if line_id else [])
        specs.append(
            DiscountSpec(
                f"d{n}",
                line_id,
                draw(st.sampled_from(kinds)),
                percent_bp=draw(st.integers(0, 10_000)),
                amount_minor=draw(st.integers(0, 30_000)),
            )
        )
    return specs


@st.composite
def promotion_specs(draw) -> list[PromotionSpec]:
    """Up to three promotions of every kind, with and without windows."""
    specs = []
    for n in range(draw(st.integers(0, 3))):
        window = draw(st.sampled_from([("", ""), ("17:00", "19:00"), ("22:00", "02:00")]))
        specs.append(
            PromotionSpec(
                id=draw(st.integers(1, 9)) * 10 + n,
                name=f"Promo {n}",
                name_ar="",
                kind=draw(st.sampled_from(["happy_hour", "buy_x_get_y", "combo"])),
                percent_bp=draw(st.integers(0, 10_000)),
                weekdays=tuple(draw(st.sets(st.integers(0, 6), max_size=3))),
                start=window[0],
                end=window[1],
                item_ids=tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))),
                category_ids=tuple(draw(st.lists(st.integers(1, 3), max_size=2))),
                buy_quantity=draw(st.integers(1, 3)),
                get_quantity=draw(st.integers(1, 2)),
                combo_price_minor=draw(st.integers(0, 30_000)),
            )
        )
    return specs


@st.composite
def bills(draw) -> Bill:
    """A random priced bill: lines, discounts, promotions, tax mode and service charge."""
    lines = draw(price_lines())
    rule = TaxRule(
        draw(st.one_of(st.sampled_from([0, 500, 1500, 10_000]), st.integers(0, 10_000))),
        draw(st.booleans()),
    )
    return price_bill(
        lines,
        draw(discount_specs([x.id for x in lines])),
        draw(promotion_specs()),
        rule,
        draw(st.sampled_from([0, 0, 1000, 1250, 1500])),
    )


@PROPERTY
@given(bill=bills())
def test_every_bill_adds_up_and_is_never_negative(bill):
    for b in bill.lines:
        assert b.gross_minor == b.line.unit_price_minor * b.line.quantity
        assert b.amount_minor == b.gross_minor + sum(a.amount_minor for a in b.adjustments) >= 0
        assert all(a.amount_minor <= 0 for a in b.adjustments)
    line_total = sum(b.amount_minor for b in bill.lines)
    assert bill.subtotal_minor + bill.line_adjustments_minor == line_total
    assert bill.taxable_minor == line_total + sum(a.amount_minor for a in bill.order_adjustments)
    assert bill.taxable_minor >= 0
    assert bill.total_minor == gross_of(bill.taxable_minor, bill.rule)
    assert bill.net_minor + bill.vat_minor == bill.total_minor
    assert min(bill.total_minor, bill.vat_minor, bill.net_minor) >= 0


@st.composite
def bills_and_splits(draw) -> tuple[Bill, str, list[split.Part]]:
    """A random bill and one random split of it."""
    bill = draw(bills())
    kinds = ["whole", "items", "equally"]
    kinds += ["seat"] if any(b.line.seat is not None for b in bill.lines) else []
    kinds += ["amounts"] if bill.total_minor >= 1 else []
    kind = draw(st.sampled_from(kinds))
    if kind == "whole":
        return bill, kind, split.whole(bill)
    if kind == "seat":
        return bill, kind, split.by_seat(bill)
    if kind == "equally":
        return bill, kind, split.equally(bill, draw(st.integers(1, 7)))
    if kind == "amounts":
        n = draw(st.integers(1, min(5, bill.total_minor)))
        inner = st.integers(1, max(1, bill.total_minor - 1))
        cuts = sorted(draw(st.sets(inner, min_size=n - 1, max_size=n - 1))) if n > 1 else []
        edges = [0, *cuts, bill.total_minor]
        return bill, kind, split.by_amounts(bill, [b - a for a, b in pairwise(edges)])
    parts_count = draw(st.integers(1, 4))
    chosen: list[dict[str, int]] = [{} for _ in range(parts_count)]
    for b in bill.lines:
        for _ in range(b.line.quantity):
            part = chosen[draw(st.integers(0, parts_count - 1))]
            part[b.line.id] = part.get(b.line.id, 0) + 1
    assignment = [list(units.items()) for units in chosen if units]
    return bill, kind, split.by_items(bill, assignment)


@PROPERTY
@given(case=bills_and_splits())
def test_every_split_adds_up_to_the_bill(case):
    bill, kind, parts = case
    assert sum(p.total_minor for p in parts) == bill.total_minor
    for p in parts:
        assert min(p.total_minor, p.vat_minor, p.net_minor) >= 0
        assert p.vat_minor + p.net_minor == p.total_minor
        assert p.vat_minor == vat_of_gross(p.total_minor, bill.rule.rate_bp)
    assert abs(sum(p.vat_minor for p in parts) - bill.vat_minor) <= len(parts) // 2
    assert [p.number for p in parts] == list(range(1, len(parts) + 1))
    if kind in ("whole", "items", "seat"):
        for b in bill.lines:
            shares = [pl for p in parts for pl in p.lines if pl.line_id == b.line.id]
            assert sum(pl.quantity for pl in shares) == b.line.quantity
            assert sum(pl.amount_minor for pl in shares) == b.amount_minor
    else:
        assert all(p.lines == () for p in parts)


@PROPERTY
@given(total=st.integers(0, 10**7), weights=st.lists(st.integers(0, 10**5), min_size=1))
def test_allocate_is_exact_and_within_one_of_the_exact_share(total, weights):
    shares = split.allocate(total, weights)
    assert sum(shares) == total
    whole = sum(weights) or len(weights)
    for share, weight in zip(shares, weights if any(weights) else [1] * len(weights), strict=True):
        assert weight * total // whole <= share <= -(-weight * total // whole)
