"""Socket.IO audiences: every namespace and room name, in one place (pure: names only).

A push names its audience with a namespace constant and a room helper from here; no other
module spells a namespace or a room. Rooms are per namespace: `staff:7` on /floor and
`staff:7` on /kds are two rooms.
"""

from __future__ import annotations

import math
from datetime import datetime

# Namespaces, by audience.
FLOOR = "/floor"  # handhelds and the till: orders, tables, ready notices, security alerts
KDS = "/kds"  # kitchen and expo screens: numbered ticket pushes, printer status

TILL_ROOM = "till"  # on /floor: cashiers', managers' and owners' devices; every order's changes
REPORTS_ROOM = "reports"  # on /floor: managers' and owners' dashboards; "figures changed"

_STATION, _FLOOR, _STAFF, _TOKEN, _EXPIRY = "station:", "floor:", "staff:", "token:", "expires:"


def station_room(station_id: int) -> str:
    """The room of one station's screens (on /kds)."""
    return f"{_STATION}{station_id}"


def is_station_room(room) -> bool:
    """True for a room made by station_room (a screen leaves its old station's)."""
    return isinstance(room, str) and room.startswith(_STATION)


def floor_room(floor_id: int) -> str:
    """The room of the handhelds looking at one floor (on /floor)."""
    return f"{_FLOOR}{floor_id}"


def is_floor_room(room) -> bool:
    """True for a room made by floor_room (a handheld leaves its old floor's)."""
    return isinstance(room, str) and room.startswith(_FLOOR)


def staff_room(staff_id: int) -> str:
    """The room of one staff member's devices (every namespace: revoke_all_for drops it)."""
    return f"{_STAFF}{staff_id}"


def token_room(token_hash: str) -> str:
    """The room of the sockets signed in with one token (a logout drops it)."""
    return f"{_TOKEN}{token_hash[:16]}"


def expiry_room(expires_at: datetime) -> str:
    """The room of the sockets whose login expires at `expires_at` (to the second, rounded up)."""
    return f"{_EXPIRY}{math.ceil(expires_at.timestamp())}"


def expiry_second(room) -> int | None:
    """The epoch second an expiry_room stands for; None for any other room."""
    if not isinstance(room, str) or not room.startswith(_EXPIRY):
        return None
    second = room[len(_EXPIRY) :]
    return int(second) if second.isdigit() else None
