"""The signature a push carries: HMAC-SHA256 of "<unix time>.<body>" with the branch's key.

The time is in the signed text, so a captured push cannot be sent again later with a new
time; the cloud refuses a time more than `SKEW` away from its own clock (branch clocks may be
minutes off, not hours) and remembers the signatures it took within that window (a replay
inside it is refused too).
"""

from __future__ import annotations

import hashlib
import hmac

SKEW = 300  # seconds a push's time may differ from the cloud's clock

HEADER_BRANCH = "X-Pos-Branch"
HEADER_TIME = "X-Pos-Time"
HEADER_SIGNATURE = "X-Pos-Signature"


def sign(key: str, timestamp: int, body: bytes) -> str:
    """The hex signature of `body` sent at `timestamp` (seconds since 1970) with `key`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def headers(code: str, key: str, timestamp: int, body: bytes) -> dict:
    """The headers of a signed push."""
    return {
        HEADER_BRANCH: code,
        HEADER_TIME: str(timestamp),
        HEADER_SIGNATURE: sign(key, timestamp, body),
    }


def valid(key: str, timestamp: int, body: bytes, signature: str) -> bool:
    """Whether `signature` is the branch's for this time and body (compared in constant time)."""
    return hmac.compare_digest(sign(key, timestamp, body), signature)
