"""The demo restaurant's stock (pos_app/data/demo_stock.json): suppliers, ingredients with
their opening level (an "opening" purchase movement: a level is the sum of its movements),
par and reorder point, and the recipes of its dishes and modifiers."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.demo import PROJECT_DIR  # noqa: E402  (pos_app.demo does not import this)
from pos_app.menu.models import MenuItem, Modifier, ModifierGroup
from pos_app.stock import moves
from pos_app.stock.models import Ingredient, RecipeLine, StockLevel, Supplier

DEMO_STOCK = PROJECT_DIR / "pos_app" / "data" / "demo_stock.json"


def load_demo_stock(session: Session, scale: int = 1) -> None:
    """Write the demo's stock in the caller's transaction (after its menu); opening levels
    times `scale` (benchmarks sell thousands of orders)."""
    data = json.loads(DEMO_STOCK.read_text(encoding="utf-8"))
    suppliers = {}
    for n, s in enumerate(data["suppliers"]):
        row = Supplier(
            name=s["name"], name_ar=s["name_ar"], phone=s["phone"], lead_days=s["lead_days"], sort=n
        )
        session.add(row)
        suppliers[s["name"]] = row
    session.flush()
    ingredients = {}
    for n, i in enumerate(data["ingredients"]):
        per = 1000 if i["unit"] == "piece" else 1_000_000  # a piece, else a kg or a litre
        row = Ingredient(
            code=i["code"],
            name=i["en"],
            name_ar=i["ar"],
            unit=i["unit"],
            cost_minor=i["cost"],
            cost_per_milli=per,
            par_milli=i["par"] * 1000,
            reorder_milli=i["reorder"] * 1000,
            barcode=i.get("barcode"),
            supplier_id=suppliers[i["supplier"]].id,
            sort=n,
        )
        session.add(row)
        ingredients[i["code"]] = (row, i["level"] * 1000 * scale)
    session.flush()
    for row, _level in ingredients.values():
        session.add(StockLevel(ingredient_id=row.id, quantity_milli=0))
    items = {i.name: i.id for i in session.scalars(select(MenuItem))}
    modifiers = {
        f"{g.code}/{m.name}": m.id
        for m, g in session.execute(select(Modifier, ModifierGroup).join(ModifierGroup))
    }
    for owner, lines, key in (
        *((items[name], lines, "item_id") for name, lines in data["recipes"].items()),
        *(
            (modifiers[name], lines, "modifier_id")
            for name, lines in data["modifier_recipes"].items()
        ),
    ):
        for n, (code, quantity, *yield_pct) in enumerate(lines):
            session.add(
                RecipeLine(
                    **{key: owner},
                    ingredient_id=ingredients[code][0].id,
                    quantity_milli=quantity * 1000,
                    yield_pct=yield_pct[0] if yield_pct else 100,
                    waste_pct=0,
                    sort=n,
                )
            )
    session.flush()
    opening = {row.id: level for row, level in ingredients.values()}
    moves.move(session, None, "purchase", opening, ref="opening", reason="opening stock")
