"""Moving stock: every change of a level is a movement written with it, in the caller's
transaction, so a level is always the sum of its movements and a rolled-back sale moved
nothing. Sales take stock when their lines are fired (pos_app.orders.services), voids and
cancels before cooking give it back, refunds with `restock` bring it back.

After a movement, the dishes and modifiers that need the ingredient are marked out of stock
(or back in) when they cross one portion, which bumps the menu version: every handheld greys
them at once (`menu_changed`). Crossing the reorder point, or running out, alerts managers'
dashboards and the kitchen screens (`stock_alert`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.errors import Conflict
from pos_app.menu.cache import menu_snapshot
from pos_app.menu.models import MenuItem, Modifier
from pos_app.realtime import push_after_commit
from pos_app.reports import facts
from pos_app.rooms import FLOOR, KDS, REPORTS_ROOM
from pos_app.stock import units
from pos_app.stock.models import StockLevel
from pos_app.stock.recipes import RecipeBook, recipe_book

SALE_KINDS = ("sale", "void", "refund")
KINDS = (*SALE_KINDS, "waste", "purchase", "transfer_in", "transfer_out", "count")


def move(
    session: Session,
    actor,
    kind: str,
    quantities: dict[int, int],
    *,
    reason: str = "",
    ref: str = "",
    order=None,
    line=None,
    cost_minor: dict[int, int] | None = None,
    refuse_short: bool = False,
) -> list[dict]:
    """Move each ingredient's level by its signed thousandths, writing one movement each.
    `refuse_short`: a sale that would take a level below nothing is refused (409) and, the
    caller's transaction rolling back, moves nothing. Returns the movements."""
    return move_parts(
        session,
        actor,
        kind,
        [(line, quantities)],
        reason=reason,
        ref=ref,
        order=order,
        cost_minor=cost_minor,
        refuse_short=refuse_short,
    )


def move_parts(
    session: Session,
    actor,
    kind: str,
    parts: list[tuple],
    *,
    reason: str = "",
    ref: str = "",
    order=None,
    cost_minor: dict[int, int] | None = None,
    refuse_short: bool = False,
) -> list[dict]:
    """move() for several lines at once, [(line or None, {ingredient: thousandths})]: each
    level changes once by the lines' sum (a fire of five lines is one UPDATE per ingredient),
    each line gets its own movements."""
    book = recipe_book(session)
    totals: dict[int, int] = {}
    for _line, quantities in parts:
        for ingredient_id, milli in quantities.items():
            if milli and ingredient_id in book.ingredients:
                totals[ingredient_id] = totals.get(ingredient_id, 0) + milli
    totals = {i: m for i, m in totals.items() if m}
    if not totals:
        return []
    now = utcnow()
    branch = current_branch(session)
    day = business_day(branch, now) if branch else now.date()
    crossed: dict[int, tuple[int, int]] = {}
    # One order for every writer: two sales at once lock levels alike and queue, no deadlock.
    for ingredient_id in sorted(totals):
        milli = totals[ingredient_id]
        level = _add_to_level(session, ingredient_id, milli, now)
        crossed[ingredient_id] = (level - milli, level)
        if refuse_short and milli < 0 and level < 0:
            ing = book.ingredients[ingredient_id]
            dish = next((ln.name for ln, q in parts if ln is not None and q.get(ingredient_id)), "")
            raise Conflict(
                f"{dish or ing.name} is out of stock: "
                f"{ing.name} has {units.label(level - milli, ing.unit)}, "
                f"{units.label(-milli, ing.unit)} needed",
                {"lines": [f"{ing.name}: out of stock"]},
                "sold_out" if dish else "not_enough_stock",
                extra={"ingredient": ing.code},
            )
    running = {i: before for i, (before, _after) in crossed.items()}
    menu = menu_snapshot(session)
    rows = []
    for line, quantities in parts:
        item = menu.items.get(line.item_id) if line is not None else None
        for ingredient_id in sorted(quantities):
            milli = quantities[ingredient_id]
            if not milli or ingredient_id not in totals:
                continue
            ing = book.ingredients[ingredient_id]
            running[ingredient_id] += milli
            cost = (cost_minor or {}).get(ingredient_id)
            if cost is None:
                cost = units.cost_of(milli, ing.cost_minor, ing.cost_per_milli)
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "business_day": day.isoformat(),  # facts travel as JSON
                    "at": now.isoformat(),
                    "kind": kind,
                    "ingredient": ing.code,
                    "ingredient_name": ing.name,
                    "ingredient_ar": ing.name_ar,
                    "unit": ing.unit,
                    "qty_milli": milli,
                    "cost_minor": cost,
                    "level_milli": running[ingredient_id],
                    "item": line.name if line is not None else "",
                    "item_ar": (line.name_ar or line.name) if line is not None else "",
                    "category": item.category if item else "",
                    "category_ar": item.category_ar if item else "",
                    "order_number": order.number if order is not None else 0,
                    "line_id": line.id if line is not None else "",
                    "ref": str(ref)[:64],
                    "reason": str(reason)[:200],
                    "actor": actor.name if actor is not None else "",
                }
            )
    for ingredient_id, (before, after) in crossed.items():
        _alert_if_crossed(session, book, book.ingredients[ingredient_id], before, after)
    facts.record(session, {"stock": rows})
    _refresh_crossed(session, book, crossed)
    return rows


