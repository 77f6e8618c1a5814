"""The Friday-night run: a busy service loaded into a branch, to see its kitchen screens under
load (`flask --app pos_app pos rush --orders 30`).

Orders go through the same services as a handheld and a cook (open and fire, start, bump,
expo's Ready, fire the next course), each at its own moment of the last `minutes`: the clock
of this process is set back for each step, so tickets carry real-looking fire times, some
late, some held. A screen already open picks them up at its next catch-up (every 15 s), or
at once on a reload; with POS_REDIS_URL set, the pushes reach it live.
"""

from __future__ import annotations

import json
import random
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from kds import services as kitchen
from kds.models import KitchenTicket, TicketStatus
from pos_app import clock
from pos_app.auth.actor import Actor
from pos_app.auth.models import Role, Staff
from pos_app.branch.services import current_branch
from pos_app.db import Base, unit_of_work
from pos_app.demo import DEMO_FILE
from pos_app.errors import PosError
from pos_app.menu.cache import ItemValue, menu_snapshot
from pos_app.orders import services as orders
from pos_app.orders.models import OPEN_STATUSES, Order
from pos_app.orders.schemas import OrderInSchema

ALLERGIES = ("nuts", "sesame", "gluten", "dairy", "shellfish")
NOTES = ("no garlic", "extra crispy", "sauce on the side", "well rested", "no salt")
GUESTS = ("Ali", "Noura", "Faisal", "Huda", "Yousef", "Reem", "Majed", "Lama")
# Minutes after an order is sent: the cook starts its first course, bumps it, expo calls
# it ready, the waiter fires the next course, and the cook bumps every other one of those.
START, BUMP, READY, NEXT_COURSE, BUMP_NEXT = 6, 11, 12, 14, 25


@dataclass
class Plan:
    """What one order will go through, and when."""

    at: datetime
    body: dict
    courses: list[int]
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    order_id: str = ""


@contextmanager
def clock_at(instant: datetime):
    """Run as if it were `instant` (this process only), then back to now."""
    shift = (instant - clock.utcnow()).total_seconds()
    clock.advance(shift)
    try:
        yield
    finally:
        clock.advance(-shift)


def load_rush(
    orders_count: int = 30, station_code: str = "grill", minutes: int = 40, seed=15, force=False
):
    """Send `orders_count` orders over the last `minutes`, each with courses at the station,
    and play the kitchen's work on them up to now; what the station's screen now shows."""
    with unit_of_work(write=False) as s:
        _refuse_a_real_restaurant(s, force)
        station = _station(s, station_code)
        waiter, cook = _actor(s, (Role.waiter,)), _actor(s, (Role.kitchen, Role.manager))
        plans = _plans(s, station, orders_count, minutes, random.Random(seed))
    now = clock.utcnow()
    steps = sorted(
        ((at, i, what) for i, p in enumerate(plans) for at, what in p.steps if at <= now),
        key=lambda step: (step[0], step[1]),
    )
    sold_out: set[int] = set()
    for at, i, what in steps:
        if i in sold_out:
            continue
        try:
            with clock_at(at), unit_of_work() as s:
                _play(s, plans[i], what, waiter, cook, station.id)
        except PosError as exc:
            if exc.code != "sold_out":  # the demo's lamb runs out: that order is not taken
                raise
            sold_out.add(i)
    with unit_of_work(write=False) as s:
        return {**_summary(s, station, now), "sold_out": len(sold_out)}


def _refuse_a_real_restaurant(session: Session, force: bool) -> None:
    # The orders are real: they print chits, take tables and stay open. Only the demo.
    branch = current_branch(session)
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["branch"]["name"]["en"]
    if branch is None:
        raise click.ClickException("no restaurant here yet: load the demo first (pos demo)")
    if branch.name != demo and not force:
        raise click.ClickException(
            f"{branch.name} is not the demo restaurant: the run sends real orders to its "
            "kitchen and printers (--force to do it anyway)"
        )


def _station(session: Session, code: str):
    station = next((st for st in menu_snapshot(session).active_stations() if st.code == code), None)
    if station is None or station.is_expo:
        raise click.ClickException(f"no active kitchen station with the code {code!r}")
    return station


def _actor(session: Session, roles) -> Actor:
    staff = session.scalar(
        select(Staff).where(Staff.active, Staff.role.in_(roles)).order_by(Staff.id).limit(1)
    )
    if staff is None:
        names = " or ".join(r.value for r in roles)
        raise click.ClickException(f"no active {names} to play the service with")
    return Actor.of(staff)


def _plans(session: Session, station, count: int, minutes: int, rng) -> list[Plan]:
    menu = menu_snapshot(session)
    sellable = [i for i in menu.items.values() if i.sellable]
    by_course: dict[int, list[ItemValue]] = {}
    for item in sellable:
        if item.station_id == station.id:
            by_course.setdefault(item.course, []).append(item)
    courses = sorted(by_course)[:2]
    if not courses:
        raise click.ClickException(f"nothing on the menu is cooked at {station.code}")
    extras = [i for i in sellable if i.station_id != station.id and i.course in (0, 1)]
    tables = _free_tables(session)
    start = clock.utcnow() - timedelta(minutes=minutes)
    step = timedelta(minutes=minutes) / max(count, 1)
    plans = []
    for i in range(count):
        lines = [
            _line(menu, rng.choice(by_course[c]), rng, c, allergy=i % 5 == 2 and c == courses[0])
            for c in courses
            for _ in range(rng.choice((1, 1, 2)))
        ]
        if extras and i % 2 == 0:
            extra = rng.choice(extras)
            lines.append(_line(menu, extra, rng, extra.course))
        body = _order_body(i, lines, tables, rng)
        at = start + step * i
        plan = Plan(at=at, body=body, courses=courses)
        plan.steps = [(at, "send"), (at + timedelta(minutes=START), "start")]
        plan.steps += [
            (at + timedelta(minutes=BUMP), "bump"),
            (at + timedelta(minutes=READY), "ready"),
        ]
        if len(courses) > 1:
            plan.steps.append((at + timedelta(minutes=NEXT_COURSE), "next_course"))
            if i % 2 == 0:
                plan.steps.append((at + timedelta(minutes=BUMP_NEXT), "bump_next"))
        plans.append(plan)
    return plans


