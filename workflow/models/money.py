"""Budget → awards → tranches → payments → recoveries; invariants enforced by CHECK constraints.

Amounts are integer KRW. A foreign-currency award keeps its own amount (in hundredths of the
currency unit) and the rate it was booked at (KRW per unit × 10,000); every KRW figure is booked.
Migration 0002 adds triggers that refuse any totals UPDATE that disagrees with the ledger's sums.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow

LEDGER_KINDS = ("commit", "pay", "recover", "release", "interest")
FX_COMPLETE = (
    "(fx_currency IS NULL AND fx_amount_cents IS NULL AND fx_rate_e4 IS NULL) OR ("
    "fx_currency IS NOT NULL AND fx_currency <> 'KRW' AND fx_amount_cents IS NOT NULL"
    " AND fx_amount_cents > 0 AND fx_rate_e4 IS NOT NULL AND fx_rate_e4 > 0)"
)


class ProgramBudget(Base):
    __tablename__ = "program_budgets"
    __table_args__ = (
        UniqueConstraint("program_key", "fiscal_year", name="uq_program_budgets_year"),
        CheckConstraint("total >= 0", name="total_nonnegative"),
        CheckConstraint("committed >= 0 AND committed <= total", name="committed_within_total"),
        CheckConstraint("paid >= 0 AND paid <= committed", name="paid_within_committed"),
        CheckConstraint("recovered >= 0 AND recovered <= paid", name="recovered_within_paid"),
        CheckConstraint("interest >= 0", name="interest_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_key: Mapped[str] = mapped_column(String(80))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    total: Mapped[int] = mapped_column(BigInteger)
    committed: Mapped[int] = mapped_column(BigInteger, default=0)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered: Mapped[int] = mapped_column(BigInteger, default=0)
    interest: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "released >= 0 AND paid >= 0 AND paid + released <= amount", name="paid_within_amount"
        ),
        CheckConstraint("recovered >= 0 AND recovered <= paid", name="recovered_within_paid"),
        CheckConstraint("interest >= 0", name="interest_nonnegative"),
        CheckConstraint(
            FX_COMPLETE,
            name="fx_complete",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("program_budgets.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    released: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered: Mapped[int] = mapped_column(BigInteger, default=0)
    interest: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    fx_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    fx_amount_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fx_rate_e4: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tranche(Base):
    __tablename__ = "tranches"
    __table_args__ = (
        UniqueConstraint("award_id", "seq", name="uq_tranches_seq"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('scheduled', 'due', 'paid', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    release_on: Mapped[str | None] = mapped_column(String(80), nullable=True)
    release_if: Mapped[str | None] = mapped_column(Text, nullable=True)
    fx_amount_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class LedgerEntry(Base):
    """Append-only money movements; their sums equal the budget and award totals."""

    __tablename__ = "ledger"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("kind IN ('commit', 'pay', 'recover', 'release', 'interest')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("program_budgets.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fx_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    fx_amount_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fx_rate_e4: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ExchangeRate(Base):
    """A rate finance recorded: KRW per one unit of `currency` × 10,000, valid from `effective_on`."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("currency", "effective_on", name="uq_exchange_rates_day"),
        CheckConstraint("rate_e4 > 0", name="rate_positive"),
        CheckConstraint("currency <> 'KRW'", name="foreign_only"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate_e4: Mapped[int] = mapped_column(BigInteger)
    effective_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
