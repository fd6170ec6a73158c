from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow
from workflow.models.types import JSONType


class KeptEntry(Base):
    """What an applicant typed that a field refused, kept as typed so a reload shows it again.

    Not part of the application: the application's data (in its history) holds only valid values; these
    are the person's unfinished typing, like the browser's own copy, and go when corrected."""

    __tablename__ = "kept_entries"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    entries: Mapped[dict] = mapped_column(JSONType)  # field name -> the text (or list of texts) as typed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
