"""The linked applications a guard may read: `parent` (the application whose `open:` effect opened this
one) and `children` (those this one opened), registered as guard-context names like money's `money`.

    parent.program, parent.state, parent.data.<field>        # empty program and state when there is none
    children["<program key>"].count                          # how many it opened of that program
    children["<program key>"].by_state["<state>"]            # how many of them are in that state
    children["<program key>"].sum["<field>"]                 # the sum of a number field over them

Both are read only when an expression of the transition names them (one query each). Program keys, states
and fields an expression names are there with 0 even when no child has them yet, so a guard like
`children["invoice"].by_state["submitted"] == 0` holds before the first invoice.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select

from workflow.models import Application, ApplicationLink
from workflow.vocabulary.guards import ContextSource, register_context
from workflow.vocabulary.linked_names import named_child_parts, named_children

PARENT_OF = (
    select(Application.id, Application.program_key, Application.state, Application.data)
    .join(ApplicationLink, ApplicationLink.source_id == Application.id)
    .where(ApplicationLink.target_id == bindparam("application"))
    .order_by(ApplicationLink.id)
    .limit(1)
)
CHILDREN_OF = (
    select(Application.program_key, Application.state, Application.data)
    .join(ApplicationLink, ApplicationLink.target_id == Application.id)
    .where(ApplicationLink.source_id == bindparam("application"))
)
NO_PARENT = {"id": 0, "program": "", "state": "", "data": {}}


def parent_of(connection, application) -> dict:
    row = connection.execute(PARENT_OF, {"application": application.id}).first()
    if row is None:
        return dict(NO_PARENT)
    data = {name: value for name, value in (row.data or {}).items() if value is not None}
    return {"id": row.id, "program": row.program_key, "state": row.state, "data": data}


def children_of(connection, application, sources: Iterable[str] = ()) -> dict:
    summary: dict[str, dict] = {}

    def of(key: str) -> dict:
        return summary.setdefault(key, {"count": 0, "by_state": {}, "sum": {}})

    for source in sources:
        for key in named_children(source):
            of(key)
        for key, part, name in named_child_parts(source):
            of(key)[part].setdefault(name, 0)
    for row in connection.execute(CHILDREN_OF, {"application": application.id}):
        child = of(row.program_key)
        child["count"] += 1
        child["by_state"][row.state] = child["by_state"].get(row.state, 0) + 1
        for name, value in (row.data or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                child["sum"][name] = child["sum"].get(name, 0) + value
    return summary


PARENT = ContextSource("parent", parent_of, sample=NO_PARENT)
CHILDREN = ContextSource("children", children_of, sample=None, reads_expressions=True)
register_context(PARENT)
register_context(CHILDREN)
