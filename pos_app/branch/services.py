"""Reading the branch's settings and turning UTC times into its business day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from pos_app.branch.models import Branch


def current_branch(session: Session) -> Branch | None:
    """The branch this server runs (the one Branch row of a branch database); read once per
    transaction."""
    if "branch" not in session.info:
        session.info["branch"] = session.scalar(select(Branch).order_by(Branch.id).limit(1))
    return session.info["branch"]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_branch(session: Session) -> None:
    session.info.pop("branch", None)


def business_day(branch: Branch, at: datetime) -> date:
    """The business day a UTC instant belongs to: sales before the cut-off count the day before."""
    local = at.astimezone(branch.zone)
    return (local - timedelta(hours=branch.business_day_cutoff_hour)).date()
