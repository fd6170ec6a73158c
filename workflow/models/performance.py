"""Performance records: company profiles, indicator values, and the stays behind the time statistics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow


class Company(Base):
    """One company across programs, keyed by its business number; the latest submitted profile."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_no: Mapped[str] = mapped_column(String(12), unique=True)  # 123-45-67890
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    employees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    founded_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sector: Mapped[str | None] = mapped_column(String(80), nullable=True)
    region: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CompanyApplication(Base):
    """Which company an application is for (set when the stage holding the business number is submitted)."""

    __tablename__ = "company_applications"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    program_key: Mapped[str] = mapped_column(String(80))


class IndicatorValue(Base):
    """An indicator's value for one application and year (Asia/Seoul year of the submission)."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("application_id", "indicator", "year", name="uq_indicator_values_year"),
        Index("ix_indicator_values_program_year", "program_key", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), nullable=True, index=True)
    program_key: Mapped[str] = mapped_column(String(80))
    indicator: Mapped[str] = mapped_column(String(80))
    stage: Mapped[str] = mapped_column(String(80))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    event_seq: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StateStay(Base):
    """One stay of an application in a state, written when it leaves: the time figures' summary table."""

    __tablename__ = "state_stays"
    __table_args__ = (
        Index("ix_state_stays_program_state", "program_key", "state"),
        Index("ix_state_stays_program_trigger", "program_key", "left_by"),
        # percentiles read the k-th duration of a (program, state) from the index alone
        Index("ix_state_stays_durations", "program_key", "state", "seconds", "left_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    program_key: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(80))
    left_by: Mapped[str] = mapped_column(String(80))  # the trigger that ended the stay
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[int] = mapped_column(BigInteger)


class FunnelMark(Base):
    """An application reached a funnel outcome (submitted, selected, withdrawn, lapsed) — once each,
    written with the stay whose trigger the rule file's `funnel:` names. The funnel's summary table."""

    __tablename__ = "funnel_marks"
    __table_args__ = (Index("ix_funnel_marks_count", "program_key", "outcome", "created_at"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    program_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the application was started
