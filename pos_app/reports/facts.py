"""Writing report facts and keeping their roll-ups: one function for the branch and the cloud.

`record` (branch) writes the facts under `LOCAL`, adds them to the roll-ups and queues them
for the cloud as one `report.facts` outbox event, all in the caller's transaction: a sale is
counted when, and only when, it is committed. `apply` (both) is what the cloud runs on that
event with the branch's cloud id. A fact already held (same key) is skipped with its
roll-up share, so an event applied twice counts once.

Facts travel as JSON: dates as ISO text, money as integers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    SmallInteger,
    String,
    case,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pos_app.db import UTCDateTime
from pos_app.pipeline import pending
from pos_app.reports.models import (
    LOCAL,
    MEASURES,
    ReportAdjustment,
    ReportDaily,
    ReportLine,
    ReportMonthly,
    ReportPayment,
    ReportSale,
    ReportShift,
    ReportTicket,
    ReportYearly,
)
from pos_app.stock.models import StockMovement

EVENT = "report.facts"

# Fact kind -> (table, key columns besides branch_id).
TABLES = {
    "sales": (ReportSale.__table__, ("doc",)),
    "lines": (ReportLine.__table__, ("doc", "n")),
    "payments": (ReportPayment.__table__, ("payment_id",)),
    "adjustments": (ReportAdjustment.__table__, ("id",)),
    "tickets": (ReportTicket.__table__, ("ticket_id",)),
    "shifts": (ReportShift.__table__, ("shift_id",)),
    "stock": (StockMovement.__table__, ("id",)),
}

# Kitchen ticket times are also counted in buckets of this many seconds, so the 90th
# percentile of a month answers from roll-ups (to the bucket's upper edge).
BUCKET_S = 30
LAST_BUCKET = 120  # an hour and more: one bucket


def record(session: Session, facts: dict, now: bool = False) -> None:
    """Keep facts of this branch: added to the transaction's, and written at its commit with
    their roll-ups and sent to the cloud as one event (a payment's sale, item rows and payment
    are one write, not three); `now` writes these at once as their own event (an import
    cuts a big file into events of a bounded size)."""
    if now:
        _write(session, facts)
        return
    held = pending(session).report_facts
    for kind, rows in facts.items():
        held.setdefault(kind, []).extend(rows)


def write_pending(session: Session, work) -> None:
    """Commit phase "write the report facts"."""
    if work.report_facts:
        facts, work.report_facts = work.report_facts, {}
        _write(session, facts)


def _write(session: Session, facts: dict) -> None:
    from pos_app.outbox import record_event

    facts = {kind: rows for kind, rows in facts.items() if rows}
    if not facts:
        return
    apply(session, LOCAL, facts, new=True)
    record_event(session, EVENT, "report", _aggregate_of(facts), facts)
    from pos_app.reports import live

    live.changed(session, facts)


def _aggregate_of(facts: dict) -> str:
    for kind, rows in facts.items():
        key = TABLES[kind][1][0]
        return f"{kind}:{rows[0].get(key, '')}"[:64]
    return ""


def apply(session: Session, branch_id: int, facts: dict, new: bool = False) -> None:
    """Keep the facts (those not held already: `new` says the caller knows none is) and add
    them to the daily, monthly and yearly sums."""
    kept: dict[str, list[dict]] = {}
    for kind, (table, keys) in TABLES.items():
        rows = [_row(table, branch_id, r) for r in facts.get(kind) or () if isinstance(r, dict)]
        rows = [r for r in rows if r is not None]
        if kind == "lines":
            docs = {r["doc"] for r in kept.get("sales", [])}
            rows = [r for r in rows if r["doc"] in docs]
        elif not new:  # the branch's own facts are new by making (numbered documents, ids)
            rows = _new_only(session, table, keys, branch_id, rows)
        if rows:
            session.connection().execute(table.insert(), rows)
            kept[kind] = rows
    sums = rollup(kept)
    if sums:
        _add(session, ReportDaily.__table__, "day", branch_id, sums)
        monthly = _coarser(sums, lambda day: day.replace(day=1))
        _add(session, ReportMonthly.__table__, "month", branch_id, monthly)
        yearly = _coarser(monthly, lambda day: day.replace(month=1, day=1))
        _add(session, ReportYearly.__table__, "year", branch_id, yearly)


def _coarser(sums: dict, first_day) -> dict:
    """The same sums per month (or year): each day's slot moved to its period's first day."""
    out: dict = defaultdict(lambda: defaultdict(int))
    for (day, dim, key), measures in sums.items():
        slot = out[(first_day(day), dim, key)]
        for name, value in measures.items():
            if name != "label_ar":
                slot[name] += value
            elif value:
                slot["label_ar"] = value
    return out


def _row(table, branch_id: int, raw: dict) -> dict | None:
    """A fact's row as the table takes it; None for a row it cannot take (a branch running
    other code, a damaged event): skipped, so one bad fact never stops a branch's sync."""
    row = {"branch_id": branch_id}
    try:
        for name, kind, length, default, low, high in _columns(table):
            value = raw.get(name)
            if value is None:
                value = default
            elif kind == "date":
                value = date.fromisoformat(str(value)[:10])
            elif kind == "datetime":
                value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                if value.tzinfo is None:
                    return None
            elif kind == "str":
                value = str(value)[:length]
            elif kind == "int":
                if isinstance(value, bool) or not isinstance(value, int | str):
                    return None
                value = int(value)
                if not low <= value <= high:
                    return None
            elif kind == "bool":
                value = bool(value)
            elif kind == "list":
                value = [str(v)[:120] for v in value][:50] if isinstance(value, list) else []
            if value is None and name in _KEYS.get(table.name, ()):
                return None
            row[name] = value
    except (TypeError, ValueError):
        return None
    return row


