"""What the notices relay records: run leases, e-mails sent, in-app notifications, letters, preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow


class NoticeRun(Base):
    """One per outbox row being delivered: a lease so two runs never work on it at once, and backoff."""

    __tablename__ = "notice_runs"

    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True)
    lease_token: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticeDelivery(Base):
    """One e-mail to one user for one outbox row; `sending` until the SMTP server accepted it."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        UniqueConstraint("outbox_id", "user_id", "channel", name="uq_notice_deliveries_once"),
        CheckConstraint("status IN ('sending', 'sent', 'failed', 'skipped')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    address: Mapped[str] = mapped_column(String(254), default="")
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="sending")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Notification(Base):
    """A notice in a user's in-app list, rendered in their language."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("outbox_id", "user_id", name="uq_notifications_once"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    lang: Mapped[str] = mapped_column(String(5), default="ko")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    statutory: Mapped[bool] = mapped_column(Boolean, default=False)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Letter(Base):
    """An official PDF letter, stored in the database so any web or worker machine can serve it."""

    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("outbox_id", "user_id", name="uq_letters_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    document_no: Mapped[str] = mapped_column(String(60), unique=True)
    lang: Mapped[str] = mapped_column(String(5), default="ko")
    subject: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticePreference(Base):
    """Whether a user also wants e-mail for one kind of notice (statutory notices always come)."""

    __tablename__ = "notice_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notice_preferences_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    email: Mapped[bool] = mapped_column(Boolean, default=True)
