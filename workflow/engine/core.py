"""fire(): the one way an application changes state.

In one transaction: role and object check, reason, field validation, guard, effects' read-only checks
(e.g. the budget left), the version-checked move with its history event, timers and outbox rows (one
statement on PostgreSQL: engine/batch.py), effects, then any automatic transitions (as `system`).
"""

from __future__ import annotations

import logging

from workflow.engine import records, review_rounds, signoff
from workflow.engine.access import effective_roles, reviewer_status
from workflow.engine.actors import SYSTEM, Actor
from workflow.engine.capacity import promote_waiting
from workflow.engine.context import expression_context
from workflow.engine.events import Happened, parents_of
from workflow.engine.hooks import after_transition_hooks
from workflow.engine.records import ApplicationRow
from workflow.engine.results import Refused
from workflow.engine.totals import total_problems
from workflow.engine.transaction import Move, Transaction
from workflow.vocabulary.effects import EffectContext, EffectRefused
from workflow.vocabulary.fields import FIELD_TYPES, FieldError, clean_values, is_empty
from workflow.vocabulary.guards import GuardEvaluationError
from workflow.vocabulary.messages import Message
from workflow.vocabulary.roles import role_labels

MAX_AUTOMATIC_STEPS = 20
MAX_LINK_DEPTH = 5  # parent of a parent of ...: links only ever point to newer applications
LINKED_STATE = "linked_state_reached"

log = logging.getLogger(__name__)


def fire_in(
    tx: Transaction,
    application_id: int,
    trigger: str,
    actor: Actor,
    data: dict | None,
    reason: str | None,
    expected_version: int | None,
    known: ApplicationRow | None = None,
) -> Move:
    connection, now = tx.connection, tx.now
    if known is None:
        application, program = tx.load(application_id, expected_version)
    else:
        application, program = known, tx.program_of(known)
    if trigger not in program.triggers:
        raise Refused(Message("unknown_trigger", {"trigger": trigger}))
    state = application.state
    candidates = program.candidates(trigger, state)
    if not candidates:
        raise Refused(
            records.refusal_for_conflict(
                connection,
                program,
                application_id,
                "not_from_state_changed",
                trigger=program.trigger_label(trigger),
                state=_label(program, state),
            )
        )
    wanted = {role for t in candidates for role in t.spec.roles}
    held = effective_roles(connection, program, application, actor, wanted)
    if not held:
        raise Refused(_role_refusal(connection, program, application, actor, trigger, wanted))
    candidates = [t for t in candidates if held & set(t.spec.roles)]
    reason = (reason or "").strip() or None
    if reason is None and any(t.spec.reason == "required" for t in candidates):
        raise Refused(Message("reason_required"))
    new_data = _merge_data(program, application, candidates, held, data or {})
    _require_stages(program, [s for t in candidates for s in t.spec.requires], new_data)
    context = expression_context(
        connection, application, new_data, actor, held, candidates, now, program.review_kinds, program
    )
    allowed = _passing(candidates, context)
    to_state = program.move(state, trigger, allowed)
    chosen = next(t for t in candidates if t.index in allowed and t.spec.to == to_state)
    event = None
    if chosen.spec.sign_off:
        application, complete, seq = signoff.approve(tx, program, application, chosen, actor, held, reason)
        if not complete:  # recorded; the move waits for the approvals still needed
            row_version = application.row_version
            return Move(application_id, state, state, row_version, seq, [], [], application, approved=True)
        event = Happened("approvals_complete", {"trigger": trigger})
    move = _apply(tx, program, application, chosen, actor, held, reason, new_data, context)
    move.approved = bool(chosen.spec.sign_off)
    _run_automatic(tx, program, move, event)
    if move.automatic and move.state == state != chosen.spec.to and not actor.is_system:
        # a revert an automatic step would take straight back: refused, so nothing pretends to be done
        raise Refused(_undone(program, trigger, state))
    if move.state != state:
        notify_linked(tx, move)
    return move


def _undone(program, trigger: str, state: str) -> Message:
    return Message(
        "undone_by_automatic", {"trigger": program.trigger_label(trigger), "state": _label(program, state)}
    )