_KEYS = {table.name: (*keys, "business_day") for table, keys in TABLES.values()}


@cache
def _columns(table) -> list[tuple]:
    """(name, kind, length, default, lowest, highest) of each column but the branch's."""
    out = []
    for column in table.c:
        if column.name == "branch_id":
            continue
        t = column.type
        low = high = 0
        if isinstance(t, UTCDateTime):
            kind = "datetime"
        elif isinstance(t, Date):
            kind = "date"
        elif isinstance(t, String):
            kind = "str"
        elif isinstance(t, Boolean):
            kind = "bool"
        elif isinstance(t, JSON):
            kind = "list"
        else:
            kind = "int"
            # BigInteger facts to 2^53: a roll-up adds millions of them below 2^63.
            bits = 16 if isinstance(t, SmallInteger) else 54 if isinstance(t, BigInteger) else 32
            low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        default = column.default.arg if column.default is not None else None
        if callable(default):
            default = None
        if kind == "list":
            default = []
        out.append((column.name, kind, getattr(t, "length", None), default, low, high))
    return out


def _new_only(session: Session, table, keys, branch_id: int, rows: list[dict]) -> list[dict]:
    """The rows whose key is not held yet (nor repeated within the batch)."""
    if not rows:
        return rows
    unique: dict = {}
    for r in rows:
        unique.setdefault(tuple(r[k] for k in keys), r)
    columns = [table.c[k] for k in keys]
    wanted = list(unique)
    held = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        held.update(
            tuple(r)
            for r in session.execute(
                select(*columns).where(
                    table.c.branch_id == branch_id,
                    tuple_(*columns).in_(chunk)
                    if len(columns) > 1
                    else columns[0].in_([k[0] for k in chunk]),
                )
            )
        )
    return [r for k, r in unique.items() if k not in held]


