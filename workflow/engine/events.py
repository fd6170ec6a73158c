"""Named events an automatic step may wait for (`on_event: review_submitted`): a registry, so a package
adds an event by registering it and emitting it inside its transaction (`tx.emit(application_id, name)`).

A step with `on_event:` is taken only when its event happens on the application (and its guard holds),
never merely because its condition is true after some other change; steps without it keep running on their
condition after every change. An event may carry values a guard reads as `event.<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from workflow.models import ApplicationLink


@dataclass(frozen=True)
class EventKind:
    name: str
    label: dict[str, str]  # {ko, en}: how pages and `rules show` name it
    values: tuple[str, ...] = ()  # what a guard may read as event.<value> besides event.name


EVENTS: dict[str, EventKind] = {}


@dataclass(frozen=True)
class Happened:
    """One event on one application, with the values its guard may read."""

    name: str
    values: dict = field(default_factory=dict)


def register_event(kind: EventKind) -> None:
    EVENTS[kind.name] = kind


def parents_of(connection, application_id: int) -> list[int]:
    """The applications that opened this one (`open:` effect), oldest link first."""
    return list(
        connection.execute(
            select(ApplicationLink.source_id)
            .where(ApplicationLink.target_id == application_id)
            .order_by(ApplicationLink.id)
        ).scalars()
    )


def event_sample(names) -> dict:
    """A value of `event` for checking a guard at load: every value any of the events carries."""
    sample: dict = {"name": ""}
    for name in names:
        for value in EVENTS[name].values if name in EVENTS else ():
            sample.setdefault(value, 0 if value.endswith("_id") else "")
    return sample


for _kind in (
    EventKind("reviewers_assigned", {"ko": "평가위원 배정", "en": "reviewers assigned"}),
    EventKind("review_declared", {"ko": "이해충돌 신고", "en": "conflict of interest declared"}),
    EventKind("review_submitted", {"ko": "심사 점수 제출", "en": "review submitted"}),
    EventKind("approvals_complete", {"ko": "결재 완료", "en": "all approvals in"}, ("trigger",)),
    EventKind(
        "linked_state_reached",
        {"ko": "연결된 신청서의 단계 변경", "en": "a linked application reached a state"},
        ("program", "state", "application_id"),
    ),
):
    register_event(_kind)
