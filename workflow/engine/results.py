"""What the engine answers: a result, never an unhandled exception for a user's mistake."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.vocabulary.messages import Message


class Refused(Exception):
    """Raised inside the transaction to roll it back; turned into a FireResult at the boundary."""

    def __init__(self, message: Message, errors: dict[str, Message] | None = None):
        super().__init__(message.code)
        self.message = message
        self.errors = errors or {}


@dataclass
class FireResult:
    ok: bool
    application_id: int | None = None
    state: str | None = None
    previous_state: str | None = None
    row_version: int | None = None
    event_seq: int | None = None
    refusal: Message | None = None
    errors: dict[str, Message] = field(default_factory=dict)
    automatic: list[str] = field(default_factory=list)  # triggers the system fired after this one
    approved: bool = False  # an approval of a sign-off was recorded (the state moves with the last one)
    outbox_ids: list[int] = field(default_factory=list)
    # the ApplicationRow after the change: pass it to the next fire to spare reading the row again
    application: Any = None

    def reason(self, lang: str = "ko") -> str:
        return self.refusal.text(lang) if self.refusal else ""

    @classmethod
    def refused(cls, refusal: Refused, application_id: int | None = None) -> FireResult:
        return cls(ok=False, application_id=application_id, refusal=refusal.message, errors=refusal.errors)