def _refresh_crossed(session: Session, book: RecipeBook, crossed: dict) -> None:
    """refresh_availability for the dishes and modifiers whose state may have changed: one
    that takes an ingredient now short of its portion and is not out yet, or one that is out
    and whose ingredient now holds a portion again. A sale with stock to spare reads nothing."""
    menu = menu_snapshot(session)
    maybe = set()
    for ingredient_id, (_before, level) in crossed.items():
        for item_id in book.item_users.get(ingredient_id, ()):
            item = menu.items.get(item_id)
            short = level < book.items[item_id][ingredient_id]
            if item is not None and short != item.stock_out:
                maybe.add(ingredient_id)
        for modifier_id in book.modifier_users.get(ingredient_id, ()):
            modifier = menu.modifiers.get(modifier_id)
            short = level < book.modifiers[modifier_id][ingredient_id]
            if modifier is not None and short != modifier.stock_out:
                maybe.add(ingredient_id)
    if maybe:
        refresh_availability(session, maybe)


_LEVEL = StockLevel.__table__


def _add_to_level(session: Session, ingredient_id: int, milli: int, now) -> int:
    """Add to the level (made at 0 the first time) and return it; the row stays locked until
    the transaction ends (PostgreSQL), so a second sale of the last portion waits and sees it.
    Core on the session's connection: no autoflush, so an order being taken is still written
    in one INSERT per table at the end, not flushed half-made here."""
    connection = session.connection()
    add = (
        _LEVEL.update()
        .where(_LEVEL.c.ingredient_id == ingredient_id)
        .values(quantity_milli=_LEVEL.c.quantity_milli + milli, updated_at=now)
        .returning(_LEVEL.c.quantity_milli)
    )
    result = connection.execute(add).scalar()
    if result is None:  # no row yet (an ingredient made before levels were kept), or one
        session.flush()  # added in this transaction and not flushed: flushed, then again
        result = connection.execute(add).scalar()
    if result is None:
        connection.execute(
            _LEVEL.insert().values(
                ingredient_id=ingredient_id, quantity_milli=milli, updated_at=now
            )
        )
        return milli
    return result


def levels(session: Session, ingredient_ids=None) -> dict[int, int]:
    """The levels now (ingredient -> thousandths); none held counts as 0."""
    stmt = select(StockLevel.ingredient_id, StockLevel.quantity_milli)
    if ingredient_ids is not None:
        stmt = stmt.where(StockLevel.ingredient_id.in_(list(ingredient_ids)))
    return dict(session.execute(stmt).all())


def state_of(level: int, reorder_milli: int) -> str:
    """out (nothing left), low (at or below the reorder point) or ok."""
    if level <= 0:
        return "out"
    if reorder_milli and level <= reorder_milli:
        return "low"
    return "ok"


def _alert_if_crossed(session: Session, book: RecipeBook, ing, before: int, after: int) -> None:
    was, now = state_of(before, ing.reorder_milli), state_of(after, ing.reorder_milli)
    if was == now:
        return
    alert = {
        "ingredient": ing.code,
        "name": {"en": ing.name, "ar": ing.name_ar},
        "unit": ing.unit,
        "level": units.show(after),
        "level_label": units.label(after, ing.unit),
        "reorder": units.show(ing.reorder_milli),
        "par": units.show(ing.par_milli),
        "state": now,
        "was": was,
        "items": sorted(
            menu_snapshot(session).items[i].name
            for i in book.item_users.get(ing.id, ())
            if i in menu_snapshot(session).items
        ),
    }
    push_after_commit(session, FLOOR, REPORTS_ROOM, "stock_alert", alert)
    push_after_commit(session, KDS, None, "stock_alert", alert)


def short_items(session: Session, book: RecipeBook, ingredient_ids) -> tuple[dict, dict]:
    """{item id: short?} and {modifier id: short?} for the users of these ingredients."""
    item_ids = set().union(*(book.item_users.get(i, set()) for i in ingredient_ids))
    modifier_ids = set().union(*(book.modifier_users.get(i, set()) for i in ingredient_ids))
    needed = set()
    for i in item_ids:
        needed.update(book.items[i])
    for m in modifier_ids:
        needed.update(book.modifiers[m])
    held = levels(session, needed)

    def short(need: dict[int, int]) -> bool:
        return any(
            milli > 0 and held.get(ing, 0) < milli
            for ing, milli in need.items()
            if book.ingredients.get(ing) and book.ingredients[ing].active
        )

    return (
        {i: short(book.items[i]) for i in item_ids},
        {m: short(book.modifiers[m]) for m in modifier_ids},
    )


