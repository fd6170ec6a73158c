"""Bulk actions from the officer's board: one reviewer assigned to, or one decision taken on, several
applications at once.

Nothing here changes an application by itself: `plan` reads what each selected application would get
(and what would be refused, and why), and `run` sends each one through the same service or `decide` as
the single-application page — one transaction per application, checked against the version the
confirmation page showed, so an application someone changed in between is refused as stale, never acted
on. One refusal never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from workflow.engine import records
from workflow.engine.actions import available_actions
from workflow.engine.actors import Actor
from workflow.models import ReviewAssignment
from workflow.services import reviews
from workflow.services.board import PROGRAM_REVIEWERS, reviewer_candidates
from workflow.vocabulary.messages import Message

MAX_SELECTED = 100  # two board pages; more is a hand-made request


@dataclass(frozen=True)
class BulkAction:
    """What to do to every selected application: assign `reviewer_id`, or take `decision`'s `outcome`."""

    kind: str  # "assign" | "decide"
    reviewer_id: int | None = None
    reviewer_name: str = ""
    decision: str = ""
    outcome: str = ""
    label: dict | None = None  # {ko, en}: "선정 결과: 선정" / the reviewer's name
    needs_reason: bool = False

    @property
    def code(self) -> str:
        if self.kind == "assign":
            return f"assign:{self.reviewer_id}"
        return f"decide:{self.decision}:{self.outcome}"


@dataclass
class BulkItem:
    application_id: int
    version: int | None = None
    title: str = ""
    state: str | None = None
    refusal: Message | None = None  # planned: what would be refused; run: what was
    done: bool = False
    new_state: str | None = None


def program_reviewers(connection, program_key: str) -> list[dict]:
    """Active reviewers of the program (or of every program), by name: the bulk assignment's choices."""
    rows = connection.execute(PROGRAM_REVIEWERS, {"program_key": program_key})
    return [dict(r._mapping) for r in rows]


def decision_choices(program) -> list[BulkAction]:
    """Every outcome of every decision of the program, labelled "decision: outcome"."""
    found = []
    for name, spec in program.spec.decisions.items():
        for outcome in spec.outcomes:
            label = {lang: f"{spec.label.get(lang)}: {outcome.label.get(lang)}" for lang in ("ko", "en")}
            needs = any(
                t.spec.reason == "required" for t in program.transitions if t.trigger == outcome.trigger
            )
            found.append(BulkAction("decide", None, "", name, outcome.value, label, needs))
    return found


def parse_action(connection, program, code: str) -> BulkAction | None:
    """The action a form names (`assign:<reviewer id>` or `decide:<decision>:<outcome>`), or None."""
    kind, _, rest = (code or "").partition(":")
    if kind == "decide":
        return next((a for a in decision_choices(program) if a.code == code), None)
    if kind == "assign" and program.spec.review is not None and rest.isdigit() and len(rest) <= 12:
        reviewer = next((r for r in program_reviewers(connection, program.key) if r["id"] == int(rest)), None)
        if reviewer is not None:
            label = {"ko": reviewer["name"], "en": reviewer["name"]}
            return BulkAction("assign", reviewer["id"], reviewer["name"], label=label)
    return None


def plan(workflow, connection, program, ids: list[int], action: BulkAction, actor: Actor) -> list[BulkItem]:
    """What each selected application would get, read-only: its version now and, for those that would
    be refused, the reason (another program's or an unknown number is refused as not found)."""
    items = []
    for application_id in ids:
        item = BulkItem(application_id)
        row = records.read_application(connection, application_id)
        if row is None or row.program_key != program.key:
            item.refusal = Message("unknown_application")
            items.append(item)
            continue
        pinned = workflow.program_of(connection, row)
        item.version, item.title, item.state = row.row_version, pinned.title_of(row.data or {}), row.state
        item.refusal = _foreseen_refusal(workflow, connection, pinned, row, action, actor)
        items.append(item)
    return items


def _foreseen_refusal(workflow, connection, program, row, action: BulkAction, actor: Actor) -> Message | None:
    if action.kind == "assign":
        review = program.spec.review
        if review is None or not (program.spec.states[row.state].review or row.state in review.assign_in):
            label = {lang: program.state_label(row.state, lang) for lang in ("ko", "en")}
            return Message("not_assignment_state", {"state": label})
        candidates, excluded = reviewer_candidates(connection, row, program)
        if any(c["id"] == action.reviewer_id for c in candidates):
            taken = connection.execute(
                select(func.count()).where(
                    ReviewAssignment.application_id == row.id, ReviewAssignment.coi != "conflict"
                )
            ).scalar_one()
            if taken >= review.reviewers_per_application:
                return Message("reviewers_full", {"count": review.reviewers_per_application})
            return None
        why = next((e["why"] for e in excluded if e["id"] == action.reviewer_id), "")
        return Message("reviewer_not_offered", {"why": _WHY.get(why, _WHY[""])})
    spec = program.spec.decisions.get(action.decision)
    chosen = next((o for o in spec.outcomes if o.value == action.outcome), None) if spec else None
    if chosen is None:
        return Message("unknown_trigger", {"trigger": f"{action.decision}:{action.outcome}"})
    option = next(
        (a for a in available_actions(workflow, connection, row, actor) if a.trigger == chosen.trigger), None
    )
    if option is None:
        label = {lang: program.state_label(row.state, lang) for lang in ("ko", "en")}
        return Message("not_from_state", {"trigger": program.trigger_label(chosen.trigger), "state": label})
    return None if option.enabled else option.reason


_WHY = {
    "assigned": {"ko": "이미 배정됨", "en": "already assigned"},
    "conflict": {"ko": "이해충돌 신고", "en": "declared a conflict"},
    "applicant": {"ko": "신청인 본인", "en": "is the applicant"},
    "same_organisation": {"ko": "신청인과 같은 기관", "en": "same organisation as the applicant"},
    "": {"ko": "이 사업의 평가위원이 아님", "en": "not a reviewer of this program"},
}


def run(
    workflow, program, selected: list[tuple[int, int]], action: BulkAction, actor: Actor, reason: str | None
) -> list[BulkItem]:
    """Each (application id, version shown) through its own service call, in order; the outcome of each."""
    items = []
    with workflow.db.connect() as connection:
        planned = {
            i.application_id: i
            for i in plan(workflow, connection, program, [a for a, _v in selected], action, actor)
        }
    for application_id, version in selected:
        item = planned[application_id]
        if item.version is None:  # not found in this program: nothing to try
            items.append(item)
            continue
        if action.kind == "assign":
            if item.refusal is not None:  # not an eligible reviewer for this one: refused as foreseen
                items.append(item)
                continue
            result = reviews.assign(
                workflow, application_id, action.reviewer_id, actor, expected_version=version
            )
        else:
            result = workflow.decide(
                application_id,
                action.decision,
                action.outcome,
                actor,
                reason=reason,
                expected_version=version,
            )
        items.append(
            BulkItem(
                application_id,
                version,
                item.title,
                item.state,
                None if result.ok else result.refusal,
                result.ok,
                result.state if result.ok else None,
            )
        )
    return items
