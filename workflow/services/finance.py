"""Finance read models (budgets, award schedules, ledger CSV) and the finance officer's operations.

Reads take a connection. Disbursing a tranche and recording a recovery go through `fire` (so they
are in the history, move the application and send the payment or recovery notice); recording an
exchange rate is its own small transaction.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError

from workflow.engine import records
from workflow.engine.actions import available_actions
from workflow.engine.results import FireResult
from workflow.models import (
    Application,
    Award,
    ExchangeRate,
    HistoryEvent,
    LedgerEntry,
    ProgramBudget,
    Tranche,
    User,
)
from workflow.money.fx import SEOUL, format_foreign, format_rate, record_rate
from workflow.services.exports import csv_document
from workflow.vocabulary.messages import Message
from workflow.vocabulary.roles import role_labels, roles_that

FINANCE_ROLES = frozenset(roles_that("finance"))
# the history event a ledger entry was written by (its note: a transfer reference or a recovery's reason)
_ledger_event = HistoryEvent.__table__
_ledger_event_on = (HistoryEvent.application_id == LedgerEntry.application_id) & (
    HistoryEvent.seq == LedgerEntry.event_seq
)
KIND_LABELS = {
    "commit": {"ko": "약정", "en": "Committed"},
    "pay": {"ko": "지급", "en": "Paid"},
    "release": {"ko": "약정 해제", "en": "Released"},
    "recover": {"ko": "환수(원금)", "en": "Recovered (principal)"},
    "interest": {"ko": "환수(이자)", "en": "Recovered (interest)"},
}


# read models ---------------------------------------------------------------------------------
def budgets(connection, program_key: str | None = None) -> list[dict]:
    """Per program and fiscal year: total, committed, paid, recovered, interest, available."""
    query = select(ProgramBudget).order_by(ProgramBudget.program_key, ProgramBudget.fiscal_year)
    if program_key is not None:
        query = query.where(ProgramBudget.program_key == program_key)
    counts = dict(connection.execute(select(Award.budget_id, func.count()).group_by(Award.budget_id)).all())
    rows = []
    for budget in connection.execute(query).mappings():
        row = dict(budget)
        row["available"] = budget["total"] - budget["committed"]
        row["unpaid"] = budget["committed"] - budget["paid"]
        row["awards"] = counts.get(budget["id"], 0)
        rows.append(row)
    return rows


def program_awards(connection, program) -> list[dict]:
    """Every award of a program with its application, what is paid and the next tranche."""
    rows = (
        connection.execute(
            select(Award.__table__, Application.state, Application.data, ProgramBudget.fiscal_year)
            .join(Application, Application.id == Award.application_id)
            .join(ProgramBudget, ProgramBudget.id == Award.budget_id)
            .where(ProgramBudget.program_key == program.key)
            .order_by(Award.id)
        )
        .mappings()
        .all()
    )
    next_due = _next_tranches(connection, [row["id"] for row in rows])
    return [
        {
            **_award_dict(row),
            "state": row["state"],
            "title": program.title_of(row["data"]),
            "fiscal_year": row["fiscal_year"],
            "next": next_due.get(row["id"]),
        }
        for row in rows
    ]


def _next_tranches(connection, award_ids: list[int]) -> dict[int, dict]:
    found: dict[int, dict] = {}
    if not award_ids:
        return found
    rows = connection.execute(
        select(Tranche.award_id, Tranche.seq, Tranche.amount, Tranche.status)
        .where(Tranche.award_id.in_(award_ids), Tranche.status.in_(("scheduled", "due")))
        .order_by(Tranche.award_id, Tranche.seq)
    ).mappings()
    for tranche in rows:
        found.setdefault(tranche["award_id"], dict(tranche))
    return found


def _award_dict(award) -> dict:
    row = {c.name: award[c.name] for c in Award.__table__.columns}
    row["net"] = row["amount"] - row["released"]
    row["outstanding"] = row["paid"] - row["recovered"]
    row["rate"] = format_rate(row["fx_rate_e4"]) if row["fx_rate_e4"] else None
    return row


def _foreign(cents: int | None, currency: str | None) -> str | None:
    return format_foreign(cents, currency) if cents and currency else None


# read on every status page: built once
AWARD_OF = select(Award.__table__).where(Award.application_id == bindparam("application_id"))


def award_schedule(connection, application_id: int) -> dict | None:
    """One award: its tranches (due, paid when and by whom) and its ledger, for staff and applicant."""
    award = connection.execute(AWARD_OF, {"application_id": application_id}).mappings().first()
    if award is None:
        return None
    tranches = [
        {**dict(t), "foreign": _foreign(t["fx_amount_cents"], award["fx_currency"])}
        for t in connection.execute(
            select(Tranche.__table__, User.name.label("paid_by_name"))
            .outerjoin(User, User.id == Tranche.paid_by)
            .where(Tranche.award_id == award["id"])
            .order_by(Tranche.seq)
        ).mappings()
    ]
    for tranche in tranches:
        tranche["paid_by_id"], tranche["paid_by"] = tranche["paid_by"], tranche.pop("paid_by_name")
    entries = [
        {
            **dict(e),
            "kind_label": KIND_LABELS[e["kind"]],
            "foreign": _foreign(e["fx_amount_cents"], e["fx_currency"]),
            "actor": e["actor_name"] or "system",
        }
        for e in connection.execute(
            select(LedgerEntry.__table__, User.name.label("actor_name"), HistoryEvent.reason.label("note"))
            .outerjoin(User, User.id == LedgerEntry.actor_id)
            .outerjoin(_ledger_event, _ledger_event_on)
            .where(LedgerEntry.award_id == award["id"])
            .order_by(LedgerEntry.id)
        ).mappings()
    ]
    return {"award": _award_dict(award), "tranches": tranches, "ledger": entries}


def recoveries(connection, program_key: str) -> list[dict]:
    """The program's recoveries (principal and interest), newest first, with the reason given."""
    return [
        dict(r)
        for r in connection.execute(
            select(
                LedgerEntry.application_id,
                LedgerEntry.kind,
                LedgerEntry.amount,
                LedgerEntry.at,
                User.name.label("actor"),
                HistoryEvent.reason.label("note"),
                Application.data,
            )
            .join(ProgramBudget, ProgramBudget.id == LedgerEntry.budget_id)
            .join(Application, Application.id == LedgerEntry.application_id)
            .outerjoin(User, User.id == LedgerEntry.actor_id)
            .outerjoin(_ledger_event, _ledger_event_on)
            .where(ProgramBudget.program_key == program_key, LedgerEntry.kind.in_(("recover", "interest")))
            .order_by(LedgerEntry.id.desc())
        ).mappings()
    ]


