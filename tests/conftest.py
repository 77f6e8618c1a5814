"""Fixtures in the flaskr style: app, client, runner; a real database; factories as fixtures.

The database is SQLite in a temporary folder, or PostgreSQL when POS_TEST_DATABASE_URL is set.
It is migrated once per run with the project's Alembic migrations and emptied after each test.
POS_TEST_REQUIRE=postgres,redis,browser (set on CI) turns the skip of such a test into a failure.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import escpos.capabilities
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from pos_app import clock, create_app, migrate, offhub
from pos_app import db as pos_db
from pos_app.auth import passwords
from pos_app.auth.models import Role, Staff
from pos_app.auth.tokens import issue_token
from pos_app.db import Base, unit_of_work
from pos_app.extensions import socketio

TEST_SECRET = "test-secret-key"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "pos_app" / "translations"
REQUIRED = {k for k in os.environ.get("POS_TEST_REQUIRE", "").split(",") if k}

# python-escpos parses its printer database (a 1 MB YAML file, about a second of CPU) on
# import unless ESCPOS_CAPABILITIES_PICKLE_DIR holds a pickle of it; unset, every process
# pickles into a new temporary folder. This process has pickled it now: every server and
# command the tests start reads that pickle instead.
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", escpos.capabilities.pickle_dir)


def need(kind: str, reason: str) -> None:
    """Skip with `reason`, or fail when CI requires this kind of test to run."""
    if kind in REQUIRED:
        pytest.fail(f"{kind} is required here (POS_TEST_REQUIRE) but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database, migrated from empty with the project's migrations.

    On PostgreSQL each run gets a schema of its own (dropped at the end), so two runs on one
    database do not trample each other.
    """
    url = os.environ.get("POS_TEST_DATABASE_URL")
    if not url:
        if "postgres" in REQUIRED:
            pytest.fail("POS_TEST_REQUIRE has postgres but POS_TEST_DATABASE_URL is not set")
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'pos-test.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    schema = f"pos_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _postgres(url, f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    scoped = f"{url}{separator}options=-csearch_path%3D{schema}"
    try:
        migrate.upgrade(scoped)
        yield scoped
    finally:
        _postgres(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _postgres(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    except Exception as err:  # noqa: BLE001 - any failure means no usable PostgreSQL
        pytest.exit(f"POS_TEST_DATABASE_URL={url} is not usable: {err}", returncode=3)
    finally:
        engine.dispose()


def app_config(url: str) -> dict:
    """The app config every test app gets."""
    return {
        "TESTING": True,
        "POS_DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "POS_PASSWORD_HASHING": "fast",
        "POS_ASYNC_MODE": "threading",
        "POS_REDIS_URL": None,
    }


@pytest.fixture
def app(database_url):
    """A fresh app on the migrated database, empty; emptied afterwards."""
    app = create_app(app_config(database_url))
    if Tables.matrix_rows:
        wipe(app.extensions["pos_engine"])
    yield app
    clock.reset()
    engine = app.extensions["pos_engine"]
    wipe(engine)
    engine.dispose()


class Tables:
    """What this run's tests left in the tables: between two tests they are empty, except
    after a role-matrix test (see Matrix), which leaves its module's starting rows."""

    wipes = 0  # how many times they were emptied
    matrix_rows = False


def wipe(engine) -> None:
    """Empty every table; retried when a live server's print worker deadlocks with it."""
    for attempt in range(5):
        try:
            _wipe(engine)
            Tables.wipes += 1
            Tables.matrix_rows = False
            return
        except OperationalError as err:
            if "deadlock" not in str(err).lower() or attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


def _wipe(engine) -> None:
    """Empty every table, the append-only audit log included (its guards lifted meanwhile)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]  # children first
    # pos_write: BEGIN IMMEDIATE on SQLite, so a live server writing meanwhile makes us wait
    # instead of failing our read-then-write transaction.
    with engine.connect().execution_options(pos_write=True) as conn, conn.begin():
        if engine.dialect.name == "sqlite":
            triggers = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).all()
            for name, _sql in triggers:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
            for table in tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
        else:
            # DELETE, not TRUNCATE: on these small tables TRUNCATE (new files for every table)
            # cost ~0.3 s a test, DELETE a few milliseconds. Identities restart as TRUNCATE's
            # RESTART IDENTITY did: every sequence used since goes back to 1.
            deletes = "".join(f'DELETE FROM "{table}";' for table in tables)
            conn.exec_driver_sql(
                "ALTER TABLE audit_entry DISABLE TRIGGER USER;"
                f"{deletes}"
                "ALTER TABLE audit_entry ENABLE TRIGGER USER"
            )
            used = conn.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename)"
                " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            ).scalars()
            restarts = ", ".join(f"setval('{name}', 1, false)" for name in used)
            if restarts:
                conn.exec_driver_sql(f"SELECT {restarts}")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """Run a block in one committed transaction: `with db() as s: ...`."""

    def unit(write: bool = True):
        return unit_of_work(write=write)

    with app.app_context():
        yield unit


_numbers = itertools.count(1)


def add_staff(
    s, role="waiter", pin=None, email=None, password=None, name=None, active=True, locale=None
) -> Staff:
    """Add a staff member of `role` in session `s`, with a PIN (`.test_pin`) and, if given, an
    email and password; hashed with the test profile of argon2."""
    n = next(_numbers)
    pin = pin or f"{5000 + n:04d}"
    staff = Staff(
        name=name or f"{role.title()} {n}",
        role=Role(role),
        active=active,
        pin_hash=passwords.hash_secret(pin, "fast"),
        pin_tag=passwords.pin_tag(pin, TEST_SECRET),
        email=email,
        password_hash=passwords.hash_secret(password, "fast") if password else None,
        locale=locale,
    )
    s.add(staff)
    s.flush()
    staff.test_pin = pin
    return staff


@pytest.fixture
def make_staff(app):
    """Factory: a staff member of `role`, with a PIN and (for back office) email and password."""

    def make(role="waiter", *args, **kw):
        with app.app_context(), unit_of_work() as s:
            return add_staff(s, role, *args, **kw)

    return make


@pytest.fixture
def token_for(app, make_staff):
    """Factory: a bearer token of a new staff member of `role` (method 'pin' or 'password')."""

    def make(role="waiter", method="pin", **kw):
        staff = make_staff(role, **kw)
        with app.app_context(), unit_of_work() as s:
            raw = issue_token(s, s.get(Staff, staff.id), 8, "test", method)
        return raw

    return make


@pytest.fixture
def auth(token_for):
    """Factory: headers with a bearer token of a new staff member of `role`."""

    def make(role="waiter", method=None, **kw):
        if method is None:
            method = "password" if role in ("owner", "manager") else "pin"
        return {"Authorization": f"Bearer {token_for(role, method, **kw)}"}

    return make


# Statements that change no row: anything else a matrix test runs makes its module's rows
# go back to the starting state before the next test.
_READS = re.compile(r"\s*(SELECT|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SHOW)\b", re.I)


class Matrix:
    """One app for a module of role-matrix tests, with a staff member of each role signed in.

    Each of the ~800 calls of the role matrices is one test: building an app, a staff member
    and a token for each was most of their time. The app and its rows are shared instead,
    and each test still starts from the same rows: the engine is watched, and when a test
    wrote anything (a sign-out, a shift opened, a role changed) or another test emptied the
    tables, the next one gets them emptied and signed in afresh. The clock is put back too.
    A test on the `app` fixture after a matrix test gets the tables emptied first.
    """

    SIGN_INS = [(role.value, "pin") for role in Role] + [
        ("owner", "password"),
        ("manager", "password"),
    ]

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.engine = app.extensions["pos_engine"]
        self.tokens: dict[tuple[str, str], str] = {}
        self.wrote = False
        self.since_wipe = None
        event.listen(self.engine, "before_cursor_execute", self._watch)

    def _watch(self, _conn, _cursor, statement, *_args):
        if not _READS.match(statement):
            self.wrote = True

    def reset(self) -> None:
        """Before a test: this app's session and clock; the starting rows if they changed."""
        pos_db.bind(self.engine)
        clock.reset()
        if self.wrote or self.since_wipe != Tables.wipes:
            wipe(self.engine)
            self.tokens = self._sign_in()
            self.since_wipe, self.wrote = Tables.wipes, False
            Tables.matrix_rows = True

    def _sign_in(self) -> dict[tuple[str, str], str]:
        with self.db() as s:
            staff = {role.value: add_staff(s, role.value) for role in Role}
            return {
                (role, method): issue_token(s, staff[role], 8, "test", method)
                for role, method in self.SIGN_INS
            }

    def token(self, role: str, method: str = "pin") -> str:
        """The bearer token of the `role` member signed in by `method` ('pin', 'password')."""
        return self.tokens[role, method]

    def headers(self, role: str, method: str | None = None) -> dict:
        """Like the `auth` fixture: by password for the back office unless `method` says."""
        if method is None:
            method = "password" if role in ("owner", "manager") else "pin"
        return {"Authorization": f"Bearer {self.token(role, method)}"}

    @contextmanager
    def db(self, write: bool = True):
        """`with matrix.db() as s:` one committed unit of work on this app."""
        with self.app.app_context(), unit_of_work(write=write) as s:
            yield s


@pytest.fixture(scope="module")
def matrix_app(database_url):
    """The app of a module's role matrix (see Matrix)."""
    app = create_app(app_config(database_url))
    yield Matrix(app)
    clock.reset()
    engine = app.extensions["pos_engine"]
    wipe(engine)
    engine.dispose()


@pytest.fixture
def matrix(matrix_app) -> Matrix:
    """The module's Matrix, its rows as they start."""
    matrix_app.reset()
    return matrix_app


@pytest.fixture(scope="session")
def arabic_catalog() -> Path:
    """The compiled Arabic catalog the pages use; compiled here when `make` has not (or is stale).

    `make translations` compiles it before the suite; this keeps a bare `pytest` honest too.
    """
    po = TRANSLATIONS_DIR / "ar" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as f:
            catalog = read_po(f, locale="ar")
        partial = mo.with_name(f"messages.{os.getpid()}.partial.mo")  # gitignored
        with partial.open("wb") as f:
            write_mo(f, catalog)
        partial.replace(mo)  # atomic: a server started meanwhile never reads half a file
    return mo


@pytest.fixture
def writer_during_argon2(database_url, monkeypatch):
    """writer_during_argon2(statement=None) -> a list that gets "got the lock" when, during a
    PIN's argon2 check, another connection (an order, say) took SQLite's write lock at once,
    without waiting (and ran `statement` in its transaction). Skips on PostgreSQL, which has
    no one write lock to hold."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one write lock; PostgreSQL has none to hold")
    path = database_url.removeprefix("sqlite:///")

    def install(statement: str | None = None) -> list[str]:
        got, real = [], offhub.run

        def meanwhile(purpose, fn, *args):
            if getattr(fn, "__name__", "") == "verify":
                other = sqlite3.connect(path, timeout=0, isolation_level=None)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    if statement:
                        other.execute(statement)
                    other.execute("COMMIT")
                    got.append("got the lock")
                finally:
                    other.close()
            return real(purpose, fn, *args)

        monkeypatch.setattr(offhub, "run", meanwhile)
        return got

    return install


@pytest.fixture
def demo(app):
    """The demo restaurant, loaded."""
    from pos_app.demo import load_demo

    with app.app_context(), unit_of_work() as s:
        load_demo(s, TEST_SECRET, "fast", stock=False)
    return app


@pytest.fixture
def demo_stock(app):
    """The demo restaurant with its stock: suppliers, ingredients, recipes, opening levels."""
    from pos_app.demo import load_demo

    with app.app_context(), unit_of_work() as s:
        load_demo(s, TEST_SECRET, "fast")
    return app


@pytest.fixture(scope="module")
def module_server(database_url, arabic_catalog, tmp_path_factory):
    """The real server (`python -m pos_app.server`, tests/live.py), one per test module, over
    the test database; its URL. Each test loads its own rows (`demo`, factories) and the
    tables are emptied after it as after any test: the server keeps no state of its own that
    a test would see (the menu cache is keyed by a version that never repeats)."""
    from live import running_server

    with running_server(database_url, tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="session")
def playwright():
    """Playwright's sync API, one per run (skips, or fails on CI, without it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("browser", "the playwright package is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's Chromium, launched once per run; each test opens its own context (no cookies,
    storage or service worker shared between tests) and closes it."""
    from live import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        need(
            "browser",
            f"{CHROMIUM} is missing: install Debian's chromium (tests/install_browser.sh);"
            " `playwright install` is not used here",
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _close_browser_contexts(request):
    """After a browser test, close what it left open: its pages would keep polling and
    reconnecting to servers long gone, and the next test must start from nothing."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


@pytest.fixture
def floor_handheld(make_staff):
    """Factory: (staff id, a /floor test client of `app` signed in as a new waiter)."""

    def connect(app):
        staff = make_staff("waiter")
        with app.app_context(), unit_of_work() as s:
            raw = issue_token(s, s.get(Staff, staff.id), 8, "test", "pin")
        sock = socketio.test_client(
            app, namespace="/floor", auth={"token": raw}, flask_test_client=app.test_client()
        )
        assert sock.is_connected("/floor")
        return staff.id, sock

    return connect
