"""Finance pages: budgets per program and fiscal year (with a chart), each award's schedule, paying a
tranche and recording a recovery (both through fire), exchange rates, and the ledger as CSV.

Labels come from the bilingual `TEXT` catalogue below (like the engine's refusal catalogue), so these
pages need no entries in the shared gettext catalogue.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from workflow.fx import seoul_day
from workflow.models import Application
from workflow.services import finance
from workflow.web.auth import all_roles, current_actor, db, require_program_staff, roles_required, workflow
from workflow.web.i18n import current_lang, message_text
from workflow.web.nav import register_nav

bp = Blueprint("finance", __name__, url_prefix="/finance")
READ_ROLES = ("finance", "auditor", "admin")
WRITE_ROLES = ("finance", "admin")
CHART_WIDTH = 600

TEXT = {
    "finance": {"ko": "재무", "en": "Finance"},
    "budgets": {"ko": "사업별 예산 현황", "en": "Budgets by program"},
    "program": {"ko": "사업", "en": "Program"},
    "year": {"ko": "회계연도", "en": "Fiscal year"},
    "total": {"ko": "예산", "en": "Budget"},
    "committed": {"ko": "약정", "en": "Committed"},
    "paid": {"ko": "지급", "en": "Paid"},
    "unpaid": {"ko": "미지급 약정", "en": "Committed, unpaid"},
    "recovered": {"ko": "환수(원금)", "en": "Recovered"},
    "interest": {"ko": "환수 이자", "en": "Interest"},
    "available": {"ko": "가용 예산", "en": "Available"},
    "awards": {"ko": "지원 결정", "en": "Awards"},
    "application": {"ko": "신청번호", "en": "Application"},
    "company": {"ko": "기업명", "en": "Company"},
    "state": {"ko": "진행 단계", "en": "Step"},
    "award": {"ko": "지원금", "en": "Award"},
    "next": {"ko": "다음 분할금", "en": "Next tranche"},
    "none": {"ko": "없음", "en": "None"},
    "csv": {"ko": "원장 CSV 내려받기", "en": "Download the ledger (CSV)"},
    "chart": {"ko": "예산 집행 그래프", "en": "Budget chart"},
    "schedule": {"ko": "분할 지급 일정", "en": "Tranche schedule"},
    "seq": {"ko": "차수", "en": "Tranche"},
    "amount": {"ko": "금액", "en": "Amount"},
    "status": {"ko": "상태", "en": "Status"},
    "condition": {"ko": "지급 조건", "en": "Condition"},
    "paid_at": {"ko": "지급일시", "en": "Paid at"},
    "paid_by": {"ko": "처리자", "en": "Paid by"},
    "ledger": {"ko": "원장", "en": "Ledger"},
    "time": {"ko": "일시", "en": "Time"},
    "kind": {"ko": "구분", "en": "Kind"},
    "by": {"ko": "처리자", "en": "By"},
    "rate": {"ko": "적용 환율", "en": "Booked at"},
    "pay": {"ko": "다음 분할금 지급", "en": "Pay the next tranche"},
    "recover": {"ko": "환수 기록", "en": "Record a recovery"},
    "recover_amount": {"ko": "환수 원금(원)", "en": "Principal recovered (KRW)"},
    "reason": {"ko": "사유(선택)", "en": "Reason (optional)"},
    "paid_ok": {"ko": "분할금을 지급했습니다.", "en": "The tranche was paid."},
    "recovered_ok": {"ko": "환수를 기록했습니다.", "en": "The recovery was recorded."},
    "rates": {"ko": "환율", "en": "Exchange rates"},
    "currency": {"ko": "통화", "en": "Currency"},
    "rate_value": {"ko": "환율(원/단위)", "en": "Rate (KRW per unit)"},
    "effective_on": {"ko": "적용일", "en": "Effective on"},
    "source": {"ko": "출처", "en": "Source"},
    "record_rate": {"ko": "환율 기록", "en": "Record a rate"},
    "rate_ok": {"ko": "환율을 기록했습니다.", "en": "The rate was recorded."},
    "bad_input": {"ko": "입력값을 확인하세요.", "en": "Check what you entered."},
    "scheduled": {"ko": "대기", "en": "Held"},
    "due": {"ko": "지급 가능", "en": "Due"},
    "cancelled": {"ko": "취소", "en": "Cancelled"},
    "after": {"ko": "이후", "en": "after"},
}


class Label:
    """A nav label chosen in the reader's language when rendered."""

    def __init__(self, key: str):
        self.key = key

    def __str__(self) -> str:
        return TEXT[self.key][current_lang()]


def _programs(roles=READ_ROLES) -> list:
    actor = current_actor()
    return [
        p for key, p in sorted(workflow().registry.current.items()) if actor.staff_roles(key) & set(roles)
    ]


@bp.get("/")
@roles_required(*READ_ROLES)
def index():
    programs = {p.key: p for p in _programs()}
    with db().connect() as connection:
        rows = [b for b in finance.budgets(connection) if b["program_key"] in programs]
    return render_template("finance/index.html", T=TEXT, rows=rows, programs=programs)


