"""schemathesis hooks for `make fuzz`'s CLI run (SCHEMATHESIS_HOOKS=tests.fuzz.hooks).

Signs every request in as the staff member POS_FUZZ_STAFF_ID with a token issued straight in
the database (POS_DATABASE_URL), renewed after a 401: the fuzzer signs its own token out,
changes PINs and trips the login rate limit, and a token fetched through the login endpoint
would then be refused for the rest of the run.
"""

from __future__ import annotations

import os

import schemathesis

from pos_app import create_app
from pos_app.auth.models import Role, Staff
from pos_app.auth.tokens import issue_token
from pos_app.db import unit_of_work

_app = None


def _issue() -> str:
    global _app
    if _app is None:
        _app = create_app({"POS_DATABASE_URL": os.environ["POS_DATABASE_URL"]})
    with _app.app_context(), unit_of_work() as s:
        staff = s.get(Staff, int(os.environ["POS_FUZZ_STAFF_ID"]))
        staff.active, staff.role = True, Role(os.environ["POS_FUZZ_ROLE"])
        return issue_token(s, staff, 1, "fuzz", os.environ["POS_FUZZ_METHOD"])


@schemathesis.auth(refresh_interval=None, retry_on=[401])
class DatabaseToken:
    """A bearer token of the fuzzing staff member."""

    def get(self, case, ctx):
        return _issue()

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
