"""Corrections: a stage's `corrections:` let named roles fix its values in named states (not only the
applicant while it is editable), always with a reason, as one version-checked history event whose diff
shows each value before and after."""

from __future__ import annotations

from workflow.engine.access import effective_roles
from workflow.engine.actors import Actor
from workflow.engine.core import clean_given, stage_problems
from workflow.engine.results import Refused
from workflow.engine.transaction import Move, Transaction
from workflow.vocabulary.messages import Message

TRIGGER = "correct"


def correct_in(
    tx: Transaction,
    application_id: int,
    stage: str,
    actor: Actor,
    data: dict,
    reason: str | None,
    expected_version: int | None,
) -> Move:
    """Check the actor's right to correct `stage` now, the reason and the values; write one event."""
    current, program = tx.load(application_id, expected_version)
    spec = program.spec.stages.get(stage)
    wanted = program.correction_roles(stage, current.state)
    held = effective_roles(tx.connection, program, current, actor, wanted) if wanted else set()
    if spec is None or not held:
        title = spec.title.model_dump() if spec is not None else stage
        raise Refused(Message("not_correctable", {"stage": title}))
    reason = (reason or "").strip() or None
    if reason is None:
        raise Refused(Message("reason_required"))
    fields = {f.name: f for f in spec.fields}
    merged = {**current.data, **clean_given(fields, data)}
    problems = stage_problems(program, [stage], merged)
    if problems:
        labels = {f.name: f.label for f in spec.fields}
        detail = {lang: ", ".join(labels[n].get(lang) for n in problems) for lang in ("ko", "en")}
        raise Refused(
            Message("stage_incomplete", {"stage": spec.title.model_dump(), "detail": detail}), problems
        )
    if merged == current.data:
        raise Refused(Message("correction_unchanged"))
    event = tx.move(
        program, current, current.state, TRIGGER, actor, held, reason, data=merged, detail={"stage": stage}
    )
    row = current.moved(
        data=merged,
        event_data=merged,
        row_version=current.row_version + 1,
        history_seq=event["seq"],
        history_head=event["hash"],
    )
    return Move(
        application_id, current.state, current.state, current.row_version + 1, event["seq"], [], [], row
    )
