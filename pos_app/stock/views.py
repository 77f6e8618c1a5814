"""Stock endpoints: ingredients, suppliers and recipes (back office), levels and alerts,
waste, transfers, purchase orders and receiving, counts, and 86 from the kitchen or a
handheld."""

from __future__ import annotations

from sqlalchemy import select

from pos_app.api import Api, Call
from pos_app.auth.roles import BACK_OFFICE, KITCHEN_STAFF
from pos_app.crud import Resource, register_resource
from pos_app.menu.models import MenuItem, Modifier
from pos_app.reports.models import LOCAL
from pos_app.schemas import query_flag
from pos_app.stock import pages, schemas, services
from pos_app.stock.models import (
    Ingredient,
    PurchaseOrder,
    RecipeLine,
    StockCount,
    StockMovement,
    Supplier,
)

STOCK_STAFF = KITCHEN_STAFF | BACK_OFFICE  # cooks count and waste; managers decide


class RecipeFilter(schemas.Schema):
    """Recipe lines of one dish or one modifier."""

    item_id = schemas.query_id()
    modifier_id = schemas.query_id()
    active = query_flag()


RESOURCES = (
    Resource(
        "suppliers",
        "supplier",
        Supplier,
        schemas.SupplierSchema,
        "stock",
        read_roles=BACK_OFFICE,
        write_roles=BACK_OFFICE,
        unique=("name",),
    ),
    Resource(
        "ingredients",
        "ingredient",
        Ingredient,
        schemas.IngredientSchema,
        "stock",
        read_roles=STOCK_STAFF,
        write_roles=BACK_OFFICE,
        strong_auth=True,  # costs and units change the owners' figures
        unique=("code", "name", "barcode"),
        refs={"supplier_id": Supplier},
        before_save=services.check_ingredient,
        after_save=services.make_level,
    ),
    Resource(
        "recipe-lines",
        "recipe_line",
        RecipeLine,
        schemas.RecipeLineSchema,
        "stock",
        read_roles=BACK_OFFICE,
        write_roles=BACK_OFFICE,
        strong_auth=True,
        unique=(),
        refs={
            "item_id": MenuItem,
            "modifier_id": Modifier,
            "ingredient_id": Ingredient,
            "uses_item_id": MenuItem,
        },
        query=RecipeFilter,
        before_save=services.check_recipe_line,
    ),
)


def stock_levels(call: Call):
    """Every ingredient's level, par, reorder point and state; alerts; dishes 86'd."""
    return services.levels_view(call.session)


def list_movements(call: Call):
    """The latest stock movements (500 at most), newest first."""
    stmt = select(StockMovement).where(StockMovement.branch_id == LOCAL)
    if "ingredient_id" in call.query:
        ing = call.session.get(Ingredient, call.query["ingredient_id"])
        stmt = stmt.where(StockMovement.ingredient == (ing.code if ing else ""))
    if "kind" in call.query:
        stmt = stmt.where(StockMovement.kind == call.query["kind"])
    rows = call.session.scalars(stmt.order_by(StockMovement.at.desc()).limit(500))
    return {"items": [_movement(m) for m in rows]}


def _movement(m) -> dict:
    from pos_app.stock.units import show

    return {
        "id": m.id,
        "at": m.at.isoformat() if m.at else None,
        "business_day": m.business_day.isoformat(),
        "kind": m.kind,
        "ingredient": m.ingredient,
        "name": {"en": m.ingredient_name, "ar": m.ingredient_ar},
        "unit": m.unit,
        "quantity": show(m.qty_milli),
        "level": show(m.level_milli),
        "cost_minor": m.cost_minor,
        "item": m.item,
        "order_number": m.order_number or None,
        "ref": m.ref,
        "reason": m.reason,
        "actor": m.actor,
    }


def _moved(rows: list[dict]) -> dict:
    from pos_app.stock.units import show

    return {
        "moves": [
            {
                "ingredient": r["ingredient"],
                "kind": r["kind"],
                "quantity": show(r["qty_milli"]),
                "level": show(r["level_milli"]),
                "unit": r["unit"],
            }
            for r in rows
        ]
    }


def record_waste(call: Call):
    """Food thrown away, with a reason (an ingredient, or portions of a dish)."""
    return _moved(services.record_waste(call.session, call.actor, call.body)), 201


def record_transfer(call: Call):
    """Stock sent to another branch (never more than held) or received from one."""
    return _moved(services.record_transfer(call.session, call.actor, call.body)), 201


def list_purchases(call: Call):
    """Purchase orders, newest first (200 at most)."""
    rows = call.session.scalars(select(PurchaseOrder).order_by(PurchaseOrder.id.desc()).limit(200))
    return {"items": [services.purchase_dict(po) for po in rows]}


