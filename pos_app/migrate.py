"""Running the Alembic migrations from the app (make run, the CLI, the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from pos_app.config import PROJECT_DIR


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at this project's migrations and `url`."""
    cfg = Config(str(PROJECT_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)
