"""When a state's deadline falls, in UTC, or a refusal naming the values it needs (workflow/definitions/dates.py
counts the days)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from workflow.definitions.dates import DeadlineUnset, due_day
from workflow.engine.results import Refused
from workflow.vocabulary.messages import Message

SEOUL = ZoneInfo("Asia/Seoul")


def due_moment(program, state: str, data: dict, entered: datetime) -> datetime:
    """When the deadline of `state` falls, in `entered`'s time zone (UTC); refuses the move, naming the state
    and the fields it reads, when the application's data cannot give it."""
    deadline = program.spec.states[state].deadline
    try:
        day = due_day(deadline, program.expressions, data, entered.astimezone(SEOUL).date())
    except DeadlineUnset:
        names = dict.fromkeys(  # in the order the deadline reads them
            name
            for source in deadline.expressions()
            for name in sorted(program.expressions[source].data_fields)
        )
        labels = [program.fields[n].label for n in names if n in program.fields]
        raise Refused(
            Message(
                "deadline_unset",
                {
                    "state": {lang: program.state_label(state, lang) for lang in ("ko", "en")},
                    "fields": {lang: ", ".join(label.get(lang) for label in labels) for lang in ("ko", "en")},
                },
            )
        ) from None
    hour, minute = (int(part) for part in deadline.at.split(":"))
    return datetime.combine(day, time(hour, minute), SEOUL).astimezone(entered.tzinfo)
