"""The commit pipeline (pos_app/pipeline.py): one set of session listeners however many apps a
process builds, every named phase wired, pushes only after the real commit."""

from __future__ import annotations

from contextlib import suppress

import pytest
from conftest import app_config

from pos_app import create_app, pipeline
from pos_app.counters import next_value
from pos_app.db import session as db_session
from pos_app.db import unit_of_work
from pos_app.realtime import push_after_commit, staff_room

EVENTS = ("before_flush", "before_commit", "after_commit", "after_rollback")


@pytest.fixture
def second_app(app, database_url):
    """Another app built in the same process after `app` (the tests' normal life)."""
    other = create_app(app_config(database_url))
    yield other
    other.extensions["pos_engine"].dispose()


def heard(sock) -> list:
    return [(p["name"], p["args"][0]) for p in sock.get_received("/floor")]


def test_a_second_app_listens_once_and_its_sockets_hear_each_push_once(second_app, floor_handheld):
    import kds.events  # noqa: F401 - every module that once listened at import time
    import pos_app.menu.cache  # noqa: F401
    import printers.worker  # noqa: F401

    listening = db_session()
    for name in EVENTS:
        assert list(getattr(listening.dispatch, name)) == [getattr(pipeline, f"_{name}")]
    staff_id, sock = floor_handheld(second_app)
    with second_app.app_context(), unit_of_work() as s:
        push_after_commit(s, "/floor", staff_room(staff_id), "hello", {"n": 1})
    assert heard(sock) == [("hello", {"n": 1})]


def test_every_named_phase_has_its_function_once_the_app_is_built(app):
    named = {*pipeline.BEFORE_FLUSH, *pipeline.BEFORE_COMMIT, *pipeline.AFTER_COMMIT}
    assert set(pipeline._phases) == named
    with pytest.raises(KeyError):
        pipeline.register("push the outbox to the clod", lambda session, work: None)


def test_a_savepoint_is_not_the_commit_pushes_wait_for_the_transaction(app, floor_handheld):
    staff_id, sock = floor_handheld(app)
    with app.app_context(), unit_of_work() as s:
        push_after_commit(s, "/floor", staff_room(staff_id), "first", {})
        next_value(s, "pipeline-test")  # a new counter row: a savepoint, released
        with suppress(LookupError), s.begin_nested():
            push_after_commit(s, "/floor", staff_room(staff_id), "second", {})
            raise LookupError  # a savepoint rolled back keeps the transaction's work
        assert heard(sock) == []
    assert heard(sock) == [("first", {}), ("second", {})]


def test_a_rollback_sends_nothing_and_the_next_transaction_starts_clean(app, floor_handheld):
    staff_id, sock = floor_handheld(app)
    with suppress(LookupError), app.app_context(), unit_of_work() as s:
        push_after_commit(s, "/floor", staff_room(staff_id), "lost", {})
        raise LookupError
    with app.app_context(), unit_of_work() as s:
        assert pipeline.pending(s) == pipeline.Pending()
        push_after_commit(s, "/floor", staff_room(staff_id), "kept", {})
    assert heard(sock) == [("kept", {})]