def _apply(
    tx: Transaction, program, application: ApplicationRow, transition, actor, held, reason, data, context
) -> Move:
    """Write the move (its event, timers and the outbox rows of its notices) and its effects."""
    connection, now = tx.connection, tx.now
    data = dict(data)
    pure = [(kind, params) for kind, params in transition.effects if kind.changes_data]
    effect_context = EffectContext(
        connection=connection,
        program=program,
        application=application,
        data=data,
        actor=actor,
        now=now,
        event_seq=application.history_seq + 1,
        expression_context=context,
        open_linked=lambda key, values, at: tx.workflow.open_linked(tx, application, key, values, actor, at),
    )
    try:
        for kind, params in pure:
            kind.apply(effect_context, params)
        for kind, params in transition.effects:
            if kind.check is not None and not kind.changes_data:
                kind.check(effect_context, params)
        new_round = (
            review_rounds.round_started_detail(connection, application.id)
            if transition.spec.new_review_round
            else None
        )
        written_before = len(tx.outbox_ids)
        event = tx.move(
            program,
            application,
            transition.spec.to,
            transition.trigger,
            actor,
            held,
            reason,
            data,
            detail=new_round,
            notices=transition.spec.notices,
        )
        outbox_ids = tx.outbox_ids[written_before:]  # the notices' rows, written with the move
        if new_round is not None:
            review_rounds.begin_round(connection, application.id, new_round, event["seq"], now)
        # what this trigger releases (a held tranche) is released before the effects run, so one step
        # may release a tranche and pay it (rules/README.md, "The order within a transition")
        for kind in program.trigger_hooks.get(transition.trigger, ()):
            kind.on_trigger(effect_context, transition.trigger)
        for kind, params in transition.effects:
            if not kind.changes_data:
                kind.apply(effect_context, params)
    except EffectRefused as refused:
        raise Refused(refused.message) from None
    for hook in after_transition_hooks():
        hook(connection, program, application, transition, data, event["seq"], now)
    if program.spec.capacity is not None:
        promote_waiting(tx, program, application.state, transition.spec.to)
    for watcher in tx.workflow.transition_watchers:
        watcher(tx, program, application, transition, event)
    moved = transition.spec.to != application.state
    row = application.moved(
        state=transition.spec.to,
        data=data,
        event_data=data,
        row_version=application.row_version + 1,
        history_seq=event["seq"],
        history_head=event["hash"],
        state_entered_at=now if moved else application.state_entered_at,
        data_hash=event["data_hash"],
    )
    return Move(
        application.id,
        application.state,
        transition.spec.to,
        application.row_version + 1,
        event["seq"],
        [],
        outbox_ids,
        row,
    )


def _run_automatic(tx: Transaction, program, move: Move, event: Happened | None = None) -> None:
    """Take the step waiting for `event` (`on_event:`), if any holds, then every automatic step whose
    condition holds in the new state, recorded as `system` (a chain at most MAX_AUTOMATIC_STEPS long)."""
    if event is not None:
        listening = program.on_event.get((move.state, event.name))
        if listening:
            _take_automatic(tx, program, move, listening, event)
    for _ in range(MAX_AUTOMATIC_STEPS):
        automatic = program.automatic.get(move.state)
        if not automatic or not _take_automatic(tx, program, move, automatic, None):
            return


def _take_automatic(tx: Transaction, program, move: Move, automatic, event: Happened | None) -> bool:
    """Take the first of `automatic` whose guard holds; False if none does (tried again after the next
    change, or the next such event)."""
    application = move.row or records.read_application(tx.connection, move.application_id)
    assert application is not None  # it was just moved in this transaction
    context = expression_context(
        tx.connection,
        application,
        application.data,
        SYSTEM,
        {"system"},
        automatic,
        tx.now,
        program.review_kinds,
        program,
    )
    if event is not None:
        context["event"] = {"name": event.name, **event.values}
    try:
        allowed = _passing(automatic, context)
    except Refused:
        return False
    first = next(t for t in automatic if t.index in allowed)
    to_state = program.move(move.state, first.trigger, allowed)  # the shared machine decides, as in fire
    chosen = next(t for t in automatic if t.index in allowed and t.spec.to == to_state)
    step = _apply(tx, program, application, chosen, SYSTEM, {"system"}, None, application.data, context)
    move.automatic.append(chosen.trigger)
    move.outbox_ids.extend(step.outbox_ids)
    move.state, move.row_version, move.event_seq = step.state, step.row_version, step.event_seq
    move.row = step.row
    return True


def run_automatic_in(tx: Transaction, application_id: int, event: Happened | None = None) -> Move | None:
    """After a change outside fire (e.g. a review submitted, which is also the event `review_submitted`),
    take the automatic steps now allowed; linked applications hear of a new state."""
    application, program = tx.load(application_id)
    move = Move(
        application_id,
        application.state,
        application.state,
        application.row_version,
        application.history_seq,
        [],
        [],
    )
    _run_automatic(tx, program, move, event)
    if move.state != application.state:
        notify_linked(tx, move)
    return move if move.automatic else None


def notify_linked(tx: Transaction, move: Move, depth: int = 0) -> None:
    """The event `linked_state_reached` on each application that opened this one (its parent), when any
    program listens for it: the parent's steps may wait for a child to reach a state."""
    registry = tx.workflow.registry
    if depth >= MAX_LINK_DEPTH or not any(
        LINKED_STATE in p.listened_events for p in registry.current.values()
    ):
        return
    row = move.row or records.read_application(tx.connection, move.application_id)
    assert row is not None
    for parent_id in parents_of(tx.connection, move.application_id):
        values = {"program": row.program_key, "state": move.state, "application_id": move.application_id}
        parent, program = tx.load(parent_id)
        parent_move = Move(
            parent_id, parent.state, parent.state, parent.row_version, parent.history_seq, [], []
        )
        _run_automatic(tx, program, parent_move, Happened(LINKED_STATE, values))
        if parent_move.state != parent.state:
            notify_linked(tx, parent_move, depth + 1)


