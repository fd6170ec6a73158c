"""A move's rows in as few statements as the database allows.

A move is a version-checked claim of the application row (`UPDATE applications ... WHERE id = :id AND
row_version = :v`) and the rows that belong with it: the history event, the stay in the state left and
its funnel mark, the timers it cancels and starts, the outbox rows of its notices.

SQLite runs them one after the other, the claim first. PostgreSQL runs them as ONE statement: the claim is
a data-modifying CTE (`WITH claimed AS (UPDATE ... RETURNING id)`) and every other part writes only if
`claimed` holds a row, so when the claim finds the row changed (another writer won) nothing at all is
written and the move is refused, as when the statements run one by one. Every part sees the rows as they
were before the statement: a timer cancelled here is never one this move starts.

Statements are composed once per shape (which parts, which columns) and kept: composing one costs more than
running it. All of them run prepared (engine/prepared.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    Text,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from workflow.db import UTCDateTime
from workflow.engine import prepared

UTC_DATETIME = UTCDateTime()


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows to insert into `table`, each with the same keys. `ignore_duplicates`: a row whose key exists
    already is skipped; `returning_id`: the new ids are returned (one such part per move at most)."""

    table: Table
    rows: list[dict[str, Any]]
    ignore_duplicates: bool = False
    returning_id: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.rows[0])

    def shape(self) -> tuple:
        return ("rows", self.table.name, self.columns, self.ignore_duplicates, self.returning_id)


@dataclass(frozen=True, slots=True)
class Changes:
    """`UPDATE table SET values WHERE match (column = value, each) AND condition`; the condition is a
    fixed expression (e.g. `status = 'pending'`) and part of the shape."""

    table: Table
    match: dict[str, Any]
    changes: dict[str, Any]
    condition: ColumnElement[bool] | None = None

    def shape(self) -> tuple:
        return ("changes", self.table.name, tuple(self.match), tuple(self.changes), self.condition)

    def values(self) -> list[Any]:
        return [*self.match.values(), *self.changes.values()]


Part = Rows | Changes
Composed = tuple[Any, list[list[str]]]  # the statement and, per part, its parameter names in order


def write(connection, claim, claim_params: dict[str, Any], parts: list[Part]) -> list[int] | None:
    """Claim the row with `claim` (an UPDATE of one row whose WHERE checks its version), then write
    `parts`; None if the claim took no row (then nothing was written). Returns the ids the `returning_id`
    part inserted, in order."""
    if connection.dialect.name == "postgresql":
        return _write_at_once(connection, claim, claim_params, parts)
    if prepared.run(connection, claim, claim_params).rowcount != 1:
        return None
    ids: list[int] = []
    for part in parts:
        statement, names = _alone(part)
        if isinstance(part, Changes):
            prepared.run(connection, statement, dict(zip(names, part.values(), strict=True)))
        elif part.returning_id:
            ids.extend(prepared.run(connection, statement, row).lastrowid for row in part.rows)
        else:
            prepared.run(connection, statement, part.rows if len(part.rows) > 1 else part.rows[0])
    return ids


def _write_at_once(connection, claim, claim_params: dict[str, Any], parts: list[Part]) -> list[int] | None:
    key = (claim, tuple(part.shape() for part in parts))
    composed = _COMPOSED.get(key)
    if composed is None:
        composed = _COMPOSED[key] = _compose(claim, parts)
    statement, names = composed
    params = dict(claim_params)
    for part_names, part in zip(names, parts, strict=True):
        if isinstance(part, Changes):
            params.update(zip(part_names, part.values(), strict=True))
        else:
            params[part_names[0]] = json.dumps(part.rows, default=_json_value, ensure_ascii=False)
    found = prepared.run(connection, statement, params).all()
    if not found:
        return None
    return [row.returned for row in found if row.returned is not None]


_COMPOSED: dict[tuple, Composed] = {}
_ALONE: dict[tuple, tuple[Any, list[str]]] = {}


def _compose(claim, parts: list[Part]) -> Composed:
    """The PostgreSQL statement: the claim, then each part writing only if the claim took the row. The rows
    of a part are ONE parameter, a JSON array read with `jsonb_populate_recordset` (the table's own column
    types): psycopg keeps the parsed form of a statement only while it has at most 50 parameters."""
    claimed = claim.returning(claim.table.c.id).cte("claimed")
    ctes, names, returned = [], [], None
    for index, part in enumerate(parts):
        prefix = f"p{index}"
        target = part.table
        if isinstance(part, Changes):
            match = [f"{prefix}_m_{column}" for column in part.match]
            sets = [f"{prefix}_v_{column}" for column in part.changes]
            changes = (
                update(target)
                .where(*(target.c[c] == _bind(target, c, n) for c, n in zip(part.match, match, strict=True)))
                .where(exists(select(claimed.c.id)))
                .values({c: _bind(target, c, n) for c, n in zip(part.changes, sets, strict=True)})
            )
            if part.condition is not None:
                changes = changes.where(part.condition)
            ctes.append(changes.cte(f"w{index}"))
            names.append(match + sets)
            continue
        columns = list(part.columns)
        rows = func.jsonb_populate_recordset(
            literal_column(f"NULL::{target.name}"), cast(bindparam(prefix, type_=Text), JSONB)
        ).table_valued(*columns)
        # the columns unqualified: `claimed` has none of them but `id`, which no part writes (a short statement)
        source: Select = select(*(literal_column(c) for c in columns)).select_from(claimed.join(rows, true()))
        written = postgresql.insert(target).from_select(columns, source, include_defaults=False)
        if part.ignore_duplicates:
            written = written.on_conflict_do_nothing()
        if part.returning_id:
            returned = written.returning(target.c.id).cte(f"w{index}")
        else:
            ctes.append(written.cte(f"w{index}"))
        names.append([prefix])
    if returned is None:
        final = select(claimed.c.id, null().label("returned"))
    else:
        final = (
            select(claimed.c.id, returned.c.id.label("returned"))
            .select_from(claimed.outerjoin(returned, true()))
            .order_by(returned.c.id)
        )
    return final.add_cte(*ctes), names


def _bind(table: Table, column: str, name: str):
    return bindparam(name, type_=table.c[column].type)


def _json_value(value: Any) -> Any:
    """A value JSON has no type for, as the column stores it: a moment as naive UTC (workflow.db)."""
    if isinstance(value, datetime):
        return UTC_DATETIME.process_bind_param(value, None).isoformat()
    raise TypeError(f"{type(value).__name__} is not written by the engine's batched rows")


def _alone(part: Part) -> tuple[Any, list[str]]:
    """The statement of one part on its own, with its parameter names (Changes): SQLite's way."""
    key = part.shape() if isinstance(part, Changes) else (part.table.name, part.ignore_duplicates)
    found = _ALONE.get(key)
    if found is None:
        if isinstance(part, Changes):
            match = [f"m_{column}" for column in part.match]
            sets = [f"v_{column}" for column in part.changes]
            changes = (
                update(part.table)
                .where(*(part.table.c[c] == bindparam(n) for c, n in zip(part.match, match, strict=True)))
                .values({c: bindparam(n) for c, n in zip(part.changes, sets, strict=True)})
            )
            if part.condition is not None:
                changes = changes.where(part.condition)
            found = (changes, match + sets)
        elif part.ignore_duplicates:
            found = (sqlite.insert(part.table).on_conflict_do_nothing(), [])
        else:
            found = (insert(part.table), [])
        _ALONE[key] = found
    return found
