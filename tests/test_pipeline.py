"""The commit pipeline (pos_app/pipeline.py): one set of session listeners however many apps a
process builds, every named phase wired, pushes only after the real commit."""

from __future__ import annotations

from contextlib import suppress

import pytest
from conftest import app_config

from pos_app import create_app, pipeline
from pos_app.auth.models import Staff
from pos_app.auth.tokens import issue_token
from pos_app.counters import next_value
from pos_app.db import session as db_session
from pos_app.db import unit_of_work
from pos_app.extensions import socketio
from pos_app.realtime import push_after_commit, staff_room

EVENTS = ("before_flush", "before_commit", "after_commit", "after_rollback")


@pytest.fixture
def second_app(app, database_url):
    """Another app built in the same process after `app` (the tests' normal life)."""
    other = create_app(app_config(database_url))
    yield other
    other.extensions["pos_engine"].dispose()


@pytest.fixture
def handheld(make_staff):
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


def heard(sock) -> list:
    return [(p["name"], p["args"][0]) for p in sock.get_received("/floor")]


def test_a_second_app_listens_once_and_its_sockets_hear_each_push_once(second_app, handheld):
    import kds.events  # noqa: F401 - every module that once listened at import time
    import pos_app.menu.cache  # noqa: F401
    import printers.worker  # noqa: F401

    listening = db_session()
    for name in EVENTS:
        assert list(getattr(listening.dispatch, name)) == [getattr(pipeline, f"_{name}")]
    staff_id, sock = handheld(second_app)
    with second_app.app_context(), unit_of_work() as s:
        push_after_commit(s, "/floor", staff_room(staff_id), "hello", {"n": 1})
    assert heard(sock) == [("hello", {"n": 1})]


def test_every_named_phase_has_its_function_once_the_app_is_built(app):
    named = {*pipeline.BEFORE_FLUSH, *pipeline.BEFORE_COMMIT, *pipeline.AFTER_COMMIT}
    assert set(pipeline._phases) == named
    with pytest.raises(KeyError):
        pipeline.register("push the outbox to the clod", lambda session, work: None)


def test_a_savepoint_is_not_the_commit_pushes_wait_for_the_transaction(app, handheld):
    staff_id, sock = handheld(app)
    with app.app_context(), unit_of_work() as s:
        push_after_commit(s, "/floor", staff_room(staff_id), "first", {})
        next_value(s, "pipeline-test")  # a new counter row: a savepoint, released
        with suppress(LookupError), s.begin_nested():
            push_after_commit(s, "/floor", staff_room(staff_id), "second", {})
            raise LookupError  # a savepoint rolled back keeps the transaction's work
        assert heard(sock) == []
    assert heard(sock) == [("first", {}), ("second", {})]


def test_a_rollback_sends_nothing_and_the_next_transaction_starts_clean(app, handheld):
    staff_id, sock = handheld(app)
    with suppress(LookupError), app.app_context(), unit_of_work() as s:
        push_after_commit(s, "/floor", staff_room(staff_id), "lost", {})
        raise LookupError
    with app.app_context(), unit_of_work() as s:
        assert pipeline.pending(s) == pipeline.Pending()
        push_after_commit(s, "/floor", staff_room(staff_id), "kept", {})
    assert heard(sock) == [("kept", {})]
