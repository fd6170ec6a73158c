"""The applicant's journey: open programs, apply, edit the draft (autosave), status, files, letters."""

from __future__ import annotations

import logging
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from forms.dynamic import build_form, cleaned_values, widget_of
from workflow.engine import records, signoff
from workflow.engine.access import effective_roles
from workflow.engine.actions import available_actions
from workflow.engine.totals import percent_text
from workflow.ops.failures import log_once_per_kind
from workflow.services import finance, progress
from workflow.services.profile import profile_of
from workflow.services.programs import program_cards
from workflow.services.receipt import receipt_of
from workflow.services.status import application_view, letter_content, my_applications
from workflow.storage.blobs import ChunkReader, StorageError
from workflow.vocabulary.messages import Message
from workflow.vocabulary.profile import prefilled
from workflow.web import status_parts
from workflow.web.auth import current_actor, page_reads, workflow
from workflow.web.common import (
    TRANCHE_STATUS,
    audience_for,
    file_store,
    is_owner,
    sees_as_staff,
    visible_application,
)
from workflow.web.form_drafts import remember_refused, show_kept
from workflow.web.form_saving import attach_uploads, file_size, krw_parts, save_posted_form, totals_after
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.inputs import row_version, version_missing
from workflow.web.nav import register_nav
from workflow.web.reads import log_read
from workflow.web.security import error_page

log = logging.getLogger(__name__)
APPLICANT_SIDE = frozenset({"owner", "member"})  # how the applicant's side holds its roles

bp = Blueprint("applicant", __name__)


@bp.get("/programs")
def programs():
    return render_template("applicant/programs.html", programs=program_cards(workflow()))


@bp.get("/programs/<key>")
def program(key: str):
    card = next((c for c in program_cards(workflow()) if c.key == key), None)
    if card is None:
        abort(404)
    compiled = workflow().registry.latest(key)
    first_stages = [s for s in compiled.spec.stages.values() if compiled.initial in s.editable_in]
    files = [f for stage in first_stages for f in stage.fields if f.accept]
    return render_template(
        "applicant/program.html", card=card, program=compiled, first_stages=first_stages, files=files
    )


@bp.post("/programs/<key>/apply")
@login_required
def apply(key: str):
    compiled = workflow().registry.latest(key)
    if compiled is None:
        abort(404)
    if compiled.spec.follow_up_only:
        refused = Message("follow_up_only", {"title": compiled.spec.title.model_dump()})
        return error_page(403, message_text(refused))
    if not current_user.email_verified:
        flash(_("Confirm your e-mail address first: open the link we sent you when you signed up."), "error")
        return redirect(url_for("applicant.program", key=key))
    if request.form.get("another") != "1":
        existing = _open_applications(key)
        if existing:  # ask first: a second draft for the same program is rarely meant
            return render_template("applicant/apply_again.html", program=compiled, existing=existing)
    with page_reads() as connection:
        known = profile_of(connection, current_actor().id)
    result = workflow().create(key, current_actor(), prefilled(compiled.spec, known))
    if not result.ok:
        flash(message_text(result.refusal), "error")
        return redirect(url_for("applicant.program", key=key))
    flash(_("Your application was created. It is saved as a draft while you fill it in."), "success")
    return redirect(url_for("applicant.edit", application_id=result.application_id))


def _open_applications(key: str) -> list[dict]:
    """The signed-in user's applications in this program that have not reached a final state."""
    with page_reads() as connection:
        rows = my_applications(connection, current_actor().id)
        result = []
        for row in rows:
            if row["program_key"] != key:
                continue
            compiled = workflow().pinned(
                connection, row["program_key"], row["program_version"], row["definition_sha"]
            )
            if row["state"] in compiled.finals:
                continue
            row["label"] = compiled.state_label(row["state"], current_lang(), "applicant")
            row["title"] = compiled.title_of(row["data"])
            result.append(row)
    return result


@bp.get("/my")
@login_required
def dashboard():
    with page_reads() as connection:
        rows = my_applications(connection, current_actor().id)
        for row in rows:
            compiled = workflow().pinned(
                connection, row["program_key"], row["program_version"], row["definition_sha"]
            )
            row["program"] = compiled
            row["label"] = compiled.state_label(row["state"], current_lang(), "applicant")
            row["title"] = compiled.title_of(row.pop("data"))
            row["action_needed"] = _action_needed(connection, row["id"], compiled)
        deadlines = progress.next_deadlines(connection, [row["id"] for row in rows])
    for row in rows:
        row["deadline"] = deadlines.get(row["id"])
    return render_template("applicant/dashboard.html", applications=rows, now=workflow().clock())


