"""The auditor's read-only pages: every program, every application and its history timeline."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from workflow.numbers import database_id
from workflow.roles import roles_that
from workflow.services.board import state_counts
from workflow.services.status import application_view
from workflow.web.auth import read_db, roles_required, workflow
from workflow.web.common import visible_application
from workflow.web.nav import register_nav
from workflow.web.officer import board_view

bp = Blueprint("auditor", __name__, url_prefix="/auditor")
ROLES = roles_that("audit")


@bp.get("/")
@roles_required(*ROLES)
def index():
    number = database_id(request.args.get("id"))
    if number is not None:
        return redirect(url_for("auditor.application", application_id=number))
    programs = list(workflow().registry.current.values())
    with read_db().connect() as connection:
        counts = state_counts(connection, [p.key for p in programs])
    return render_template("audit/index.html", programs=programs, counts=counts)


@bp.get("/programs/<key>")
@roles_required(*ROLES)
def board(key: str):
    return board_view(key, "auditor.application")


@bp.get("/applications/<int:application_id>")
@roles_required(*ROLES)
def application(application_id: int):
    visible_application(application_id)
    with read_db().connect() as connection:
        view = application_view(workflow(), connection, application_id, with_reviews=True)
    return render_template("audit/application.html", view=view)


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "auditor.index", _l("Audit"), roles=ROLES, order=70)
