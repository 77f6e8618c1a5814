"""Who may do what: the named role sets that endpoints, socket commands, pages and services
check (pure: no I/O). One set, one name, here."""

from __future__ import annotations

from pos_app.auth.models import Role

ALL_ROLES = frozenset(Role)
# Owners and managers: the back office, approvals, managing staff.
BACK_OFFICE = frozenset({Role.owner, Role.manager})
# Who works the floor: take and change orders, bills and payments; the /floor namespace and
# the handheld and cashier pages.
FLOOR_STAFF = frozenset({Role.waiter, Role.cashier, Role.manager, Role.owner})
# Who handles the till's cash: shifts, the drawer, refunds, X and Z reports; the till room.
CASH_HANDLERS = frozenset({Role.cashier, Role.manager, Role.owner})
# Kitchen and expo screens: tickets, the /kds namespace and page.
KITCHEN_STAFF = frozenset({Role.kitchen, Role.manager, Role.owner})
