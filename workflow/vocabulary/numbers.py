"""Strict number parsing for ids and typed amounts, shared by the web layer and the services.

`str.isdigit()` and `\\d` accept '²' and '١' (which `int()` refuses or misreads) and an id beyond the
database's INTEGER overflows the query; these accept ASCII digits only, within range.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # the database's INTEGER primary keys
ID = re.compile(r"[0-9]{1,10}")
DIGITS = re.compile(r"[0-9]{1,3}(,[0-9]{3})*|[0-9]+")


def database_id(text: str | None) -> int | None:
    """An id typed or posted as text ('#' allowed in front), or None when it cannot be one."""
    cleaned = (text or "").strip().removeprefix("#")
    if not ID.fullmatch(cleaned) or not 1 <= int(cleaned) <= MAX_ID:
        return None
    return int(cleaned)


def whole_number(text: str | None, maximum: int) -> int | None:
    """A non-negative whole number in ASCII digits (thousands separators allowed), up to `maximum`."""
    cleaned = (text or "").strip()
    if len(cleaned) > 30 or not DIGITS.fullmatch(cleaned):
        return None
    number = int(cleaned.replace(",", ""))
    return number if number <= maximum else None
