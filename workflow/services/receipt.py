"""The record of a submission: when it was received (접수) and the receipt number it was given.

Which triggers submit an application is data: the rule file's `funnel.submitted`, or else every
transition leaving the initial state that requires a completed stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Receipt:
    number: str
    received_at: datetime  # UTC; pages show it in Asia/Seoul
    resubmitted_at: datetime | None  # the latest submission when there were several


def submit_triggers(program) -> set[str]:
    funnel = program.spec.funnel
    if funnel is not None and funnel.submitted:
        return set(funnel.submitted)
    return {t.trigger for t in program.leaving(program.initial) if t.spec.requires}


def receipt_number(program, application_id: int) -> str:
    """Deterministic: the same application always has the same number (program-fiscal year-id)."""
    return f"{program.key.upper()}-{program.fiscal_year}-{application_id:06d}"


def receipt_of(program, application_id: int, events: list[dict]) -> Receipt | None:
    """The receipt of an application whose history `events` (oldest first) include a submission."""
    triggers = submit_triggers(program)
    submissions = [e["at"] for e in events if e.get("trigger") in triggers]
    if not submissions:
        return None
    latest = submissions[-1] if len(submissions) > 1 else None
    return Receipt(receipt_number(program, application_id), submissions[0], latest)
