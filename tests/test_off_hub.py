"""An SQLite COMMIT and argon2 never run on the gevent hub that pushes to the screens.

Proved as tests/test_render_off_hub.py proves it for chits: in a gevent process as the server
runs (monkey-patched first), a greenlet ticks on the hub every millisecond, and the ticks
counted while a commit (made slow: a long fsync) or a PIN's argon2 check runs must be many (on
the hub they would be none). Counts, not times: nothing asserted depends on the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import TEST_SECRET
from live import PROJECT_DIR

from pos_app.auth import passwords
from pos_app.auth.models import Role, Staff

COMMON = r"""
from gevent import monkey

monkey.patch_all()

import json, sys
import gevent

native_id = monkey.get_original("threading", "get_native_id")
real_sleep = monkey.get_original("time", "sleep")  # blocks its thread, not the hub
ticks = [0]


def ticker():
    while True:
        gevent.sleep(0.001)
        ticks[0] += 1


def counted(fn, calls):
    # fn, recording for each call the ticks counted while it ran and the thread it ran in
    def wrapper(*args, **kwargs):
        call = {"start": ticks[0], "off_hub": native_id() != hub_thread}
        calls.append(call)
        try:
            return fn(*args, **kwargs)
        finally:
            call["ticks"] = ticks[0] - call["start"]

    return wrapper


hub_thread = native_id()
"""

COMMIT_PROBE = r"""
from sqlalchemy import func, select, text
from pos_app import create_app, db, pipeline
from pos_app.auth.models import Role, Staff

app = create_app(json.loads(sys.argv[1]))
commits, after_commit = [], []
real_commit = db.commit_in_thread


def slow_commit(conn):
    real_sleep(0.2)  # a slow fsync: like sqlite3's own, it holds no GIL
    real_commit(conn)


db.commit_in_thread = counted(slow_commit, commits)


def seen_after_commit(session, work):
    # the pipeline's after-commit phase: the row is committed (another connection sees it)
    with app.extensions["pos_engine"].connect() as other:
        after_commit.append(other.scalar(text("SELECT count(*) FROM staff")))


pipeline.register("emit the pushes", seen_after_commit)


def staff(name):
    return Staff(name=name, role=Role.waiter, pin_hash="x", pin_tag=name[:8])


beat = gevent.spawn(ticker)
with app.app_context():
    with db.unit_of_work() as s:  # a write: committed off the hub
        s.add(staff("Committed"))
        with s.begin_nested():  # a savepoint released inside it
            s.add(staff("Saved point"))
        s.flush()
    with db.unit_of_work(write=False) as s:  # a read: its COMMIT stays on the hub
        read = s.scalar(select(func.count()).select_from(Staff))
    try:
        with db.unit_of_work() as s:  # a rollback: nothing committed, nothing pushed
            s.add(staff("Rolled back"))
            s.flush()
            raise LookupError
    except LookupError:
        pass
    with db.unit_of_work(write=False) as s:
        names = sorted(s.scalars(select(Staff.name)))
beat.kill()
print(json.dumps({"commits": commits, "read": read, "names": names, "after": after_commit}))
"""

ARGON2_PROBE = r"""
from pos_app import create_app
from pos_app.auth import passwords

app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
hashings = []


class CountedHasher(type(passwords._HASHERS["standard"])):
    verify = counted(type(passwords._HASHERS["standard"]).verify, hashings)


passwords._HASHERS["standard"] = CountedHasher()

beat = gevent.spawn(ticker)
login = "/api/v1/auth/login"
logins = [gevent.spawn(client.post, login, json={"pin": pin}) for pin in sys.argv[2:]]
gevent.joinall(logins)
beat.kill()
print(json.dumps({"status": [g.value.status_code for g in logins], "hashings": hashings}))
"""


def probe(script: str, database_url: str, *args: str, **config) -> dict:
    config = {"POS_DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, **config}
    done = subprocess.run(
        [sys.executable, "-c", COMMON + script, json.dumps(config), *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_hub_keeps_running_while_sqlite_commits_a_write(app, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: psycopg waits for PostgreSQL cooperatively already")
    result = probe(COMMIT_PROBE, database_url, TESTING=True)

    # One COMMIT went to the commit thread, the write's, and the hub ticked all along it (on
    # the hub: 0 ticks); the read's and the rollback's stayed here.
    [commit] = result["commits"]
    assert commit["off_hub"] is True
    assert commit["ticks"] >= 3, result
    # The savepoint's row and the outer one are both committed; the rolled back one is not.
    assert result["read"] == 2
    assert result["names"] == ["Committed", "Saved point"]
    # The write's after-commit phase ran after its COMMIT (both rows already visible to another
    # connection), not at the savepoint's release (it would have seen none).
    assert result["after"][0] == 2


def test_five_pin_logins_at_once_leave_the_hub_running(app, db):
    with db() as s:
        pins = [f"{4100 + i}" for i in range(5)]
        for i, pin in enumerate(pins):
            s.add(
                Staff(
                    name=f"Waiter {i}",
                    role=Role.waiter,
                    pin_hash=passwords.hash_secret(pin, "standard"),
                    pin_tag=passwords.pin_tag(pin, TEST_SECRET),
                )
            )
    url = app.config["POS_DATABASE_URL"]
    result = probe(ARGON2_PROBE, url, *pins, TESTING=True, POS_PASSWORD_HASHING="standard")

    assert result["status"] == [200] * 5
    # Each PIN's argon2 check ran in a native thread while the hub ticked. A check may see no
    # tick when the hub was busy meanwhile with another login's own Python work (the first
    # request of a process compiles its queries: once, on a CI run with the machine loaded, a
    # check of ~60 ms saw none); on the hub itself none of them could tick at all.
    assert len(result["hashings"]) == 5
    assert all(hashing["off_hub"] is True for hashing in result["hashings"]), result
    ticking = [hashing for hashing in result["hashings"] if hashing["ticks"] >= 3]
    assert len(ticking) >= 4, result