def _action_needed(connection, application_id: int, compiled) -> bool:
    """The applicant can act now: a form of this step to fill in, or an enabled action that moves the
    application on (withdrawing is always possible early on; it is not something asked of them)."""
    row = records.read_application(connection, application_id)
    if _may_edit(connection, row, compiled):
        return True
    options = available_actions(workflow(), connection, row, current_actor())
    return any(a.enabled and not a.destructive for a in options)


@bp.get("/applications/<int:application_id>")
@login_required
def status(application_id: int):
    actor = current_actor()
    with page_reads() as connection:
        row, compiled = visible_application(application_id, connection)
        view = application_view(workflow(), connection, application_id, loaded=(row, compiled))
        actions = available_actions(workflow(), connection, row, actor)
        editable = _may_edit(connection, row, compiled)
        schedule = finance.award_schedule(connection, application_id)
        sign_offs = _sign_offs_shown(connection, compiled, row, actor)
        audience = audience_for(row, compiled, connection)  # the wording; what is shown: sees_as_staff
    staff = sees_as_staff(compiled)
    if staff:
        log_read("status", row)
    else:
        view.letters = [letter for letter in view.letters if letter["user_id"] == actor.id]
        view.events = [e for e in view.events if not about_reviewers(e, compiled)]
    return render_template(
        "applicant/status.html",
        view=view,
        uploads=status_parts.uploads(compiled, view.data),
        actions=[a for a in actions if a.trigger not in _form_triggers(compiled, row)]
        if editable
        else actions,
        editable=editable,
        editable_stages=_stages(compiled, row.state) if editable else [],
        audience=audience,
        schedule=schedule,
        sign_offs=sign_offs,
        tranche_status=TRANCHE_STATUS,
        steps_html=status_parts.steps_html(compiled, row.state, audience),
        now=workflow().clock(),
        receipt=receipt_of(compiled, application_id, view.events) if is_owner(row) or staff else None,
    )


def about_reviewers(event: dict, program) -> bool:
    """An event the applicant's side never reads: who reviews their application (an assignment, a
    replacement), a reviewer's conflict declaration with its reason, a reviewer's scores."""
    if (event.get("detail") or {}).get("reviewer_id") is not None:
        return True
    kinds = program.role_kinds
    return any(
        role in kinds and kinds[role].held_by == "assignment" for role in event.get("actor_roles") or ()
    )


def _sign_offs_shown(connection, compiled, row, actor) -> list:
    """Who approved and what is still needed: the program's staff see every sign-off; the applicant's side
    sees those only they approve (partners confirming a joint text), never who sits on a committee."""
    shown = signoff.status(connection, compiled, row)  # no query where no step needs a sign-off
    if actor.staff_roles(compiled.key):
        return shown
    return [p for p in shown if all(compiled.role_kinds[s.role].held_by in APPLICANT_SIDE for s in p.steps)]


def _may_edit(connection, row, compiled) -> bool:
    roles = compiled.stage_roles(row.state)
    return bool(roles and effective_roles(connection, compiled, row, current_actor(), roles))


def _form_triggers(compiled, row) -> set[str]:
    """Triggers offered on the form page itself (those that need the form's stage complete)."""
    return {t.trigger for t in compiled.leaving(row.state) if t.spec.requires}


def _stages(compiled, state: str) -> list:
    return [stage for stage in compiled.spec.stages.values() if state in stage.editable_in]


def _editable_or_redirect(application_id: int):
    row, compiled = visible_application(application_id)
    with page_reads() as connection:
        if not _may_edit(connection, row, compiled):
            return row, compiled, None
    specs = [f for stage in _stages(compiled, row.state) for f in stage.fields]
    return row, compiled, specs


