"""Signed-in sessions end: when the user's session generation moves on (sign-out, password change or
reset, deactivation — on any device), `SESSION_LIFETIME` after sign-in (at most 12 h), and after
`SESSION_IDLE_TIMEOUT` without a request. Times come from the workflow's clock (tests move it)."""

from __future__ import annotations

from flask import current_app, session

GENERATION, SIGNED_IN_AT, SEEN_AT = "_generation", "_signed_in_at", "_seen_at"
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", GENERATION, SIGNED_IN_AT, SEEN_AT)
SEEN_RESOLUTION = 60  # seconds: the cookie is rewritten at most once a minute for the idle clock


def _now() -> int:
    return int(current_app.extensions["workflow"].clock().timestamp())


def start(generation: int) -> None:
    """Record the generation and the time of a sign-in in the (freshly cleared) session."""
    now = _now()
    session.permanent = True  # the cookie expires with PERMANENT_SESSION_LIFETIME, not 31 days
    session[GENERATION] = generation
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def renew(generation: int) -> None:
    """Keep this browser signed in under a new generation (after its own password change)."""
    session[GENERATION] = generation


def still_valid(generation: int) -> bool:
    """True if the session belongs to the user's current generation and has not timed out; else the
    sign-in keys are dropped (the language choice stays)."""
    config = current_app.config
    now = _now()
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    valid = (
        session.get(GENERATION) == generation
        and isinstance(signed_in_at, int)
        and isinstance(seen_at, int)
        and now - signed_in_at < int(config["SESSION_LIFETIME"])
        and now - seen_at < int(config["SESSION_IDLE_TIMEOUT"])
    )
    if not valid:
        for key in LOGIN_KEYS:
            session.pop(key, None)
        return False
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return True
