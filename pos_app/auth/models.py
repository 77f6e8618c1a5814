"""Staff members, their bearer tokens, the devices that signed in, and the failures that
rate limiting counts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos_app.clock import utcnow
from pos_app.db import Base, UTCDateTime


class Role(enum.StrEnum):
    """What a staff member may do; checked on every endpoint and socket event."""

    owner = "owner"
    manager = "manager"
    cashier = "cashier"
    waiter = "waiter"
    kitchen = "kitchen"


class Staff(Base):
    """A person (or a kitchen screen's login) who acts in the system."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    # argon2 hash of the PIN, plus a short keyed tag of it so login need not verify every
    # staff member's hash (docs/architecture.md, "PIN lookup").
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_tag: Mapped[str | None] = mapped_column(String(8), index=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None]  # the time step of the last code used (no replays)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def totp_enabled(self) -> bool:
        """True once the staff member confirmed a TOTP code after enrolment."""
        return self.totp_enabled_at is not None


class AuthToken(Base):
    """A bearer token (API, Socket.IO auth, browser session); only its SHA-256 is stored."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(120), default="")
    method: Mapped[str] = mapped_column(String(16), default="pin")  # 'pin' or 'password'
    # Until when a PIN sign-in counts as strong, after the password was confirmed (step-up).
    strong_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(lazy="joined")


class LoginAttempt(Base):
    """A failed try (login, approval PIN, step-up) or a PIN issued, counted under a key
    (a device, an address, an account, the branch's PIN space) for the rate limits."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginDevice(Base):
    """A device that signed in successfully once: its failures count against itself alone.

    Only the SHA-256 of the device id (a random value in the device's `pos_device` cookie or
    `X-POS-Device` header) is stored, as for tokens.
    """

    __tablename__ = "login_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # the last to sign in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScreenPairing(Base):
    """A kitchen screen waiting to be paired: it shows `code`; a manager types the code in the
    back office and picks the kitchen login; the screen, holding the secret whose SHA-256 is
    `secret_hash` (in its session cookie), then gets its device token. Short-lived."""

    __tablename__ = "screen_pairing"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # the kitchen login
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_name: Mapped[str] = mapped_column(String(60), default="")