def _line(menu, item: ItemValue, rng, course: int, allergy: bool = False) -> dict:
    mods = []
    for group_id in item.group_ids:
        group = menu.groups[group_id]
        choices = [m.id for m in menu.modifiers.values() if m.group_id == group_id and m.active]
        wanted = group.min_choices or (1 if rng.random() < 0.3 and group.max_choices else 0)
        mods += rng.sample(choices, min(wanted, len(choices)))
    return {
        "id": str(uuid.uuid4()),
        "item_id": item.id,
        "quantity": rng.choice((1, 1, 1, 2, 3)),
        "modifier_ids": mods,
        "note": rng.choice(NOTES) if rng.random() < 0.25 else "",
        "allergy": rng.choice(ALLERGIES) if allergy else "",
        "course": course,
    }


def _free_tables(session: Session) -> list[int]:
    # Through the schema's table registry: the kitchen package does not import table_service.
    table = Base.metadata.tables["dining_table"]
    taken = select(Order.table_id).where(
        Order.table_id.is_not(None), Order.status.in_(OPEN_STATUSES)
    )
    rows = session.execute(
        select(table.c.id).where(table.c.active, table.c.id.not_in(taken)).order_by(table.c.id)
    )
    return [row.id for row in rows]


def _order_body(i: int, lines: list[dict], tables: list[int], rng) -> dict:
    body = {"id": str(uuid.uuid4()), "lines": lines, "fire": True, "rush": i % 10 == 7}
    if tables:
        body.update(type="dine_in", table_id=tables.pop(0), guests=rng.randint(2, 6))
        for n, line in enumerate(body["lines"]):
            line["seat"] = n % body["guests"] + 1
    elif i % 3:
        body.update(type="takeaway", customer_name=rng.choice(GUESTS))
    else:
        body.update(
            type="delivery",
            customer_name=rng.choice(GUESTS),
            customer_phone="0500000000",
            customer_address="King Fahd Rd",
        )
    return OrderInSchema().load(body)


def _play(session, plan: Plan, what: str, waiter, cook, station_id: int) -> None:
    if what == "send":
        order, _ = orders.create_order(session, waiter, plan.body)
        plan.order_id = order.id
        return
    first, later = plan.courses[0], plan.courses[1:]
    if what == "next_course":
        order = orders.get_order(session, plan.order_id)
        orders.fire_order(session, waiter, order.id, order.version, course=later[0])
        return
    course = first if what in ("start", "bump", "ready") else later[0]
    tickets = session.scalars(
        select(KitchenTicket).where(
            KitchenTicket.order_id == plan.order_id,
            KitchenTicket.status != TicketStatus.done,
            KitchenTicket.held.is_(False),
        )
    ).all()
    for ticket in tickets:
        mine = ticket.course == course or (ticket.course == 0 and what == "bump")
        cooked = what in ("bump", "bump_next") and mine and not ticket.is_expo
        served = what == "ready" and ticket.is_expo and ticket.course == course
        try:
            if what == "start" and mine and ticket.station_id == station_id:
                kitchen.start_ticket(session, cook, ticket.id)
            elif cooked or served:
                kitchen.bump_ticket(session, cook, ticket.id)
        except PosError:
            pass  # e.g. expo waiting for a station this order never reached: left open


def _summary(session: Session, station, now: datetime) -> dict:
    from pos_app.menu.models import Station

    row = session.get(Station, station.id)
    tickets = session.scalars(
        select(KitchenTicket).where(
            KitchenTicket.station_id == station.id, KitchenTicket.status != TicketStatus.done
        )
    ).all()
    live = [t for t in tickets if not t.held]
    late = [t for t in live if (now - t.fired_at).total_seconds() >= row.late_after_s]
    return {
        "station": station.code,
        "open": len(tickets),
        "live": len(live),
        "late": len(late),
        "held": len(tickets) - len(live),
    }


@click.command("rush")
@click.option("--orders", "count", default=30, show_default=True, type=click.IntRange(1, 200))
@click.option("--station", "code", default="grill", show_default=True, help="station code")
@click.option(
    "--minutes",
    default=40,
    show_default=True,
    type=click.IntRange(1, 240),
    help="how long the service has been going",
)
@click.option("--seed", default=15, show_default=True, help="the same seed, the same service")
@click.option("--force", is_flag=True, help="run it on a restaurant that is not the demo")
@with_appcontext
def rush_command(count: int, code: str, minutes: int, seed: int, force: bool):
    """Load a busy service (the Friday-night run) to look at the kitchen screens."""
    got = load_rush(count, code, minutes, seed, force)
    click.echo(
        f"{count} orders sent over the last {minutes} min. The {got['station']} screen has "
        f"{got['open']} open tickets: {got['live']} live ({got['late']} late), "
        f"{got['held']} held. Open /kds?station={got['station']} (an open screen catches "
        "up within 15 s)."
    )
    if got["sold_out"]:
        click.echo(f"{got['sold_out']} orders were refused: a dish had run out of stock (86).")
