"""The demo restaurant "Demo Bistro": branch, stations, floors, bilingual menu and staff.

Loaded by `make run` on first start and by `flask --app pos_app pos demo`.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth import passwords
from pos_app.auth.models import Role, Staff
from pos_app.branch.models import Branch
from pos_app.config import PROJECT_DIR
from pos_app.menu.models import Category, MenuItem, Modifier, ModifierGroup, Station
from pos_app.outbox import record_event
from pos_app.signals import demo_loading

DEMO_FILE = PROJECT_DIR / "pos_app" / "data" / "demo_menu.json"

# name, role, PIN, email, password, locale: written in README.md and printed by `make run`.
DEMO_STAFF = (
    ("Sara", Role.waiter, "1111", None, None, "ar"),
    ("Omar", Role.waiter, "1112", None, None, "en"),
    ("Cook", Role.kitchen, "2222", None, None, "ar"),
    ("Lina", Role.cashier, "3333", None, None, "en"),
    ("Khalid", Role.manager, "4444", "manager@example.com", "manager-demo-pass", "ar"),
    ("Owner", Role.owner, None, "owner@example.com", "owner-demo-pass", "en"),
)


def has_data(session: Session) -> bool:
    """True once a branch exists (the demo, or a real set-up)."""
    return session.scalar(select(func.count()).select_from(Branch)) > 0


def load_demo(
    session: Session,
    secret_key: str,
    hashing: str = "standard",
    stock: bool = True,
    stock_scale: int = 1,
) -> None:
    """Write the demo restaurant in the caller's transaction (with its stock and recipes
    unless `stock` is False: most tests sell without counting lamb)."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    _branch(session, data["branch"])
    stations = _stations(session, data["stations"])
    groups = _modifier_groups(session, data["modifier_groups"])
    _menu(session, data["categories"], stations, groups)
    demo_loading.send(session, data=data)
    _staff(session, secret_key, hashing)
    session.flush()
    if stock:
        from pos_app.stock.demo import load_demo_stock

        load_demo_stock(session, stock_scale)
    record_audit(session, None, "demo.loaded", "branch", None, reason="demo restaurant")
    record_event(session, "demo.loaded", "branch", 1, {"source": "demo_menu.json"})


def _branch(session: Session, b: dict) -> None:
    session.add(
        Branch(
            name=b["name"]["en"],
            name_ar=b["name"]["ar"],
            address=b["address"]["en"],
            address_ar=b["address"]["ar"],
            time_zone=b["time_zone"],
            currency=b["currency"],
            currency_exponent=b["exponent"],
            vat_rate_bp=round(b["vat_rate_percent"] * 100),
            prices_include_vat=b["prices_include_vat"],
            vat_number=b["vat_number"],
            business_day_cutoff_hour=b["business_day_cutoff_hour"],
            default_locale=b["default_locale"],
        )
    )


def _stations(session: Session, rows: list[dict]) -> dict[str, Station]:
    out = {}
    for sort, row in enumerate(rows):
        out[row["code"]] = Station(
            code=row["code"],
            name=row["name"]["en"],
            name_ar=row["name"]["ar"],
            is_expo=row.get("expo", False),
            sort=sort,
        )
    session.add_all(out.values())
    return out


def _modifier_groups(session: Session, rows: list[dict]) -> dict[str, ModifierGroup]:
    out = {}
    for sort, row in enumerate(rows):
        group = ModifierGroup(
            code=row["code"],
            name=row["name"]["en"],
            name_ar=row["name"]["ar"],
            min_choices=row["min"],
            max_choices=row["max"],
            sort=sort,
        )
        group.modifiers = [
            Modifier(name=m["en"], name_ar=m["ar"], price_delta_minor=m["price"], sort=i)
            for i, m in enumerate(row["modifiers"])
        ]
        out[row["code"]] = group
    session.add_all(out.values())
    return out


def _menu(session: Session, rows: list[dict], stations: dict, groups: dict) -> None:
    for sort, row in enumerate(rows):
        category = Category(
            name=row["name"]["en"],
            name_ar=row["name"]["ar"],
            station=stations[row["station"]],
            default_course=row["course"],
            sort=sort,
        )
        for i, item in enumerate(row["items"]):
            category.items.append(
                MenuItem(
                    name=item["en"],
                    name_ar=item["ar"],
                    price_minor=item["price"],
                    station=stations[item["station"]] if "station" in item else None,
                    prep_minutes=item.get("prep_min", 0),
                    allergens=item.get("allergens", []),
                    modifier_groups=[groups[c] for c in item.get("modifier_groups", [])],
                    sort=i,
                )
            )
        session.add(category)


def _staff(session: Session, secret_key: str, hashing: str) -> None:
    for name, role, pin, email, password, locale in DEMO_STAFF:
        session.add(
            Staff(
                name=name,
                role=role,
                email=email,
                locale=locale,
                pin_hash=passwords.hash_secret(pin, hashing) if pin else None,
                pin_tag=passwords.pin_tag(pin, secret_key) if pin else None,
                password_hash=passwords.hash_secret(password, hashing) if password else None,
            )
        )
