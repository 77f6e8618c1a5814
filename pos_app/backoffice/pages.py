"""The back office's pages: today's figures, menu, staff, floors, stations, promotions,
stock, branch settings and the audit log, and the navigation every back-office page shares (the
printers' page is the printers package's). Each page is a server-rendered form over /api/v1
(the session's token as Bearer, like every screen); the scripts save, refresh and explain
refusals in the page's language without a reload.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pos_app.audit import AuditEntry
from pos_app.auth.models import Role, Staff
from pos_app.auth.pairing import normalize
from pos_app.auth.roles import BACK_OFFICE
from pos_app.backoffice.today import TodaySchema, figures
from pos_app.billing.models import Promotion
from pos_app.billing.schemas import PromotionSchema
from pos_app.branch.schemas import BranchSchema
from pos_app.branch.services import current_branch
from pos_app.db import unit_of_work
from pos_app.menu.models import Category, MenuItem, ModifierGroup, Station
from pos_app.menu.photo_files import photo_urls
from pos_app.pages import home_tiles, login_required, page_actor

bp = Blueprint("backoffice", __name__)

# The back office's sections, in menu order: (endpoint, title, id). A section shows only when
# its page exists in this app and the signed-in role may open it.
SECTIONS = (
    ("backoffice.home", _l("Today"), "home"),
    ("backoffice.reports", _l("Reports"), "reports"),
    ("backoffice.stock", _l("Stock"), "stock"),
    ("backoffice.menu", _l("Menu"), "menu"),
    ("backoffice.staff", _l("Staff"), "staff"),
    ("backoffice.floors", _l("Floors and tables"), "floors"),
    ("backoffice.options", _l("Options and extras"), "options"),
    ("backoffice.stations", _l("Kitchen stations"), "stations"),
    ("backoffice.promotions", _l("Promotions"), "promotions"),
    ("backoffice.branch", _l("Branch settings"), "branch"),
    ("backoffice.audit", _l("Audit log"), "audit"),
    ("printers_pages.admin_printers", _l("Printers"), "printers"),
    ("pages.admin_security", _l("Two-factor sign-in"), "security"),
)

PAGES = (
    ("/backoffice", "GET", "The back office, or its login"),
    ("/admin", "GET", "Back office home: today's figures and every section"),
    ("/admin/menu", "GET", "Back office: the menu, edited in both languages"),
    ("/admin/staff", "GET", "Back office: staff, roles, PINs and sign-in"),
    ("/admin/floors", "GET", "Back office: the floors and their tables, moved by drag"),
    ("/admin/options", "GET", "Back office: option groups (sides, extras) and their prices"),
    ("/admin/stations", "GET", "Back office: kitchen stations' names and late-ticket times"),
    ("/admin/promotions", "GET", "Back office: promotions, their schedule and a price preview"),
    ("/admin/branch", "GET", "Back office: the branch's name, address, VAT, currency, time"),
    ("/admin/audit", "GET", "Back office: the audit log, filtered, before and after"),
    ("/admin/reports", "GET", "Owners' dashboard: today live, reports by day, week, month, year"),
    ("/admin/stock", "GET", "Back office: stock levels, recipes, purchasing, counts and waste"),
)


def nav_sections() -> list[dict]:
    """The sections the signed-in actor may open, with the one on screen marked."""
    actor = page_actor()
    if actor is None or actor.role not in BACK_OFFICE:
        return []
    out = []
    for endpoint, title, section_id in SECTIONS:
        view = current_app.view_functions.get(endpoint)
        allowed = getattr(view, "roles", None)
        if view is None or (allowed and actor.role not in allowed):
            continue
        out.append(
            {
                "url": url_for(endpoint),
                "title": title,
                "id": section_id,
                "current": request.endpoint == endpoint,
            }
        )
    return out


@bp.route("/admin")
@login_required(*BACK_OFFICE)
def home():
    actor = page_actor()
    with unit_of_work(write=False) as s:
        today = TodaySchema().dump(figures(s))
    screens = [t for t in home_tiles(actor.role) if t["id"] in SCREEN_TILES]
    printers = "printers_pages.admin_printers"
    printers_url = url_for(printers) if printers in current_app.view_functions else None
    return render_template(
        "admin/home.html", actor=actor, today=today, screens=screens, printers_url=printers_url
    )


SCREEN_TILES = ("handheld", "cashier", "screen")  # the working screens, linked from home


@bp.route("/admin/menu")
@login_required(*BACK_OFFICE)
def menu():
    with unit_of_work(write=False) as s:
        branch = current_branch(s)
        stations = s.scalars(select(Station).order_by(Station.sort, Station.id)).all()
        categories = s.scalars(
            select(Category)
            .options(selectinload(Category.items).selectinload(MenuItem.modifier_groups))
            .order_by(Category.sort, Category.id)
        ).all()
        view = {
            "currency": branch.currency if branch else "SAR",
            "exponent": branch.currency_exponent if branch else 2,
            "prices_include_vat": branch.prices_include_vat if branch else True,
            "stations": [_station(st) for st in stations],
            "categories": [
                {
                    "id": c.id,
                    "name": c.name,
                    "name_ar": c.name_ar,
                    "active": c.active,
                    "station_id": c.station_id,
                    "default_course": c.default_course,
                    "items": [_item(i) for i in sorted(c.items, key=lambda i: (i.sort, i.id))],
                }
                for c in categories
            ],
        }
    return render_template("admin/menu.html", actor=page_actor(), menu=view)


def _station(st: Station) -> dict:
    return {"id": st.id, "name": st.name, "name_ar": st.name_ar or st.name, "active": st.active}


def _item(i: MenuItem) -> dict:
    return {
        "id": i.id,
        "name": i.name,
        "name_ar": i.name_ar,
        "price_minor": i.price_minor,
        "station_id": i.station_id,
        "course": i.course,
        "prep_minutes": i.prep_minutes,
        "available": i.available,
        "active": i.active,
        "sort": i.sort,
        "thumb_url": photo_urls(i.photo)[1],
    }


@bp.route("/admin/staff")
@login_required(*BACK_OFFICE)
def staff():
    actor = page_actor()
    with unit_of_work(write=False) as s:
        people = s.scalars(select(Staff).order_by(Staff.active.desc(), Staff.name)).all()
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role.value,
                "email": p.email or "",
                "active": p.active,
                "has_pin": bool(p.pin_hash),
                "has_password": bool(p.password_hash),
                "totp_enabled": p.totp_enabled,
                # an owner manages everyone; a manager the floor and kitchen staff
                "manageable": actor.role == Role.owner or p.role not in BACK_OFFICE,
            }
            for p in people
        ]
    roles = [r.value for r in Role if actor.role == Role.owner or r not in BACK_OFFICE]
    kitchen = [r for r in rows if r["role"] == Role.kitchen.value and r["active"]]
    pair_code = normalize(request.args.get("pair", ""))[:8]  # from the screen's QR code
    return render_template(
        "admin/staff.html",
        actor=actor,
        staff=rows,
        roles=roles,
        strong=actor.strong,
        kitchen_logins=kitchen,
        pair_code=pair_code,
        # whose back-office email and password this person may set: an owner everyone's
        # (owners and managers), a manager their own
        sign_in_people=[
            r
            for r in rows
            if r["role"] in {x.value for x in BACK_OFFICE}
            and r["active"]
            and (actor.role == Role.owner or r["id"] == actor.staff_id)
        ],
    )


@bp.route("/admin/floors")
@login_required(*BACK_OFFICE)
def floors():
    """The floor editor. The floors and tables are read through the API by the page itself
    (GET /floors, /tables): they belong to table_service, which the kernel does not import."""
    return render_template("admin/floors.html", actor=page_actor())


@bp.route("/admin/options")
@login_required(*BACK_OFFICE)
def options():
    """Option groups (a side to choose, extras): how many a guest picks, each option's price,
    which dishes offer each; new groups; groups taken off and brought back."""
    with unit_of_work(write=False) as s:
        branch_row = current_branch(s)
        items = s.scalars(
            select(MenuItem)
            .where(MenuItem.active)
            .options(selectinload(MenuItem.modifier_groups), selectinload(MenuItem.category))
        ).all()
        offered: dict[int, list[int]] = {}
        for item in items:
            for group in item.modifier_groups:
                offered.setdefault(group.id, []).append(item.id)
        sections: dict[int, dict] = {}
        for item in sorted(items, key=lambda i: (i.category.sort, i.category_id, i.sort, i.id)):
            section = sections.setdefault(
                item.category_id,
                {"name": item.category.name, "name_ar": item.category.name_ar, "dishes": []},
            )
            section["dishes"].append({"id": item.id, "name": item.name, "name_ar": item.name_ar})
        groups = [
            {
                "id": g.id,
                "code": g.code,
                "name": g.name,
                "name_ar": g.name_ar,
                "min": g.min_choices,
                "max": g.max_choices,
                "active": g.active,
                "item_ids": set(offered.get(g.id, [])),
                "options": [
                    {
                        "id": m.id,
                        "name": m.name,
                        "name_ar": m.name_ar,
                        "price": m.price_delta_minor,
                        "active": m.active,
                    }
                    for m in sorted(g.modifiers, key=lambda m: (m.sort, m.id))
                ],
            }
            for g in s.scalars(
                select(ModifierGroup)
                .options(selectinload(ModifierGroup.modifiers))
                .order_by(ModifierGroup.active.desc(), ModifierGroup.sort, ModifierGroup.id)
            )
        ]
    return render_template(
        "admin/options.html",
        actor=page_actor(),
        groups=groups,
        dish_sections=list(sections.values()),
        currency=branch_row.currency if branch_row else "SAR",
        exponent=branch_row.currency_exponent if branch_row else 2,
    )


@bp.route("/admin/stations")
@login_required(*BACK_OFFICE)
def stations():
    """Each station's names and when its tickets turn amber and red on the kitchen screen."""
    with unit_of_work(write=False) as s:
        rows = [
            {
                "id": st.id,
                "code": st.code,
                "name": st.name,
                "name_ar": st.name_ar,
                "is_expo": st.is_expo,
                "warn_min": st.warn_after_s / 60,
                "late_min": st.late_after_s / 60,
            }
            for st in s.scalars(
                select(Station).where(Station.active).order_by(Station.sort, Station.id)
            )
        ]
    return render_template("admin/stations.html", actor=page_actor(), stations=rows)


