"""Device identity for the login limits: a random id a device keeps, known once it signed in.

Pure and database only: the pages and the API read the id from the `pos_device` cookie or the
`X-POS-Device` header and hand it in. Only the id's SHA-256 is stored (`login_device`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.auth.models import LoginDevice
from pos_app.clock import utcnow

COOKIE = "pos_device"
HEADER = "X-POS-Device"
COOKIE_MAX_AGE_S = 400 * 86_400  # the longest a browser keeps a cookie
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class LoginSource:
    """Where a login comes from: the device's id (None without one) and its LAN address."""

    device_id: str | None
    address: str

    @property
    def label(self) -> str:
        """What tokens and the audit log keep of the source (never the device id itself)."""
        if self.device_id is None:
            return self.address
        return f"{self.address} #{device_hash(self.device_id)[:8]}"


def new_device_id() -> str:
    """A fresh, unguessable device id (256 random bits)."""
    return secrets.token_urlsafe(32)


def clean_device_id(raw: str | None) -> str | None:
    """The id if it has the shape of one we issue, else None (treated as no id at all)."""
    return raw if raw and _SHAPE.match(raw) else None


def device_hash(device_id: str) -> str:
    """The SHA-256 kept in the database and in rate-limit keys."""
    return hashlib.sha256(device_id.encode()).hexdigest()


def is_known(session: Session, device_id: str | None, max_age_days: int) -> bool:
    """True if a login from this device succeeded within `max_age_days`."""
    if device_id is None:
        return False
    since = utcnow() - timedelta(days=max_age_days)
    found = session.scalar(
        select(LoginDevice.id).where(
            LoginDevice.device_hash == device_hash(device_id), LoginDevice.last_success_at > since
        )
    )
    return found is not None


def remember(session: Session, device_id: str, staff_id: int) -> None:
    """Record a successful login from the device: it is known from now on."""
    digest = device_hash(device_id)
    row = session.scalar(select(LoginDevice).where(LoginDevice.device_hash == digest))
    if row is None:
        row = LoginDevice(device_hash=digest)
        session.add(row)
    row.staff_id = staff_id
    row.last_success_at = utcnow()
