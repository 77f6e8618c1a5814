"""Branch settings endpoints: everyone reads them, the owner changes them."""

from __future__ import annotations

from pos_app.api import Api, Call, roles
from pos_app.audit import record_audit
from pos_app.auth.roles import ALL_ROLES
from pos_app.branch.schemas import BranchSchema
from pos_app.branch.services import current_branch
from pos_app.errors import NotFound
from pos_app.outbox import record_event


def _branch(call: Call):
    branch = current_branch(call.session)
    if branch is None:
        raise NotFound("this server has no branch yet: run `flask --app wsgi pos demo`")
    return branch


def get_branch(call: Call):
    """The branch's settings, with today's business day."""
    return BranchSchema().dump(_branch(call))


def update_branch(call: Call):
    """Change the branch's settings (owner only, signed in with password)."""
    branch = _branch(call)
    before = BranchSchema().dump(branch)
    for key, value in call.body.items():
        setattr(branch, key, value)
    call.session.flush()
    after = BranchSchema().dump(branch)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        old = {k: before[k] for k in changed}
        record_audit(call.session, call.actor, "branch.updated", "branch", branch.id, old, changed)
        record_event(call.session, "branch.updated", "branch", branch.id, after)
    return after


def register(api: Api) -> None:
    """Add the branch endpoints."""
    api.add("/branch", "GET", get_branch, roles=ALL_ROLES, tag="branch", response=BranchSchema)
    api.add(
        "/branch",
        "PATCH",
        update_branch,
        roles=roles("owner"),
        tag="branch",
        body=BranchSchema,
        partial=True,
        response=BranchSchema,
        strong_auth=True,
    )
