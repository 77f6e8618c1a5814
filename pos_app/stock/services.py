"""Stock services: checks of back-office edits (units, recipes that consume themselves),
waste, transfers, purchase orders and receiving, counts and their approval, 86 by hand.

Every service takes the session and an Actor and never commits; each movement goes through
pos_app.stock.moves (level, fact, cloud event, 86 and alerts in the same transaction)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from pos_app.audit import record_audit
from pos_app.auth.actor import Actor
from pos_app.clock import utcnow
from pos_app.errors import Conflict, NotFound, ValidationFailed
from pos_app.locks import lock_key
from pos_app.menu.cache import menu_snapshot
from pos_app.menu.models import MenuItem, Modifier
from pos_app.menu.services import bilingual
from pos_app.outbox import record_event
from pos_app.reports.models import LOCAL
from pos_app.stock import moves, units
from pos_app.stock.models import (
    Ingredient,
    PurchaseLine,
    PurchaseOrder,
    RecipeLine,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Supplier,
)
from pos_app.stock.recipes import MAX_DEPTH, recipe_book

# --- back-office checks -------------------------------------------------------------------


def check_ingredient(session: Session, _actor, ing: Ingredient, data: dict, is_new) -> None:
    """before_save of ingredients: the reorder point at or below par; a unit that cannot
    change once stock has moved in it."""
    par = data.get("par_milli", 0 if is_new else ing.par_milli)
    reorder = data.get("reorder_milli", 0 if is_new else ing.reorder_milli)
    if par and reorder > par:
        raise ValidationFailed(
            "the reorder point is above par", {"reorder_milli": [f"at most par ({par})"]}
        )
    if not is_new and "unit" in data and data["unit"] != ing.unit:
        held = session.scalar(
            select(StockMovement.id)
            .where(StockMovement.branch_id == LOCAL, StockMovement.ingredient == ing.code)
            .limit(1)
        )
        used = session.scalar(select(RecipeLine.id).where(RecipeLine.ingredient_id == ing.id))
        if held or used:
            raise ValidationFailed(
                f"{ing.name} is kept in {ing.unit}: {data['unit']} does not convert",
                {"unit": [f"stock and recipes use {ing.unit}"]},
                "unit_mismatch",
            )
    if "code" in data and not is_new and data["code"] != ing.code:
        raise ValidationFailed("an ingredient's code cannot change", {"code": ["fixed"]})
    if data.get("barcode") == "":
        data["barcode"] = None


def make_level(session: Session, _actor, ing: Ingredient, before) -> None:
    """after_save of ingredients: a new one starts at nothing held."""
    if before is None and session.get(StockLevel, ing.id) is None:
        session.add(StockLevel(ingredient_id=ing.id, quantity_milli=0))
        session.flush()


def check_recipe_line(session: Session, _actor, row: RecipeLine, data: dict, is_new) -> None:
    """before_save of recipe lines: a dish or a modifier, an ingredient or another dish, a
    quantity in units that convert, and no dish that consumes itself."""
    merged = {
        k: data.get(k, None if is_new else getattr(row, k))
        for k in ("item_id", "modifier_id", "ingredient_id", "uses_item_id")
    }
    if (merged["item_id"] is None) == (merged["modifier_id"] is None):
        raise ValidationFailed(
            "a recipe line belongs to a dish or a modifier, one of them",
            {"item_id": ["give item_id or modifier_id"]},
        )
    if (merged["ingredient_id"] is None) == (merged["uses_item_id"] is None):
        raise ValidationFailed(
            "a recipe line takes an ingredient or another dish, one of them",
            {"ingredient_id": ["give ingredient_id or uses_item_id"]},
        )
    for name, model in (
        ("item_id", MenuItem),
        ("modifier_id", Modifier),
        ("ingredient_id", Ingredient),
        ("uses_item_id", MenuItem),
    ):
        if merged[name] is not None and session.get(model, merged[name]) is None:
            raise ValidationFailed(
                "some references are not valid",
                {name: [f"no such row: {merged[name]}"]},
                "unknown_reference",
            )
    if "quantity" in data or "unit" in data or is_new:
        if "quantity" not in data:
            raise ValidationFailed("give the quantity", {"quantity": ["required"]})
        quantity, unit = data.pop("quantity"), data.pop("unit", None)
        if merged["ingredient_id"] is not None:
            base = session.get(Ingredient, merged["ingredient_id"]).unit
        else:
            base, unit = "piece", "piece" if unit in (None, "piece") else unit
        try:
            milli = units.to_milli(quantity, unit, base)
        except units.UnitError as exc:
            raise ValidationFailed(str(exc), {"unit": [str(exc)]}, "unit_mismatch") from exc
        if milli == 0 or (milli < 0 and merged["modifier_id"] is None):
            raise ValidationFailed(
                "a dish takes more than nothing (only a modifier may take some back)",
                {"quantity": ["above 0"]},
            )
        data["quantity_milli"] = milli
    if merged["uses_item_id"] is not None:
        _refuse_cycle(session, merged["item_id"], merged["uses_item_id"])


def _refuse_cycle(session: Session, owner: int | None, uses: int) -> None:
    """A dish that uses itself, directly or through others, or nests too deep: 422."""
    uses_of: dict[int, list[int]] = {}
    for item_id, used in session.execute(
        select(RecipeLine.item_id, RecipeLine.uses_item_id).where(
            RecipeLine.uses_item_id.is_not(None),
            RecipeLine.item_id.is_not(None),
            RecipeLine.active,
        )
    ):
        uses_of.setdefault(item_id, []).append(used)
    path = [owner, uses] if owner is not None else [uses]

    def walk(node: int, trail: list[int]) -> None:
        if len(trail) > MAX_DEPTH:
            raise ValidationFailed(
                f"recipes nest deeper than {MAX_DEPTH} dishes",
                {"uses_item_id": ["too deep"]},
                "recipe_cycle",
            )
        for nxt in uses_of.get(node, ()):
            if owner is not None and nxt == owner:
                names = [session.get(MenuItem, i).name for i in [*trail, nxt]]
                raise ValidationFailed(
                    "a recipe cannot consume itself: " + " → ".join(names),
                    {"uses_item_id": ["consumes itself"]},
                    "recipe_cycle",
                )
            walk(nxt, [*trail, nxt])

    if owner is not None and uses == owner:
        name = session.get(MenuItem, owner).name
        raise ValidationFailed(
            f"a recipe cannot consume itself: {name} → {name}",
            {"uses_item_id": ["consumes itself"]},
            "recipe_cycle",
        )
    walk(uses, path)


# --- movements by hand ---------------------------------------------------------------------


def _ingredient(session: Session, ingredient_id: int, path: str) -> Ingredient:
    ing = session.get(Ingredient, ingredient_id)
    if ing is None or not ing.active:
        raise ValidationFailed(
            "some references are not valid",
            {path: [f"no active ingredient with id {ingredient_id}"]},
            "unknown_reference",
        )
    return ing


def _milli(ing: Ingredient, line: dict, path: str, allow_zero: bool = False) -> int:
    try:
        milli = units.to_milli(line["quantity"], line.get("unit"), ing.unit)
    except units.UnitError as exc:
        raise ValidationFailed(
            f"{ing.name}: {exc}", {f"{path}.unit": [str(exc)]}, "unit_mismatch"
        ) from exc
    if milli < 0 or (milli == 0 and not allow_zero):
        raise ValidationFailed(
            f"{ing.name}: the quantity must be above 0", {f"{path}.quantity": ["above 0"]}
        )
    return milli


def _amounts(session: Session, lines: list[dict], allow_zero: bool = False) -> dict[int, int]:
    """{ingredient id: thousandths} of typed lines; an ingredient twice is refused."""
    out: dict[int, int] = {}
    for n, line in enumerate(lines):
        path = f"lines.{n}"
        ing = _ingredient(session, line["ingredient_id"], f"{path}.ingredient_id")
        if ing.id in out:
            raise ValidationFailed(
                f"{ing.name} is listed twice", {f"{path}.ingredient_id": ["listed twice"]}
            )
        out[ing.id] = _milli(ing, line, path, allow_zero)
    return out


def record_waste(session: Session, actor: Actor, data: dict) -> list[dict]:
    """Food thrown away with a reason: an ingredient, or portions of a dish by its recipe."""
    if "ingredient_id" in data:
        ing = _ingredient(session, data["ingredient_id"], "ingredient_id")
        quantities = {ing.id: -_milli(ing, data, "")}
        item = ""
    else:
        menu_item = session.get(MenuItem, data["item_id"])
        if menu_item is None:
            raise ValidationFailed(
                "some references are not valid", {"item_id": ["no such dish"]}, "unknown_reference"
            )
        portions = data["quantity"]
        if portions != int(portions) or portions <= 0 or data.get("unit") not in (None, "piece"):
            raise ValidationFailed("whole portions of a dish", {"quantity": ["whole portions"]})
        need = recipe_book(session).per_unit(menu_item.id, [])
        if not need:
            raise ValidationFailed(
                f"{menu_item.name} has no recipe", {"item_id": ["no recipe"]}, "no_recipe"
            )
        quantities = {i: -m * int(portions) for i, m in need.items()}
        item = menu_item.name
    rows = moves.move(session, actor, "waste", quantities, reason=data["reason"], ref=item)
    _audit(session, actor, "stock.wasted", rows, data["reason"])
    return rows


def record_transfer(session: Session, actor: Actor, data: dict) -> list[dict]:
    """Stock sent to another branch (never more than is held) or received from one."""
    amounts = _amounts(session, data["lines"])
    sign = -1 if data["direction"] == "out" else 1
    kind = "transfer_out" if sign < 0 else "transfer_in"
    rows = moves.move(
        session,
        actor,
        kind,
        {i: sign * m for i, m in amounts.items()},
        reason=data["note"],
        ref=data["branch"],
        refuse_short=sign < 0,
    )
    _audit(session, actor, f"stock.{kind}", rows, data["note"] or data["branch"])
    return rows


def _audit(session, actor, action: str, rows: list[dict], reason: str) -> None:
    record_audit(
        session,
        actor,
        action,
        "stock",
        rows[0]["id"] if rows else "",
        None,
        {"moves": [{"ingredient": r["ingredient"], "qty_milli": r["qty_milli"]} for r in rows]},
        reason=reason or "-",
    )


# --- purchasing -----------------------------------------------------------------------------


def suggested_order(session: Session, supplier_id: int, days: int = 7) -> dict:
    """What to order from a supplier: for each of its ingredients, up to par plus what the
    last `days` days used over the supplier's lead time, less what is held and on order."""
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"no supplier with id {supplier_id}")
    ingredients = session.scalars(
        select(Ingredient)
        .where(Ingredient.supplier_id == supplier_id, Ingredient.active)
        .order_by(Ingredient.sort, Ingredient.id)
    ).all()
    held = moves.levels(session, [i.id for i in ingredients])
    since = utcnow() - timedelta(days=days)
    used = dict(
        session.execute(
            select(StockMovement.ingredient, -func.sum(StockMovement.qty_milli))
            .where(
                StockMovement.branch_id == LOCAL,
                StockMovement.at >= since,
                StockMovement.kind.in_(("sale", "void", "refund", "waste")),
            )
            .group_by(StockMovement.ingredient)
        ).all()
    )
    on_order = dict(
        session.execute(
            select(
                PurchaseLine.ingredient_id,
                func.sum(PurchaseLine.ordered_milli - PurchaseLine.received_milli),
            )
            .join(PurchaseOrder)
            .where(PurchaseOrder.status == "open")
            .group_by(PurchaseLine.ingredient_id)
        ).all()
    )
    lines = []
    for ing in ingredients:
        daily = max(int(used.get(ing.code) or 0), 0) // days
        want = ing.par_milli + daily * max(supplier.lead_days, 0)
        have = held.get(ing.id, 0) + max(int(on_order.get(ing.id) or 0), 0)
        if want > have:
            short = -(-(want - have) // 1000) * 1000  # whole grams, millilitres or pieces
            lines.append(
                {
                    "ingredient_id": ing.id,
                    "name": bilingual(ing),
                    "unit": ing.unit,
                    "quantity": units.show(short),
                    "level": units.show(held.get(ing.id, 0)),
                    "par": units.show(ing.par_milli),
                    "daily_use": units.show(daily),
                }
            )
    return {"supplier_id": supplier.id, "supplier": bilingual(supplier), "lines": lines}


def purchase_dict(po: PurchaseOrder) -> dict:
    return {
        "id": po.id,
        "supplier_id": po.supplier_id,
        "supplier": bilingual(po.supplier),
        "status": po.status,
        "note": po.note,
        "created_by": po.created_by,
        "created_at": po.created_at.isoformat(),
        "received_at": po.received_at.isoformat() if po.received_at else None,
        "received_by": po.received_by,
        "lines": [
            {
                "ingredient_id": li.ingredient_id,
                "name": bilingual(li.ingredient),
                "unit": li.ingredient.unit,
                "ordered": units.show(li.ordered_milli),
                "received": units.show(li.received_milli),
                "cost_minor": li.cost_minor,
            }
            for li in po.lines
        ],
    }


def create_purchase(session: Session, actor: Actor, data: dict) -> PurchaseOrder:
    supplier = session.get(Supplier, data["supplier_id"])
    if supplier is None or not supplier.active:
        raise ValidationFailed(
            "some references are not valid",
            {"supplier_id": ["no active supplier"]},
            "unknown_reference",
        )
    amounts = _amounts(session, data["lines"])
    po = PurchaseOrder(
        supplier_id=supplier.id, note=data["note"], created_by=actor.name, status="open"
    )
    po.lines = [PurchaseLine(ingredient_id=i, ordered_milli=m) for i, m in amounts.items()]
    session.add(po)
    session.flush()
    record_event(session, "purchase.created", "purchase", po.id, purchase_dict(po))
    return po


def get_purchase(session: Session, purchase_id: int, lock: bool = False) -> PurchaseOrder:
    if lock:
        lock_key(session, "purchase", purchase_id)
    po = session.scalar(
        select(PurchaseOrder)
        .where(PurchaseOrder.id == purchase_id)
        .options(selectinload(PurchaseOrder.lines))
        .execution_options(populate_existing=True)
    )
    if po is None:
        raise NotFound(f"no purchase order {purchase_id}")
    return po


def receive(session: Session, actor: Actor, purchase_id: int, data: dict) -> PurchaseOrder:
    """A delivery against an open order: purchase movements at the invoice's cost (the
    ingredient's cost follows it); more than ordered, or something not ordered, only with
    `over_ok`; received when every line has come."""
    po = get_purchase(session, purchase_id, lock=True)
    if po.status != "open":
        raise Conflict(f"purchase order {po.id} is {po.status}", code="purchase_closed")
    amounts = _amounts(session, data["lines"])
    by_ingredient = {li.ingredient_id: li for li in po.lines}
    for n, entry in enumerate(data["lines"]):
        line = by_ingredient.get(entry["ingredient_id"])
        got = amounts[entry["ingredient_id"]]
        if line is None and not data["over_ok"]:
            raise ValidationFailed(
                "this was not ordered: send over_ok to take it",
                {f"lines.{n}.ingredient_id": ["not on the order"]},
                "not_ordered",
            )
        over = line is not None and line.received_milli + got > line.ordered_milli
        if over and not data["over_ok"]:
            left = units.show(line.ordered_milli - line.received_milli)
            raise ValidationFailed(
                "more than was ordered: send over_ok to take it",
                {f"lines.{n}.quantity": [f"at most {left} {line.ingredient.unit}"]},
                "over_received",
            )
    costs = {}
    for entry in data["lines"]:
        ing_id, got = entry["ingredient_id"], amounts[entry["ingredient_id"]]
        line = by_ingredient.get(ing_id)
        if line is None:
            line = PurchaseLine(ingredient_id=ing_id, ordered_milli=0)
            po.lines.append(line)
        line.received_milli += got
        if "cost_minor" in entry:
            costs[ing_id] = entry["cost_minor"]
            line.cost_minor += entry["cost_minor"]
            if got:
                ing = session.get(Ingredient, ing_id)
                ing.cost_minor, ing.cost_per_milli = entry["cost_minor"], got
    session.flush()
    rows = moves.move(session, actor, "purchase", amounts, ref=f"PO-{po.id}", cost_minor=costs)
    if all(li.received_milli >= li.ordered_milli for li in po.lines):
        po.status, po.received_at, po.received_by = "received", utcnow(), actor.name
    session.flush()
    _audit(session, actor, "stock.received", rows, f"PO-{po.id}")
    record_event(session, "purchase.received", "purchase", po.id, purchase_dict(po))
    return po


def cancel_purchase(session: Session, actor: Actor, purchase_id: int) -> PurchaseOrder:
    po = get_purchase(session, purchase_id, lock=True)
    if po.status != "open":
        raise Conflict(f"purchase order {po.id} is {po.status}", code="purchase_closed")
    po.status = "cancelled"
    record_event(session, "purchase.cancelled", "purchase", po.id, purchase_dict(po))
    return po


# --- counts ---------------------------------------------------------------------------------


def count_dict(session: Session, count: StockCount) -> dict:
    lines, value = [], 0
    for li in count.lines:
        ing = li.ingredient
        variance = li.counted_milli - li.expected_milli
        cost = units.cost_of(variance, ing.cost_minor, ing.cost_per_milli)
        value += cost
        lines.append(
            {
                "ingredient_id": ing.id,
                "name": bilingual(ing),
                "unit": ing.unit,
                "counted": units.show(li.counted_milli),
                "expected": units.show(li.expected_milli),
                "variance": units.show(variance),
                "variance_cost_minor": cost,
            }
        )
    return {
        "id": count.id,
        "status": count.status,
        "note": count.note,
        "counted_by": count.counted_by,
        "submitted_at": count.submitted_at.isoformat(),
        "decided_by": count.decided_by,
        "decided_at": count.decided_at.isoformat() if count.decided_at else None,
        "variance_cost_minor": value,
        "lines": lines,
    }


def submit_count(session: Session, actor: Actor, data: dict) -> StockCount:
    """A count as the phone sent it, with each line's level now beside it; sent twice (its
    id again), the second is refused with the first (409 duplicate)."""
    count_id = data["id"].lower()
    lock_key(session, "count", count_id)
    held = session.get(StockCount, count_id, populate_existing=True)
    if held is not None:
        raise Conflict(
            "this count was submitted already",
            {"id": ["already submitted"]},
            "duplicate",
            extra={"current": count_dict(session, held)},
        )
    amounts = _amounts(session, data["lines"], allow_zero=True)
    now = moves.levels(session, amounts)
    count = StockCount(id=count_id, note=data["note"], counted_by=actor.name)
    count.lines = [
        StockCountLine(ingredient_id=i, counted_milli=m, expected_milli=now.get(i, 0))
        for i, m in amounts.items()
    ]
    session.add(count)
    session.flush()
    return count


def get_count(session: Session, count_id: str, lock: bool = False) -> StockCount:
    if lock:
        lock_key(session, "count", count_id.lower())
    count = session.scalar(
        select(StockCount)
        .where(StockCount.id == count_id.lower())
        .options(selectinload(StockCount.lines))
        .execution_options(populate_existing=True)
    )
    if count is None:
        raise NotFound(f"no stock count {count_id}")
    return count


def decide_count(session: Session, actor: Actor, count_id: str, accept: bool) -> StockCount:
    """A manager accepts a count (each line's difference from what was expected when it was
    counted becomes a count movement: sales since then still count) or rejects it."""
    count = get_count(session, count_id, lock=True)
    if count.status != "submitted":
        raise Conflict(f"this count was {count.status} already", code="count_decided")
    count.status = "accepted" if accept else "rejected"
    count.decided_by, count.decided_at = actor.name, utcnow()
    if accept:
        diff = {li.ingredient_id: li.counted_milli - li.expected_milli for li in count.lines}
        rows = moves.move(session, actor, "count", diff, ref=count.id[:36], reason="stock count")
        _audit(session, actor, "stock.count_accepted", rows, f"count {count.id}")
    session.flush()
    return count


# --- 86 -------------------------------------------------------------------------------------


def set_availability(session: Session, actor: Actor, item_id: int, data: dict) -> dict:
    """86 a dish by hand (a cook, a manager) or bring it back; every handheld greys it at
    once. A dish out of stock stays out until stock arrives, whatever this says."""
    item = session.get(MenuItem, item_id)
    if item is None or not item.active:
        raise NotFound(f"no menu item with id {item_id}")
    before = item.available
    if before != data["available"]:
        item.available = data["available"]
        session.flush()
        record_audit(
            session,
            actor,
            "menu_item.86" if not data["available"] else "menu_item.un86",
            "menu_item",
            item.id,
            {"available": before},
            {"available": item.available, "item": item.name},
            reason=data["reason"] or ("86" if not data["available"] else "back"),
        )
        record_event(
            session,
            "menu_item.availability",
            "menu_item",
            item.id,
            {"id": item.id, "available": item.available},
        )
    return item_state(session, item)


def item_state(session: Session, item: MenuItem) -> dict:
    """A dish's availability as the kitchen and handhelds show it."""
    book = recipe_book(session)
    held = moves.levels(session, book.items.get(item.id, {}))
    short = [
        book.ingredients[i].name
        for i, m in book.items.get(item.id, {}).items()
        if held.get(i, 0) < m and i in book.ingredients
    ]
    return {
        "id": item.id,
        "name": bilingual(item),
        "available": item.available,
        "stock_out": item.stock_out,
        "short": short,
    }


def levels_view(session: Session) -> dict:
    """Every active ingredient with its level, par, reorder point and state, the dishes out
    of stock or 86'd, and the alerts (low or out) first."""
    book = recipe_book(session)
    menu = menu_snapshot(session)
    held = moves.levels(session)
    out = []
    for ing in session.scalars(
        select(Ingredient).where(Ingredient.active).order_by(Ingredient.sort, Ingredient.id)
    ):
        level = held.get(ing.id, 0)
        out.append(
            {
                "id": ing.id,
                "code": ing.code,
                "name": bilingual(ing),
                "unit": ing.unit,
                "barcode": ing.barcode,
                "level": units.show(level),
                "level_label": units.label(level, ing.unit),
                "par": units.show(ing.par_milli),
                "reorder": units.show(ing.reorder_milli),
                "state": moves.state_of(level, ing.reorder_milli),
                "items": sorted(
                    menu.items[i].name for i in book.item_users.get(ing.id, ()) if i in menu.items
                ),
            }
        )
    rank = {"out": 0, "low": 1, "ok": 2}
    alerts = sorted((i for i in out if i["state"] != "ok"), key=lambda i: rank[i["state"]])
    eighty_six = [
        {
            "id": i.id,
            "name": {"en": i.name, "ar": i.name_ar},
            "why": "stock" if i.stock_out else "86",
        }
        for i in menu.items.values()
        if i.active and (i.stock_out or not i.available)
    ]
    return {"ingredients": out, "alerts": alerts, "eighty_six": eighty_six}
