"""The recipe book: what one portion of each dish and each modifier takes from stock, as raw
thousandths per ingredient, with other dishes it uses expanded. Cached per menu version (a
recipe or an ingredient row written bumps it, pos_app.menu.cache), like the menu itself.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.menu.cache import menu_snapshot
from pos_app.pipeline import pending
from pos_app.stock.models import Ingredient, RecipeLine

MAX_DEPTH = 8  # a dish inside a dish inside ...: deeper is refused when saved


@dataclass(frozen=True)
class IngredientValue:
    id: int
    code: str
    name: str
    name_ar: str
    unit: str
    cost_minor: int
    cost_per_milli: int
    par_milli: int
    reorder_milli: int
    active: bool


@dataclass
class RecipeBook:
    version: int
    ingredients: dict[int, IngredientValue] = field(default_factory=dict)
    items: dict[int, dict[int, int]] = field(default_factory=dict)  # item -> {ingredient: milli}
    modifiers: dict[int, dict[int, int]] = field(default_factory=dict)
    # ingredient -> the dishes and modifiers that need it (for 86 and alerts)
    item_users: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    modifier_users: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def per_unit(self, item_id: int, modifier_ids) -> dict[int, int]:
        """One portion of a dish with these modifiers (a "no onion" takes its onion back,
        never below none)."""
        need = dict(self.items.get(item_id, {}))
        for modifier_id in modifier_ids:
            for ingredient, milli in self.modifiers.get(modifier_id, {}).items():
                need[ingredient] = need.get(ingredient, 0) + milli
        return {i: m for i, m in need.items() if m > 0}


def raw_milli(quantity_milli: int, yield_pct: int, waste_pct: int) -> int:
    """What a plate's quantity takes from stock: over the yield, plus the waste, rounded up
    to the thousandth (a negative quantity, a modifier taking something off, rounds down)."""
    num = abs(quantity_milli) * (100 + waste_pct)
    den = max(yield_pct, 1)
    whole = -(-num // den)  # rounded up
    return whole if quantity_milli >= 0 else -whole


_lock = threading.Lock()
_cached: dict[str, RecipeBook] = {}


def recipe_book(session: Session) -> RecipeBook:
    """The current recipe book (rebuilt when the menu version moved)."""
    work = pending(session)
    book = work.recipes
    if book is not None:
        return book
    version = menu_snapshot(session).version
    key = str(session.get_bind().url)
    book = _cached.get(key)
    if book is None or book.version != version or work.menu_bumped:
        book = _load(session, version)
        if not work.menu_bumped:  # as the menu's: a writer's book is its own
            with _lock:
                _cached[key] = book
    work.recipes = book
    return book


def _load(session: Session, version: int) -> RecipeBook:
    book = RecipeBook(version)
    for i in session.scalars(select(Ingredient)):
        book.ingredients[i.id] = IngredientValue(
            i.id,
            i.code,
            i.name,
            i.name_ar or i.name,
            i.unit,
            i.cost_minor,
            i.cost_per_milli,
            i.par_milli,
            i.reorder_milli,
            i.active,
        )
    direct: dict[int, list] = defaultdict(list)
    on_modifier: dict[int, list] = defaultdict(list)
    for r in session.scalars(select(RecipeLine).where(RecipeLine.active)):
        target = direct[r.item_id] if r.item_id is not None else on_modifier[r.modifier_id]
        target.append(r)

    def expand(item_id: int, depth: int) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        if depth > MAX_DEPTH:
            return out
        for r in direct.get(item_id, ()):
            if r.ingredient_id is not None:
                out[r.ingredient_id] += raw_milli(r.quantity_milli, r.yield_pct, r.waste_pct)
            else:
                portions = r.quantity_milli  # thousandths of a portion of the other dish
                for ing, milli in expand(r.uses_item_id, depth + 1).items():
                    out[ing] += -((-milli * portions) // 1000)
        return out

    for item_id in direct:
        book.items[item_id] = {i: m for i, m in expand(item_id, 0).items() if m}
    for modifier_id, rows in on_modifier.items():
        out: dict[int, int] = defaultdict(int)
        for r in rows:
            if r.ingredient_id is not None:
                out[r.ingredient_id] += raw_milli(r.quantity_milli, r.yield_pct, r.waste_pct)
            else:
                for ing, milli in expand(r.uses_item_id, 1).items():
                    out[ing] += -((-milli * r.quantity_milli) // 1000)
        book.modifiers[modifier_id] = {i: m for i, m in out.items() if m}
    for item_id, need in book.items.items():
        for ing in need:
            book.item_users[ing].add(item_id)
    for modifier_id, need in book.modifiers.items():
        for ing, milli in need.items():
            if milli > 0:
                book.modifier_users[ing].add(modifier_id)
    return book