def create_purchase(call: Call):
    """A purchase order to a supplier."""
    return services.purchase_dict(
        services.create_purchase(call.session, call.actor, call.body)
    ), 201


def suggested_purchase(call: Call):
    """What to order from a supplier: up to par, plus recent use over its lead time."""
    return services.suggested_order(call.session, call.query["supplier_id"])


def receive_purchase(call: Call, purchase_id: int):
    """Receive a delivery against a purchase order (over what was ordered: `over_ok`)."""
    po = services.receive(call.session, call.actor, purchase_id, call.body)
    return services.purchase_dict(po)


def cancel_purchase(call: Call, purchase_id: int):
    """Cancel an open purchase order."""
    return services.purchase_dict(services.cancel_purchase(call.session, call.actor, purchase_id))


def list_counts(call: Call):
    """Stock counts, newest first (100 at most), with their variances."""
    rows = call.session.scalars(
        select(StockCount).order_by(StockCount.submitted_at.desc()).limit(100)
    )
    return {"items": [services.count_dict(call.session, c) for c in rows]}


def submit_count(call: Call):
    """Submit a count (its id made by the phone: once only); the variance comes back."""
    count = services.submit_count(call.session, call.actor, call.body)
    return services.count_dict(call.session, count), 201


def get_count(call: Call, count_id: str):
    """One count with its variance."""
    return services.count_dict(call.session, services.get_count(call.session, count_id))


def accept_count(call: Call, count_id: str):
    """Accept a count: each variance becomes a count movement."""
    count = services.decide_count(call.session, call.actor, count_id, True)
    return services.count_dict(call.session, count)


def reject_count(call: Call, count_id: str):
    """Reject a count: nothing moves."""
    count = services.decide_count(call.session, call.actor, count_id, False)
    return services.count_dict(call.session, count)


def set_availability(call: Call, item_id: int):
    """86 a dish by hand, or bring it back (kitchen screen, a manager's handheld)."""
    return services.set_availability(call.session, call.actor, item_id, call.body)


def register(api: Api) -> None:
    """Add the stock endpoints, and the stock-count page (pos_app/stock/pages.py)."""
    pages.register(api.app)
    for resource in RESOURCES:
        register_resource(api, resource)
    api.add("/stock/levels", "GET", stock_levels, roles=STOCK_STAFF, tag="stock")
    api.add(
        "/stock/movements",
        "GET",
        list_movements,
        roles=BACK_OFFICE,
        tag="stock",
        query=schemas.StockQuery,
    )
    api.add(
        "/stock/waste",
        "POST",
        record_waste,
        roles=STOCK_STAFF,
        tag="stock",
        body=schemas.WasteSchema,
        status=201,
    )
    api.add(
        "/stock/transfers",
        "POST",
        record_transfer,
        roles=BACK_OFFICE,
        tag="stock",
        body=schemas.TransferSchema,
        status=201,
    )
    api.add("/stock/purchases", "GET", list_purchases, roles=BACK_OFFICE, tag="stock")
    api.add(
        "/stock/purchases",
        "POST",
        create_purchase,
        roles=BACK_OFFICE,
        tag="stock",
        body=schemas.PurchaseSchema,
        status=201,
    )
    api.add(
        "/stock/purchases/suggested",
        "GET",
        suggested_purchase,
        roles=BACK_OFFICE,
        tag="stock",
        query=schemas.SuggestQuery,
    )
    api.add(
        "/stock/purchases/<int:purchase_id>/receive",
        "POST",
        receive_purchase,
        roles=BACK_OFFICE,
        tag="stock",
        body=schemas.ReceiveSchema,
    )
    api.add(
        "/stock/purchases/<int:purchase_id>/cancel",
        "POST",
        cancel_purchase,
        roles=BACK_OFFICE,
        tag="stock",
    )
    api.add("/stock/counts", "GET", list_counts, roles=BACK_OFFICE, tag="stock")
    api.add(
        "/stock/counts",
        "POST",
        submit_count,
        roles=STOCK_STAFF,
        tag="stock",
        body=schemas.CountSchema,
        status=201,
    )
    api.add("/stock/counts/<uuid:count_id>", "GET", get_count, roles=BACK_OFFICE, tag="stock")
    api.add(
        "/stock/counts/<uuid:count_id>/accept",
        "POST",
        accept_count,
        roles=BACK_OFFICE,
        tag="stock",
    )
    api.add(
        "/stock/counts/<uuid:count_id>/reject",
        "POST",
        reject_count,
        roles=BACK_OFFICE,
        tag="stock",
    )
    api.add(
        "/items/<int:item_id>/availability",
        "POST",
        set_availability,
        roles=STOCK_STAFF,
        tag="stock",
        body=schemas.AvailabilitySchema,
    )
