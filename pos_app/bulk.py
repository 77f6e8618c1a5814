"""New rows written with one Core INSERT per table, kept as ORM objects: no flush, no reload.

The order path writes a dozen kitchen rows per order. Through the unit of work SQLite writes
them one INSERT at a time (the ORM cannot batch rows whose ids it needs back there) and the
ORM bookkeeping costs more than the statements; here a table's new rows go out in one
`INSERT ... VALUES (...), (...) RETURNING id, <key>` (SQLAlchemy's insertmanyvalues) and the
objects become persistent in the session as if just loaded, so the pushes made from them read
no row back.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached


def insert_rows(session: Session, objects: Sequence, key: tuple[str, ...]) -> None:
    """Insert transient objects of one class (their defaults filled in) and give each its id.

    `key`: columns that tell the new rows apart, matching RETURNING to objects (SQLite
    promises no order of returned rows); when they do not, the rows go one by one."""
    if not objects:
        return
    mapper = inspect(type(objects[0]))
    table = mapper.local_table
    pk = mapper.primary_key[0]
    rows = [_row(obj, mapper, pk.key) for obj in objects]
    connection = session.connection()
    keys = [tuple(row[k] for k in key) for row in rows]
    if len(set(keys)) < len(keys):
        for obj, row in zip(objects, rows, strict=True):
            setattr(obj, pk.key, connection.execute(insert(table).returning(pk), row).scalar_one())
        return
    # Rows as parameters, not .values([...]): a multi-VALUES construct is compiled afresh on
    # every call (it has no cache key); this one is cached and still goes out as one INSERT
    # (insertmanyvalues, unsorted: the key matches the rows).
    stmt = insert(table).returning(pk, *(table.c[k] for k in key))
    ids = {tuple(found[1:]): found[0] for found in connection.execute(stmt, rows)}
    for obj, k in zip(objects, keys, strict=True):
        setattr(obj, pk.key, ids[k])


def attach(session: Session, objects: Sequence) -> None:
    """Make inserted objects persistent in the session, every attribute as written (no SQL)."""
    for obj in objects:
        make_transient_to_detached(obj)
    session.add_all(objects)


def _row(obj, mapper, pk_key: str) -> dict:
    """The object's column values, its Python-side defaults filled in on the object too (a
    later read of the attribute then needs no refresh)."""
    row = {}
    for prop in mapper.column_attrs:
        if prop.key == pk_key:
            continue
        value = getattr(obj, prop.key)
        default = prop.columns[0].default
        if value is None and default is not None:
            if default.is_clause_element:
                raise ValueError(f"{prop.key}: a SQL default cannot be written in a batch")
            value = default.arg(None) if default.is_callable else default.arg
        setattr(obj, prop.key, value)
        row[prop.columns[0].name] = value
    return row
