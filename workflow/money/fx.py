"""Foreign-currency amounts: kept in hundredths of their unit, booked in KRW at a recorded rate.

Rates are KRW per one unit × 10,000 (1,385.20원/USD is 13,852,000), so every conversion is
integer arithmetic rounded half-up to the won; no floats touch a booked amount.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from workflow.models import ExchangeRate

SEOUL = ZoneInfo("Asia/Seoul")
RATE_SCALE = 10_000
RATE_TEXT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,6})?")  # KRW per unit, below a billion
ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "IDR"})  # shown without a fractional part


def seoul_day(moment: datetime) -> date:
    return moment.astimezone(SEOUL).date()


def to_cents(value) -> int | None:
    """An expression's value in the award's currency → hundredths; None if not a positive amount."""
    if isinstance(value, bool):
        return None
    try:
        cents = (Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None
    return int(cents) if cents > 0 else None


def parse_rate(text: str) -> int:
    """'1385.20' → 13852000 (KRW per unit × 10,000); raises ValueError if not a positive rate."""
    cleaned = str(text).replace(",", "").strip()
    if not RATE_TEXT.fullmatch(cleaned):  # ASCII digits only: Decimal() also reads '١', 'NaN', '1e309'
        raise ValueError(f"not a rate: {text!r}")
    rate = (Decimal(cleaned) * RATE_SCALE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if rate <= 0:
        raise ValueError(f"a rate must be positive: {text!r}")
    return int(rate)


def to_krw(cents: int, rate_e4: int) -> int:
    """Hundredths of a unit at KRW-per-unit × 10,000 → whole won, rounded half-up."""
    numerator = cents * rate_e4
    denominator = 100 * RATE_SCALE
    return (2 * numerator + denominator) // (2 * denominator)


def format_rate(rate_e4: int) -> str:
    return f"{Decimal(rate_e4) / RATE_SCALE:,.2f}"


def format_foreign(cents: int, currency: str) -> str:
    """USD 50,000.00 / JPY 1,200,000."""
    if currency in ZERO_DECIMAL:
        return f"{currency} {Decimal(cents) / 100:,.0f}"
    return f"{currency} {Decimal(cents) / 100:,.2f}"


def rate_on(connection, currency: str, day: date) -> int | None:
    """The latest rate recorded for `currency` effective on or before `day`."""
    return connection.execute(
        select(ExchangeRate.rate_e4)
        .where(ExchangeRate.currency == currency, ExchangeRate.effective_on <= day)
        .order_by(ExchangeRate.effective_on.desc())
        .limit(1)
    ).scalar()


def record_rate(
    connection, currency: str, rate: str, effective_on: date, actor_id: int | None, source: str | None, now
) -> int:
    """Store a rate finance looked up (e.g. 서울외국환중개 매매기준율); returns its id."""
    return connection.execute(
        insert(ExchangeRate)
        .values(
            currency=currency.upper(),
            rate_e4=parse_rate(rate),
            effective_on=effective_on,
            source=source,
            recorded_by=actor_id,
            recorded_at=now,
        )
        .returning(ExchangeRate.id)
    ).scalar_one()
