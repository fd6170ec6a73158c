"""Audit tables: the staff chain (role grants), daily digests, the read log and verification runs.

The first three are append-only like the history: the database refuses UPDATE and DELETE (migration 0011).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow
from workflow.models.types import JSONType


class StaffEvent(Base):
    """One change to who may do what (a role granted or revoked, an account switched on or off), chained."""

    __tablename__ = "staff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    action: Mapped[str] = mapped_column(String(20))  # grant | revoke | activate | deactivate
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    program_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditDigest(Base):
    """One hash over every chain's head, itself chained; `heads` holds the heads changed since the last."""

    __tablename__ = "audit_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    day: Mapped[str] = mapped_column(String(10), index=True)  # Seoul date, YYYY-MM-DD
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    chains: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    heads_hash: Mapped[str] = mapped_column(String(64))
    heads: Mapped[dict] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ReadLogEntry(Base):
    """A staff member looked at an application's personal or financial data, or downloaded a file."""

    __tablename__ = "read_log"
    __table_args__ = (Index("ix_read_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    program_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))  # status | form | file | bank | letter | audit
    detail: Mapped[str | None] = mapped_column(String(255), nullable=True)
    address: Mapped[str] = mapped_column(String(64))


class AuditRun(Base):
    """A program-wide verification run in the background: progress while it runs, then its result."""

    __tablename__ = "audit_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued|running|ok|faults|failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    faults: Mapped[list] = mapped_column(JSONType, default=list)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
