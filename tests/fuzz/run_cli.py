"""`make fuzz`'s second half: schemathesis' own CLI against `python -m pos_app.server`.

Its coverage phase sends deterministic edge cases of every parameter (each boundary, each
missing required field, each wrong type), and its fuzzing and stateful phases chain
operations; the pytest gate (tests/test_fuzz_api.py) does not. A fresh SQLite database with
the demo restaurant, one run as an owner (password sign-in) and one as a waiter.

    .venv/bin/python tests/fuzz/run_cli.py [--examples N] [--seed S] [extra schemathesis options]

Exits non-zero when either run found a failure; reports land in tests/artifacts/fuzz-cli/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from conftest import TEST_SECRET  # noqa: E402
from live import server_process  # noqa: E402

from pos_app import create_app, migrate  # noqa: E402
from pos_app.auth import passwords  # noqa: E402
from pos_app.auth.models import Role, Staff  # noqa: E402
from pos_app.db import unit_of_work  # noqa: E402
from pos_app.demo import load_demo  # noqa: E402

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance,negative_data_rejection"
)
ROLES = (("owner", "password"), ("waiter", "pin"))


def _prepare(url: str) -> dict[str, int]:
    """Migrate, load the demo and add one staff member per fuzzing role; their ids."""
    migrate.upgrade(url)
    app = create_app({"POS_DATABASE_URL": url, "SECRET_KEY": TEST_SECRET})
    ids = {}
    with app.app_context(), unit_of_work() as s:
        load_demo(s, TEST_SECRET, "fast")
        for role, _method in ROLES:
            staff = Staff(
                name=f"Fuzz {role}",
                role=Role(role),
                email=f"fuzz-{role}@example.com",
                password_hash=passwords.hash_secret("fuzz-password-1", "fast"),
            )
            s.add(staff)
            s.flush()
            ids[role] = staff.id
    return ids


def _run(url: str, database: str, role: str, method: str, staff_id: int, args, folder) -> int:
    reports = TESTS / "artifacts" / "fuzz-cli" / role
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "fuzz.hooks",
        "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS)]),
        "POS_DATABASE_URL": database,
        "POS_SECRET_KEY": TEST_SECRET,
        "POS_FUZZ_STAFF_ID": str(staff_id),
        "POS_FUZZ_ROLE": role,
        "POS_FUZZ_METHOD": method,
    }
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/api/v1/openapi.json",
        "--phases=examples,coverage,fuzzing,stateful",
        f"--checks={CHECKS}",
        f"--max-examples={args.examples}",
        f"--seed={args.seed}",
        "--workers=1",
        "--no-color",
        "--report=junit,ndjson",
        f"--report-dir={reports}",
        *args.extra,
    ]
    print(f"== schemathesis as {role}: {' '.join(command[1:])}", flush=True)
    # In the temporary folder: schemathesis keeps a cache (.schemathesis/) where it runs.
    return subprocess.run(command, env=env, cwd=folder, check=False).returncode


def main() -> int:
    """Serve a fresh demo database and fuzz it once per role; the worst exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261203)
    args, args.extra = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="pos-fuzz-") as folder:
        database = f"sqlite:///{folder}/fuzz.sqlite3"
        ids = _prepare(database)
        codes = []
        with server_process(database, Path(folder)) as (url, _proc):
            for role, method in ROLES:
                codes.append(_run(url, database, role, method, ids[role], args, folder))
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
