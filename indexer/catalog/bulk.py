"""Bulk inserts without SQLAlchemy's per-row parameter machinery.

``conn.execute(table.insert(), rows)`` builds a parameter dict per row and runs
every value through its column's bind processor (SQLite's DateTime processor
formats a string in Python each time): for a crawl writing 60k statute articles
that was as much CPU as SQLite's own inserting. Here the statement is compiled
once by SQLAlchemy for the connection's dialect, each column's processor is
looked up once, columns with one value for the whole batch are processed once,
and the DBAPI gets plain tuples (or dicts, for named paramstyles). Same SQL,
same processed values, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def insert_many(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    common: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (all with the same keys) plus ``common`` (one value for every row).

    Between them the keys must name every column the insert sets: column defaults are
    SQLAlchemy's per-row work too, and are not applied here.
    """
    if not rows:
        return
    common = common or {}
    keys = [*(key for key in rows[0] if key not in common), *common]
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=keys)
    missing = set(compiled.binds) - set(keys)
    if missing:
        raise ValueError(f"insert_many into {table.name}: no values for {sorted(missing)}")
    processors = {
        key: _repeating(table.c[key].type.dialect_impl(dialect).bind_processor(dialect))
        for key in keys
    }
    fixed = {key: _process(processors[key], value) for key, value in common.items()}
    names = list(compiled.positiontup or []) if compiled.positional else keys
    # (name, processor, whether fixed, its processed value): one pass per row, in SQL order.
    plan = [(name, processors[name], name in fixed, fixed.get(name)) for name in names]
    processed = [
        [
            value if is_fixed else proc(row[name]) if proc else row[name]
            for name, proc, is_fixed, value in plan
        ]
        for row in rows
    ]
    params: list[Any] = (
        [tuple(values) for values in processed]
        if compiled.positional
        else [dict(zip(names, values, strict=True)) for values in processed]
    )
    conn.exec_driver_sql(compiled.string, params)


def _repeating(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """``processor`` that reuses its last result when handed the same object again
    (every row's ``fetched_at`` is the batch's one ``now``)."""
    if processor is None:
        return None
    last: list[Any] = [object(), None]

    def process(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]

    return process


def _process(processor: Callable[[Any], Any] | None, value: Any) -> Any:
    return processor(value) if processor else value
