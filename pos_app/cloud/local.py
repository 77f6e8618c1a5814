"""`make run-cloud`: a cloud mirror on this machine beside `make run`'s branch, with the demo
branch already paired (both read the key in instance/branch_key), on http://127.0.0.1:5100.

The cloud runs on PostgreSQL: POS_CLOUD_DATABASE_URL if set, else this machine's PostgreSQL on
127.0.0.1:5432 (user postgres) in a database `pos_cloud` made on first start. Without a
PostgreSQL answering there it says so and keeps its data in instance/cloud.sqlite3 instead, so
the demo still works on a laptop with nothing installed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from pos_app.config import INSTANCE_DIR

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pos_cloud"


def database_url() -> str:
    """Where the local cloud keeps its data."""
    if os.environ.get("POS_CLOUD_DATABASE_URL"):
        return os.environ["POS_CLOUD_DATABASE_URL"]
    try:
        import psycopg
    except ImportError:
        return _on_sqlite("the psycopg package is missing")
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'pos_cloud'").fetchone():
                conn.execute("CREATE DATABASE pos_cloud")
        return PG_URL
    except psycopg.Error as err:  # no server there, or no such user: the demo still runs
        return _on_sqlite(str(err).strip())


def _on_sqlite(why: str) -> str:
    print(f"PostgreSQL does not answer on 127.0.0.1:5432 ({why}).", file=sys.stderr)
    print("The cloud keeps its data in instance/cloud.sqlite3 instead.", file=sys.stderr)
    return f"sqlite:///{INSTANCE_DIR / 'cloud.sqlite3'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "POS_MODE": "cloud",
        "POS_DATABASE_URL": database_url(),
        "POS_PRINT_PROCESS": "0",
        "POS_VIRTUAL_PRINTERS": "0",
    }
    flask = [sys.executable, "-m", "flask", "--app", "pos_app", "pos"]
    key_file = str(INSTANCE_DIR / "branch_key")
    subprocess.run([*flask, "migrate"], env=env, check=True)
    subprocess.run(
        [*flask, "cloud-branch", "--code", "demo", "--name", "Demo Bistro", "--key-file", key_file]
        + ["--forget-if-new-key"],  # a fresh clone's demo is a new branch with a new key
        env=env,
        check=True,
    )
    owner = [
        *flask,
        *("create-staff", "--role", "owner", "--name", "Owner"),
        *("--email", "owner@example.com", "--password", "owner-demo-pass"),
    ]
    subprocess.run(owner, env=env, check=False, capture_output=True)  # there already: fine
    subprocess.run(
        [*flask, "cloud-access", "--email", "owner@example.com"]
        + ["--organisation", "My restaurants"],
        env=env,
        check=True,
    )
    url = f"http://{args.host}:{args.port}"
    print(f"\nThe cloud: {url}/cloud  (owner@example.com / owner-demo-pass)")
    print("`make run` pushes the demo branch's orders here; stop this and they wait.\n")
    command = [
        sys.executable,
        "-m",
        "pos_app.server",
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    os.execve(sys.executable, command, env)


if __name__ == "__main__":
    main()
