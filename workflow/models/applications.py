from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow
from workflow.models.types import JSONType

# columns kept on the row only for the board's orders, each with its index (see `Application`)
SORT_COLUMNS = ("key_title", "key_amount", "open_deadline", "applicant_name", "updated_at")


class Application(Base):
    """One application, pinned to the rule file (key, version, sha256) it started under."""

    __tablename__ = "applications"
    __table_args__ = (
        # the board's pages in number order (and jumps to a page) read ids from this index alone
        Index("ix_applications_program_id", "program_key", "id"),
        # every other order of the board: (program, sort column, id) read in order from an index, in
        # one step's tab too (migration 0019; workflow/services/board_columns.py)
        Index("ix_applications_program_state", "program_key", "state", "id"),
        Index("ix_applications_program_score", "program_key", "review_average", "id"),
        *(Index(f"ix_applications_program_{name}", "program_key", name, "id") for name in SORT_COLUMNS),
        # statistics: applications started in a period, and program by id, read from the index alone
        Index("ix_applications_program_created", "program_key", "created_at", "id"),
        # the board's search: trigrams on PostgreSQL serve `LIKE '%q%'`; a plain index elsewhere
        Index(
            "ix_applications_search",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        CheckConstraint("row_version >= 1", name="row_version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_key: Mapped[str] = mapped_column(String(80))
    program_version: Mapped[str] = mapped_column(String(40))
    definition_sha: Mapped[str] = mapped_column(ForeignKey("definition_snapshots.sha256"))
    state: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    # the data as of the latest history event: the next event's diff includes draft saves made since
    event_data: Mapped[dict] = mapped_column(JSONType, default=dict)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    history_seq: Mapped[int] = mapped_column(Integer, default=0)
    history_head: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # what the board searches, kept by the engine on every write of the data: the key fields' title and
    # organisation and the applicant's name and organisation, normalised (workflow/engine/search_text.py)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the average submitted score of the current review round, kept by triggers (migration 0016) in the
    # transaction that submits a score or begins a round: the board sorts by it
    review_average: Mapped[float | None] = mapped_column(Float, nullable=True)
    # what the board sorts by, written by the engine with the data, state and timers it derives from
    # (workflow/engine/sort_keys.py): the rule file's `key_fields:` title (its first KEY_TITLE_LENGTH
    # characters) and amount, the due time of the deadline started on entering the current state, and
    # the applicant's name (kept by a trigger when the user is renamed, migration 0019)
    key_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    key_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    open_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    applicant_name: Mapped[str] = mapped_column(String(200), default="", server_default="")


COUNT_SLOTS = 16


class ApplicationCount(Base):
    """Applications per program and state for the board's tabs, kept by database triggers in the same
    transaction as every insert, move and delete of an application (migration 0015); a state's count
    is the sum of its slots (application id % COUNT_SLOTS), so concurrent moves rarely share a row."""

    __tablename__ = "application_counts"

    program_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    state: Mapped[str] = mapped_column(String(80), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ApplicationMember(Base):
    """A relationship role on one application beside the owner (e.g. co_applicant)."""

    __tablename__ = "application_members"
    __table_args__ = (
        UniqueConstraint("application_id", "user_id", "relation", name="uq_application_members_rel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    relation: Mapped[str] = mapped_column(String(40))


class ApplicationLink(Base):
    """Two applications linked by a transition (e.g. a difficulty report that became a request)."""

    __tablename__ = "application_links"
    __table_args__ = (UniqueConstraint("source_id", "target_id", name="uq_application_links_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewAssignment(Base):
    """A reviewer assigned to an application: conflict declaration first, then scores."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", "round", name="uq_review_assignments_seat"),
        CheckConstraint("coi IN ('pending', 'none', 'conflict')", name="coi_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # the review round it belongs to (review_rounds); guards count the current round only
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    kind: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the rule file's `review.kinds`
    coi: Mapped[str] = mapped_column(String(10), default="pending")
    coi_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    scores: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # a saved, unsubmitted review ({"scores": {...}, "comment": ...}): never counted by guards or boards
    draft: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReviewRound(Base):
    """A review round begun by a transition with `new_review_round: true` (round 1 needs no row)."""

    __tablename__ = "review_rounds"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int] = mapped_column(Integer)  # the history event that began it


class ReviewerPledge(Base):
    """A reviewer's confidentiality pledge (보안서약), accepted once before their first review."""

    __tablename__ = "reviewer_pledges"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
