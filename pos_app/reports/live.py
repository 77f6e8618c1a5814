"""Dashboards learn that figures changed: one push per committed transaction that wrote
report facts, to the managers' and owners' sockets on /floor (`REPORTS_ROOM`). The push names
only the business days touched, never a figure or a branch: each dashboard asks the report
API again, which checks what its reader may see."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pos_app.pipeline import pending
from pos_app.realtime import push_after_commit
from pos_app.rooms import FLOOR, REPORTS_ROOM

NAME = "report_changed"


def changed(session: Session, facts: dict) -> None:
    """Queue the nudge once per transaction, with every business day the facts touched."""
    days = {
        str(row.get("business_day"))[:10]
        for rows in facts.values()
        if isinstance(rows, list)
        for row in rows[:1000]
        if isinstance(row, dict) and row.get("business_day")
    }
    for namespace, _room, name, payload in pending(session).pushes:
        if namespace == FLOOR and name == NAME:
            payload["days"] = sorted(set(payload["days"]) | days)
            return
    push_after_commit(session, FLOOR, REPORTS_ROOM, NAME, {"days": sorted(days)})