def ledger_csv(connection, program_key: str, lang: str = "ko") -> str:
    """The program's ledger as CSV (names typed by users are made safe by `exports.csv_document`)."""
    header = {
        "ko": [
            "번호",
            "일시(KST)",
            "회계연도",
            "신청번호",
            "구분",
            "금액(원)",
            "외화",
            "외화금액",
            "적용환율",
            "처리자",
            "이력순번",
        ],
        "en": [
            "No.",
            "Time (KST)",
            "Fiscal year",
            "Application",
            "Kind",
            "Amount (KRW)",
            "Currency",
            "Foreign amount",
            "Rate",
            "By",
            "Event",
        ],
    }["en" if lang == "en" else "ko"]
    rows = connection.execute(
        select(LedgerEntry.__table__, ProgramBudget.fiscal_year, User.name.label("actor_name"))
        .join(ProgramBudget, ProgramBudget.id == LedgerEntry.budget_id)
        .outerjoin(User, User.id == LedgerEntry.actor_id)
        .where(ProgramBudget.program_key == program_key)
        .order_by(LedgerEntry.id)
    ).mappings()
    return csv_document(
        header,
        (
            [
                e["id"],
                e["at"].astimezone(SEOUL).strftime("%Y-%m-%d %H:%M"),
                e["fiscal_year"],
                e["application_id"],
                KIND_LABELS[e["kind"]]["en" if lang == "en" else "ko"],
                e["amount"],
                e["fx_currency"] or "",
                f"{Decimal(e['fx_amount_cents']) / 100:.2f}" if e["fx_amount_cents"] else "",
                format_rate(e["fx_rate_e4"]).replace(",", "") if e["fx_rate_e4"] else "",
                e["actor_name"] or "system",
                e["event_seq"],
            ]
            for e in rows
        ),
    )


def rates(connection, limit: int = 20) -> list[dict]:
    """The latest recorded exchange rates, newest first."""
    rows = connection.execute(
        select(ExchangeRate).order_by(ExchangeRate.effective_on.desc(), ExchangeRate.currency).limit(limit)
    ).mappings()
    return [{**dict(r), "rate": format_rate(r["rate_e4"])} for r in rows]


def _ledger_sums(connection, key_column) -> dict:
    """{budget or award id: {kind: amount booked}} from the ledger, grouped by `key_column`."""
    sums = [
        func.coalesce(func.sum(case((LedgerEntry.kind == kind, LedgerEntry.amount), else_=0)), 0).label(kind)
        for kind in KIND_LABELS
    ]
    rows = connection.execute(select(key_column, *sums).group_by(key_column))
    return {row[0]: {kind: int(getattr(row, kind)) for kind in KIND_LABELS} for row in rows}


