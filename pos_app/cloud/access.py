"""Who sees which branch in the cloud: organisations own branches; a staff member of the cloud
(an owner or a manager) is given an organisation's every branch (those opened later too) or
some of them (`flask pos cloud-access`). Nobody sees a branch by default, and asking for a
branch one may not see is answered as asking for one that does not exist (403 alike: the
answer tells nothing of another company's branches)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pos_app.cloud.models import CloudAccess, CloudBranch, CloudOrganisation
from pos_app.errors import Forbidden

DEFAULT_ORGANISATION = "My restaurants"


def visible_branch_ids(session: Session, staff_id: int) -> set[int]:
    """The ids of the branches this staff member may see."""
    grants = session.execute(
        select(CloudAccess.organisation_id, CloudAccess.branch_id).where(
            CloudAccess.staff_id == staff_id
        )
    ).all()
    whole = {org for org, branch in grants if branch is None}
    some = {branch for _org, branch in grants if branch is not None}
    if not whole and not some:
        return set()
    return set(
        session.scalars(
            select(CloudBranch.id).where(
                or_(CloudBranch.organisation_id.in_(whole), CloudBranch.id.in_(some))
            )
        )
    )


def branch_for(session: Session, staff_id: int, code: str) -> CloudBranch:
    """The branch `code` if this staff member may see it; 403 alike for unknown and not theirs."""
    branch = session.scalar(select(CloudBranch).where(CloudBranch.code == code[:40]))
    if branch is None or branch.id not in visible_branch_ids(session, staff_id):
        raise Forbidden("no branch of yours has this code", code="not_your_branch")
    return branch


def organisation(session: Session, name: str) -> CloudOrganisation:
    """The organisation of this name, made if new."""
    row = session.scalar(select(CloudOrganisation).where(CloudOrganisation.name == name))
    if row is None:
        row = CloudOrganisation(name=name)
        session.add(row)
        session.flush()
    return row


def grant(
    session: Session, staff_id: int, org: CloudOrganisation, branch: CloudBranch | None = None
) -> bool:
    """Give access (to one branch, or to the whole organisation); False if it was there."""
    held = session.scalar(
        select(CloudAccess).where(
            CloudAccess.staff_id == staff_id,
            CloudAccess.organisation_id == org.id,
            CloudAccess.branch_id.is_(None)
            if branch is None
            else CloudAccess.branch_id == branch.id,
        )
    )
    if held is not None:
        return False
    session.add(
        CloudAccess(
            staff_id=staff_id,
            organisation_id=org.id,
            branch_id=branch.id if branch is not None else None,
        )
    )
    session.flush()
    return True
