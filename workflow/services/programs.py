"""Read-only facts about programs for listing pages: open period (18:00 KST close), summary, budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from workflow.engine import records

SEOUL = ZoneInfo("Asia/Seoul")
CLOSING_TIME = time(18, 0)


@dataclass(frozen=True)
class ProgramCard:
    key: str
    title: object  # I18n
    summary: object | None
    kind: str
    opens: date | None
    closes_at: datetime | None  # aware, Asia/Seoul
    is_open: bool
    budget_total: int | None
    upcoming: bool = False  # the period has not started yet


def opens_at(start: date) -> datetime:
    return datetime.combine(start, time(0, 0), tzinfo=SEOUL)


def closes_at(until: date) -> datetime:
    return datetime.combine(until, CLOSING_TIME, tzinfo=SEOUL)


def program_cards(workflow, only_open: bool = False) -> list[ProgramCard]:
    """Every currently loaded program (newest version), open ones first."""
    now = workflow.clock().astimezone(UTC)
    cards = []
    for key, program in sorted(workflow.registry.current.items()):
        if program.spec.follow_up_only:  # opened from another application, never applied for directly
            continue
        period = program.spec.open
        opens = period.start if period else None
        ends = closes_at(period.until) if period else None
        is_open = records.is_open(period, now)
        if only_open and not is_open:
            continue
        cards.append(
            ProgramCard(
                key=key,
                title=program.spec.title,
                summary=program.spec.summary,
                kind=program.spec.kind,
                opens=opens,
                closes_at=ends,
                is_open=is_open,
                upcoming=bool(opens and now < opens_at(opens)),
                budget_total=program.spec.budget.total if program.spec.budget else None,
            )
        )
    return sorted(cards, key=lambda c: (not c.is_open, c.key))