@bp.get("/programs/<key>")
@roles_required(*READ_ROLES)
def program(key: str):
    require_program_staff(key, *READ_ROLES)
    program = workflow().registry.latest(key)
    if program is None:
        abort(404)
    with db().connect() as connection:
        rows = finance.budgets(connection, key)
        awards = finance.program_awards(connection, key)
    return render_template(
        "finance/program.html",
        T=TEXT,
        program=program,
        rows=rows,
        awards=awards,
        charts=[_chart(r) for r in rows],
    )


def _chart(budget: dict) -> dict:
    """Bar segments (x, width) for paid, committed-unpaid and available, in SVG user units."""
    total = max(budget["total"], 1)
    scale = CHART_WIDTH / total
    paid = round(budget["paid"] * scale)
    unpaid = round(budget["unpaid"] * scale)
    return {
        "year": budget["fiscal_year"],
        "paid": (0, paid),
        "unpaid": (paid, unpaid),
        "available": (paid + unpaid, max(CHART_WIDTH - paid - unpaid, 0)),
        "recovered": round(budget["recovered"] * scale),
        "width": CHART_WIDTH,
    }


@bp.get("/programs/<key>/ledger.csv")
@roles_required(*READ_ROLES)
def ledger_csv(key: str):
    require_program_staff(key, *READ_ROLES)
    with db().connect() as connection:
        body = finance.ledger_csv(connection, key, current_lang())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ledger-{key}.csv"'},
    )


def _award_program(application_id: int):
    with db().connect() as connection:
        row = (
            connection.execute(select(Application).where(Application.id == application_id)).mappings().first()
        )
        if row is None:
            abort(404)
        program = workflow().program_of(connection, dict(row))
    require_program_staff(program.key, *READ_ROLES)
    return dict(row), program


@bp.get("/awards/<int:application_id>")
@roles_required(*READ_ROLES)
def award(application_id: int):
    row, program = _award_program(application_id)
    actor = current_actor()
    with db().connect() as connection:
        schedule = finance.award_schedule(connection, application_id)
        if schedule is None:
            abort(404)
        may_pay = finance.money_action(workflow(), connection, application_id, "pay_tranche", actor)
        may_recover = finance.money_action(workflow(), connection, application_id, "recover", actor)
    return render_template(
        "finance/award.html",
        T=TEXT,
        row=row,
        program=program,
        schedule=schedule,
        may_pay=may_pay,
        may_recover=may_recover,
    )


@bp.post("/awards/<int:application_id>/pay")
@roles_required(*WRITE_ROLES)
def pay(application_id: int):
    _award_program(application_id)
    result = finance.disburse(workflow(), application_id, current_actor())
    _flash(result, "paid_ok")
    return redirect(url_for("finance.award", application_id=application_id))


@bp.post("/awards/<int:application_id>/recover")
@roles_required(*WRITE_ROLES)
def recover(application_id: int):
    _award_program(application_id)
    amount = _won(request.form.get("amount", ""))
    reason = (request.form.get("reason") or "").strip()[:2000] or None
    if amount is None:
        flash(TEXT["bad_input"][current_lang()], "error")
    else:
        _flash(
            finance.record_recovery(workflow(), application_id, current_actor(), amount, reason),
            "recovered_ok",
        )
    return redirect(url_for("finance.award", application_id=application_id))


@bp.route("/rates", methods=["GET", "POST"])
@login_required
def rates():
    if not all_roles(current_actor()) & set(READ_ROLES if request.method == "GET" else WRITE_ROLES):
        abort(403)
    if request.method == "POST":
        refusal = _add_rate()
        if refusal is None:
            flash(TEXT["rate_ok"][current_lang()], "success")
        else:
            flash(refusal, "error")
        return redirect(url_for("finance.rates"))
    with db().connect() as connection:
        rows = finance.rates(connection)
    return render_template("finance/rates.html", T=TEXT, rows=rows, today=seoul_day(workflow().clock()))


def _add_rate() -> str | None:
    try:
        day = date.fromisoformat(request.form.get("effective_on", ""))
    except ValueError:
        return TEXT["bad_input"][current_lang()]
    refusal = finance.add_rate(
        workflow(),
        current_actor(),
        request.form.get("currency", "")[:3],
        request.form.get("rate", "")[:20],
        day,
        (request.form.get("source") or "").strip()[:200] or None,
    )
    return message_text(refusal) if refusal else None


def _won(text: str) -> int | None:
    digits = text.replace(",", "").replace("원", "").strip()
    return int(digits) if digits.isdigit() and int(digits) > 0 else None


def _flash(result, success_key: str) -> None:
    if result.ok:
        flash(TEXT[success_key][current_lang()], "success")
    else:
        flash(message_text(result.refusal), "error")


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "finance.index", Label("finance"), roles=READ_ROLES, order=60)
