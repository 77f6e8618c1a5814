"""Many rows in one short statement on PostgreSQL: the rows sent as one JSON text parameter
and spread back into rows by `json_to_recordset` (`INSERT ... SELECT FROM json_to_recordset`).

The ingest writes 500 events and their projections a batch. Sent as a multi-row VALUES list
(SQLAlchemy's "insertmanyvalues") each statement has 4,500 parameters: psycopg parses and
splits its text afresh for every batch (too long for its cache) and converts every value;
as an executemany it is a message per row; as arrays, psycopg escapes each payload's text
character by character. As one JSON text, Python's C encoder writes it, psycopg sends it as
it is, and PostgreSQL parses it; the statement is short, its text cached.
SQLite has no such function: there the ingest keeps SQLAlchemy's executemany.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, Table, text
from sqlalchemy.engine import Connection


def _pg_type(column) -> str:
    """The type a column's value is read as from the JSON."""
    from pos_app.db import UTCDateTime

    kind = column.type
    for python_type, name in (
        (BigInteger, "bigint"),
        (Integer, "integer"),
        (Boolean, "boolean"),
        (UTCDateTime, "timestamptz"),
        (JSON, "json"),
        (String, "text"),
    ):
        if isinstance(kind, python_type):
            return name
    raise TypeError(f"no JSON record type for {column}")


def statement(table: Table, columns: list[str], conflict: str) -> str:
    """`INSERT INTO table (columns) SELECT ... FROM json_to_recordset(:rows) <conflict>`;
    times are kept as naive UTC, as the UTCDateTime columns keep them."""
    by_name = {c.name: c for c in table.c}
    types = {n: _pg_type(by_name[n]) for n in columns}
    picked = ", ".join(
        f"(u.{n} AT TIME ZONE 'UTC')" if types[n] == "timestamptz" else f"u.{n}" for n in columns
    )
    record = ", ".join(f"{n} {types[n]}" for n in columns)
    names = ", ".join(f'"{n}"' for n in columns)
    return (
        f'INSERT INTO "{table.name}" ({names}) SELECT {picked}'
        f" FROM json_to_recordset(CAST(:rows AS json)) AS u({record}) {conflict}"
    )


def _plain(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use pos_app.clock.utcnow()")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def insert(connection: Connection, sql: str, rows: list[dict]):
    """Run a `statement(...)`'s text with `rows` (dicts by column); its result."""
    return connection.execute(
        text(sql), {"rows": json.dumps(rows, ensure_ascii=False, default=_plain)}
    )
