"""The fuzzing gate: schemathesis over every operation of /api/v1/openapi.json, in process.

Runs as an owner signed in with password (strong-auth endpoints included) and as a waiter, on
the demo restaurant plus an order fired to the kitchen and a paid one (so ids exist, and are
drawn now and then). Each operation the role may call gets POS_FUZZ_EXAMPLES valid and as
many invalid requests (default 6 each; one request where the role gets 403), generated from
the document by schemathesis and sent to the app through WSGI (POS_FUZZ_LIVE=1: over HTTP to
`python -m pos_app.server`). Fails on any 5xx, on any answer the document does not describe
(status code, content type, body schema, headers), and on invalid data the server accepts.
Deterministic (derandomized, no example database) and bounded: about a minute per database
here; `make fuzz` runs many more, then schemathesis' CLI (tests/fuzz/run_cli.py).

schemathesis' own pytest plugin is not used: it renames pytest's nodes through an attribute
that pytest 9.2 no longer has. Each role is one test that goes through every operation and
reports every failing one at the end.

What it covers and what it found: docs/security.md, "Fuzzing".
"""

from __future__ import annotations

import os
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from live import running_server
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import event
from test_orders import dine_in, line, menu_ids

from pos_app.auth.models import Role, Staff
from pos_app.auth.tokens import issue_token
from pos_app.db import unit_of_work

EXAMPLES = int(os.environ.get("POS_FUZZ_EXAMPLES", "6"))
SHRINK = os.environ.get("POS_FUZZ_SHRINK") == "1"  # smallest failing example; slower
LIVE = os.environ.get("POS_FUZZ_LIVE") == "1"  # over HTTP to python -m pos_app.server
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class Signer:
    """A staff member of one role and a token of theirs, renewed whenever it stops working.

    The fuzzer may sign its token out, deactivate its own staff member, or change their
    password or role: every later request would then only test the 401. So after a 401 the
    member is put back as they were and gets a new token.
    """

    def __init__(self, app, staff_id: int, role: str, method: str):
        self.app, self.staff_id, self.role, self.method = app, staff_id, Role(role), method
        self.token = None

    def headers(self) -> dict:
        if self.token is None:
            with self.app.app_context(), unit_of_work() as s:
                staff = s.get(Staff, self.staff_id)
                staff.active, staff.role = True, self.role
                self.token = issue_token(s, staff, 1, "fuzz", self.method)
        return {"Authorization": f"Bearer {self.token}"}

    def answered(self, case, response) -> None:
        """Drop the token after a 401 or a sign-out: the next request gets a new one."""
        if response.status_code == 401 or case.path == "/api/v1/auth/logout":
            self.token = None


def _signer(app, make_staff, role: str) -> Signer:
    method = "password" if role == "owner" else "pin"
    staff = make_staff(role, email=f"fuzz-{role}@example.com", password="fuzz-password-1")
    return Signer(app, staff.id, role, method)


def _budget(operation, role: str) -> dict:
    """Examples per generation mode: the full budget where the role may call the operation;
    elsewhere one request, to see the 403 is documented (it comes before the body is read)."""
    allowed = operation.definition.raw.get("x-roles")
    if allowed is not None and role not in allowed:
        return {GenerationMode.POSITIVE: 1}
    return {mode: EXAMPLES for mode in MODES}


@pytest.fixture
def known(client, demo, auth):
    """Rows the fuzzer's ids can hit besides the demo's: an open order fired to the kitchen
    with a discount, and a paid takeaway with its invoice. Returns the strings and numbers
    worth trying as ids."""
    waiter, owner = auth("waiter"), auth("owner")
    menu = menu_ids(_Db(client.application))
    order = _post(client, "/api/v1/orders", waiter, dine_in(menu, lines=_lines(menu), fire=True))
    discount = {"id": str(uuid.uuid4()), "kind": "amount", "amount_minor": 100, "reason": "fuzz"}
    _post(client, f"/api/v1/orders/{order['id']}/discounts", owner, discount)
    _post(client, "/api/v1/shifts", owner, {"float_minor": 10_000})
    paid = {"id": str(uuid.uuid4()), "type": "takeaway", "lines": _lines(menu)[:1]}
    paid = _post(client, "/api/v1/orders", waiter, paid)
    payment = {"id": str(uuid.uuid4()), "tender": "cash", "tendered_minor": 100_000}
    _post(client, f"/api/v1/orders/{paid['id']}/payments", owner, payment)
    strings = [order["id"], paid["id"], discount["id"], "INV-000001"]
    strings += [ln["id"] for ln in order["lines"] + paid["lines"]]
    return {"strings": strings, "numbers": list(range(1, 13))}


class _Db:
    """menu_ids() wants the `db` fixture's callable; this is it for one app."""

    def __init__(self, app):
        self.app = app

    def __call__(self, write: bool = True):
        return _in_app(self.app, unit_of_work(write=write))


@contextmanager
def _in_app(app, unit):
    with app.app_context(), unit as session:
        yield session


def _lines(menu) -> list[dict]:
    return [line(menu, "Hummus"), line(menu, "Mixed grill", qty=2, mods=["French fries"])]


