"""Hot-path statements compiled once per database and handed to the driver directly.

`connection.execute(statement, params)` finds the compiled form in SQLAlchemy's cache on every call (a
cache key built by walking the statement) and builds the parameters through several layers: about 55 µs a
statement on this machine, as much as SQLite takes to write the row, and a transition writes 4 to 10 rows.
So the engine's writes go through `run`: the statement is compiled once per database and set of keys, each
value is converted by the bind processor of its type (exactly what SQLAlchemy itself sends), and the SQL
runs with `exec_driver_sql`, in the same transaction and seen by the same engine events.

A statement whose compiled form needs work at execution time (a Python-side column default, an expanding
IN, an escaped parameter name) is not prepared: it runs the ordinary way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any


@dataclass(frozen=True, slots=True)
class Slot:
    """One parameter the driver receives: from the caller's `key`, else the statement's own `fixed` value."""

    name: str
    key: str | None
    processor: Callable[[Any], Any] | None
    fixed: Any = None


class Prepared:
    """A compiled statement and how each caller's parameter set becomes what the driver receives."""

    __slots__ = ("converted", "fixed", "names", "pick", "positional", "sql")

    def __init__(self, sql: str, slots: tuple[Slot, ...], positional: bool):
        self.sql = sql
        self.names = tuple(slot.name for slot in slots)
        self.positional = positional
        keys = [slot.key for slot in slots if slot.key is not None]
        # the caller's values in slot order, taken in one C call; the few that need converting, by index
        self.pick = _picker(keys)
        self.converted = tuple(
            (index, slot.processor)
            for index, slot in enumerate(slots)
            if slot.processor is not None and slot.key is not None
        )
        self.fixed = tuple((index, slot.fixed) for index, slot in enumerate(slots) if slot.key is None)

    def convert(self, params: dict[str, Any]) -> tuple | dict:
        values = list(self.pick(params))
        for index, fixed in self.fixed:  # in slot order, so each lands where it belongs
            values.insert(index, fixed)
        for index, processor in self.converted:
            values[index] = processor(values[index])
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


def _picker(keys: list[str]) -> Callable[[dict[str, Any]], tuple]:
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda params: (params[key],)
    return lambda params: ()


_PREPARED: dict[tuple, Prepared | None] = {}


def run(connection, statement, params: dict[str, Any] | list[dict[str, Any]]):
    """`connection.execute(statement, params)`, prepared once (a list of parameter sets: executemany)."""
    sets = params if isinstance(params, list) else [params]
    key = (connection.dialect.name, statement, tuple(sets[0]))
    if key in _PREPARED:
        prepared = _PREPARED[key]
    else:
        prepared = _PREPARED[key] = prepare(connection.dialect, statement, key[2])
    if prepared is None:
        return connection.execute(statement, params)
    if isinstance(params, list):
        return connection.exec_driver_sql(prepared.sql, [prepared.convert(p) for p in params])
    return connection.exec_driver_sql(prepared.sql, prepared.convert(params))


def prepare(dialect, statement, keys: tuple[str, ...]) -> Prepared | None:
    """The statement compiled for `dialect` and parameters named `keys`; None if it cannot run prepared."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
    ):
        return None
    names = compiled.positiontup if compiled.positional else list(compiled.binds)
    slots = []
    for name in names or ():
        bind = compiled.binds[name]
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.key in keys:
            slots.append(Slot(name, bind.key, processor))
        elif name in keys:
            slots.append(Slot(name, name, processor))
        elif bind.required or bind.callable is not None:
            return None  # a missing value: let SQLAlchemy say so; a computed one: computed per call
        else:
            slots.append(Slot(name, None, None, bind.value if processor is None else processor(bind.value)))
    return Prepared(str(compiled), tuple(slots), bool(compiled.positional))
