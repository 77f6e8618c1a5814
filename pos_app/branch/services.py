"""Reading the branch's settings and turning UTC times into its business day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.branch.models import Branch
from pos_app.pipeline import pending


def current_branch(session: Session) -> Branch | None:
    """The branch this server runs (the one Branch row of a branch database); read once per
    transaction."""
    work = pending(session)
    if not work.branch_read:
        work.branch = session.scalar(select(Branch).order_by(Branch.id).limit(1))
        work.branch_read = True
    return work.branch


def business_day(branch: Branch, at: datetime) -> date:
    """The business day a UTC instant belongs to: sales before the cut-off count the day before."""
    local = at.astimezone(branch.zone)
    return (local - timedelta(hours=branch.business_day_cutoff_hour)).date()
