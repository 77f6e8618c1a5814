"""End-of-day summaries: once a business day is over, the scheduler keeps its figures (sales,
the best sellers, staff, kitchen, adjustments) as one row per branch and day, shown on the
dashboard. It looks again at the last days each run, so a late event (a branch that was
offline, a refund filed after midnight) updates the summary rather than leaving it wrong.

On a branch the day is over at its cut-off in its time zone. The cloud does not know every
branch's zone: there a day is over 36 hours after its UTC date began (past any zone's day
and cut-off)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.reports import query
from pos_app.reports.models import LOCAL, ReportDaily, ReportSummary

LOOK_BACK_DAYS = 3  # days re-checked each run (late events)
EVERY_MINUTES = 10


def make_due(session: Session, now: datetime, cloud: bool, look_back: int = LOOK_BACK_DAYS) -> int:
    """Write (or bring up to date) the summaries of the last `look_back` ended days; returns
    how many changed."""
    changed = 0
    for branch_id, last_ended in _branches(session, now, cloud):
        for back in range(look_back):
            day = last_ended - timedelta(days=back)
            changed += _keep(session, branch_id, day, now)
    return changed


def _branches(session: Session, now: datetime, cloud: bool):
    if not cloud:
        from pos_app.branch.services import business_day, current_branch

        branch = current_branch(session)
        if branch is not None:
            yield LOCAL, business_day(branch, now) - timedelta(days=1)
        return
    from pos_app.cloud.models import CloudBranch

    last_ended = (now - timedelta(hours=36)).date()
    for branch_id in session.scalars(select(CloudBranch.id).where(CloudBranch.active)):
        yield branch_id, last_ended


def figures(session: Session, branch_id: int, day: date) -> dict | None:
    """The summary of one branch's business day; None for a day with nothing in it."""
    held = session.scalar(
        select(ReportDaily.n).where(
            ReportDaily.branch_id == branch_id, ReportDaily.day == day, ReportDaily.dim == "all"
        )
    )
    if not held:
        return None
    report = query.build(session, [branch_id], "day", day, day)
    return {
        "business_day": day.isoformat(),
        "sales": report["sales"],
        "previous": report["previous"]["sales"],
        "best_sellers": [
            {k: i[k] for k in ("key", "label_ar", "quantity", "revenue_minor")}
            for i in report["by_item"][:5]
        ],
        "staff": [
            {k: p[k] for k in ("staff", "net_minor", "orders")} for p in report["by_staff"][:5]
        ],
        "kitchen": report["kitchen"]["stations"],
        "adjustments": report["adjustments"],
        "imported_minor": report["imported_minor"],
    }


def _keep(session: Session, branch_id: int, day: date, now: datetime) -> int:
    made = figures(session, branch_id, day)
    if made is None:
        return 0
    row = session.get(ReportSummary, (branch_id, day))
    if row is not None and row.figures == made:
        return 0
    if row is None:
        session.add(ReportSummary(branch_id=branch_id, business_day=day, made_at=now, figures=made))
    else:
        row.figures, row.made_at = made, now
    return 1


def recent(session: Session, branch_ids: list[int], limit: int = 14) -> list[dict]:
    """The newest summaries of these branches."""
    rows = session.scalars(
        select(ReportSummary)
        .where(ReportSummary.branch_id.in_(branch_ids))
        .order_by(ReportSummary.business_day.desc(), ReportSummary.branch_id)
        .limit(limit)
    )
    return [{"branch_id": r.branch_id, "made_at": r.made_at.isoformat(), **r.figures} for r in rows]


def job(session: Session) -> None:
    """The scheduler's job (every EVERY_MINUTES)."""
    from flask import current_app

    from pos_app.clock import utcnow

    make_due(session, utcnow(), current_app.config.get("POS_MODE") == "cloud")
