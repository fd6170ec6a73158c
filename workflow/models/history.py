from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime
from workflow.models.types import JSONType


class HistoryEvent(Base):
    """Append-only, hash-chained: the database refuses UPDATE and DELETE (see the migration)."""

    __tablename__ = "history_events"
    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_history_events_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    seq: Mapped[int] = mapped_column(Integer)
    program_key: Mapped[str] = mapped_column(String(80))
    program_version: Mapped[str] = mapped_column(String(40))
    definition_sha: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(80), nullable=True)
    to_state: Mapped[str] = mapped_column(String(80))
    trigger: Mapped[str] = mapped_column(String(80))
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_roles: Mapped[list] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    diff: Mapped[dict] = mapped_column(JSONType)
    data_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    # the application's row version after this event (NULL on events written before it was recorded)
    row_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # what a state-keeping event recorded: a review assignment, a declaration, scores, a member
    detail: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    hash: Mapped[str] = mapped_column(String(64))
