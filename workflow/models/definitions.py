from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow


class DefinitionSnapshot(Base):
    """The exact source of every rule file that an application was ever pinned to."""

    __tablename__ = "definition_snapshots"
    __table_args__ = (
        UniqueConstraint("program_key", "version", "sha256", name="uq_definition_snapshots_kvs"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    program_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
