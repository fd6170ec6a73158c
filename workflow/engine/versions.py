"""Moving applications from one version of a program to another, explicitly and on the record."""

from __future__ import annotations

from sqlalchemy import select

from workflow.engine.records import read_application
from workflow.engine.results import FireResult, Refused
from workflow.engine.transaction import Transaction
from workflow.models import Application
from workflow.vocabulary.messages import Message


def migrate(
    workflow, key: str, from_version: str, to_version: str, mapping: dict[str, str], actor
) -> tuple[FireResult, list[int]]:
    """Move every application of (key, from_version) to to_version, mapping states; all or nothing.

    Returns the result and the ids of the applications moved."""
    moved: list[int] = []

    def work(tx: Transaction) -> None:
        connection = tx.connection
        old = workflow.registry.find_version(connection, key, from_version)
        new = workflow.registry.find_version(connection, key, to_version)
        for version, program in ((from_version, old), (to_version, new)):
            if program is None:
                raise Refused(Message("unknown_program", {"key": key, "version": version}))
        problem = workflow.registry.publish(connection, new)
        if problem is not None:
            raise Refused(Message("definition_refused", {"detail": problem.message}))
        in_use = set(
            connection.execute(
                select(Application.state)
                .distinct()
                .where(Application.program_key == key, Application.program_version == from_version)
            ).scalars()
        )
        errors = [f"'{s}' is not a state of {from_version}" for s in mapping if s not in old.spec.states]
        errors += [
            f"'{t}' is not a state of {to_version}" for t in mapping.values() if t not in new.spec.states
        ]
        errors += [
            f"'{s}' (in use) has no counterpart in {to_version}; add --map {s}=..."
            for s in sorted(in_use)
            if mapping.get(s, s) not in new.spec.states
        ]
        if errors:
            raise Refused(Message("migration_mapping", {"detail": "; ".join(errors)}))
        ids = (
            connection.execute(
                select(Application.id)
                .where(Application.program_key == key, Application.program_version == from_version)
                .order_by(Application.id)
            )
            .scalars()
            .all()
        )
        for application_id in ids:
            current = read_application(connection, application_id)
            assert current is not None  # selected above, in this transaction
            to_state = mapping.get(current.state, current.state)
            reason = f"{key} {from_version} -> {to_version}"
            tx.move(new, current, to_state, "migrate", actor, {"admin"}, reason, left=old)
            moved.append(application_id)

    result = workflow.transaction(work)
    return result, (moved if result.ok else [])