def _passing(candidates, context) -> set[int]:
    """Indexes of candidates whose guard holds; refuses with the first failing guard's message."""
    allowed: set[int] = set()
    first_failure: Message | None = None
    for transition in candidates:
        if transition.guard is None:
            allowed.add(transition.index)
            continue
        try:
            if transition.guard.test(context):
                allowed.add(transition.index)
            elif first_failure is None:
                message = transition.spec.guard_message
                first_failure = Message(
                    "guard_failed", {"detail": message.model_dump() if message else _step(transition)}
                )
        except GuardEvaluationError as error:
            # the reader learns which step; the expression and the evaluator's words go to the log only
            log.warning(
                "guard of '%s' not evaluated (%s): %s", transition.trigger, transition.guard.source, error
            )
            if first_failure is None:
                first_failure = Message("guard_error", {"step": _step(transition)})
    if not allowed:
        raise Refused(first_failure or Message("guard_failed", {"detail": ""}))
    return allowed


def _step(transition) -> dict | str:
    """How a refusal names a step to its reader: the rule file's label, else the trigger (never the guard)."""
    label = transition.spec.label
    return label.model_dump() if label else transition.trigger


def _merge_data(program, application, candidates, held, given: dict) -> dict:
    """Validate the given values against the fields this actor may fill now; return the merged data."""
    data = dict(application.data or {})
    if not given:
        return data
    editable = {}
    if held & program.stage_roles(application.state):
        editable.update(program.editable_fields(application.state))
    for transition in candidates:
        editable.update({f.name: f for f in transition.spec.fields})
    data.update(clean_given(editable, given))
    return data


def clean_given(editable: dict, given: dict) -> dict:
    """The stored form of the given values, or a refusal naming each field's problem in both languages."""
    unknown = sorted(set(given) - set(editable))
    if unknown:
        raise Refused(Message("unknown_field", {"field": unknown[0]}))
    cleaned, errors = clean_values(editable, given)
    if errors:
        labels = {name: editable[name].label for name in errors}
        detail = {
            lang: "; ".join(f"{labels[name].get(lang)}: {m.text(lang)}" for name, m in errors.items())
            for lang in ("ko", "en")
        }
        raise Refused(Message("invalid_data", {"detail": detail}), errors)
    return cleaned


def stage_problems(program, stage_names, data: dict) -> dict[str, Message]:
    """Every missing required field and every invalid value of the stages, by field name."""
    problems: dict[str, Message] = {}
    for stage_name in dict.fromkeys(stage_names):
        stage = program.spec.stages[stage_name]
        missing, errors = {}, {}
        for spec in stage.fields:  # one pass: a missing required value, or one its type refuses
            value = data.get(spec.name)
            if is_empty(value):
                if spec.required:
                    missing[spec.name] = Message("required")
                continue
            try:
                FIELD_TYPES[spec.type].coerce(value, spec)
            except FieldError as error:
                errors[spec.name] = error.message
        problems |= missing | errors
        shares = total_problems(stage, data)
        problems |= {name: message for name, message in shares.items() if name not in problems}
    return problems


def _require_stages(program, stage_names, data: dict) -> None:
    """Refuse with the first incomplete stage's name and *every* problem of all the stages."""
    problems = stage_problems(program, stage_names, data)
    if not problems:
        return
    stage = next(
        program.spec.stages[n]
        for n in dict.fromkeys(stage_names)
        if any(f.name in problems for f in program.spec.stages[n].fields)
    )
    labels = {f.name: f.label for n in dict.fromkeys(stage_names) for f in program.spec.stages[n].fields}
    detail = {lang: ", ".join(labels[n].get(lang) for n in problems) for lang in ("ko", "en")}
    raise Refused(
        Message("stage_incomplete", {"stage": stage.title.model_dump(), "detail": detail}), problems
    )


def _role_refusal(connection, program, application, actor, trigger, wanted) -> Message:
    if "reviewer" in wanted and reviewer_status(connection, application.id, actor.id) == "pending":
        return Message("conflict_not_declared")
    related = application.applicant_id == actor.id or actor.staff_roles(program.key)
    if not related:
        return Message("not_your_application")
    roles = {
        lang: role_labels(sorted(wanted - {"system"}), lang, program.role_kinds) for lang in ("ko", "en")
    }
    return Message("role_not_allowed", {"trigger": program.trigger_label(trigger), "roles": roles})


def _label(program, state: str) -> dict:
    return {lang: program.state_label(state, lang) for lang in ("ko", "en")}
