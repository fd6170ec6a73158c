"""What operations read: the workers' heartbeats and the last run of each periodic command."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow


class WorkerHeartbeat(Base):
    """One row per running notice worker (`host:pid`), refreshed every few seconds by the worker itself;
    readiness wants at least one fresh row when workers are configured (REDIS_URL)."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    queue: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpsRun(Base):
    """The last run of a periodic command (`tick`, `audit verify`, `backup`): when, and how it ended."""

    __tablename__ = "ops_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text, default="")
