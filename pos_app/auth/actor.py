"""Who is acting: services take an explicit Actor and never read the request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pos_app.auth.models import Role
from pos_app.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The staff member behind a call, and how they signed in ('pin' or 'password')."""

    staff_id: int
    name: str
    role: Role
    method: str = "pin"
    locale: str | None = None

    @classmethod
    def of(cls, staff, method: str = "pin") -> Actor:
        """The Actor for a Staff row."""
        return cls(staff.id, staff.name, Role(staff.role), method, staff.locale)


def require_role(actor: Actor | None, roles: Iterable[Role], what: str = "this") -> None:
    """Raise Forbidden unless the actor has one of `roles`."""
    allowed = frozenset(roles)
    if actor is None or actor.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise Forbidden(f"{what} needs one of the roles: {names}", code="forbidden_role")