@bp.route("/admin/promotions")
@login_required(*BACK_OFFICE)
def promotions():
    """Happy hours, buy X get Y and combo prices: made, changed, stopped, and tried on a
    sample order (POST /api/v1/promotions/preview) before they are saved."""
    with unit_of_work(write=False) as s:
        branch_row = current_branch(s)
        rows = [
            PromotionSchema().dump(p) for p in s.scalars(select(Promotion).order_by(Promotion.id))
        ]
        dishes = [
            {
                "id": i.id,
                "name": i.name,
                "name_ar": i.name_ar or i.name,
                "category_id": i.category_id,
            }
            for i in s.scalars(
                select(MenuItem)
                .where(MenuItem.active)
                .order_by(MenuItem.category_id, MenuItem.sort, MenuItem.id)
            )
        ]
        sections = [
            {"id": c.id, "name": c.name, "name_ar": c.name_ar or c.name}
            for c in s.scalars(
                select(Category).where(Category.active).order_by(Category.sort, Category.id)
            )
        ]
    return render_template(
        "admin/promotions.html",
        actor=page_actor(),
        promotions=rows,
        dishes=dishes,
        sections=sections,
        currency=branch_row.currency if branch_row else "SAR",
        exponent=branch_row.currency_exponent if branch_row else 2,
    )


