from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow
from workflow.models.types import JSONType


class OutboxMessage(Base):
    """A notice to send, written in the same transaction as the transition that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status", "status"),
        CheckConstraint("status IN ('pending', 'queued', 'sent', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None for an account notice (password reset, address check), addressed to `user_id` alone
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), index=True, nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    notice: Mapped[str] = mapped_column(String(80))
    template: Mapped[str] = mapped_column(String(80))
    recipients: Mapped[list] = mapped_column(JSONType)
    channels: Mapped[list] = mapped_column(JSONType)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
