"""Alembic environment: the metadata of every package's models, the URL from the app config."""

from __future__ import annotations

from alembic import context

import kds.models  # noqa: F401
import pos_app.audit  # noqa: F401  (each import registers its tables on Base.metadata)
import pos_app.auth.models  # noqa: F401
import pos_app.billing.models  # noqa: F401
import pos_app.branch.models  # noqa: F401
import pos_app.cloud.models  # noqa: F401
import pos_app.counters  # noqa: F401
import pos_app.idempotency  # noqa: F401
import pos_app.menu.models  # noqa: F401
import pos_app.orders.models  # noqa: F401
import pos_app.outbox  # noqa: F401
import pos_app.reports.models  # noqa: F401
import pos_app.stock.models  # noqa: F401
import printers.models  # noqa: F401
import table_service.models  # noqa: F401
from pos_app.config import from_environment
from pos_app.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or from_environment()["POS_DATABASE_URL"]


def run_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, render_as_batch=True, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    # render_as_batch: SQLite alters tables by copying them; Alembic's batch mode does that.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
