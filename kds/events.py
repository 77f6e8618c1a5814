"""Numbered pushes to a station's screens: each push gets the station's next sequence number,
is kept in kds_event, and leaves only after the commit; a reconnecting screen replays them."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kds.models import KdsEvent
from pos_app.clock import utcnow
from pos_app.counters import current_value, next_values
from pos_app.pipeline import Pending, pending
from pos_app.realtime import push_after_commit
from pos_app.rooms import KDS, station_room

REPLAY_LIMIT = 1000  # more missed than this: the screen takes a fresh snapshot instead


def seq_counter(station_id: int) -> str:
    """The counter name of a station's push sequence."""
    return f"kds-seq:{station_id}"


def push_station(session: Session, station_id: int, name: str, payload: dict) -> None:
    """Queue an event for one station's screens; it is numbered, stored and pushed at commit."""
    pending(session).station_pushes.append((station_id, name, payload))


def number_and_store(session: Session, work: Pending) -> None:
    """Commit phase "number the station pushes": numbered, stored, then queued as pushes."""
    # Numbers are taken at commit, for all stations at once in counter-name order
    # (counters.next_values): concurrent transactions lock the stations' counters in the same
    # order, so they queue and never deadlock.
    queued, work.station_pushes = work.station_pushes, []
    if not queued:
        return
    per_station: dict[int, list] = {}
    for station_id, name, payload in queued:
        per_station.setdefault(station_id, []).append((name, payload))
    lasts = next_values(session, {seq_counter(i): len(p) for i, p in per_station.items()})
    rows = []
    for station_id in sorted(per_station):
        pushes = per_station[station_id]
        last = lasts[seq_counter(station_id)]
        for seq, (name, payload) in enumerate(pushes, start=last - len(pushes) + 1):
            body = {**payload, "seq": seq, "station_id": station_id}
            rows.append(
                {
                    "station_id": station_id,
                    "seq": seq,
                    "name": name,
                    "payload": body,
                    "created_at": utcnow(),
                }
            )
            push_after_commit(session, KDS, station_room(station_id), name, body)
    session.connection().execute(insert(KdsEvent.__table__), rows)  # one executemany


def last_seq(session: Session, station_id: int) -> int:
    """The station's latest sequence number."""
    return current_value(session, seq_counter(station_id))


def events_after(session: Session, station_id: int, after: int) -> list[dict] | None:
    """Events after `after` in order, or None when they are no longer all kept (take a snapshot)."""
    first = session.scalar(select(func.min(KdsEvent.seq)).where(KdsEvent.station_id == station_id))
    latest = last_seq(session, station_id)
    if after > latest:
        return None  # the screen knows a future: the database was reset; start over
    if after < latest and (first is None or first > after + 1):
        return None
    if latest - after > REPLAY_LIMIT:
        return None
    rows = session.scalars(
        select(KdsEvent)
        .where(KdsEvent.station_id == station_id, KdsEvent.seq > after)
        .order_by(KdsEvent.seq)
    )
    return [{"name": row.name, "payload": row.payload} for row in rows]


KEEP_DAYS = 2


def prune_events(session: Session) -> int:
    """Forget pushes older than two days (a screen that far behind takes a snapshot)."""
    from datetime import timedelta

    from sqlalchemy import delete

    from pos_app.clock import utcnow

    result = session.execute(
        delete(KdsEvent).where(KdsEvent.created_at < utcnow() - timedelta(days=KEEP_DAYS))
    )
    return result.rowcount or 0