def reconcile(connection) -> list[str]:
    """Every budget and award whose totals differ from its ledger's sums or break a limit (empty: all
    consistent). The database refuses such totals as they are written; this is the auditor's check,
    and on SQLite it also finds a ledger row inserted by hand without its totals."""
    problems = []
    nothing = dict.fromkeys(KIND_LABELS, 0)
    by_budget = _ledger_sums(connection, LedgerEntry.budget_id)
    for budget in connection.execute(select(ProgramBudget)).mappings():
        booked = by_budget.get(budget["id"], nothing)
        expected = {
            "committed": booked["commit"] - booked["release"],
            "paid": booked["pay"],
            "recovered": booked["recover"],
            "interest": booked["interest"],
        }
        for column, value in expected.items():
            if budget[column] != value:
                problems.append(
                    f"budget {budget['program_key']} {budget['fiscal_year']}: {column} {budget[column]} ≠ ledger {value}"
                )
        if not 0 <= budget["recovered"] <= budget["paid"] <= budget["committed"] <= budget["total"]:
            problems.append(f"budget {budget['program_key']} {budget['fiscal_year']}: limits broken")
    by_award = _ledger_sums(connection, LedgerEntry.award_id)
    for award in connection.execute(select(Award)).mappings():
        booked = by_award.get(award["id"], nothing)
        expected = {
            "amount": booked["commit"],
            "released": booked["release"],
            "paid": booked["pay"],
            "recovered": booked["recover"],
            "interest": booked["interest"],
        }
        for column, value in expected.items():
            if award[column] != value:
                problems.append(f"award {award['id']}: {column} {award[column]} ≠ ledger {value}")
    return problems


# operations ----------------------------------------------------------------------------------
def money_action(workflow, connection, application_id: int, effect: str, actor) -> str | None:
    """The trigger the actor may fire now whose effects include `effect` (pay_tranche or recover)."""
    row = records.read_application(connection, application_id)
    if row is None:
        return None
    program = workflow.program_of(connection, row)
    held = actor.staff_roles(program.key)
    for transition in program.leaving(row.state):
        if set(transition.spec.roles) & held and any(kind.name == effect for kind, _ in transition.effects):
            return transition.trigger
    return None


def money_refusal(workflow, connection, application_id: int, effect: str, actor) -> Message | None:
    """Why the actor cannot do `effect` (pay_tranche or recover) now, as `fire` would say it: the steps it
    is possible in, the roles it needs, or the guard's or a required stage's reason. None if possible."""
    row = records.read_application(connection, application_id)
    if row is None:
        return Message("no_money_action")
    program = workflow.program_of(connection, row)
    doing = [t for t in program.spec.transitions if any(effect in e for e in t.effects)]
    here = [t for t in doing if row.state in t.sources]
    if not here:
        states = sorted({s for t in doing for s in t.sources}, key=list(program.spec.states).index)
        label = {
            lang: ", ".join(program.state_label(s, lang) for s in states) or "—" for lang in ("ko", "en")
        }
        current = {lang: program.state_label(row.state, lang) for lang in ("ko", "en")}
        return Message("money_not_in_step", {"state": current, "states": label})
    options = {o.trigger: o for o in available_actions(workflow, connection, row, actor)}
    chosen = next((options[t.trigger] for t in here if t.trigger in options), None)
    if chosen is None:
        wanted = sorted({r for t in here for r in t.roles} - {"system"})
        roles = {lang: role_labels(wanted, lang, program.role_kinds) for lang in ("ko", "en")}
        return Message(
            "role_not_allowed", {"trigger": program.trigger_label(here[0].trigger), "roles": roles}
        )
    return chosen.reason


def disburse(workflow, application_id: int, actor, reference: str | None = None) -> FireResult:
    """Pay the next due tranche through the program's payment transition from the current state; the
    transfer reference finance enters is the event's note (the ledger entry points at the event)."""
    with workflow.db.connect() as connection:
        trigger = money_action(workflow, connection, application_id, "pay_tranche", actor)
    if trigger is None:
        return _refused(application_id, "no_money_action")
    return workflow.fire(application_id, trigger, actor, reason=reference)


def record_recovery(workflow, application_id: int, actor, amount: int | None, reason: str | None = None):
    """Record a recovery through the program's recovery transition; `amount` fills its money field."""
    with workflow.db.connect() as connection:
        trigger = money_action(workflow, connection, application_id, "recover", actor)
        if trigger is None:
            return _refused(application_id, "no_money_action")
        row = records.read_application(connection, application_id)
        program = workflow.program_of(connection, row)
    transition = next(t for t in program.candidates(trigger, row.state))
    money_fields = [f.name for f in transition.spec.fields if f.type == "money"]
    data = {money_fields[0]: amount} if money_fields and amount is not None else None
    return workflow.fire(application_id, trigger, actor, data=data, reason=reason)


def add_rate(
    workflow, actor, currency: str, rate: str, effective_on: date, source: str | None
) -> Message | None:
    """Record an exchange rate (a global setting: finance held for all programs, or admin); returns a
    refusal message or None."""
    if not actor.roles & FINANCE_ROLES:
        return Message(
            "role_not_allowed", {"trigger": "record_rate", "roles": {"ko": "재무", "en": "finance"}}
        )
    currency = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency) or currency == "KRW":
        return Message("amount_invalid", {"detail": currency})
    try:
        with workflow.db.begin() as connection:
            record_rate(connection, currency, rate, effective_on, actor.id, source, workflow.clock())
    except ValueError as error:
        return Message("amount_invalid", {"detail": str(error)})
    except IntegrityError:
        return Message("rate_exists", {"currency": currency, "day": effective_on.isoformat()})
    return None


def _refused(application_id: int, code: str) -> FireResult:
    return FireResult(ok=False, application_id=application_id, refusal=Message(code))
