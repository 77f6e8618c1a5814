"""Configuration from POS_* environment variables; the one place that reads the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("POS_INSTANCE_DIR", PROJECT_DIR / "instance"))


def _secret_key() -> str:
    """POS_SECRET_KEY, or a random key kept in instance/secret_key so sessions survive restarts."""
    if os.environ.get("POS_SECRET_KEY"):
        return os.environ["POS_SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _optional_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


def _virtual_printer_port() -> int | str | None:
    """POS_VIRTUAL_PRINTER_PORT: unset (None), a first port, or "auto" (any free ports)."""
    value = os.environ.get("POS_VIRTUAL_PRINTER_PORT", "").strip().lower()
    if not value or value == "auto":
        return value or None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError(f"POS_VIRTUAL_PRINTER_PORT must be a port or 'auto', not {value!r}")
    return int(value)


def _branch_key() -> str:
    """POS_BRANCH_KEY, or the contents of the file POS_BRANCH_KEY_FILE names (empty: none)."""
    key = os.environ.get("POS_BRANCH_KEY", "")
    path = os.environ.get("POS_BRANCH_KEY_FILE", "")
    if not key and path and Path(path).exists():
        key = Path(path).read_text().strip()
    return key


def log_level() -> str:
    """POS_LOG_LEVEL for the serving process (INFO by default)."""
    return os.environ.get("POS_LOG_LEVEL", "INFO").upper()


def from_environment() -> dict:
    """Build the Flask config dict; every key here is documented in README.md."""
    mode = os.environ.get("POS_MODE", "branch")
    if mode not in ("branch", "cloud"):
        raise ValueError(f"POS_MODE must be 'branch' or 'cloud', not {mode!r}")
    return {
        "POS_MODE": mode,
        "POS_DATABASE_URL": os.environ.get(
            "POS_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'pos.sqlite3'}"
        ),
        "POS_REDIS_URL": os.environ.get("POS_REDIS_URL") or None,
        "SECRET_KEY": _secret_key(),
        "POS_TOKEN_TTL_HOURS": _int("POS_TOKEN_TTL_HOURS", 16),
        "POS_LOGIN_MAX_FAILURES": _int("POS_LOGIN_MAX_FAILURES", 5),
        "POS_LOGIN_WINDOW_SECONDS": _int("POS_LOGIN_WINDOW_SECONDS", 60),
        "POS_LOGIN_LOCK_CAP_SECONDS": _int("POS_LOGIN_LOCK_CAP_SECONDS", 28800),
        "POS_LOGIN_PIN_BUDGET": _int("POS_LOGIN_PIN_BUDGET", 10),
        "POS_LOGIN_PIN_LOCK_SECONDS": _int("POS_LOGIN_PIN_LOCK_SECONDS", 3600),
        "POS_LOGIN_PIN_ALERT_FAILURES": _int("POS_LOGIN_PIN_ALERT_FAILURES", 30),
        "POS_LOGIN_DEVICE_DAYS": _int("POS_LOGIN_DEVICE_DAYS", 180),
        "POS_STEP_UP_SECONDS": _int("POS_STEP_UP_SECONDS", 600),
        "POS_PIN_DIGITS": _int("POS_PIN_DIGITS", 4),
        "POS_PASSWORD_HASHING": os.environ.get("POS_PASSWORD_HASHING", "standard"),
        "POS_SCHEDULER": os.environ.get("POS_SCHEDULER", "1") != "0",
        "POS_PRINT_PROCESS": os.environ.get("POS_PRINT_PROCESS", "1") != "0",
        "POS_FD_RESERVE": _optional_int("POS_FD_RESERVE"),
        "POS_VIRTUAL_PRINTERS": os.environ.get("POS_VIRTUAL_PRINTERS", "0") == "1",
        "POS_VIRTUAL_PRINTER_PORT": _virtual_printer_port(),
        "POS_DEFAULT_LOCALE": os.environ.get("POS_DEFAULT_LOCALE", "en"),
        # The cloud mirror this branch pushes its outbox to (empty: it works alone), the
        # branch's code there and its signing key (or a file holding it).
        "POS_CLOUD_URL": os.environ.get("POS_CLOUD_URL", ""),
        "POS_BRANCH_CODE": os.environ.get("POS_BRANCH_CODE", "demo"),
        "POS_BRANCH_KEY": _branch_key(),
        "POS_CLOUD_PUSH_SECONDS": float(os.environ.get("POS_CLOUD_PUSH_SECONDS", "2")),
        # A copy of the database goes to the cloud (to rebuild the branch from) when it has
        # none, then this often when something changed; 0: never (pos_app/cloud/rebuild.py).
        "POS_CLOUD_SNAPSHOT_HOURS": float(os.environ.get("POS_CLOUD_SNAPSHOT_HOURS", "6")),
        # How often the branch asks the cloud for a newer menu of its organisation; 0: never.
        "POS_CLOUD_PULL_SECONDS": float(os.environ.get("POS_CLOUD_PULL_SECONDS", "60")),
        # Backups of an SQLite database while it runs (pos_app/backup.py): how often, how long
        # they are kept, where.
        "POS_BACKUP_HOURS": float(os.environ.get("POS_BACKUP_HOURS", "6")),
        "POS_BACKUP_KEEP_DAYS": float(os.environ.get("POS_BACKUP_KEEP_DAYS", "14")),
        "POS_BACKUP_DIR": os.environ.get("POS_BACKUP_DIR", ""),
        # A branch takes orders (small); the cloud takes batches of events.
        "MAX_CONTENT_LENGTH": _int(
            "POS_MAX_BODY_BYTES", 8 * 1024 * 1024 if mode == "cloud" else 1024 * 1024
        ),
        "POS_PHOTOS_DIR": os.environ.get("POS_PHOTOS_DIR") or str(INSTANCE_DIR / "photos"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("POS_SECURE_COOKIES", "0") == "1",
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
    }