def rollup(kept: dict) -> dict:
    """The roll-up sums of these facts: (business day, dimension, key) -> measures. Pure: the
    property test checks these sums against the facts themselves (tests/test_reports.py)."""
    sums: dict = defaultdict(lambda: defaultdict(int))

    def add(day, dim, key, label_ar="", **measures):
        slot = sums[(day, dim, str(key)[:160])]
        if label_ar:
            slot["label_ar"] = label_ar
        for name, value in measures.items():
            slot[name] += value

    for s in kept.get("sales", ()):
        money = {
            "n": 1,
            "orders": s["orders"],
            "gross_minor": s["gross_minor"],
            "discount_minor": s["discount_minor"],
            "comp_minor": s["comp_minor"],
            "service_minor": s["service_minor"],
            "total_minor": s["total_minor"],
            "vat_minor": s["vat_minor"],
            "refund_minor": s["refund_minor"],
            "refund_vat_minor": s["refund_vat_minor"],
            "tip_minor": s["tip_minor"],
        }
        day = s["business_day"]
        add(day, "all", "", **money)
        add(day, "type", s["order_type"], **money)
        add(day, "staff", s["staff"], **money)
        add(
            day,
            "hour",
            f"{day.weekday()}:{s['hour']:02d}",
            n=1,
            orders=s["orders"],
            total_minor=s["total_minor"],
            refund_minor=s["refund_minor"],
        )
        if s["kind"] == "imported":
            add(day, "imported", "", n=1, total_minor=s["total_minor"])
    for li in kept.get("lines", ()):
        goods = {
            "n": 1,
            "qty_milli": li["qty_milli"],
            "gross_minor": li["gross_minor"],
            "discount_minor": li["discount_minor"],
            "comp_minor": li["comp_minor"],
            "total_minor": li["amount_minor"],
        }
        add(li["business_day"], "item", li["item"], li["item_ar"], **goods)
        add(li["business_day"], "category", li["category"], li["category_ar"], **goods)
    for p in kept.get("payments", ()):
        add(
            p["business_day"],
            "tender",
            p["tender"],
            n=1,
            total_minor=p["amount_minor"],
            tip_minor=p["tip_minor"],
        )
    for a in kept.get("adjustments", ()):
        add(
            a["business_day"],
            "adjust",
            a["kind"],
            n=1,
            total_minor=a["amount_minor"],
            qty_milli=a["quantity"] * 1000,
        )
        add(
            a["business_day"],
            "staff_" + a["kind"][:10],
            a["actor"],
            n=1,
            total_minor=a["amount_minor"],
        )
    for t in kept.get("tickets", ()):
        late = 1 if t["late"] else 0
        add(t["business_day"], "station", t["station"], n=1, seconds=t["seconds"], late=late)
        bucket = min(max(t["seconds"], 0) // BUCKET_S, LAST_BUCKET)
        add(t["business_day"], "station_hist", f"{t['station']}|{bucket:03d}", n=1)
        for name in t["items"] or ():
            add(t["business_day"], "kitchen_item", str(name), n=1, seconds=t["seconds"], late=late)
    for m in kept.get("stock", ()):
        day = m["business_day"]
        # Per ingredient ("unit|name"), per kind; the cost of goods per dish and section.
        key = f"{m['unit']}|{m['ingredient_name']}"
        add(
            day,
            "stk_" + m["kind"][:12],
            key,
            m["ingredient_ar"],
            n=1,
            qty_milli=m["qty_milli"],
            total_minor=m["cost_minor"],
        )
        if m["kind"] in ("sale", "void", "refund") and m["item"]:
            add(day, "cogs_item", m["item"], m["item_ar"], total_minor=-m["cost_minor"])
            add(day, "cogs_category", m["category"], m["category_ar"], total_minor=-m["cost_minor"])
        elif m["kind"] == "waste":
            add(day, "waste", m["reason"][:160], n=1, total_minor=-m["cost_minor"])
    for sh in kept.get("shifts", ()):
        add(
            sh["business_day"],
            "cash",
            "",
            n=1,
            total_minor=sh["counted_cash_minor"] - sh["expected_cash_minor"],
        )
    return sums


def _add(session: Session, table, day_column: str, branch_id: int, sums: dict) -> None:
    rows = []
    for (day, dim, key), measures in sums.items():
        row = {
            "branch_id": branch_id,
            day_column: day,
            "dim": dim,
            "key": key,
            "label_ar": str(measures.get("label_ar", ""))[:160],
        }
        row.update({m: int(measures.get(m, 0)) for m in MEASURES})
        rows.append(row)
    # One order for every writer: two sales at once on PostgreSQL lock the rows they add to
    # in the same order, so they queue instead of deadlocking.
    rows.sort(key=lambda r: (r[day_column], r["dim"], r["key"]))
    dialect = session.get_bind().dialect.name
    session.connection().execute(_upsert(table, day_column, dialect), rows)


@cache
def _upsert(table, day_column: str, dialect_name: str):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    added = {m: table.c[m] + stmt.excluded[m] for m in MEASURES}
    # A row without an Arabic name keeps the one held (an older event may lack it).
    added["label_ar"] = case(
        (stmt.excluded.label_ar == "", table.c.label_ar), else_=stmt.excluded.label_ar
    )
    return stmt.on_conflict_do_update(
        index_elements=["branch_id", day_column, "dim", "key"], set_=added
    )
