"""Reading the reports: periods, the sums of a period from the roll-ups, and every table of
the report from those sums (the rules: docs/reports.md).

A period's sums take whole calendar years from `report_yearly`, whole months from
`report_monthly` and the days left over from `report_daily`, so a year across every branch
reads a few thousand rows, never its sales.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.errors import ValidationFailed
from pos_app.reports.facts import BUCKET_S
from pos_app.reports.models import (
    MEASURES,
    ReportAdjustment,
    ReportDaily,
    ReportLine,
    ReportMonthly,
    ReportSale,
    ReportShift,
    ReportYearly,
)

PERIODS = ("day", "week", "month", "year", "custom")
MAX_DAYS = 366
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # any restaurant's business days


def period(kind: str, anchor: date | None, start: date | None, end: date | None, today: date):
    """(start, end) of the period asked for, both business days included; refused when
    reversed or too long, with the field to fix."""
    if kind not in PERIODS:
        raise ValidationFailed("unknown period", {"period": [f"one of {', '.join(PERIODS)}"]})
    for field, value in (("date", anchor), ("from", start), ("to", end)):
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationFailed(
                "a date from 2000 to 2999", {field: ["a date from 2000-01-01 to 2999-12-31"]}
            )
    if kind == "custom":
        if start is None or end is None:
            missing = {
                k: ["required for a custom period"]
                for k, v in (("from", start), ("to", end))
                if v is None
            }
            raise ValidationFailed("a custom period needs from and to", missing)
        if end < start:
            raise ValidationFailed("the period ends before it starts", {"to": ["before from"]})
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationFailed(
                f"a period is at most {MAX_DAYS} days",
                {"to": [f"at most {MAX_DAYS} days after from"]},
            )
        return start, end
    day = anchor or today
    if kind == "day":
        return day, day
    if kind == "week":  # ISO weeks: Monday to Sunday
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if kind == "month":
        first = day.replace(day=1)
        return first, _month_end(first)
    first = day.replace(month=1, day=1)
    return first, day.replace(month=12, day=31)


def previous(kind: str, start: date, end: date) -> tuple[date, date]:
    """The period before: the month before a month, the year before a year, else as long."""
    if kind == "month":
        first = (start - timedelta(days=1)).replace(day=1)
        return first, _month_end(first)
    if kind == "year":
        return start.replace(year=start.year - 1), end.replace(year=end.year - 1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def _month_end(first: date) -> date:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def split_periods(start: date, end: date):
    """The whole calendar years, then whole months, inside [start, end], and the day ranges
    left over: (years, months, day ranges), so a period reads the fewest roll-up rows."""
    years, months, days = [], [], []
    cursor = start
    while cursor <= end:
        if cursor.month == 1 and cursor.day == 1 and cursor.replace(month=12, day=31) <= end:
            years.append(cursor)
            cursor = cursor.replace(year=cursor.year + 1)
        elif cursor.day == 1 and _month_end(cursor) <= end:
            months.append(cursor)
            cursor = _month_end(cursor) + timedelta(days=1)
        else:
            stop = min(end, _month_end(cursor))
            if days and days[-1][1] == cursor - timedelta(days=1):
                days[-1] = (days[-1][0], stop)
            else:
                days.append((cursor, stop))
            cursor = stop + timedelta(days=1)
    return years, months, days


def sums(
    session: Session,
    branch_ids: list[int],
    start: date,
    end: date,
    dims: tuple = (),
    per_branch: bool = False,
) -> dict:
    """(dimension, key) -> measures (and `label_ar`) over the branches and business days
    (only the dimensions `dims`, when given); `per_branch`: (branch id, dimension, key)."""
    out: dict = defaultdict(lambda: defaultdict(int))
    if not branch_ids:
        return out
    years, months, days = split_periods(start, end)
    queries = []
    for table, column, firsts in (
        (ReportYearly, ReportYearly.year, years),
        (ReportMonthly, ReportMonthly.month, months),
    ):
        if firsts:
            queries.append(_grouped(table, branch_ids, dims, per_branch).where(column.in_(firsts)))
    for first, last in days:
        queries.append(
            _grouped(ReportDaily, branch_ids, dims, per_branch).where(
                ReportDaily.day.between(first, last)
            )
        )
    for q in queries:
        for row in session.execute(q):
            key = (row[0], row[1])
            slot = out[(row[-1], *key) if per_branch else key]
            if row[2]:
                slot["label_ar"] = row[2]
            for name, value in zip(MEASURES, row[3 : 3 + len(MEASURES)], strict=True):
                slot[name] += int(value or 0)
    return out


def _grouped(table, branch_ids: list[int], dims: tuple, per_branch: bool = False):
    extra = [table.branch_id] if per_branch else []
    return (
        select(
            table.dim,
            table.key,
            func.max(table.label_ar),
            *[func.sum(getattr(table, m)) for m in MEASURES],
            *extra,
        )
        .where(table.branch_id.in_(branch_ids), *_only(table, dims))
        .group_by(table.dim, table.key, *extra)
    )


def by_branch(session: Session, branch_ids: list[int], start: date, end: date) -> dict:
    """Each branch's headline figures for the period (branch id -> sales figures)."""
    if len(branch_ids) < 2:
        return {}
    found = sums(session, branch_ids, start, end, dims=("all",), per_branch=True)
    return {branch: sales_figures(m) for (branch, _dim, _key), m in found.items()}


