"""The day a state's deadline falls on: a duration counted from entering the state (or from a date in the
application's data), or a date taken from the data; business days skip weekends and Korean public holidays.

The calendar is the `holidays` package's (maintained, with substitute holidays), never a list of ours.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from workflow.definitions.schema import Deadline
from workflow.vocabulary.guards import Expression, GuardEvaluationError

SEOUL = ZoneInfo("Asia/Seoul")


@lru_cache(maxsize=64)
def _korean_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KR", years=year))


def is_business_day(day: date) -> bool:
    """A weekday that is not a Korean public holiday (substitute holidays included)."""
    return day.weekday() < 5 and day not in _korean_holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The `count`-th business day after `start` (the start day itself is not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def count_from(start: date, unit: str, amount: int) -> date:
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "business_days":
        return add_business_days(start, amount)
    if unit == "months":
        return add_months(start, amount)
    return add_months(start, 12 * amount)  # years


def as_date(value: Any) -> date | None:
    """A date from an expression's value: a `YYYY-MM-DD` text (a date field) or a CEL timestamp."""
    if isinstance(value, datetime):
        return value.astimezone(SEOUL).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def as_count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class DeadlineUnset(Exception):
    """The data the deadline reads is empty or not a number / date."""


def due_day(deadline: Deadline, expressions: dict[str, Expression], data: dict, entered: date) -> date:
    """The day the deadline falls on (Seoul calendar), from `data`; raises DeadlineUnset."""

    def value(source: str) -> Any:
        try:
            return expressions[source].value({"data": data})
        except GuardEvaluationError as error:
            raise DeadlineUnset(str(error)) from None

    if deadline.date is not None:
        day = as_date(value(deadline.date))
        if day is None:
            raise DeadlineUnset(f"{deadline.date} is not a date")
        return day
    start = entered
    if deadline.start is not None:
        given = as_date(value(deadline.start))
        if given is None:
            raise DeadlineUnset(f"{deadline.start} is not a date")
        start = given
    amount = deadline.amount
    count = amount if isinstance(amount, int) else as_count(value(amount))
    if count is None:
        raise DeadlineUnset(f"{amount} is not a whole number of {deadline.unit}")
    return count_from(start, deadline.unit, count)
