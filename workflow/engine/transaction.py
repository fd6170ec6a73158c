"""One database transaction on the engine: what a service does inside `Workflow.transaction(work)`.

    def work(tx):
        application, program = tx.load(application_id)
        ...                                   # the service's own rows, on tx.connection
        tx.record(application, program, "review_submitted", actor, {"reviewer"})   # a history event
        return tx.run_automatic(application_id)   # automatic steps now allowed, in this transaction

    result = workflow.transaction(work, application_id)

Everything `work` writes commits together or not at all; a `Refused` raised anywhere in it rolls back
and becomes the refusal of the result. Notices the transaction wrote are handed on after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workflow.engine import records
from workflow.engine.actors import Actor
from workflow.engine.records import ApplicationRow
from workflow.engine.results import Refused
from workflow.vocabulary.messages import Message

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from workflow.definitions.compiled import CompiledProgram
    from workflow.engine import Workflow


@dataclass
class Move:
    """What a change wrote; the transaction boundary turns it into a FireResult."""

    application_id: int
    previous_state: str | None
    state: str
    row_version: int
    event_seq: int
    automatic: list[str]
    outbox_ids: list[int]
    row: ApplicationRow | None = None  # the row as this change left it
    approved: bool = False  # the change was an approval of a sign-off (the last one also moves)


class Transaction:
    def __init__(self, workflow: Workflow, connection: Connection, now: datetime):
        self.workflow = workflow
        self.connection = connection
        self.now = now
        self.outbox_ids: list[int] = []  # notices written so far, handed on after the commit

    # reading ---------------------------------------------------------------------------------
    def load(
        self, application_id: int, expected_version: int | None = None, for_update: bool = False
    ) -> tuple[ApplicationRow, CompiledProgram]:
        """The application row and its pinned definition, refusing an unknown id or a stale version
        (`for_update`: the row locked, so that concurrent recorders queue instead of refusing each other)."""
        application = records.read_application(self.connection, application_id, for_update)
        if application is None:
            raise Refused(Message("unknown_application"))
        program = self.program_of(application)
        if expected_version is not None and expected_version != application.row_version:
            raise Refused(records.refusal_for_conflict(self.connection, program, application_id))
        return application, program

    def program_of(self, application: ApplicationRow) -> CompiledProgram:
        program = self.workflow.registry.get(
            self.connection,
            application.program_key,
            application.program_version,
            application.definition_sha,
        )
        if program is None:
            raise Refused(
                Message(
                    "unknown_program",
                    {"key": application.program_key, "version": application.program_version},
                )
            )
        return program

    # changing --------------------------------------------------------------------------------
    def fire(
        self,
        application_id: int,
        trigger: str,
        actor: Actor,
        data: dict | None = None,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Move:
        """`Workflow.fire` inside this transaction (with the automatic steps it enables)."""
        from workflow.engine.core import fire_in

        return fire_in(self, application_id, trigger, actor, data, reason, expected_version)

    def fire_on(
        self,
        row: ApplicationRow,
        trigger: str,
        actor: Actor,
        data: dict | None = None,
        reason: str | None = None,
    ) -> Move:
        """`fire` on a row the caller read (one statement fewer): the move is claimed by the row's version,
        so a row someone changed since is refused as stale, never acted on."""
        from workflow.engine.core import fire_in

        try:
            return fire_in(self, row.id, trigger, actor, data, reason, row.row_version, known=row)
        except Refused:
            fresh = records.read_application(self.connection, row.id)
            if fresh is not None and fresh.row_version != row.row_version:
                raise Refused(
                    records.refusal_for_conflict(self.connection, self.program_of(fresh), row.id)
                ) from None
            raise

    def move(
        self,
        program: CompiledProgram,
        current: ApplicationRow,
        to_state: str,
        trigger: str,
        actor: Actor,
        roles: set[str] | frozenset[str],
        reason: str | None,
        data: dict | None = None,
        left: CompiledProgram | None = None,
        detail: dict | None = None,
        notices: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The one place an application moves: claim the row by its version, append the event, cancel the
        timers of the state left and start those of the state entered, write the outbox rows of `notices`
        (handed on after the commit). Returns the event.

        `program` is the definition the application is pinned to afterwards; `left` the one it was
        under before, if different (a version migration restarts the timers under the new rules)."""
        written = records.write_move(
            self.connection,
            application=current,
            program=program,
            to_state=to_state,
            trigger=trigger,
            actor=actor,
            actor_roles=roles,
            reason=reason,
            data=current.data if data is None else data,
            now=self.now,
            detail=detail,
            left=left,
            notices=notices,
        )
        if written is None:
            raise Refused(records.refusal_for_conflict(self.connection, program, current.id))
        event, outbox_ids = written
        self.outbox_ids.extend(outbox_ids)
        return event

    def record(
        self,
        application: ApplicationRow,
        program: CompiledProgram,
        trigger: str,
        actor: Actor,
        roles: set[str] | frozenset[str],
        reason: str | None = None,
        detail: dict | None = None,
    ) -> Move:
        """A history event that changes no state (e.g. a member added, a review's scores in `detail`):
        version-checked like a move."""
        event = self.move(
            program, application, application.state, trigger, actor, roles, reason, detail=detail
        )
        for watcher in self.workflow.record_watchers:
            watcher(self, program, application, event, detail or {})
        return Move(
            application.id,
            application.state,
            application.state,
            application.row_version + 1,
            event["seq"],
            [],
            [],
        )

    def notices(
        self, program: CompiledProgram, application_id: int, event: dict, names: list[str]
    ) -> list[int]:
        """Outbox rows for `names`, delivered after the commit."""
        ids = records.write_notices(self.connection, program, application_id, event, names)
        self.outbox_ids.extend(ids)
        return ids

    def run_automatic(self, application_id: int, event: str | None = None, **values) -> Move | None:
        """Take the automatic steps now allowed (e.g. all reviews in), as `system`, in this transaction:
        first a step waiting for `event` (a name of workflow/engine/events.py, e.g. "review_submitted"),
        then those whose condition holds. None if there was none."""
        from workflow.engine.core import run_automatic_in
        from workflow.engine.events import EVENTS, Happened

        if event is not None and event not in EVENTS:
            raise ValueError(f"unknown event '{event}': register it in workflow/engine/events.py")
        return run_automatic_in(self, application_id, Happened(event, values) if event else None)
