"""The engine: one Workflow object per app, owning every change to an application.

    workflow.fire(application, trigger, actor, data=None, reason=None)

is the only way state changes. Creating an application, saving a draft, an administrator's
move and a version migration go through the same version-checked write and history chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, OperationalError

from workflow.db import utcnow
from workflow.definitions.compiled import CompiledProgram
from workflow.definitions.registry import DefinitionRegistry
from workflow.engine import (
    links,  # noqa: F401  (registers the `parent` and `children` guard names)
    records,
)
from workflow.engine.access import effective_roles
from workflow.engine.actors import Actor
from workflow.engine.core import clean_given
from workflow.engine.corrections import correct_in
from workflow.engine.records import ApplicationRow
from workflow.engine.results import FireResult, Refused
from workflow.engine.transaction import Move, Transaction
from workflow.models import ApplicationLink
from workflow.vocabulary.effects import EffectRefused
from workflow.vocabulary.fields import is_empty
from workflow.vocabulary.messages import Message

__all__ = ["FireResult", "Move", "Refused", "Transaction", "Workflow"]
log = logging.getLogger(__name__)


CONTENTION_SQLSTATES = {
    "40001",
    "40P01",
    "55P03",
    "23505",
}  # serialization, deadlock, lock timeout, unique race


def is_contention(error) -> bool:
    """A lock or race another writer caused (worth a 'try again'), not a programming error."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in CONTENTION_SQLSTATES
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text


def _id_and_version(application, expected_version):
    if isinstance(application, int):
        return application, expected_version
    if expected_version is None:
        expected_version = getattr(application, "row_version", None)
    return application.id, expected_version


