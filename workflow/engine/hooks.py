"""What other parts of the system record after a transition, inside its transaction.

A hook is called as `hook(connection, program, application, transition, data, event_seq, now)` after
the move and its effects are written; an exception rolls the whole transition back. Registered here so
the engine names none of them (like the effects registry).
"""

from __future__ import annotations

from collections.abc import Callable

AFTER_TRANSITION: list[Callable] = []


def after_transition_hooks() -> list[Callable]:
    if not AFTER_TRANSITION:
        from workflow.performance.recording import record_submitted_stages

        AFTER_TRANSITION.append(record_submitted_stages)
    return AFTER_TRANSITION
