"""PIN guessing defences: the limits a try counts under, and the managers' alert.

A device that signed in before (known) is limited on its own, so one waiter's typos lock only
their handheld. Devices never seen (no id, or an id that never signed in) share the address
limit and the branch's PIN-space budget, which changing address or cookie does not reset.
Approval PINs count per actor and in the same budget. docs/security.md has the numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.audit import record_audit
from pos_app.auth import devices
from pos_app.auth.actor import Actor
from pos_app.auth.models import Staff
from pos_app.auth.ratelimit import Limit, hold, locked, record_failure
from pos_app.auth.roles import BACK_OFFICE
from pos_app.clock import utcnow
from pos_app.errors import RateLimited
from pos_app.realtime import push_after_commit
from pos_app.rooms import FLOOR, staff_room

log = logging.getLogger(__name__)

PIN_SPACE = "pin-space"  # failed PINs from unknown devices and approvals: refuses unknown ones
PIN_FAILURES = "pin-failures"  # every failed PIN of the branch: only ever alerts

_REFUSALS = {
    PIN_SPACE: "too many wrong PINs on this branch from devices that never signed in (a device "
    "that signed in before is not affected)",
    "device": "too many wrong tries on this device",
    "addr": "too many wrong tries from this address",
    "account": "too many failed sign-ins for this account",
    "approval": "too many wrong approval PINs",
}


@dataclass(frozen=True)
class Limits:
    """The limits of one branch, from AuthSettings."""

    plain: Limit  # per address and per account: N a minute
    device: Limit  # per known device and per approving actor: escalating
    pin_space: Limit  # the branch's budget for unknown devices: escalating
    pin_alert: Limit  # every failed PIN of the day: alerts only


@dataclass
class Attempt:
    """One try of a secret: the keys it is checked against and the keys it counts under."""

    source: devices.LoginSource
    known: bool
    checked: dict[str, Limit]
    counted: dict[str, Limit] = field(default_factory=dict)
    actor: Actor | None = None

    def check(self, session: Session) -> None:
        """Raise RateLimited if a checked key is locked (holding each key's lock meanwhile)."""
        hold(session, self.checked)  # counted-only keys may race: at worst an alert comes late
        key, wait = locked(session, self.checked)
        if wait > 0:
            message = _REFUSALS.get(key.partition(":")[0], "too many wrong tries")
            raise RateLimited(f"{message}; try again in {wait} seconds", retry_after=wait)

    def fail(self, session: Session, what: str) -> None:
        """Count the failure; alert the managers when it spends a budget."""
        tripped = record_failure(session, {**self.checked, **self.counted})
        for key in tripped:
            if key in (PIN_SPACE, PIN_FAILURES):
                alert_managers(session, key, what, self)


def for_pin_login(session: Session, source, limits: Limits, device_days: int) -> Attempt:
    """A PIN login: a known device on its own, an unknown one in the shared budget."""
    known = devices.is_known(session, source.device_id, device_days)
    checked = _place(source, known, limits)
    if not known:
        checked[PIN_SPACE] = limits.pin_space
    return Attempt(source, known, checked, {PIN_FAILURES: limits.pin_alert})


def for_password(session: Session, source, limits: Limits, account: str, device_days: int):
    """A password (login or step-up): per device or address, and per account."""
    known = devices.is_known(session, source.device_id, device_days)
    place = _place(source, known, limits)
    return Attempt(source, known, {**place, f"account:{account}": limits.plain})


def for_approval(session: Session, actor: Actor, source, limits: Limits, device_days: int):
    """A manager's PIN typed to approve: per actor, and in the branch's PIN-space budget
    (checked only for a device that never signed in, counted always)."""
    known = devices.is_known(session, source.device_id, device_days)
    checked = {f"approval:{actor.staff_id}": limits.device}
    counted = {PIN_FAILURES: limits.pin_alert}
    if known:
        counted[PIN_SPACE] = limits.pin_space
    else:
        checked[PIN_SPACE] = limits.pin_space
    return Attempt(source, known, checked, counted, actor)


def _place(source, known: bool, limits: Limits) -> dict[str, Limit]:
    """A known device's own escalating limit, or the plain limit of the address."""
    if known:
        return {f"device:{devices.device_hash(source.device_id)}": limits.device}
    return {f"addr:{source.address}": limits.plain}


def alert_managers(session: Session, budget: str, what: str, attempt: Attempt) -> None:
    """Audit, log and push `security_alert` to every active owner's and manager's devices."""
    detail = {
        "budget": budget,
        "what": what,
        "source": attempt.source.label,
        "known_device": attempt.known,
        "actor_id": attempt.actor.staff_id if attempt.actor else None,
    }
    record_audit(session, attempt.actor, "auth.pin_guessing", "branch", None, after=detail)
    log.warning("PIN guessing suspected: %s", detail)
    payload = {"kind": "pin_guessing", "at": utcnow().isoformat(), **detail}
    managers = session.scalars(
        select(Staff.id).where(Staff.active, Staff.role.in_(tuple(BACK_OFFICE)))
    ).all()
    for staff_id in managers:
        push_after_commit(session, FLOOR, staff_room(staff_id), "security_alert", payload)
