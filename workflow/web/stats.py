"""The performance and statistics dashboard: officers see their programs, auditors and admins all.

Filters (program, year, date range) live in the URL; every table can be downloaded as CSV or XLSX
with the same filters. Charts are drawn by static/js/stats.js from JSON data blocks (no inline script).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from workflow.stats import export
from workflow.stats.dashboard import SECTIONS, TABLES, Scope, all_tables, table
from workflow.stats.filters import FilterError, UnknownProgram, parse
from workflow.vocabulary.roles import roles_that
from workflow.web.auth import current_actor, page_reads, roles_required, workflow
from workflow.web.i18n import current_lang
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.inputs import BadInput
from workflow.web.nav import register_nav

bp = Blueprint("stats", __name__, url_prefix="/stats")
ROLES = roles_that("stats")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _visible_programs() -> dict:
    actor = current_actor()
    return {
        key: program
        for key, program in sorted(workflow().registry.current.items())
        if actor.staff_roles(key) & set(ROLES)
    }


def _scope() -> Scope:
    programs = _visible_programs()
    try:
        filters = parse(request.args, list(programs))
    except UnknownProgram:
        abort(404)
    except FilterError as error:
        raise BadInput(str(error.args[0])) from None  # the page says what to correct
    return Scope(
        programs=programs,
        filters=filters,
        lang=current_lang(),
        now=workflow().clock(),
        review_days=current_app.config.get("REVIEW_DUE_DAYS", 14),
    )


@bp.get("/")
@roles_required(*ROLES)
def index():
    scope = _scope()
    with page_reads() as connection:
        tables = all_tables(connection, scope)
    return render_template(
        "stats/index.html",
        scope=scope,
        sections=SECTIONS,
        tables=tables,
        years=range(scope.now.year - 6, scope.now.year + 2),
    )


@bp.get("/export/<key>.<fmt>")
@roles_required(*ROLES)
def download(key: str, fmt: str):
    if key not in TABLES or fmt not in FORMATS:
        abort(404)
    scope = _scope()
    with page_reads() as connection:
        result = table(connection, scope, key)
    title = str(result.title)
    name = f"stats-{key}" + "".join(f"-{v}" for v in scope.filters.query_args().values()) + f".{fmt}"
    body = export.to_csv(result) if fmt == "csv" else export.to_xlsx(result, title)
    return Response(
        body,
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "stats.index", _l("Statistics"), roles=ROLES, order=65)
