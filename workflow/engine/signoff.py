"""Sign-off by several people: a transition with `sign_off:` moves only when its approvals are in.

    sign_off: [{role: committee, count: 2}, {role: director}]   # two of the committee, then the director

Each approval is a history event (trigger `sign_off`, `detail: {kind: approval, trigger, step, role}`) in
the application's hash chain; approvals count from the event that entered the current state, so leaving
and coming back starts afresh. The same person is never counted twice: the approval is claimed by the
row's version like every change, so a double click or a second tab is refused as already approved (or as
stale) by the database, not by memory. The last approval moves the application in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from workflow.engine.records import ApplicationRow, seoul_text
from workflow.engine.results import Refused
from workflow.models import HistoryEvent
from workflow.vocabulary.messages import Message
from workflow.vocabulary.roles import role_labels

SIGN_OFF = "sign_off"


@dataclass(frozen=True)
class Approval:
    approver_id: int
    name: str
    role: str
    step: int
    at: datetime


@dataclass
class Progress:
    """Where a transition's sign-off stands in the current state."""

    trigger: str
    steps: list  # SignOffStep
    approvals: list[Approval] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(step.count for step in self.steps)

    @property
    def done(self) -> int:
        return len(self.approvals)

    @property
    def next_step(self) -> int | None:
        """The index of the first step still short of approvals, None when all are in."""
        for index, step in enumerate(self.steps):
            if sum(1 for a in self.approvals if a.step == index) < step.count:
                return index
        return None

    def still_needed(self) -> list[tuple[str, int]]:
        """(role, how many more) for each step not complete, in order."""
        return [
            (step.role, step.count - sum(1 for a in self.approvals if a.step == index))
            for index, step in enumerate(self.steps)
            if sum(1 for a in self.approvals if a.step == index) < step.count
        ]

    def by(self, user_id: int | None) -> Approval | None:
        return next((a for a in self.approvals if a.approver_id == user_id), None)


def entered_seq(connection, application: ApplicationRow) -> int:
    """The history seq of the event that brought the application into its current state."""
    return int(
        connection.execute(
            select(func.max(HistoryEvent.seq)).where(
                HistoryEvent.application_id == application.id,
                HistoryEvent.to_state == application.state,
                or_(HistoryEvent.from_state.is_(None), HistoryEvent.from_state != HistoryEvent.to_state),
            )
        ).scalar()
        or 0
    )


def edited_seq(connection, application: ApplicationRow) -> int:
    """The history seq of the last event after which the data differed from what it is now (0 if none):
    a change saved to the forms, a staff correction, a transition's own inputs. Saving the same values
    again (or changing them back) leaves the approvals of this text standing."""
    current = (
        select(HistoryEvent.data_hash)
        .where(HistoryEvent.application_id == application.id, HistoryEvent.seq == application.history_seq)
        .scalar_subquery()
    )
    return int(
        connection.execute(
            select(func.max(HistoryEvent.seq)).where(
                HistoryEvent.application_id == application.id, HistoryEvent.data_hash != current
            )
        ).scalar()
        or 0
    )


def progress(connection, application: ApplicationRow, transition) -> Progress:
    """The approvals given for `transition` since the application entered its current state (and, with
    `sign_off_again_after_edit`, since the last change to its data)."""
    found = Progress(transition.trigger, list(transition.spec.sign_off))
    since = entered_seq(connection, application)
    if transition.spec.sign_off_again_after_edit:
        since = max(since, edited_seq(connection, application))
    rows = connection.execute(
        select(HistoryEvent.actor_id, HistoryEvent.actor_name, HistoryEvent.detail, HistoryEvent.at)
        .where(
            HistoryEvent.application_id == application.id,
            HistoryEvent.seq > since,
            HistoryEvent.trigger == SIGN_OFF,
        )
        .order_by(HistoryEvent.seq)
    )
    for actor_id, name, detail, at in rows:
        if (detail or {}).get("kind") == "approval" and detail.get("trigger") == transition.trigger:
            found.approvals.append(Approval(actor_id, name, detail["role"], detail["step"], at))
    return found


def refusal(program, progress_now: Progress, actor, held: set[str]) -> Message | None:
    """Why this actor cannot approve now (already did, or it is another role's turn), else None."""
    mine = progress_now.by(actor.id)
    if mine is not None:
        return Message(
            "already_approved",
            {
                "by": mine.name,
                "at": seoul_text(mine.at),
                "trigger": program.trigger_label(progress_now.trigger),
            },
        )
    index = progress_now.next_step
    if index is None:
        return None
    role = progress_now.steps[index].role
    if role not in held:
        labels = {lang: role_labels([role], lang, program.role_kinds) for lang in ("ko", "en")}
        return Message(
            "approval_turn", {"trigger": program.trigger_label(progress_now.trigger), "role": labels}
        )
    return None


def approve(tx, program, application: ApplicationRow, transition, actor, held: set[str], reason):
    """Record `actor`'s approval; returns (row after it, True if it was the last one needed)."""
    progress_now = progress(tx.connection, application, transition)
    refused = refusal(program, progress_now, actor, held)
    if refused is not None:
        raise Refused(refused)
    index = progress_now.next_step
    assert index is not None  # a complete sign-off has already moved the application
    step = progress_now.steps[index]
    detail = {
        "kind": "approval",
        "trigger": transition.trigger,
        "step": index,
        "role": step.role,
        "number": progress_now.done + 1,
        "of": progress_now.total,
    }
    event = tx.move(
        program, application, application.state, SIGN_OFF, actor, {step.role}, reason, detail=detail
    )
    row = application.moved(
        row_version=application.row_version + 1, history_seq=event["seq"], history_head=event["hash"]
    )
    return row, progress_now.done + 1 == progress_now.total, event["seq"]


def progress_label(program, progress_now: Progress) -> dict[str, str]:
    """The button's words with the count so far: "승인 (1/2명 승인)" / "Approve (1 of 2 so far)"."""
    label = program.trigger_label(progress_now.trigger)
    return {
        lang: Message(
            "sign_off_progress",
            {"label": label[lang], "done": progress_now.done, "total": progress_now.total},
        ).text(lang)
        for lang in ("ko", "en")
    }


def status(connection, program, application: ApplicationRow) -> list[Progress]:
    """Each sign-off that may be given in the current state, with the approvals so far (for every page)."""
    found: dict[str, Progress] = {}
    for transition in program.leaving(application.state):
        if transition.spec.sign_off and transition.trigger not in found:
            found[transition.trigger] = progress(connection, application, transition)
    return list(found.values())
