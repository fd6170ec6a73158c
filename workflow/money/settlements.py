"""Paying an amount decided at the moment (an approved settlement, an expense claim) out of what is due,
within one application (a claim that is its own application pays with `pay_from_parent`, money/claims.py).

`pay: {amount: ...}` takes the amount from the award's due tranches in order: a tranche paid in full is
marked paid; one paid in part keeps its rest due and the part paid becomes its own paid instalment (so
recovery interest still runs from the day each won was paid). A claim in a foreign currency
(`currency:`) is booked in KRW at the rate finance recorded for the claim's date (`rate_on:`) or the
latest day before it; its ledger row keeps the foreign amount and that rate.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, insert, select, update

from workflow.models import Tranche
from workflow.money.fx import rate_on, seoul_day, to_cents, to_krw
from workflow.money.ledger import award_of, ledger_row
from workflow.money.payments import charge_award
from workflow.vocabulary.effects import EffectContext, EffectRefused
from workflow.vocabulary.messages import Message, krw_text

CURRENCY = re.compile(r"[A-Z]{3}")


def _foreign(context: EffectContext, params) -> tuple[str, int, int, int] | None:
    """(currency, hundredths, rate, KRW) of a claim in a foreign currency; None for KRW."""
    code = context.evaluate(params.currency) if params.currency else "KRW"
    if not isinstance(code, str) or not CURRENCY.fullmatch(code):
        raise EffectRefused(Message("amount_invalid", {"detail": f"{params.currency} = {code!r}"}))
    if code == "KRW":
        return None
    value = context.evaluate(params.amount)
    cents = to_cents(value)
    if cents is None:
        raise EffectRefused(Message("amount_invalid", {"detail": f"{params.amount} = {value!r}"}))
    day = _day(context, params.rate_on) if params.rate_on else seoul_day(context.now)
    rate = rate_on(context.connection, code, day)
    if rate is None:
        raise EffectRefused(Message("no_rate", {"currency": code, "day": day.isoformat()}))
    return code, cents, rate, to_krw(cents, rate)


def _won(context: EffectContext, source: str) -> int:
    """A KRW amount: whole won, also when it comes from a decimal field ("150000.00")."""
    value = context.evaluate(source)
    cents = to_cents(value)
    if cents is None or cents % 100:
        raise EffectRefused(Message("amount_invalid", {"detail": f"{source} = {value!r}"}))
    return cents // 100


def _day(context: EffectContext, source: str) -> date:
    value = context.evaluate(source)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise EffectRefused(Message("amount_invalid", {"detail": f"{source} = {value!r}"})) from None


def pay_amount(context: EffectContext, params) -> None:
    """Pay the amount from the due tranches (in order), never above what is due nor above the award."""
    connection = context.connection
    current = award_of(context)
    fx = _foreign(context, params)
    amount = fx[3] if fx else _won(context, params.amount)
    due = (
        connection.execute(
            select(Tranche.id, Tranche.amount)
            .where(Tranche.award_id == current["id"], Tranche.status == "due")
            .order_by(Tranche.seq)
        )
        .mappings()
        .all()
    )
    available = sum(t["amount"] for t in due)
    if amount > available:
        raise EffectRefused(
            Message("payment_above_due", {"due": krw_text(available), "requested": krw_text(amount)})
        )
    next_seq = connection.execute(
        select(func.max(Tranche.seq)).where(Tranche.award_id == current["id"])
    ).scalar_one()
    left = amount
    for tranche in due:
        part = min(tranche["amount"], left)
        if part <= 0:
            break
        left -= part
        paid = {"paid_at": context.now, "paid_by": context.actor.id}
        if part == tranche["amount"]:
            connection.execute(
                update(Tranche).where(Tranche.id == tranche["id"]).values(status="paid", **paid)
            )
            continue
        connection.execute(
            update(Tranche).where(Tranche.id == tranche["id"]).values(amount=tranche["amount"] - part)
        )
        next_seq += 1
        connection.execute(
            insert(Tranche).values(award_id=current["id"], seq=next_seq, amount=part, status="paid", **paid)
        )
    ledger_row(context, current, "pay", amount, fx=fx[:3] if fx else None)
    charge_award(connection, current, amount)
