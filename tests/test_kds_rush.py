"""`flask pos rush`: the Friday-night run a reviewer loads into the demo to see a busy screen."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from kds.models import KitchenTicket, TicketStatus
from pos_app.branch.models import Branch
from pos_app.clock import utcnow
from pos_app.menu.models import Station
from pos_app.orders.models import Order


def rush(runner, *args):
    return runner.invoke(args=["pos", "rush", *args])


def test_the_run_leaves_a_busy_grill_live_late_and_held(demo, runner, db):
    result = rush(runner, "--orders", "30")
    assert result.exit_code == 0, result.output
    with db(write=False) as s:
        grill = s.scalar(select(Station).where(Station.code == "grill"))
        assert len(s.scalars(select(Order)).all()) == 30
        tickets = s.scalars(
            select(KitchenTicket).where(KitchenTicket.status != TicketStatus.done)
        ).all()
        at_grill = [t for t in tickets if t.station_id == grill.id]
        live = [t for t in at_grill if not t.held]
        late = [t for t in live if (utcnow() - t.fired_at).total_seconds() >= grill.late_after_s]
        held = [t for t in at_grill if t.held]
        started = [t for t in live if t.status == TicketStatus.started]
        cards = Counter((t.order_id, t.course) for t in tickets if t.is_expo)
        allergies = [li.allergy for t in at_grill for li in t.lines if li.allergy]
    assert result.output.startswith(
        f"30 orders sent over the last 40 min. The grill screen has {len(at_grill)} open "
        f"tickets: {len(live)} live ({len(late)} late), {len(held)} held."
    )
    assert len(at_grill) >= 30 and live and late and held and started and allergies
    assert max(cards.values()) == 1, "expo: one open card per order and course"
    again = rush(runner, "--orders", "30")  # the tables are taken now: takeaways instead
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--station", "expo"], "no active kitchen station with the code 'expo'"),
        (["--station", "nope"], "no active kitchen station with the code 'nope'"),
        (["--orders", "0"], "0 is not in the range 1<=x<=200"),
        (["--orders", "many"], "'many' is not a valid integer"),
        (["--minutes", "100000"], "100000 is not in the range 1<=x<=240"),
    ],
)
def test_the_run_refuses_what_it_cannot_do(demo, runner, db, args, message):
    result = rush(runner, *args)
    assert result.exit_code != 0 and message in result.output, result.output
    with db(write=False) as s:
        assert s.scalars(select(Order)).all() == []


def test_the_run_refuses_a_restaurant_that_is_not_the_demo(demo, runner, db):
    with db() as s:
        s.scalar(select(Branch)).name = "Al Baik Olaya"
    result = rush(runner, "--orders", "2")
    assert result.exit_code != 0
    assert "Al Baik Olaya is not the demo restaurant" in result.output
    with db(write=False) as s:
        assert s.scalars(select(Order)).all() == []
    assert rush(runner, "--orders", "2", "--force").exit_code == 0


def test_the_run_on_the_demo_with_stock_skips_what_ran_out(demo_stock, runner, db):
    result = rush(runner, "--orders", "30")
    assert result.exit_code == 0, result.output
    with db(write=False) as s:
        taken = len(s.scalars(select(Order)).all())
    assert "orders were refused: a dish had run out of stock (86)" in result.output
    refused = int(result.output.split("orders were refused")[0].split()[-1])
    assert taken + refused == 30 and taken >= 1
