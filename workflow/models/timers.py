from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow
from workflow.models.types import JSONType


class Timer(Base):
    """A deadline or reminder created on entering a state; cancelled on leaving it."""

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due", "status", "due_at"),
        CheckConstraint("status IN ('pending', 'fired', 'cancelled', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    state: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[dict] = mapped_column(JSONType)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)


class MissedDeadline(Base):
    """A deadline timer that fired (its status stayed `fired`), written in the same transaction: the
    dashboard counts these per program and due time from the index alone, without joining the timers to
    their applications."""

    __tablename__ = "missed_deadlines"
    __table_args__ = (Index("ix_missed_deadlines_count", "program_key", "due_at"),)

    timer_id: Mapped[int] = mapped_column(ForeignKey("timers.id", ondelete="CASCADE"), primary_key=True)
    program_key: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