@bp.route("/applications/<int:application_id>/form", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    row, compiled, specs = _editable_or_redirect(application_id)
    if specs is None:
        return redirect(url_for("applicant.status", application_id=application_id))
    lang = current_lang()
    form = build_form(specs, lang, row.data or {}, request.form if request.method == "POST" else None)
    version = row.row_version
    kept: set[str] = set()
    if request.method == "POST":
        version, done = save_posted_form(application_id, compiled, form, specs, version)
        if done is not None:
            return done
        kept = getattr(form, "kept_names", set())  # not the fields a refused step marked afterwards
    else:
        kept = show_kept(application_id, form)
    with page_reads() as connection:
        actions = [
            a
            for a in available_actions(workflow(), connection, application_id, current_actor())
            if a.trigger in _form_triggers(compiled, row)
        ]
        due_at = progress.next_deadlines(connection, [application_id]).get(application_id)
    return render_template(
        "applicant/form.html",
        totals_after=totals_after(_stages(compiled, row.state), row.data or {}),
        kept=kept,
        due_at=due_at,
        now=workflow().clock(),
        row=row,
        program=compiled,
        stages=_stages(compiled, row.state),
        form=form,
        version=version,
        actions=actions,
    )


@bp.post("/applications/<int:application_id>/autosave")
@login_required
def autosave(application_id: int):
    row, compiled, specs = _editable_or_redirect(application_id)
    if specs is None:
        return jsonify(ok=False, message=_("This form cannot be edited in the current step.")), 409
    form = build_form(
        [s for s in specs if widget_of(s) != "file"], current_lang(), row.data or {}, request.form
    )
    form.validate()
    if "csrf_token" in form.errors:
        return jsonify(
            ok=False, message=_("Your session expired. Sign in again; your entries stay on this page.")
        ), 400
    errors = {name: list(errs) for name, errs in form.errors.items() if name != "csrf_token"}
    version = row_version()
    if version is None:
        return jsonify(ok=False, message=version_missing(), errors=errors), 400
    values = cleaned_values(form, include_empty_required=True)
    saved = workflow().save_draft(application_id, current_actor(), values, version)
    if not saved.ok:
        return jsonify(ok=False, message=message_text(saved.refusal), errors=errors), 409
    remember_refused(application_id, form)
    message = _("Draft saved.")
    if errors:
        message = _(
            "Draft saved. Entries marked in red were kept as you typed them; correct them to use them."
        )
    return jsonify(ok=True, row_version=saved.row_version, errors=errors, message=message)


@bp.post("/applications/<int:application_id>/uploads/<field>")
@login_required
def upload(application_id: int, field: str):
    """A file stored the moment it is chosen (size and content checked) and saved into the draft."""
    row, compiled, specs = _editable_or_redirect(application_id)
    if specs is None:
        return jsonify(ok=False, message=_("This form cannot be edited in the current step.")), 409
    spec = next((s for s in specs if s.name == field and widget_of(s) == "file"), None)
    if spec is None:
        abort(404)
    form = build_form([spec], current_lang(), row.data or {}, request.form)
    form.validate()
    if "csrf_token" in form.errors:
        return jsonify(
            ok=False, message=_("Your session expired. Sign in again; your entries stay on this page.")
        ), 400
    version = row_version()
    if version is None:
        return jsonify(ok=False, message=version_missing()), 400
    errors = attach_uploads(form, [spec])
    chosen = getattr(form, field).stored
    if errors or not request.files.get(field):
        message = errors.get(field) or _("Choose a file to upload.")
        return jsonify(ok=False, message=message, errors={field: [message]}), 400
    saved = workflow().save_draft(application_id, current_actor(), {field: chosen}, version)
    if not saved.ok:
        return jsonify(ok=False, message=message_text(saved.refusal)), 409
    return jsonify(
        ok=True,
        row_version=saved.row_version,
        message=_("Uploaded: %(name)s", name=chosen["name"]),
        file={
            "name": chosen["name"],
            "size": chosen.get("size"),
            "size_text": file_size(chosen.get("size")),
            "url": url_for("applicant.download", application_id=application_id, file_id=chosen["id"]),
        },
    )


@bp.get("/applications/<int:application_id>/files/<file_id>")
@login_required
def download(application_id: int, file_id: str):
    row, compiled = visible_application(application_id)
    refs = [v for v in (row.data or {}).values() if isinstance(v, dict) and v.get("id") == file_id]
    if not refs or not file_id.isalnum():
        abort(404)
    try:
        chunks = file_store().open(refs[0])
    except StorageError as error:
        log_once_per_kind(log, "file_store", error, "file store unreachable: %s", error)
        abort(503)
    if chunks is None:
        abort(404)
    log_read("file", row, refs[0]["name"])
    return send_file(
        ChunkReader(chunks),
        mimetype=refs[0].get("content_type") or "application/octet-stream",
        as_attachment=True,
        download_name=refs[0]["name"],
    )


@bp.get("/applications/<int:application_id>/letters/<int:letter_id>")
@login_required
def letter(application_id: int, letter_id: int):
    row, compiled = visible_application(application_id)
    with page_reads() as connection:
        found = letter_content(connection, letter_id)
    staff = sees_as_staff(compiled)
    if found is None or found["application_id"] != application_id:
        abort(404)
    if not staff and found["user_id"] != current_actor().id:
        abort(404)
    log_read("letter", row, found["filename"])
    return send_file(
        BytesIO(found["content"]),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=found["filename"],
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["days_left"] = progress.days_left
    app.jinja_env.globals.update(krw_parts=krw_parts, percent_text=percent_text)
    app.jinja_env.filters["filesize"] = file_size
    register_nav(app, "applicant.programs", _l("Programs"), order=10, public=True)
    register_nav(app, "applicant.dashboard", _l("My applications"), roles=("applicant",), order=20)
