"""Hashing and checking PINs and passwords with argon2; TOTP codes with pyotp.

argon2 takes 50-100 ms of CPU: under gevent it runs in native threads of its own (offhub.py) so
a shift's logins do not freeze every kitchen screen (argon2-cffi releases the GIL while it
hashes; tests/test_off_hub.py proves the hub keeps running).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST

from pos_app import offhub
from pos_app.clock import utcnow

_HASHERS = {"standard": PasswordHasher(), "fast": PasswordHasher.from_parameters(CHEAPEST)}
_DECOYS: dict[str, str] = {}  # per profile: a hash no secret is checked against for real


def _hasher(profile: str) -> PasswordHasher:
    return _HASHERS.get(profile, _HASHERS["standard"])


def hash_secret(secret: str, profile: str = "standard") -> str:
    """argon2 hash of a PIN or password."""
    return offhub.run("argon2", _hasher(profile).hash, secret)


def verify_secret(stored_hash: str | None, secret: str, profile: str = "standard") -> bool:
    """True if `secret` matches `stored_hash`.

    Without a stored hash (an unknown email, no password set) it still verifies, against a
    decoy hash of the same profile, and answers False: the time taken does not tell whether
    the account exists.
    """
    decoy = not stored_hash
    if decoy:
        stored_hash = _decoy_hash(profile)
    try:
        return (
            bool(offhub.run("argon2", _hasher(profile).verify, stored_hash, secret)) and not decoy
        )
    except (VerificationError, InvalidHashError):
        return False


def _decoy_hash(profile: str) -> str:
    if profile not in _DECOYS:
        _DECOYS[profile] = hash_secret(secrets.token_urlsafe(16), profile)
    return _DECOYS[profile]


def random_pin(digits: int) -> str:
    """A PIN drawn uniformly from all `digits`-digit PINs."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def pin_tag(pin: str, key: str) -> str:
    """A short keyed tag of a PIN: narrows login to one or two argon2 checks, not one per staff."""
    digest = hmac.new(key.encode(), b"pin:" + pin.encode(), hashlib.sha256).hexdigest()
    return digest[:8]


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret."""
    return pyotp.random_base32()


def totp_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def verify_totp(secret: str | None, code: str | None, after_step: int | None = None) -> int | None:
    """The time step `code` belongs to (one step of clock drift allowed), or None.

    A code of a step at or before `after_step` (the last one used) is refused: a code seen
    over someone's shoulder cannot be used again.
    """
    if not secret or not code:
        return None
    code = code.strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
