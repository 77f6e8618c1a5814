"""Background jobs (APScheduler): housekeeping now, the cloud outbox push later.

Feature packages register jobs with `register_job` in their init_app; the server process
starts them (`python -m pos_app.server`), tests and the CLI do not. Each run is one unit of
work; a job that fails is logged and tried again at its next interval.
"""

from __future__ import annotations

import logging

from flask import Flask

from pos_app.db import unit_of_work

log = logging.getLogger("pos.scheduler")


def register_job(app: Flask, name: str, func, minutes: float) -> None:
    """Run `func(session)` every `minutes` in the server process."""
    app.extensions.setdefault("pos_jobs", []).append((name, func, minutes))


def register_service(app: Flask, name: str, start_fn) -> None:
    """Run `start_fn(app)` once when the server process starts (a long-lived worker)."""
    app.extensions.setdefault("pos_services", []).append((name, start_fn))


def start(app: Flask):
    """Start the registered services and jobs; returns the scheduler."""
    for name, start_fn in app.extensions.get("pos_services", []):
        log.info("starting %s", name)
        start_fn(app)
    from gevent import monkey

    if monkey.is_module_patched("socket"):
        from apscheduler.schedulers.gevent import GeventScheduler as Scheduler
    else:
        from apscheduler.schedulers.background import BackgroundScheduler as Scheduler
    scheduler = Scheduler(timezone="UTC")
    for name, func, minutes in app.extensions.get("pos_jobs", []):
        scheduler.add_job(
            _runner(app, name, func),
            "interval",
            minutes=minutes,
            id=name,
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    return scheduler


def run_job(app: Flask, func) -> None:
    """Run one job now, in its own transaction."""
    with app.app_context(), unit_of_work() as session:
        func(session)


def _runner(app: Flask, name: str, func):
    def job():
        try:
            run_job(app, func)
        except Exception:  # noqa: BLE001 - a job must never kill the scheduler
            log.exception("job %s failed", name)

    return job
