"""The dashboard's filters (program, year, date range), parsed from the URL and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

SEOUL = ZoneInfo("Asia/Seoul")
YEARS = range(2000, 2101)


class FilterError(ValueError):
    """A filter value that cannot be used; the message is a lazy_gettext string."""


class UnknownProgram(FilterError):
    """A program the reader may not see, or that does not exist (the page answers 404, no hint)."""


@dataclass(frozen=True)
class Filters:
    keys: tuple[str, ...]  # the programs in view (already narrowed to what the user may see)
    program: str | None = None
    year: int | None = None
    start: date | None = None  # Asia/Seoul calendar days, inclusive
    end: date | None = None

    def window(self) -> tuple[datetime | None, datetime | None]:
        """[low, high) in UTC for timestamps: the year and the date range together."""
        low = high = None
        if self.year is not None:
            low, high = _midnight(date(self.year, 1, 1)), _midnight(date(self.year + 1, 1, 1))
        if self.start is not None:
            low = max(low, _midnight(self.start)) if low else _midnight(self.start)
        if self.end is not None:
            end = _midnight(self.end + timedelta(days=1))
            high = min(high, end) if high else end
        return low, high

    def window_without_year(self) -> tuple[datetime | None, datetime | None]:
        """The date range alone (for figures whose year is their own, e.g. a fiscal or indicator year)."""
        return Filters(self.keys, self.program, None, self.start, self.end).window()

    def query_args(self) -> dict:
        args = {"program": self.program, "year": self.year, "from": self.start, "to": self.end}
        return {k: str(v) for k, v in args.items() if v is not None}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SEOUL).astimezone(UTC)


def parse(args, visible: list[str]) -> Filters:
    """Filters from request args (or CLI options); raises FilterError on a value that makes no sense."""
    program = (args.get("program") or "").strip() or None
    if program is not None and program not in visible:
        raise UnknownProgram(_l("Unknown program."))
    year = _year(args.get("year"))
    start, end = _day(args.get("from")), _day(args.get("to"))
    if start and end and start > end:
        raise FilterError(_l("The start date is after the end date."))
    keys = (program,) if program else tuple(sorted(visible))
    return Filters(keys, program, year, start, end)


def _year(raw) -> int | None:
    raw = str(raw or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{4}", raw) or int(raw) not in YEARS:  # ASCII digits ("²".isdigit())
        raise FilterError(_l("The year must be between 2000 and 2100."))
    return int(raw)


def _day(raw) -> date | None:
    raw = str(raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(_l("Dates are written YYYY-MM-DD.")) from None