def _only(table, dims: tuple) -> list:
    return [table.dim.in_(dims)] if dims else []


def raw_sums(session: Session, branch_ids: list[int], start: date, end: date) -> dict:
    """The sales, item and staff sums of the period from the facts themselves (what the
    roll-ups save: the benchmark prints both, the property test checks they agree)."""
    s, li = ReportSale, ReportLine
    out: dict = defaultdict(lambda: defaultdict(int))
    money = (
        "orders",
        "gross_minor",
        "discount_minor",
        "comp_minor",
        "service_minor",
        "total_minor",
        "vat_minor",
        "refund_minor",
        "refund_vat_minor",
        "tip_minor",
    )
    for dim, column in (("all", None), ("type", s.order_type), ("staff", s.staff)):
        key = column if column is not None else func.max("")
        q = select(key, func.count(), *[func.sum(getattr(s, m)) for m in money]).where(
            s.branch_id.in_(branch_ids), s.business_day.between(start, end)
        )
        if column is not None:
            q = q.group_by(column)
        for row in session.execute(q):
            if not row[1]:
                continue
            slot = out[(dim, row[0] or "")]
            slot["n"] += row[1]
            for name, value in zip(money, row[2:], strict=True):
                slot[name] += int(value or 0)
    goods = ("qty_milli", "gross_minor", "discount_minor", "comp_minor", "amount_minor")
    for dim, column in (("item", li.item), ("category", li.category)):
        q = (
            select(column, func.count(), *[func.sum(getattr(li, m)) for m in goods])
            .where(li.branch_id.in_(branch_ids), li.business_day.between(start, end))
            .group_by(column)
        )
        for row in session.execute(q):
            slot = out[(dim, row[0])]
            slot["n"] += row[1]
            for name, value in zip(goods, row[2:], strict=True):
                slot["total_minor" if name == "amount_minor" else name] += int(value or 0)
    return out


