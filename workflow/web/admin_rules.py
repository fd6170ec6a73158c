"""The administrator's rule pages: per program its diagram, versions (with the applications on each),
the difference between two versions and the file itself. Routes live on the admin blueprint."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from workflow.definitions.diff import diff
from workflow.services import rule_files
from workflow.web.admin import bp
from workflow.web.auth import page_reads, roles_required, workflow
from workflow.web.i18n import current_lang


def _version_arg(name: str) -> str | None:
    """A version named by its sha256 in the query (absent: the file in use); 404 for anything else."""
    value = request.args.get(name) or None
    if value is not None and not rule_files.SHA.match(value):
        abort(404)
    return value


def _program(connection, key: str, sha: str | None):
    program = rule_files.load(connection, workflow().registry, key, sha)
    if program is None or program.key != key:
        abort(404)
    return program


@bp.get("/rules/<key>")
@roles_required("admin")
def rule_program(key: str):
    sha = _version_arg("version")
    with page_reads() as connection:
        program = _program(connection, key, sha)
        versions = rule_files.versions(connection, workflow().registry, key)
    return render_template(
        "admin/rule_program.html",
        program=program,
        versions=versions,
        in_use=workflow().registry.current.get(key),
        has_diagram=rule_files.renderer() is not None,
    )


@bp.get("/rules/<key>/diagram.svg")
@roles_required("admin")
def rule_diagram(key: str):
    with page_reads() as connection:
        program = _program(connection, key, _version_arg("version"))
    svg = rule_files.diagram_svg(program, current_lang())
    if svg is None:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/rules/<key>/file")
@roles_required("admin")
def rule_file(key: str):
    with page_reads() as connection:
        program = _program(connection, key, _version_arg("version"))
    return render_template(
        "admin/rule_file.html", program=program, lines=rule_files.highlighted(program.source)
    )


@bp.get("/rules/<key>/diff")
@roles_required("admin")
def rule_diff(key: str):
    before_sha, after_sha = _version_arg("from"), _version_arg("to")
    with page_reads() as connection:
        versions = rule_files.versions(connection, workflow().registry, key)
        if not versions:
            abort(404)
        before = _program(connection, key, before_sha or versions[-1].sha256)
        after = _program(connection, key, after_sha or versions[0].sha256)
    return render_template(
        "admin/rule_diff.html",
        program=after,
        before=before,
        after=after,
        versions=versions,
        changes=diff(before.spec, after.spec),
    )
