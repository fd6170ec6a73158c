"""The names an expression reads under `parent` and `children` (workflow/engine/links.py), found in its
text: the checker validates them against the linked programs, and `children` is filled with 0 for them."""

from __future__ import annotations

import re

_KEY = r"""(?:\[\s*["']([a-z][a-z0-9-]*)["']\s*\]|\.\s*([a-z][a-z0-9_]*))"""
_NAME = r"""(?:\[\s*["']([A-Za-z_]\w*)["']\s*\]|\.\s*([A-Za-z_]\w*))"""
_CHILD = re.compile(r"\bchildren\s*" + _KEY)
_CHILD_PART = re.compile(r"\bchildren\s*" + _KEY + r"\s*\.\s*(by_state|sum)\s*" + _NAME)
_PARENT_FIELD = re.compile(r"\bparent\s*\.\s*data\s*" + _NAME)
_PARENT_STATE = re.compile(
    r"""\bparent\s*\.\s*state\s*(?:==|!=)\s*["'](\w+)["']|["'](\w+)["']\s*(?:==|!=)\s*parent\s*\.\s*state\b"""
)
_PARENT_STATE_IN = re.compile(r"""\bparent\s*\.\s*state\s+in\s*\[([^\]]*)\]""")
_QUOTED = re.compile(r"""["'](\w+)["']""")


def named_children(source: str) -> set[str]:
    """Program keys an expression reads under `children`."""
    return {a or b for a, b in _CHILD.findall(source)}


def named_child_parts(source: str) -> set[tuple[str, str, str]]:
    """(program key, "by_state" or "sum", state or field) an expression reads under `children`."""
    return {(a or b, part, c or d) for a, b, part, c, d in _CHILD_PART.findall(source)}


def named_parent_fields(source: str) -> set[str]:
    return {a or b for a, b in _PARENT_FIELD.findall(source)}


def named_parent_states(source: str) -> set[str]:
    """States an expression compares `parent.state` with (`==`, `!=`, `in [...]`)."""
    found = {a or b for a, b in _PARENT_STATE.findall(source)}
    for listed in _PARENT_STATE_IN.findall(source):
        found |= set(_QUOTED.findall(listed))
    return found
