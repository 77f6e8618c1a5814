"""Menu endpoints: back-office resources for the menu and stations, and the handheld menu."""

from __future__ import annotations

from pos_app.api import Api, Call
from pos_app.auth.roles import ALL_ROLES, BACK_OFFICE
from pos_app.crud import Resource, register_resource
from pos_app.menu import csv_io, group_items, ordering, photos, schemas, services
from pos_app.menu.models import Category, MenuItem, Modifier, ModifierGroup, Station


def get_menu(call: Call):
    """The menu handhelds sell from now: available items, both languages, modifier groups."""
    return services.menu_for_handhelds(call.session)


RESOURCES = (
    Resource(
        "stations",
        "station",
        Station,
        schemas.StationSchema,
        "stations",
        read_roles=ALL_ROLES,
        write_roles=BACK_OFFICE,
        strong_auth=True,  # writes change prices and where food goes: password or step-up
        unique=("code", "name"),
        before_save=services.check_timer_thresholds,
    ),
    Resource(
        "categories",
        "category",
        Category,
        schemas.CategorySchema,
        "menu",
        read_roles=BACK_OFFICE,
        write_roles=BACK_OFFICE,
        strong_auth=True,
        unique=("name",),  # a second "Starters" is a 409 next to the name, not the index's
        refs={"station_id": Station},
    ),
    Resource(
        "items",
        "menu_item",
        MenuItem,
        schemas.MenuItemSchema,
        "menu",
        read_roles=BACK_OFFICE,
        write_roles=BACK_OFFICE,
        strong_auth=True,
        unique=("name",),
        refs={"category_id": Category, "station_id": Station},
        query=schemas.CategoryFilter,
        before_save=services.set_item_modifier_groups,
    ),
    Resource(
        "modifier-groups",
        "modifier_group",
        ModifierGroup,
        schemas.ModifierGroupSchema,
        "menu",
        read_roles=BACK_OFFICE,
        write_roles=BACK_OFFICE,
        strong_auth=True,
        unique=("code",),
        before_save=services.check_choice_bounds,
    ),
    Resource(
        "modifiers",
        "modifier",
        Modifier,
        schemas.ModifierSchema,
        "menu",
        read_roles=BACK_OFFICE,
        write_roles=BACK_OFFICE,
        strong_auth=True,
        unique=(("group_id", "name"),),
        refs={"group_id": ModifierGroup},
        query=schemas.GroupFilter,
    ),
)


def register(api: Api) -> None:
    """Add the menu endpoints."""
    api.add("/menu", "GET", get_menu, roles=ALL_ROLES, tag="menu")
    csv_io.register(api)
    group_items.register(api)
    ordering.register(api)
    photos.register(api)
    for resource in RESOURCES:
        register_resource(api, resource)
