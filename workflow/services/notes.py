"""Internal notes on an application: written by the program's staff, read by staff and auditors only.

A note is an event in the application's hash-chained history (its text in the event's `detail`), so it
can be neither changed nor removed, and `audit verify` covers it. Pages that applicants or reviewers
read leave these events out (`services.status.application_view(staff_notes=False)`).
"""

from __future__ import annotations

from workflow.engine import FireResult, Refused, Transaction
from workflow.engine.actors import Actor
from workflow.vocabulary.messages import Message
from workflow.vocabulary.roles import roles_that

INTERNAL_NOTE = "internal_note"
MAX_NOTE_LENGTH = 4000
WRITERS = frozenset(roles_that("board"))  # who runs or pays a program (auditors change nothing)


def add_note(workflow, application_id: int, author: Actor, text: str) -> FireResult:
    """Record a staff note on the application (one history event; the row version moves on)."""
    text = (text or "").strip()

    def work(tx: Transaction) -> None:
        application, program = tx.load(application_id, for_update=True)
        roles = author.staff_roles(program.key) & WRITERS
        if not roles:
            raise Refused(Message("not_your_application"))
        if not text:
            raise Refused(Message("note_empty"))
        if len(text) > MAX_NOTE_LENGTH:
            raise Refused(Message("note_too_long", {"max": MAX_NOTE_LENGTH}))
        detail = {"kind": INTERNAL_NOTE, "text": text}
        tx.record(application, program, INTERNAL_NOTE, author, roles, detail=detail)

    return workflow.transaction(work, application_id)


def notes_of(events: list[dict]) -> list[dict]:
    """The internal notes among an application's events (oldest first), for the officer's page."""
    return [
        {"at": e["at"], "author": e["actor_name"], "text": e["detail"]["text"], "seq": e["seq"]}
        for e in events
        if e["detail"] and e["detail"].get("kind") == INTERNAL_NOTE
    ]
