"""A string that matches a field's `pattern`, derived from the regular expression itself (for the walker)."""

from __future__ import annotations

import re
import re._constants as c  # type: ignore[import-not-found]
import re._parser as parser  # type: ignore[import-not-found]

CATEGORY_SAMPLES = {
    c.CATEGORY_DIGIT: "7",
    c.CATEGORY_NOT_DIGIT: "a",
    c.CATEGORY_WORD: "a",
    c.CATEGORY_NOT_WORD: "-",
    c.CATEGORY_SPACE: " ",
    c.CATEGORY_NOT_SPACE: "a",
}


def matching(pattern: str) -> str | None:
    """A short string `re.fullmatch(pattern, ...)` accepts, or None if this sketch cannot make one."""
    try:
        text = _emit(parser.parse(pattern))
    except (ValueError, KeyError, IndexError, re.error):
        return None
    return text if re.fullmatch(pattern, text) else None


def _emit(items) -> str:
    out = []
    for op, arg in items:
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(_member(arg))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, _high, body = arg
            out.append(_emit(body) * low)
        elif op is c.SUBPATTERN:
            out.append(_emit(arg[-1]))
        elif op is c.BRANCH:
            out.append(_emit(arg[1][0]))
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        else:
            raise ValueError(f"unsupported {op}")
    return "".join(out)


def _member(arg) -> str:
    negated = any(op is c.NEGATE for op, _ in arg)
    if negated:
        excluded = "".join(chr(a) for op, a in arg if op is c.LITERAL)
        return next(ch for ch in "a7Z-" if ch not in excluded)
    op, value = arg[0]
    if op is c.LITERAL:
        return chr(value)
    if op is c.RANGE:
        return chr(value[0])
    if op is c.CATEGORY:
        return CATEGORY_SAMPLES[value]
    raise ValueError(f"unsupported class {op}")
