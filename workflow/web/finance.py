"""Finance pages: budgets per program and fiscal year (with a chart), each award's schedule, paying a
tranche and recording a recovery (both through fire), exchange rates, and the ledger as CSV.

Labels are English msgids in the gettext catalogue (workflow/translations).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from forms.finance import RateForm
from workflow.models import Application
from workflow.money import describe_award
from workflow.money.fx import seoul_day
from workflow.money.payable import payment_wait
from workflow.services import finance
from workflow.vocabulary.fields import NUMBER_LIMITS
from workflow.vocabulary.messages import LANGUAGES, format_krw
from workflow.vocabulary.numbers import whole_number
from workflow.vocabulary.roles import roles_that
from workflow.web.auth import all_roles, current_actor, db, require_program_staff, roles_required, workflow
from workflow.web.common import TRANCHE_STATUS
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.inputs import form_text
from workflow.web.nav import register_nav
from workflow.web.reads import log_read

bp = Blueprint("finance", __name__, url_prefix="/finance")
READ_ROLES = roles_that("finance_read")
WRITE_ROLES = roles_that("finance")
CHART_WIDTH = 600

# Looked up by the stored status or ledger kind, so they are lazy and translated when rendered.
LEDGER_KINDS = {
    "commit": _l("Committed"),
    "pay": _l("Paid"),
    "release": _l("Released"),
    "recover": _l("Recovered (principal)"),
    "interest": _l("Recovered (interest)"),
}
# the units written beside amounts in either language ("원", "KRW"), accepted in typed amounts
WON_SIGNS = tuple(format_krw(0, lang).replace("0", "").strip() for lang in LANGUAGES)


@bp.context_processor
def _labels() -> dict:
    return {"tranche_status": TRANCHE_STATUS, "ledger_kinds": LEDGER_KINDS}


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
    return render_template("finance/index.html", rows=rows, programs=programs)


@bp.get("/programs/<key>")
@roles_required(*READ_ROLES)
def program(key: str):
    require_program_staff(key, *READ_ROLES)
    program = workflow().registry.latest(key)
    if program is None:
        abort(404)
    with db().connect() as connection:
        rows = finance.budgets(connection, key)
        awards = finance.program_awards(connection, program)
        recovered = finance.recoveries(connection, key)
    return render_template(
        "finance/program.html",
        program=program,
        rows=rows,
        awards=awards,
        recoveries=recovered,
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
        program = workflow().pinned(
            connection, row["program_key"], row["program_version"], row["definition_sha"]
        )
    require_program_staff(program.key, *READ_ROLES)
    return dict(row), program


@bp.get("/awards/<int:application_id>")
@roles_required(*READ_ROLES)
def award(application_id: int):
    row, program = _award_program(application_id)
    actor = current_actor()
    with db().connect() as connection:
        schedule = finance.award_schedule(connection, application_id)
        if schedule is None:  # e.g. a notice's link before the decision: the application itself instead
            flash(_("This application has no award yet: here is the application itself."), "info")
            return redirect(url_for("applicant.status", application_id=application_id))
        why_not = {
            effect: finance.money_refusal(workflow(), connection, application_id, effect, actor)
            for effect in ("pay_tranche", "recover")
        }
    log_read("bank", row)
    return render_template(
        "finance/award.html",
        row=row,
        program=program,
        schedule=schedule,
        may_pay=why_not["pay_tranche"] is None,
        may_recover=why_not["recover"] is None,
        pay_refusal=message_text(why_not["pay_tranche"]) if why_not["pay_tranche"] else None,
        recover_refusal=message_text(why_not["recover"]) if why_not["recover"] else None,
    )


@bp.route("/awards/<int:application_id>/pay", methods=["GET", "POST"])
@roles_required(*WRITE_ROLES)
def pay(application_id: int):
    """Confirm a payment: the account paid into (the rule file's `key_fields: bank_account`), amount,
    date and the transfer reference finance enters, which is recorded with the payment's event."""
    row, program = _award_program(application_id)
    error = None
    if request.method == "POST":
        reference = form_text("reference", 100)
        if not reference:
            error = _("Enter the transfer reference from the bank.")
        else:
            result = finance.disburse(workflow(), application_id, current_actor(), reference)
            _flash(result, _("The tranche was paid."))
            return redirect(url_for("finance.award", application_id=application_id))
    with db().connect() as connection:
        schedule = finance.award_schedule(connection, application_id)
        if schedule is None:
            abort(404)
        refusal = finance.money_refusal(
            workflow(), connection, application_id, "pay_tranche", current_actor()
        )
    tranche = next((t for t in schedule["tranches"] if t["status"] in ("scheduled", "due")), None)
    account = [
        (spec.label, program.key_value(role, row["data"]))
        for role in ("bank", "bank_account")
        if (spec := program.key_field(role)) is not None
    ]
    return render_template(
        "finance/pay.html",
        row=row,
        program=program,
        tranche=tranche,
        account=account,
        today=seoul_day(workflow().clock()),
        refusal=message_text(refusal) if refusal else None,
        error=error,
    ), (400 if error else 200)


@bp.post("/awards/<int:application_id>/recover")
@roles_required(*WRITE_ROLES)
def recover(application_id: int):
    _award_program(application_id)
    amount = _won(request.form.get("amount", ""))
    reason = form_text("reason", 2000, multiline=True)
    if amount is None:
        flash(_("Check what you entered."), "error")
    else:
        _flash(
            finance.record_recovery(workflow(), application_id, current_actor(), amount, reason),
            _("The recovery was recorded."),
        )
    return redirect(url_for("finance.award", application_id=application_id))


@bp.route("/rates", methods=["GET", "POST"])
@login_required
def rates():
    """Exchange rates are global settings: reading needs a finance role anywhere; recording one needs
    finance held for all programs, or admin."""
    actor = current_actor()
    may_record = bool(actor.roles & set(WRITE_ROLES))
    if not (may_record if request.method == "POST" else all_roles(actor) & set(READ_ROLES)):
        abort(403)
    if request.method == "POST":
        refusal = _add_rate()
        if refusal is None:
            flash(_("The rate was recorded."), "success")
        else:
            flash(refusal, "error")
        return redirect(url_for("finance.rates"))
    with db().connect() as connection:
        rows = finance.rates(connection)
    form = RateForm(formdata=None, effective_on=seoul_day(workflow().clock()))
    return render_template("finance/rates.html", rows=rows, form=form, may_record=may_record)


def _add_rate() -> str | None:
    try:
        day = date.fromisoformat(request.form.get("effective_on", ""))
    except ValueError:
        return _("Check what you entered.")
    refusal = finance.add_rate(
        workflow(),
        current_actor(),
        request.form.get("currency", "")[:3],
        request.form.get("rate", "")[:20],
        day,
        form_text("source", 200),
    )
    return message_text(refusal) if refusal else None


def _won(text: str) -> int | None:
    for sign in WON_SIGNS:
        text = text.replace(sign, "")
    return whole_number(text, NUMBER_LIMITS["money"][1]) or None


def award_amount(award: dict) -> str:
    """An award as the reader's language writes it (45,000,000원 / KRW 45,000,000; a foreign-currency
    award with its booked amount), never wrapped mid-amount."""
    text = describe_award(award, current_lang()).replace(" ", "\u00a0")
    return text.replace("\u00a0(", " (")  # a line may break before the booked amount only


def _flash(result, success: str) -> None:
    if result.ok:
        flash(success, "success")
    else:
        flash(message_text(result.refusal), "error")


def init_app(app) -> None:
    app.register_blueprint(bp)
    # the schedule on finance and applicant pages
    app.jinja_env.globals["payment_wait"] = payment_wait
    app.jinja_env.filters["award_amount"] = award_amount
    register_nav(app, "finance.index", _l("Finance"), roles=READ_ROLES, order=60)