@bp.route("/admin/branch")
@login_required(*BACK_OFFICE)
def branch():
    """The branch's settings: the owner changes them (PATCH /branch), a manager reads them."""
    actor = page_actor()
    with unit_of_work(write=False) as s:
        settings = BranchSchema().dump(current_branch(s)) if current_branch(s) else None
    return render_template(
        "admin/branch.html",
        actor=actor,
        branch=settings,
        may_change=actor.role == Role.owner,
        zones=sorted(available_timezones()),
        tip_text=", ".join(_percent_text(bp) for bp in (settings or {}).get("tip_suggestions", [])),
    )


def _percent_text(bp: int) -> str:
    """1000 as "10", 1250 as "12.5": a percentage as people type it."""
    return f"{bp / 100:.2f}".rstrip("0").rstrip(".")


@bp.route("/admin/audit")
@login_required(*BACK_OFFICE)
def audit():
    """The audit log page; the entries come from GET /api/v1/audit as the filters change."""
    with unit_of_work(write=False) as s:
        people = [
            {"id": p.id, "name": p.name} for p in s.scalars(select(Staff).order_by(Staff.name))
        ]
        actions = sorted(s.scalars(select(AuditEntry.action).distinct()))
        branch_row = current_branch(s)
        time_zone = branch_row.time_zone if branch_row else "UTC"
    return render_template(
        "admin/audit.html", actor=page_actor(), people=people, actions=actions, time_zone=time_zone
    )


@bp.route("/admin/reports")
@login_required(*BACK_OFFICE)
def reports():
    """The owners' dashboard: the figures come from GET /api/v1/reports/sales, and again
    when a sale is committed (the `report_changed` push on /floor)."""
    from pos_app.reports.views import TABLES

    return render_template(
        "admin/reports.html",
        actor=page_actor(),
        cloud=current_app.config.get("POS_MODE") == "cloud",
        tables=TABLES,
    )


@bp.route("/admin/stock")
@login_required(*BACK_OFFICE)
def stock():
    """Stock: levels and alerts (again when the `stock_alert` push arrives on /floor),
    ingredients and suppliers, recipes, purchasing, counts to approve, waste and movements.
    The page reads and writes everything through /api/v1: stock is its own package."""
    actor = page_actor()
    with unit_of_work(write=False) as s:
        branch_row = current_branch(s)
    return render_template(
        "admin/stock.html",
        actor=actor,
        strong=actor.strong,
        currency=branch_row.currency if branch_row else "SAR",
        exponent=branch_row.currency_exponent if branch_row else 2,
    )


@bp.route("/backoffice")
def entry():
    """Owners type this: the back office when signed in, else its login."""
    if page_actor() is not None:
        return redirect(url_for("backoffice.home"))
    return redirect(url_for("pages.backoffice_login"))


def register(app) -> None:
    """Add the pages, the navigation they share, and list them in the OpenAPI document."""
    app.register_blueprint(bp)
    app.context_processor(lambda: {"backoffice_nav": nav_sections})
    api = app.extensions["pos_api"]
    for rule, method, summary in PAGES:
        api.document_page(rule, method, summary)
