"""Guards: CEL expressions compiled once at load, evaluated against a small prepared context.

Never Python eval. A guard sees `data` (the application's fields), `reviews` (count, assigned,
mean, min, max, round, by_kind), `actor` (id, roles), `application` (state, days_in_state, today: the
clock's date in Asia/Seoul as "YYYY-MM-DD"), `event`
(in a step with `on_event:`: the event's name and values) and every name a
package registered as a `ContextSource` (money registers `money`: awarded, paid, recovered,
budget_remaining; the engine `parent` and `children`, workflow/engine/links.py). Functions beyond CEL's own come from GUARD_FUNCTIONS. How to add a guard
function or a context name: workflow/vocabulary/GUARDS.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cel

ENGINE_VARIABLES = frozenset({"data", "reviews", "actor", "application", "event"})


@dataclass(frozen=True)
class ContextSource:
    """A name a guard may read, filled only when an expression uses it (it may cost a query)."""

    name: str
    load: Callable  # (connection, application row) -> dict
    sample: dict | None = None  # a value of the right shape, for checking at load that a guard is boolean
    # load(connection, application row, expression sources): given the sources of the expressions about to
    # be evaluated, e.g. to fill the names they read that have no value yet
    reads_expressions: bool = False
    reads_program: bool = False  # load(connection, application row, compiled program): e.g. a declared limit


CONTEXT_SOURCES: dict[str, ContextSource] = {}


def register_context(source: ContextSource) -> None:
    if source.name in ENGINE_VARIABLES:
        raise ValueError(f"'{source.name}' is the engine's own guard variable")
    CONTEXT_SOURCES[source.name] = source


def known_variables() -> frozenset[str]:
    return ENGINE_VARIABLES | CONTEXT_SOURCES.keys()


GUARD_FUNCTIONS = {
    "min": lambda a, b: a if a <= b else b,
    "max": lambda a, b: a if a >= b else b,
}
CEL_BUILTINS = frozenset(
    "size has int uint double string bytes bool type dyn matches contains startsWith endsWith "
    "exists all exists_one map filter timestamp duration lowerAscii upperAscii trim".split()
)
_STRING_LITERAL = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")
# the application's own `data`, not `parent.data` (workflow/engine/links.py)
_DATA_ATTRIBUTE = re.compile(r"(?<![.\w])data\s*\.\s*([A-Za-z_]\w*)")
_DATA_INDEX = re.compile(r"(?<![.\w])data\s*\[\s*[\"']([A-Za-z_]\w*)[\"']\s*\]")
_ERROR_POSITION = re.compile(r"<input>:(\d+):(\d+):\s*(.*?)(?:\n|$)")


class GuardSyntaxError(Exception):
    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


class GuardEvaluationError(Exception):
    pass


@dataclass(frozen=True)
class Expression:
    source: str
    program: Any  # celpy's compiled program
    data_fields: frozenset[str]
    variables: frozenset[str]
    functions: frozenset[str]

    def value(self, context: dict):
        """The expression's value; a missing field or a type mismatch raises GuardEvaluationError."""
        values = {name: context[name] for name in self.variables if name in context}
        if "data" in values:
            data = values["data"]
            values["data"] = {f: data[f] for f in self.data_fields if data.get(f) is not None}
        if self.functions:
            prepared = cel.Context()
            for name in self.functions:
                prepared.add_function(name, GUARD_FUNCTIONS[name])
            prepared.update(values)
            values = prepared  # type: ignore[assignment]  # a Context is the mapping CEL expects
        try:
            result = self.program.execute(values)
        except KeyError as error:
            raise GuardEvaluationError(f"missing value {error}") from None
        except (RuntimeError, TypeError, ValueError, ArithmeticError) as error:  # e.g. int64 overflow
            raise GuardEvaluationError(str(error).split(". ")[0]) from None
        return result

    def test(self, context: dict) -> bool:
        result = self.value(context)
        if not isinstance(result, bool):
            raise GuardEvaluationError(f"the expression gave {result!r}, not true or false")
        return result


def referenced_data_fields(source: str) -> frozenset[str]:
    indexed = set(_DATA_INDEX.findall(source))
    return frozenset(indexed | set(_DATA_ATTRIBUTE.findall(_STRING_LITERAL.sub('""', source))))


def compile_expression(source: str) -> Expression:
    """Compile a guard or value expression, or raise GuardSyntaxError (line, column within it)."""
    try:
        program = cel.compile(source)
    except ValueError as error:
        match = _ERROR_POSITION.search(str(error))
        if match:
            raise GuardSyntaxError(int(match[1]), int(match[2]) + 1, match[3]) from None
        raise GuardSyntaxError(1, 1, str(error)) from None
    references = program.references()
    variables = frozenset(references["variables"])
    unknown = sorted(variables - known_variables())
    if unknown:
        raise GuardSyntaxError(1, source.find(unknown[0]) + 1, f"unknown name '{unknown[0]}'")
    called = {f for f in references["functions"] if not f.startswith(("_", "@", "!"))}
    unknown_functions = sorted(called - CEL_BUILTINS - GUARD_FUNCTIONS.keys())
    if unknown_functions:
        name = unknown_functions[0]
        raise GuardSyntaxError(1, source.find(name) + 1, f"unknown function '{name}'")
    return Expression(
        source=source,
        program=program,
        data_fields=referenced_data_fields(source),
        variables=variables,
        functions=frozenset(called & GUARD_FUNCTIONS.keys()),
    )