def _post(client, url: str, headers: dict, body: dict) -> dict:
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code in (200, 201), (url, answer.get_json())
    return answer.get_json()


@pytest.fixture
def api(app, database_url, tmp_path, known):
    """The document, loaded through the app in process (WSGI), or from a live server
    (`python -m pos_app.server` on the test database) when POS_FUZZ_LIVE=1.

    Ids are drawn now and then from the rows that exist (`known`), so requests get past
    "no such thing" into the services."""
    config = schemathesis.Config.from_dict(
        {
            "dictionaries": {
                "known-strings": {"values": known["strings"]},
                "known-numbers": {"values": known["numbers"]},
            },
            "generation": {
                # The token is the harness's (a fresh one after a 401), not generated data:
                # otherwise a negative case "without Authorization" would be sent with it.
                "with-security-parameters": False,
                "dictionaries": {
                    "string": {"dictionary": "known-strings", "probability": 0.3},
                    "integer": {"dictionary": "known-numbers", "probability": 0.5},
                },
            },
        }
    )
    if not LIVE:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
        return
    with running_server(database_url, tmp_path) as url:
        yield schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json", config=config)


def _fuzz(api, signer: Signer, role: str) -> dict[str, str]:
    """Fuzz every operation of the document; {operation (mode): what failed}.

    What each operation answered is written to tests/artifacts/fuzz-<role>.txt (status codes
    and how often), to see how far the requests got."""
    failures: dict[str, str] = {}
    answers: dict[str, Counter] = defaultdict(Counter)
    for result in api.get_all_operations():
        operation = result.ok()
        for mode, examples in _budget(operation, role).items():
            label = f"{operation.label} ({mode.value})"
            try:
                _fuzz_operation(operation, mode, examples, signer, answers[label])
            except Unsatisfiable:
                pass  # nothing to make invalid (no parameters, no body)
            except (Exception, FailureGroup) as err:  # noqa: BLE001 - all reported at the end
                failures[label] = _summary(err)
    _write_tally(role, answers)
    return failures


def _fuzz_operation(operation, mode, examples: int, signer: Signer, statuses: Counter) -> None:
    """`examples` requests of one generation mode to one operation, each validated."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else []),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    def run(case):
        headers = signer.headers()
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        signer.answered(case, response)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _write_tally(role: str, answers: dict[str, Counter]) -> None:
    lines = [
        f"{label}: " + " ".join(f"{code}x{n}" for code, n in sorted(statuses.items()))
        for label, statuses in sorted(answers.items())
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"fuzz-{role}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _summary(err: BaseException) -> str:
    """What failed, briefly: each check's title and message, and the curl that reproduces it."""
    text = str(err)
    curl = next((ln.strip() for ln in text.splitlines() if ln.strip().startswith("curl ")), "")
    if isinstance(err, FailureGroup):
        found = [f"{f.title}: {' '.join(f.message.split())[:300]}" for f in err.exceptions]
    else:
        found = [f"{type(err).__name__}: {' '.join(text.split())[:600]}"]
    return "\n".join([*found, curl[:600]])


def _report(failures: dict[str, str]) -> str:
    return f"{len(failures)} operations failed:\n" + "\n".join(
        f"== {label}\n{text}" for label, text in sorted(failures.items())
    )


def test_every_operation_answers_as_documented_to_an_owner(app, demo, make_staff, api):
    failures = _fuzz(api, _signer(app, make_staff, "owner"), "owner")
    assert not failures, _report(failures)


def test_every_operation_answers_as_documented_to_a_waiter(app, demo, make_staff, api):
    failures = _fuzz(api, _signer(app, make_staff, "waiter"), "waiter")
    assert not failures, _report(failures)


@pytest.fixture(autouse=True)
def _commits_without_waiting_for_the_disk(app):
    """Durability is not under test here, and the fuzzer commits thousands of times: half the
    run was spent waiting for fsync (SQLite's synchronous=FULL, PostgreSQL's commit flush)."""
    engine = app.extensions["pos_engine"]
    statement = (
        "PRAGMA synchronous=OFF"
        if engine.dialect.name == "sqlite"
        else "SET synchronous_commit = off"
    )

    def _connected(dbapi_conn, _record):
        cursor = dbapi_conn.cursor()
        cursor.execute(statement)
        cursor.close()

    engine.dispose()
    event.listen(engine, "connect", _connected)
    yield
    event.remove(engine, "connect", _connected)


@pytest.fixture(autouse=True)
def _quiet_server_log(app):
    """The fuzzer's 4xx are expected; a 5xx fails the test with its traceback anyway."""
    app.logger.disabled = True
    yield
    app.logger.disabled = False


def test_a_retried_order_answers_200_as_the_document_says(client, demo, auth):
    """Found by schemathesis' coverage phase: the idempotent retry was undocumented."""
    waiter = auth("waiter")
    body = {"id": str(uuid.uuid4()), "type": "takeaway"}
    assert client.post("/api/v1/orders", json=body, headers=waiter).status_code == 201
    assert client.post("/api/v1/orders", json=body, headers=waiter).status_code == 200
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"200", "201"} <= set(document["paths"]["/api/v1/orders"]["post"]["responses"])
