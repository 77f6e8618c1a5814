"""Who is acting: services take an explicit Actor and never read the request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pos_app.auth.models import Role
from pos_app.clock import utcnow
from pos_app.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The staff member behind a call, how they signed in ('pin', 'password' or 'device'),
    and until when a PIN sign-in counts as strong after confirming the password."""

    staff_id: int
    name: str
    role: Role
    method: str = "pin"
    locale: str | None = None
    strong_until: datetime | None = None

    @classmethod
    def of(cls, staff, method: str = "pin", strong_until: datetime | None = None) -> Actor:
        """The Actor for a Staff row."""
        return cls(staff.id, staff.name, Role(staff.role), method, staff.locale, strong_until)

    @property
    def strong(self) -> bool:
        """Signed in with password (+ TOTP), or confirmed the password a short while ago."""
        if self.method == "password":
            return True
        return self.strong_until is not None and self.strong_until > utcnow()


def require_role(actor: Actor | None, roles: Iterable[Role], what: str = "this") -> None:
    """Raise Forbidden unless the actor has one of `roles`."""
    allowed = frozenset(roles)
    if actor is None or actor.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise Forbidden(f"{what} needs one of the roles: {names}", code="forbidden_role")


def require_strong(actor: Actor) -> None:
    """Raise Forbidden (`strong_auth_required`) unless the actor's sign-in is strong."""
    if not actor.strong:
        raise Forbidden(
            "sign in with email, password and two-factor code for this, or confirm your "
            "password first (POST /api/v1/auth/step-up)",
            code="strong_auth_required",
        )
