"""The reports API: `GET /api/v1/reports/sales` (every table of a period, with the period
before) and `GET /api/v1/reports/export.csv` (one table as CSV), for managers and owners.

On a branch: the branch's own figures. In the cloud: the branches the reader may see
(pos_app/cloud/access.py), all of them or those named by code; a code not theirs is refused
exactly as an unknown one (403 `not_your_branch`), with no figure of it.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, current_app
from marshmallow import Schema, fields, validate

from pos_app.api import Api, Call
from pos_app.auth.roles import BACK_OFFICE
from pos_app.clock import utcnow
from pos_app.errors import Forbidden, ValidationFailed
from pos_app.reports import query
from pos_app.reports.models import LOCAL
from pos_app.schemas import flag_field

TABLES = (
    "sales",
    "branches",
    "daily",
    "types",
    "tenders",
    "staff",
    "items",
    "categories",
    "heat",
    "kitchen",
    "adjustments",
    "vat",
    "cash",
    "margins",
    "usage",
    "waste",
)


class ReportQuery(Schema):
    """Which period and which branches."""

    period = fields.String(
        load_default="day",
        validate=validate.OneOf(query.PERIODS),
        metadata={"description": "day, week (Monday to Sunday), month, year or custom"},
    )
    date = fields.Date(
        metadata={"description": "a business day inside the period (default: today)"}
    )
    from_ = fields.Date(data_key="from", metadata={"description": "custom: first business day"})
    to = fields.Date(metadata={"description": "custom: last business day (at most 366 days)"})
    branch = fields.String(
        load_default="all",
        validate=validate.Length(1, 400),
        metadata={"description": "cloud: `all` (default) or branch codes, comma separated"},
    )


class ExportQuery(ReportQuery):
    table = fields.String(required=True, validate=validate.OneOf(TABLES))


def _cloud() -> bool:
    return current_app.config.get("POS_MODE") == "cloud"


def readable_branches(call: Call, wanted: str) -> list[dict]:
    """The branches this report covers: this branch; or, in the cloud, the reader's."""
    if not _cloud():
        from pos_app.branch.services import current_branch

        branch = current_branch(call.session)
        return [{"id": LOCAL, "code": "this", "name": branch.name if branch else ""}]
    from sqlalchemy import select

    from pos_app.cloud.access import visible_branch_ids
    from pos_app.cloud.models import CloudBranch

    mine = visible_branch_ids(call.session, call.actor.staff_id)
    rows = call.session.execute(
        select(CloudBranch.id, CloudBranch.code, CloudBranch.name)
        .where(CloudBranch.id.in_(mine))
        .order_by(CloudBranch.name)
    ).all()
    branches = [{"id": i, "code": c, "name": n} for i, c, n in rows]
    if wanted == "all":
        return branches
    codes = [c.strip() for c in wanted.split(",") if c.strip()]
    if not codes or len(codes) > 50:
        raise ValidationFailed("name 1 to 50 branch codes", {"branch": ["1 to 50 codes"]})
    by_code = {b["code"]: b for b in branches}
    if any(c not in by_code for c in codes):
        raise Forbidden("no branch of yours has this code", code="not_your_branch")
    return [by_code[c] for c in dict.fromkeys(codes)]


def _today(call: Call) -> date:
    from pos_app.branch.services import business_day, current_branch

    branch = current_branch(call.session)
    now = utcnow()
    return business_day(branch, now) if branch else now.date()


def _money(call: Call) -> tuple[str, int]:
    from pos_app.branch.services import current_branch

    branch = current_branch(call.session)
    return (branch.currency, branch.currency_exponent) if branch else ("SAR", 2)


def _period(call: Call, q: dict) -> tuple[date, date]:
    return query.period(q["period"], q.get("date"), q.get("from_"), q.get("to"), _today(call))


def sales_report(call: Call):
    """Sales, order types, tenders, staff, items, categories, hours, kitchen speed,
    adjustments, VAT and cash for a period (day, week, month, year or custom), with the
    period before."""
    q = call.query
    start, end = _period(call, q)
    branches = readable_branches(call, q["branch"])
    ids = [b["id"] for b in branches]
    currency, exponent = _money(call)
    return {
        "branches": branches,
        "currency": currency,
        "currency_exponent": exponent,
        "today": _today(call).isoformat(),
        "report": query.build(call.session, ids, q["period"], start, end, today=_today(call)),
        "series": query.daily_series(call.session, ids, start, end),
        "by_branch": _by_branch(call, branches, start, end),
        "adjustments": query.adjustments(call.session, ids, start, end, limit=200),
        "cash": query.cash(call.session, ids, start, end),
    }


def _by_branch(call: Call, branches: list[dict], start: date, end: date) -> list[dict]:
    """Each branch's sales beside the others' (a report of several branches), best first."""
    figures = query.by_branch(call.session, [b["id"] for b in branches], start, end)
    rows = [
        {"branch": b["code"], "name": b["name"], **figures.get(b["id"], query.sales_figures({}))}
        for b in branches
        if len(branches) > 1
    ]
    return sorted(rows, key=lambda r: -r["net_minor"])


