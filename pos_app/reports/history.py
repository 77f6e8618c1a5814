"""A past for the demo restaurant: `flask pos demo-history` writes a file of past sales in the
import format (importer.py) from the demo's own menu and waiters, and imports it, so the
dashboard has months to show on a fresh `make run`. Fixed seed: the same history each time."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.reports.importer import COLUMNS

# Receipts on a weekday's business hours, by local hour (lunch and dinner peaks).
HOURS = {
    11: 3,
    12: 8,
    13: 9,
    14: 5,
    15: 2,
    16: 2,
    17: 3,
    18: 5,
    19: 8,
    20: 10,
    21: 9,
    22: 6,
    23: 3,
    0: 2,
    1: 1,
}
WEEKDAY = (0.8, 0.8, 0.9, 1.1, 1.4, 1.5, 1.0)  # Monday .. Sunday


def demo_history_csv(session: Session, today: date, days: int, seed: int = 20) -> str:
    """The CSV of `days` business days of sales before `today`."""
    from pos_app.auth.models import Role, Staff
    from pos_app.menu.models import Category, MenuItem

    rng = random.Random(seed)
    items = session.execute(
        select(
            MenuItem.name, MenuItem.name_ar, MenuItem.price_minor, Category.name, Category.name_ar
        )
        .join(Category, Category.id == MenuItem.category_id)
        .where(MenuItem.active, MenuItem.price_minor > 0)
        .order_by(MenuItem.id)
    ).all()
    waiters = list(
        session.scalars(select(Staff.name).where(Staff.role == Role.waiter).order_by(Staff.id))
    ) or ["Waiter"]
    popular = [1.0 / (1 + i % 7) for i in range(len(items))]
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [c for c in COLUMNS if c != "vat"]  # the importer works the VAT out
    writer.writerow(columns)
    number = 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        growth = 0.8 + 0.4 * (days - back) / max(days, 1)
        for hour, weight in HOURS.items():
            for _ in range(int(rng.gauss(weight, 1.0) * WEEKDAY[day.weekday()] * growth + 0.5)):
                number += 1
                kind = rng.choices(("dine_in", "takeaway", "delivery"), (6, 3, 2))[0]
                staff = rng.choice(waiters)
                payment = rng.choices(("card", "cash"), (7, 3))[0]
                for name, name_ar, price, category, category_ar in rng.choices(
                    items, popular, k=rng.randint(1, 4)
                ):
                    quantity = rng.choices((1, 2, 3), (8, 3, 1))[0]
                    amount = price * quantity
                    writer.writerow(
                        [
                            f"D{number:07d}",
                            day.isoformat(),
                            hour,
                            kind,
                            staff,
                            name,
                            name_ar,
                            category,
                            category_ar,
                            quantity,
                            f"{amount // 100}.{amount % 100:02d}",
                            payment,
                        ]
                    )
    return out.getvalue()