def sales_figures(all_: dict) -> dict:
    """The headline figures of one set of sums (docs/reports.md: every rule)."""
    sales = all_.get("total_minor", 0)
    refunds = all_.get("refund_minor", 0)
    vat = all_.get("vat_minor", 0) - all_.get("refund_vat_minor", 0)
    orders = all_.get("orders", 0)
    net = sales - refunds
    return {
        "gross_minor": all_.get("gross_minor", 0),
        "discount_minor": all_.get("discount_minor", 0),
        "comp_minor": all_.get("comp_minor", 0),
        "service_minor": all_.get("service_minor", 0),
        "sales_minor": sales,
        "refund_minor": refunds,
        "net_minor": net,
        "vat_minor": vat,
        "net_ex_vat_minor": net - vat,
        "tip_minor": all_.get("tip_minor", 0),
        "orders": orders,
        "documents": all_.get("n", 0),
        "average_ticket_minor": (sales + orders // 2) // orders if orders else 0,
    }


def _rows(sums_: dict, dim: str) -> list[tuple[str, dict]]:
    return [(key, m) for (d, key), m in sums_.items() if d == dim]


def build(
    session: Session,
    branch_ids: list[int],
    kind: str,
    start: date,
    end: date,
    with_previous: bool = True,
    today: date | None = None,
) -> dict:
    """Every table of the report for the branches and period, with the period before. A
    period still running (it holds `today`) is compared to as many days of the period before:
    the month to date against the same days of last month, not the whole of it."""
    now = sums(session, branch_ids, start, end)
    report = {
        "period": {"kind": kind, "from": start.isoformat(), "to": end.isoformat()},
        "sales": sales_figures(now.get(("all", ""), {})),
        "by_type": _money_table(now, "type"),
        "by_staff": _staff_table(now),
        "by_tender": sorted(
            (
                {
                    "tender": k,
                    "payments": m["n"],
                    "amount_minor": m["total_minor"],
                    "tip_minor": m["tip_minor"],
                }
                for k, m in _rows(now, "tender")
            ),
            key=lambda r: -r["amount_minor"],
        ),
        "by_item": _goods_table(now, "item"),
        "by_category": _goods_table(now, "category"),
        "heat": _heat(now),
        "kitchen": _kitchen(now),
        "adjustments": _adjustment_totals(now),
        "vat": _vat(now),
        "imported_minor": now.get(("imported", ""), {}).get("total_minor", 0),
        "stock": stock_figures(now),
    }
    if with_previous:
        p_start, p_end = previous(kind, start, end)
        if today is not None and start <= today < end:
            p_end = min(p_end, p_start + (today - start))
            report["period"]["to_date"] = today.isoformat()
        before = sums(session, branch_ids, p_start, p_end, dims=("all",))
        report["previous"] = {
            "from": p_start.isoformat(),
            "to": p_end.isoformat(),
            "sales": sales_figures(before.get(("all", ""), {})),
        }
    return report


def _money_table(sums_: dict, dim: str) -> list[dict]:
    rows = []
    for key, m in _rows(sums_, dim):
        f = sales_figures(m)
        rows.append({"key": key, **f})
    return sorted(rows, key=lambda r: -r["net_minor"])


def _staff_table(sums_: dict) -> list[dict]:
    people: dict = defaultdict(
        lambda: {
            "sales_minor": 0,
            "net_minor": 0,
            "orders": 0,
            "average_ticket_minor": 0,
            "voids": 0,
            "void_minor": 0,
            "discount_minor": 0,
            "comp_minor": 0,
            "refund_minor": 0,
            "tip_minor": 0,
        }
    )
    for key, m in _rows(sums_, "staff"):
        f = sales_figures(m)
        people[key].update(
            sales_minor=f["sales_minor"],
            net_minor=f["net_minor"],
            orders=f["orders"],
            average_ticket_minor=f["average_ticket_minor"],
            tip_minor=f["tip_minor"],
        )
    for (dim, key), m in sums_.items():
        if dim == "staff_void":
            people[key]["voids"] += m["n"]
            people[key]["void_minor"] += m["total_minor"]
        elif dim in ("staff_discount", "staff_comp", "staff_refund"):
            people[key][dim.removeprefix("staff_") + "_minor"] += m["total_minor"]
    return sorted(
        ({"staff": k, **v} for k, v in people.items() if k), key=lambda r: -r["net_minor"]
    )


def _goods_table(sums_: dict, dim: str) -> list[dict]:
    rows = [
        {
            "key": key,
            "label_ar": m.get("label_ar", ""),
            "quantity": round(m["qty_milli"] / 1000, 3),
            "gross_minor": m["gross_minor"],
            "discount_minor": m["discount_minor"],
            "comp_minor": m["comp_minor"],
            "revenue_minor": m["total_minor"],
        }
        for key, m in _rows(sums_, dim)
    ]
    return sorted(rows, key=lambda r: (-r["revenue_minor"], -r["quantity"], r["key"]))


def _heat(sums_: dict) -> list[list[int]]:
    """Sales (VAT in, before refunds) by weekday (0 = Monday) and local hour."""
    grid = [[0] * 24 for _ in range(7)]
    for key, m in _rows(sums_, "hour"):
        weekday, _, hour = key.partition(":")
        if weekday.isdigit() and hour.isdigit() and int(weekday) < 7 and int(hour) < 24:
            grid[int(weekday)][int(hour)] += m["total_minor"]
    return grid


def _kitchen(sums_: dict) -> dict:
    hist: dict = defaultdict(dict)
    for key, m in _rows(sums_, "station_hist"):
        station, _, bucket = key.rpartition("|")
        hist[station][int(bucket)] = m["n"]
    stations = []
    for key, m in _rows(sums_, "station"):
        n = m["n"]
        stations.append(
            {
                "station": key,
                "tickets": n,
                "average_s": round(m["seconds"] / n) if n else 0,
                "p90_s": _p90(hist.get(key, {}), n),
                "late": m["late"],
            }
        )
    items = [
        {
            "item": key,
            "tickets": m["n"],
            "average_s": round(m["seconds"] / m["n"]) if m["n"] else 0,
            "late": m["late"],
        }
        for key, m in _rows(sums_, "kitchen_item")
    ]
    return {
        "stations": sorted(stations, key=lambda r: r["station"]),
        "items": sorted(items, key=lambda r: -r["average_s"])[:50],
    }


def _p90(buckets: dict, n: int) -> int:
    """The 90th percentile ticket time, to the upper edge of its bucket (30 s)."""
    if not n:
        return 0
    need, seen = -(-9 * n // 10), 0
    for bucket in sorted(buckets):
        seen += buckets[bucket]
        if seen >= need:
            return (bucket + 1) * BUCKET_S
    return 0


def _adjustment_totals(sums_: dict) -> list[dict]:
    return sorted(
        (
            {"kind": k, "count": m["n"], "amount_minor": m["total_minor"]}
            for k, m in _rows(sums_, "adjust")
        ),
        key=lambda r: r["kind"],
    )


def _vat(sums_: dict) -> dict:
    """What a Saudi VAT return's sales boxes need: standard-rated sales and their VAT, and the
    adjustments (credit notes) in the period, net of VAT and VAT."""
    a = sums_.get(("all", ""), {})
    sales, vat = a.get("total_minor", 0), a.get("vat_minor", 0)
    refunds, refund_vat = a.get("refund_minor", 0), a.get("refund_vat_minor", 0)
    return {
        "standard_sales_ex_vat_minor": sales - vat,
        "standard_sales_vat_minor": vat,
        "adjustments_ex_vat_minor": -(refunds - refund_vat),
        "adjustments_vat_minor": -refund_vat,
        "net_ex_vat_minor": sales - vat - (refunds - refund_vat),
        "net_vat_minor": vat - refund_vat,
    }


def adjustments(session: Session, branch_ids: list[int], start: date, end: date, limit=500):
    """The voids, comps, discounts, price changes, refunds and cancellations, newest first."""
    t = ReportAdjustment
    rows = session.scalars(
        select(t)
        .where(t.branch_id.in_(branch_ids), t.business_day.between(start, end))
        .order_by(t.at.desc())
        .limit(limit)
    )
    return [
        {
            "branch_id": r.branch_id,
            "business_day": r.business_day.isoformat(),
            "at": r.at.isoformat() if r.at else None,
            "kind": r.kind,
            "order_number": r.order_number,
            "doc": r.doc,
            "item": r.item,
            "quantity": r.quantity,
            "amount_minor": r.amount_minor,
            "reason": r.reason,
            "actor": r.actor,
            "approver": r.approver,
        }
        for r in rows
    ]


def cash(session: Session, branch_ids: list[int], start: date, end: date) -> list[dict]:
    """Each till closed in the period: cash expected, counted, over (+) or short (-)."""
    t = ReportShift
    rows = session.scalars(
        select(t)
        .where(t.branch_id.in_(branch_ids), t.business_day.between(start, end))
        .order_by(t.business_day, t.closed_at)
    )
    return [
        {
            "branch_id": r.branch_id,
            "till": r.shift_id,
            "business_day": r.business_day.isoformat(),
            "opened_by": r.opened_by,
            "closed_by": r.closed_by,
            "expected_cash_minor": r.expected_cash_minor,
            "counted_cash_minor": r.counted_cash_minor,
            "over_short_minor": r.counted_cash_minor - r.expected_cash_minor,
        }
        for r in rows
    ]


def daily_series(session: Session, branch_ids: list[int], start: date, end: date) -> list[dict]:
    """Net sales and orders per business day of the period (the dashboard's line chart)."""
    t = ReportDaily
    rows = session.execute(
        select(t.day, func.sum(t.total_minor), func.sum(t.refund_minor), func.sum(t.orders))
        .where(t.branch_id.in_(branch_ids), t.day.between(start, end), t.dim == "all")
        .group_by(t.day)
        .order_by(t.day)
    )
    return [
        {"day": d.isoformat(), "net_minor": int(s or 0) - int(r or 0), "orders": int(o or 0)}
        for d, s, r, o in rows
    ]


def stock_figures(sums_: dict) -> dict:
    """Cost of goods and margin per dish and section, theoretical against actual use per
    ingredient, and waste by reason (docs/reports.md). Revenue is the item rows' (VAT in where
    prices include it); the margin is on revenue less the period's VAT share."""
    all_ = sums_.get(("all", ""), {})
    total, vat = all_.get("total_minor", 0), all_.get("vat_minor", 0)

    def net(revenue: int) -> int:
        return revenue - (revenue * vat // total if total > 0 else 0)

    def margins(goods_dim: str, cost_dim: str) -> list[dict]:
        revenue = {k: m for k, m in _rows(sums_, goods_dim)}
        cost = {k: m for k, m in _rows(sums_, cost_dim)}
        rows = []
        for key in sorted(set(revenue) | set(cost)):
            r, c = revenue.get(key, {}), cost.get(key, {})
            earned, spent = net(r.get("total_minor", 0)), c.get("total_minor", 0)
            rows.append(
                {
                    "key": key,
                    "label_ar": r.get("label_ar") or c.get("label_ar", ""),
                    "quantity": round(r.get("qty_milli", 0) / 1000, 3),
                    "revenue_minor": r.get("total_minor", 0),
                    "net_revenue_minor": earned,
                    "cost_minor": spent,
                    "margin_minor": earned - spent,
                    "margin_pct": round(100 * (earned - spent) / earned, 1) if earned else None,
                    "cost_pct": round(100 * spent / earned, 1) if earned else None,
                }
            )
        return sorted(rows, key=lambda row: (-row["margin_minor"], row["key"]))

    usage: dict = defaultdict(lambda: defaultdict(int))
    for (dim, key), m in sums_.items():
        if dim.startswith("stk_"):
            slot = usage[key]
            slot[dim.removeprefix("stk_") + "_milli"] += m["qty_milli"]
            slot[dim.removeprefix("stk_") + "_minor"] += m["total_minor"]
            if m.get("label_ar"):
                slot["label_ar"] = m["label_ar"]
    ingredients = []
    for key, u in sorted(usage.items()):
        unit, _, name = key.partition("|")
        theory = -(u["sale_milli"] + u["void_milli"] + u["refund_milli"])
        waste = -u["waste_milli"]
        counted = u["count_milli"]  # what counts found beyond the books (negative: missing)
        actual = theory + waste - counted
        ingredients.append(
            {
                "ingredient": name,
                "label_ar": u.get("label_ar", ""),
                "unit": unit,
                "theoretical": theory / 1000,
                "waste": waste / 1000,
                "count_variance": counted / 1000,
                "actual": actual / 1000,
                "variance_pct": round(100 * (actual - theory) / theory, 1) if theory else None,
                "purchased": u["purchase_milli"] / 1000,
                "purchased_minor": u["purchase_minor"],
                "transferred_in": u["transfer_in_milli"] / 1000,
                "transferred_out": -u["transfer_out_milli"] / 1000,
                "theoretical_minor": -(u["sale_minor"] + u["void_minor"] + u["refund_minor"]),
                "waste_minor": -u["waste_minor"],
                "count_variance_minor": u["count_minor"],
            }
        )
    waste = sorted(
        (
            {"reason": key, "times": m["n"], "cost_minor": m["total_minor"]}
            for key, m in _rows(sums_, "waste")
        ),
        key=lambda r: (-r["cost_minor"], r["reason"]),
    )
    by_item = margins("item", "cogs_item")
    return {
        "cogs_minor": sum(r["cost_minor"] for r in by_item),
        "waste_minor": sum(r["cost_minor"] for r in waste),
        "count_variance_minor": sum(i["count_variance_minor"] for i in ingredients),
        "by_item": by_item,
        "by_category": margins("category", "cogs_category"),
        "ingredients": ingredients,
        "waste": waste,
    }