def export_csv(call: Call):
    """One table of the report as CSV (money in minor units, as the API answers it)."""
    q = call.query
    start, end = _period(call, q)
    ids = [b["id"] for b in readable_branches(call, q["branch"])]
    table = q["table"]
    if table == "branches":
        rows = _by_branch(call, readable_branches(call, q["branch"]), start, end)
    else:
        rows = table_rows(call.session, ids, q["period"], start, end, table, _today(call))
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    name = f"{table}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @) is quoted with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_rows(session, ids, kind, start, end, table, today=None) -> list[dict]:
    """The rows of one report table, flat (for CSV)."""
    if table in ("adjustments", "cash", "daily"):
        fn = {"adjustments": query.adjustments, "cash": query.cash, "daily": query.daily_series}
        if table == "adjustments":
            return query.adjustments(session, ids, start, end, limit=100_000)
        return fn[table](session, ids, start, end)
    report = query.build(
        session, ids, kind, start, end, with_previous=table == "sales", today=today
    )
    if table == "sales":
        row = {"from": start.isoformat(), "to": end.isoformat(), **report["sales"]}
        prev = report["previous"]["sales"]
        row.update({f"previous_{k}": v for k, v in prev.items()})
        return [row]
    if table == "heat":
        days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        return [
            {"weekday": days[w], **{f"{h:02d}": v for h, v in enumerate(hours)}}
            for w, hours in enumerate(report["heat"])
        ]
    if table == "kitchen":
        return [{"what": "station", **r} for r in report["kitchen"]["stations"]] + [
            {"what": "item", "station": "", **r} for r in report["kitchen"]["items"]
        ]
    if table == "vat":
        return [report["vat"]]
    if table == "margins":
        stock = report["stock"]
        return [{"what": "item", **r} for r in stock["by_item"]] + [
            {"what": "category", **r} for r in stock["by_category"]
        ]
    if table in ("usage", "waste"):
        return report["stock"]["ingredients" if table == "usage" else "waste"]
    key = {
        "types": "by_type",
        "tenders": "by_tender",
        "staff": "by_staff",
        "items": "by_item",
        "categories": "by_category",
    }[table]
    return report[key]


class SummaryQuery(Schema):
    """Whose summaries, and how many."""

    branch = fields.String(
        load_default="all",
        validate=validate.Length(1, 400),
        metadata={"description": "cloud: `all` (default) or branch codes, comma separated"},
    )
    limit = fields.Integer(load_default=14, validate=validate.Range(1, 120))


def list_summaries(call: Call):
    """The end-of-day summaries the scheduler made, newest first."""
    from pos_app.reports import summaries

    branches = readable_branches(call, call.query["branch"])
    codes = {b["id"]: b["code"] for b in branches}
    found = summaries.recent(call.session, list(codes), call.query["limit"])
    return {"items": [{"branch": codes[s.pop("branch_id")], **s} for s in found]}


class MonthQuery(Schema):
    """Which month and which branches."""

    date = fields.Date(metadata={"description": "a business day of the month (default: today)"})
    branch = fields.String(
        load_default="all",
        validate=validate.Length(1, 400),
        metadata={"description": "cloud: `all` (default) or branch codes, comma separated"},
    )


def monthly_pdf(call: Call):
    """The month's printable summary, English page then Arabic page (PDF)."""
    from pos_app.reports.paper import monthly_pdf as draw

    q = call.query
    start, end = query.period("month", q.get("date"), None, None, _today(call))
    branches = readable_branches(call, q["branch"])
    ids = [b["id"] for b in branches]
    currency, exponent = _money(call)
    data = {
        "report": query.build(call.session, ids, "month", start, end, today=_today(call)),
        "series": query.daily_series(call.session, ids, start, end),
    }
    label = (
        ", ".join(b["name"] for b in branches)[:80]
        if len(branches) < 4
        else (f"{len(branches)} branches · {len(branches)} فروع")
    )
    pdf = draw(data, label, start, currency, exponent)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="summary-{start:%Y-%m}.pdf"'},
    )


class SalesImportSchema(Schema):
    """A past sales file to check (apply false) or import (apply true)."""

    csv = fields.String(
        required=True,
        validate=validate.Length(1, 1_000_000),
        metadata={
            "description": "the file's text (UTF-8), header row first (docs/reports.md); "
            "larger files: `flask pos import-sales FILE`"
        },
    )
    apply = flag_field(load_default=False)


def import_sales(call: Call):
    """Check a file of past sales from another POS, or import it whole (one bad row: nothing
    imported); imported sales count in the reports, marked, and never become tax invoices."""
    from pos_app.errors import NotFound
    from pos_app.reports import importer

    if _cloud():
        raise NotFound("past sales are imported at the branch (they reach the cloud from there)")
    return importer.import_sales(
        call.session, call.actor, call.body["csv"], call.body["apply"], _today(call)
    )


def register(api: Api) -> None:
    from pos_app.reports import summaries
    from pos_app.scheduler import register_job

    register_job(api.app, "end-of-day summaries", summaries.job, summaries.EVERY_MINUTES)
    api.add(
        "/reports/summaries",
        "GET",
        list_summaries,
        roles=BACK_OFFICE,
        tag="reports",
        query=SummaryQuery,
    )
    api.add(
        "/reports/monthly.pdf",
        "GET",
        monthly_pdf,
        roles=BACK_OFFICE,
        tag="reports",
        query=MonthQuery,
        summary="The month's printable summary in English and Arabic (PDF, two A4 pages).",
        media_type="application/pdf",
    )
    api.add(
        "/reports/import",
        "POST",
        import_sales,
        roles=BACK_OFFICE,
        tag="reports",
        body=SalesImportSchema,
        strong_auth=True,
        keeps_answers=False,
    )
    api.add(
        "/reports/sales",
        "GET",
        sales_report,
        roles=BACK_OFFICE,
        tag="reports",
        query=ReportQuery,
        summary="The owners' report of a period (sales, items, staff, kitchen, adjustments, "
        "VAT, cash) with the period before; cloud: across your branches.",
    )
    api.add(
        "/reports/export.csv",
        "GET",
        export_csv,
        roles=BACK_OFFICE,
        tag="reports",
        query=ExportQuery,
        summary="One table of the owners' report as CSV.",
        media_type="text/csv",
    )