def refresh_availability(session: Session, ingredient_ids) -> None:
    """Mark the dishes and modifiers that need these ingredients out of stock, or back, where
    that changed (a menu write: the version moves and every handheld reloads its menu)."""
    book = recipe_book(session)
    items, mods = short_items(session, book, ingredient_ids)
    changed = False
    for model, wanted in ((MenuItem, items), (Modifier, mods)):
        for out in (True, False):
            ids = [i for i, short in wanted.items() if short is out]
            if not ids:
                continue
            for row in session.scalars(
                select(model).where(model.id.in_(ids), model.stock_out != out)
            ):
                row.stock_out, changed = out, True
    if changed:
        session.flush()


# --- sales -------------------------------------------------------------------------------


def line_need(book: RecipeBook, line, quantity: int, modifiers) -> dict[int, int]:
    """What `quantity` of an order line takes (its modifiers as the kitchen has them)."""
    per = book.per_unit(line.item_id, [m.get("id") for m in modifiers or () if isinstance(m, dict)])
    return {ing: milli * quantity for ing, milli in per.items()}


def lock_levels(session: Session, ingredient_ids) -> None:
    """Lock these levels' rows at once, in one order (PostgreSQL): a fire of several lines
    then updates them line by line without two fires deadlocking on each other's order."""
    ids = sorted(set(ingredient_ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(StockLevel.ingredient_id)
            .where(StockLevel.ingredient_id.in_(ids))
            .order_by(StockLevel.ingredient_id)
            .with_for_update()
        ).all()


def sync_lines(session: Session, actor, order, lines, reason: str = "") -> None:
    """Bring what each line has taken from stock to what the kitchen was sent: more is a
    sale (refused whole, 409, when stock is short), less is given back (a void before
    cooking; after cooking the food is waste: given back and written off with the reason).
    Every level the lines touch is changed once, locked in one order first."""
    book = recipe_book(session)
    if not book.items and not book.modifiers:
        return
    sales, backs, wasted = [], [], []
    for line in lines:
        target = line_need(book, line, line.sent_quantity, line.sent_modifiers)
        taken = {int(k): v for k, v in (line.stock_taken or {}).items()}
        more = {i: taken.get(i, 0) - t for i, t in target.items() if t > taken.get(i, 0)}
        less = {i: v - target.get(i, 0) for i, v in taken.items() if v > target.get(i, 0)}
        if more or less:
            # Set before any query: a line made in this transaction is inserted with it.
            line.stock_taken = {str(i): m for i, m in target.items() if m}
        if more:
            sales.append((line, more))
        if less:
            backs.append((line, less))
            if cooked(order, line):
                wasted.append((line, {i: -m for i, m in less.items()}))
    if not (sales or backs):
        return
    needed = {i for _line, q in (*sales, *backs) for i in q}
    if len(needed) > 1:
        lock_levels(session, needed)
    if sales:
        move_parts(session, actor, "sale", sales, order=order, refuse_short=True)
    if backs:
        move_parts(session, actor, "void", backs, order=order, reason=reason)
    if wasted:
        why = f"voided after cooking: {reason}" if reason else "voided after cooking"
        move_parts(session, actor, "waste", wasted, order=order, reason=why)


def sync_line(session: Session, actor, order, line, reason: str = "") -> None:
    """sync_lines for one line."""
    sync_lines(session, actor, order, [line], reason)


def cooked(order, line) -> bool:
    """The line was cooked already: everything fired with it was called ready."""
    return bool(order.ready_at and line.fired_at and line.fired_at <= order.ready_at)


def give_back_order(session: Session, actor, order, reason: str) -> None:
    """A cancelled order's stock: given back (written off as waste where it was cooked)."""
    lock_levels(session, {int(k) for line in order.lines for k in (line.stock_taken or {})})
    for line in order.lines:
        if line.stock_taken:
            saved = line.sent_quantity
            line.sent_quantity = 0
            sync_line(session, actor, order, line, reason)
            line.sent_quantity = saved


def restock_refund(session: Session, actor, refunded: list[tuple[str, int]], doc: str, reason):
    """Goods of a refund that came back (`restock`): each order line's units, as sold."""
    from pos_app.orders.models import OrderLine

    book = recipe_book(session)
    lines = [(session.get(OrderLine, line_id), quantity) for line_id, quantity in refunded]
    lock_levels(
        session,
        {
            i
            for line, _ in lines
            if line is not None
            for i in line_need(book, line, 1, line.sent_modifiers or line.modifiers)
        },
    )
    for line, quantity in lines:
        if line is None or quantity <= 0:
            continue
        back = line_need(book, line, quantity, line.sent_modifiers or line.modifiers)
        if back:
            move(
                session, actor, "refund", back, line=line, order=line.order, ref=doc, reason=reason
            )
