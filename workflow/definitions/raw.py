"""Reading a rule file's raw data before it is validated: a key that should hold a mapping or a list
may hold anything, and the checks must read on past it to report every problem at once."""

from __future__ import annotations


def as_list(value) -> list:
    """A list as given, one value as a list of one, nothing as an empty list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def mapping(value) -> dict:
    """A mapping as given, anything else as an empty one."""
    return value if isinstance(value, dict) else {}