class Workflow:
    def __init__(self, db_engine, registry: DefinitionRegistry, clock: Callable = utcnow):
        self.db = db_engine
        self.registry = registry
        self.clock = clock
        self.after_commit: list[Callable[[list[int]], None]] = []  # e.g. the notices relay
        # inside the transaction, after a transition's own notices: hook(tx, program, application,
        # transition, event) — e.g. the notices package telling staff of a new submission
        self.transition_watchers: list[Callable] = []
        # inside a deadline timer's transaction: hook(tx, program, application, timer, status)
        self.deadline_watchers: list[Callable] = []
        # after an event that changes no state (`Transaction.record`: a review declared, a note):
        # hook(tx, program, application, event, detail)
        self.record_watchers: list[Callable] = []

    # the transaction boundary ---------------------------------------------------------------
    def transaction(
        self,
        work: Callable[[Transaction], FireResult | Move | None],
        application_id: int | None = None,
        now: datetime | None = None,
    ) -> FireResult:
        """Run `work(tx)` in one database transaction: commit, then hand on the notices it wrote.

        A `Refused` raised by `work` rolls everything back and becomes the result's refusal; a lock or
        race another writer caused becomes the refusal "busy" (try again). `work` returns a FireResult,
        a Move (turned into one) or None (plain success)."""
        try:
            with self.db.begin() as connection:
                tx = Transaction(self, connection, now or self.clock())
                outcome = work(tx)
        except Refused as refused:
            return FireResult.refused(refused, application_id)
        except (OperationalError, IntegrityError) as error:
            if not is_contention(error):
                raise
            log.warning("database contention on application %s: %s", application_id, error.orig)
            return FireResult(ok=False, application_id=application_id, refusal=Message("busy"))
        if outcome is None:
            result = FireResult(ok=True, application_id=application_id)
        elif isinstance(outcome, Move):
            result = _result(outcome)
        else:
            result = outcome
        self.committed(tx.outbox_ids)
        return result

    def committed(self, outbox_ids: list[int]) -> None:
        """Hand the outbox rows a transaction just committed to the after-commit hooks (notices relay)."""
        if outbox_ids:
            for hook in self.after_commit:
                hook(outbox_ids)

    def load(self, connection, application_id: int, expected_version: int | None = None):
        """The application row and its pinned definition (read-only use outside a transaction)."""
        return Transaction(self, connection, self.clock()).load(application_id, expected_version)

    def program_of(self, connection, application: ApplicationRow) -> CompiledProgram:
        return self.pinned(
            connection, application.program_key, application.program_version, application.definition_sha
        )

    def pinned(self, connection, key: str, version: str, sha256: str) -> CompiledProgram:
        """The exact definition (key, version, sha256) an application is pinned to; refused if unknown."""
        program = self.registry.get(connection, key, version, sha256)
        if program is None:
            raise Refused(Message("unknown_program", {"key": key, "version": version}))
        return program

    # public operations ----------------------------------------------------------------------
    def fire(
        self,
        application,
        trigger: str,
        actor: Actor,
        data: dict | None = None,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> FireResult:
        """Fire `trigger` on the application as `actor`: all checks, then one transaction, or a refusal.

        `application` is an id, or the ApplicationRow the caller read (e.g. a previous result's
        `application`): then the row is not read again, and a row changed since is refused as stale."""
        if isinstance(application, ApplicationRow) and expected_version in (None, application.row_version):
            row = application
            return self.transaction(lambda tx: tx.fire_on(row, trigger, actor, data, reason), row.id)
        application_id, expected_version = _id_and_version(application, expected_version)
        return self.transaction(
            lambda tx: tx.fire(application_id, trigger, actor, data, reason, expected_version), application_id
        )

    def decide(
        self,
        application,
        decision: str,
        outcome: str,
        actor: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> FireResult:
        """Record a determination (e.g. approve / request changes / reject): the outcome picks the trigger,
        which is then fired with every check of `fire`."""
        application_id, expected_version = _id_and_version(application, expected_version)

        def work(tx: Transaction) -> Move:
            _current, program = tx.load(application_id)
            spec = program.spec.decisions.get(decision)
            chosen = next((o for o in spec.outcomes if o.value == outcome), None) if spec else None
            if chosen is None:
                raise Refused(Message("unknown_trigger", {"trigger": f"{decision}:{outcome}"}))
            return tx.fire(application_id, chosen.trigger, actor, None, reason, expected_version)

        return self.transaction(work, application_id)

    def create(self, program_key: str, actor: Actor, data: dict | None = None) -> FireResult:
        """Open a new application of the program's current version for `actor`, in its initial state."""
        program = self.registry.latest(program_key)
        if program is None:
            return FireResult(
                ok=False, refusal=Message("unknown_program", {"key": program_key, "version": ""})
            )
        if program.spec.follow_up_only:
            return FireResult(
                ok=False, refusal=Message("follow_up_only", {"title": program.spec.title.model_dump()})
            )
        now = self.clock()
        period = program.spec.open
        if period is not None and not records.is_open(period, now):
            return FireResult(
                ok=False,
                refusal=Message(
                    "program_closed",
                    {
                        "title": program.spec.title.model_dump(),
                        "start": str(period.start),
                        "until": str(period.until),
                    },
                ),
            )
        return self.transaction(
            lambda tx: self._insert(tx, program, actor.id, data or {}, actor, None), now=now
        )

    def save_draft(
        self, application, actor: Actor, data: dict, expected_version: int | None = None
    ) -> FireResult:
        """Save form values without changing state (autosave); the same rights as editing the form."""
        application_id, expected_version = _id_and_version(application, expected_version)

        def work(tx: Transaction) -> FireResult:
            current, program = tx.load(application_id, expected_version)
            held = effective_roles(tx.connection, program, current, actor, program.stage_roles(current.state))
            if not held:
                raise Refused(Message("not_editable"))
            # a draft may be unfinished: an emptied field is cleared (a required one is asked for when a
            # transition requires the stage), every other value is checked as always
            editable = program.editable_fields(current.state)
            cleared = {name for name, value in data.items() if is_empty(value) and name in editable}
            cleaned = clean_given(editable, {n: v for n, v in data.items() if n not in cleared})
            merged = {n: v for n, v in {**(current.data or {}), **cleaned}.items() if n not in cleared}
            version = current.row_version
            if merged != current.data:  # a draft save is a change like any other: one event
                tx.move(program, current, current.state, "save_draft", actor, held, None, data=merged)
                version += 1
            return FireResult(
                ok=True,
                application_id=application_id,
                state=current.state,
                previous_state=current.state,
                row_version=version,
            )

        return self.transaction(work, application_id)

    def correct(
        self,
        application,
        stage: str,
        actor: Actor,
        data: dict,
        reason: str | None,
        expected_version: int | None = None,
    ) -> FireResult:
        """Correct a stage's values where the rule file's `corrections:` allow the actor's role, with a
        reason: one history event with the diff, refused if the page was stale (`expected_version`)."""
        application_id, expected_version = _id_and_version(application, expected_version)
        return self.transaction(
            lambda tx: correct_in(tx, application_id, stage, actor, data, reason, expected_version),
            application_id,
        )

    def admin_move(self, application, to_state: str, actor: Actor, reason: str | None) -> FireResult:
        """The administrator's escape hatch: any state, a mandatory reason, recorded like any move."""
        application_id, _ = _id_and_version(application, None)

        def work(tx: Transaction) -> Move:
            if "admin" not in actor.roles:
                raise Refused(Message("admin_only"))
            if reason is None or not reason.strip():
                raise Refused(Message("reason_required"))
            current, program = tx.load(application_id)
            if to_state not in program.spec.states:
                raise Refused(Message("unknown_state", {"state": to_state}))
            event = tx.move(program, current, to_state, "admin_move", actor, {"admin"}, reason.strip())
            return Move(
                application_id, current.state, to_state, current.row_version + 1, event["seq"], [], []
            )

        return self.transaction(work, application_id)

    def run_automatic(self, application_id: int) -> FireResult:
        """Take the automatic steps now allowed on the application, in their own transaction."""
        return self.transaction(lambda tx: tx.run_automatic(application_id), application_id)

    # shared writes --------------------------------------------------------------------------
    def _insert(
        self, tx: Transaction, program, applicant_id, data, actor, reason, at: str | None = None
    ) -> Move:
        """A new application in the program's initial state, or in state `at` when another application opens
        it as a follow-up (its values then may fill any field of the program, editable there or not)."""
        problem = self.registry.publish(tx.connection, program)
        if problem is not None:
            raise Refused(Message("definition_refused", {"detail": problem.message}))
        if at is None:
            data = clean_given(program.editable_fields(program.initial), data)
        else:
            data = clean_given(program.fields, data)
        state = at or program.initial
        new_id = records.insert_application(tx.connection, program, applicant_id, tx.now)
        blank = ApplicationRow(
            new_id,
            program.key,
            program.version,
            program.sha256,
            "",
            {},
            {},
            1,
            applicant_id,
            0,
            "",
            None,
            tx.now,
        )
        roles = {"system"} if actor.is_system else {"applicant"}
        event = tx.move(program, blank, state, "create", actor, roles, reason, data)
        row = blank.moved(
            state=state,
            data=data,
            event_data=data,
            row_version=2,
            history_seq=event["seq"],
            history_head=event["hash"],
            state_entered_at=tx.now,
            data_hash=event["data_hash"],
        )
        return Move(new_id, None, state, 2, event["seq"], [], [], row)

    def open_linked(
        self,
        tx: Transaction,
        source: ApplicationRow,
        key: str,
        values: dict,
        actor: Actor,
        at: str | None = None,
    ) -> int:
        """Effect `open`: a new application of another program, for the same applicant, linked both ways,
        in its initial state or in state `at`. The other program's own open period does not apply."""
        target = self.registry.latest(key)
        if target is None:
            raise EffectRefused(Message("linked_program_missing", {"key": key}))
        reason = f"#{source.id} {source.program_key}"
        try:
            if at is not None and at not in target.spec.states:  # the checker refuses this at load
                raise Refused(Message("unknown_state", {"state": at}))
            move = self._insert(tx, target, source.applicant_id, values, actor, reason, at or target.initial)
        except Refused as refused:
            raise EffectRefused(refused.message) from None
        tx.connection.execute(
            insert(ApplicationLink).values(
                source_id=source.id, target_id=move.application_id, trigger="open", created_at=tx.now
            )
        )
        return move.application_id


def _result(move: Move) -> FireResult:
    return FireResult(
        ok=True,
        application_id=move.application_id,
        state=move.state,
        previous_state=move.previous_state,
        row_version=move.row_version,
        event_seq=move.event_seq,
        automatic=move.automatic,
        approved=move.approved,
        outbox_ids=move.outbox_ids,
        application=move.row,
    )
