"""What a user may do now: the transitions `fire` would accept from this user, read-only.

For each non-automatic transition leaving the current state whose roles this user holds on the
application, the same checks as `fire` run in the same order (required stages, then the guard),
without writing anything. A transition that would be refused is returned disabled, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.engine import records, signoff
from workflow.engine.access import effective_roles
from workflow.engine.actors import Actor
from workflow.engine.context import expression_context
from workflow.engine.core import _passing, _require_stages
from workflow.engine.records import ApplicationRow
from workflow.engine.results import Refused
from workflow.engine.signoff import Progress
from workflow.vocabulary.messages import Message


@dataclass
class ActionOption:
    trigger: str
    label: dict  # {ko, en}
    enabled: bool
    reason: Message | None = None  # why it is disabled
    reason_required: bool = False
    reason_asked: bool = False  # a reason box is shown (required, or `reason: optional`)
    destructive: bool = False
    confirm: dict | None = None  # {ko, en}: the rule file's own confirmation question
    fields: list = field(default_factory=list)  # extra fields the transition asks for (FieldSpec)
    to_state: str = ""
    sign_off: Progress | None = None  # the approvals so far, for a transition that needs several


def available_actions(
    workflow, connection, application: ApplicationRow | int, actor: Actor, now=None
) -> list[ActionOption]:
    """Every trigger this actor could fire on the application now, enabled or with the refusal reason."""
    if isinstance(application, int):
        row = records.read_application(connection, application)
        if row is None:
            return []
        application = row
    now = now or workflow.clock()
    program = workflow.program_of(connection, application)
    state = application.state
    by_trigger: dict[str, list] = {}
    for transition in program.leaving(state):
        if not transition.spec.auto:
            by_trigger.setdefault(transition.trigger, []).append(transition)
    options = []
    for trigger, transitions in by_trigger.items():
        wanted = {role for t in transitions for role in t.spec.roles} - {"system"}
        held = effective_roles(connection, program, application, actor, wanted) if wanted else set()
        if not held:
            continue
        candidates = [t for t in transitions if held & set(t.spec.roles)]
        option = ActionOption(
            trigger=trigger,
            label=program.trigger_label(trigger),
            enabled=True,
            reason_required=any(t.spec.reason == "required" for t in candidates),
            reason_asked=any(t.spec.reason is not None for t in candidates),
            destructive=any(t.spec.destructive for t in candidates),
            confirm=next((t.spec.confirm.model_dump() for t in candidates if t.spec.confirm), None),
            fields=[f for t in candidates for f in t.spec.fields],
            to_state=candidates[0].spec.to,
        )
        option.reason = _refusal(connection, program, application, actor, held, candidates, now)
        signing = next((t for t in candidates if t.spec.sign_off), None)
        if signing is not None:
            option.sign_off = signoff.progress(connection, application, signing)
            option.label = signoff.progress_label(program, option.sign_off)  # "승인 (1/2명 승인)"
            option.reason = option.reason or signoff.refusal(program, option.sign_off, actor, held)
        option.enabled = option.reason is None
        options.append(option)
    return options


def _refusal(connection, program, application, actor, held, candidates, now) -> Message | None:
    data = dict(application.data or {})
    own_fields = {f.name for t in candidates for f in t.spec.fields}
    try:
        _require_stages(program, [s for t in candidates for s in t.spec.requires], data)
        if own_fields:
            # the guard reads values the user enters with the action; they are checked when fired
            return None
        context = expression_context(
            connection, application, data, actor, held, candidates, now, program.review_kinds, program
        )
        _passing(candidates, context)
    except Refused as refused:
        return refused.message
    return None
