"""Saving the application form: uploads stored first, valid values into the draft (through the engine),
refused entries kept as typed, the chosen action fired; and the stage totals placed beside their fields."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from forms.dynamic import cleaned_values, widget_of
from workflow.engine import records
from workflow.engine.core import stage_problems
from workflow.engine.totals import stage_totals
from workflow.services.files import UploadRejected
from workflow.vocabulary.messages import Message, format_krw
from workflow.web.auth import current_actor, page_reads, workflow
from workflow.web.common import file_store, trigger_label
from workflow.web.form_drafts import remember_refused
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.inputs import row_version, version_missing


def attach_uploads(form, specs) -> dict[str, str]:
    """Store uploaded files (size and content checked); returns upload errors by field."""
    errors = {}
    for spec in specs:
        if widget_of(spec) != "file":
            continue
        upload = request.files.get(spec.name)
        if upload is None or not upload.filename:
            continue
        accept = tuple(e.lower().lstrip(".") for e in spec.accept or ())
        try:
            ref = file_store().save(upload.stream, upload.filename, accept=accept, max_mb=spec.max_mb)
        except UploadRejected as rejected:
            errors[spec.name] = Message(rejected.code, rejected.params).text(current_lang())
        else:
            getattr(form, spec.name).stored = ref
    return errors


def totals_after(stages, data: dict) -> dict[str, list]:
    """Each stage total, placed after the last of its fields in the form (the amounts it adds up)."""
    placed: dict[str, list] = {}
    for stage in stages:
        order = [f.name for f in stage.fields]
        for view in stage_totals(stage, data):
            named = [*view.spec.sum, *(s.field for s in view.spec.shares)]
            last = max(named, key=lambda name: order.index(name) if name in order else -1)
            placed.setdefault(last, []).append(view)
    return placed


def krw_parts(lang: str) -> tuple[str, str]:
    """What is written before and after a number in an amount: ("", "원") or ("KRW ", "")."""
    before, _, after = format_krw(0, lang).partition("0")
    return before, after


def save_posted_form(application_id: int, compiled, form, specs, version: int):
    """Save the valid entries (and fire the chosen action); (the version now, a redirect when done)."""
    given = row_version()
    if given is None:  # every form of ours sends it: without it the version check would be skipped
        flash(version_missing(), "error")
        return version, None
    upload_errors = attach_uploads(form, specs)
    removed = request.form.get("remove_file")
    if removed in form.specs and widget_of(form.specs[removed]) == "file":
        getattr(form, removed).stored = None  # the "remove" button beside an uploaded file
    form.validate()
    for name, text in upload_errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, text]
    if "csrf_token" in form.errors:
        abort(400)
    values = cleaned_values(form, include_empty_required=True)
    saved = workflow().save_draft(application_id, current_actor(), values, given)
    if not saved.ok:
        flash(message_text(saved.refusal), "error")
        _show_engine_errors(form, saved.errors)
        return version, None
    remember_refused(application_id, form)
    if removed and removed in values:
        flash(_("The file was removed."), "success")
        return saved.row_version, redirect(url_for("applicant.edit", application_id=application_id))
    trigger = request.form.get("action")
    if trigger and not form.errors:
        fired = workflow().fire(application_id, trigger, current_actor(), expected_version=saved.row_version)
        if fired.ok:
            flash(_("Done: %(label)s.", label=_action_label(compiled, trigger)), "success")
            return saved.row_version, redirect(url_for("applicant.status", application_id=application_id))
        flash(message_text(fired.refusal), "error")
        _show_engine_errors(form, fired.errors)
    elif trigger:
        flash(_("Your entries were saved, but some need correcting before you can continue."), "error")
        problems = _stage_problems(compiled, application_id, trigger)
        _show_engine_errors(form, {n: m for n, m in problems.items() if n not in form.errors})
    elif form.errors:
        flash(_("The valid entries were saved. Please correct the highlighted ones."), "error")
    else:
        flash(_("Saved."), "success")
    return saved.row_version, None


def _stage_problems(compiled, application_id: int, trigger: str) -> dict:
    """What the chosen action would also refuse (missing required fields), shown with the format errors."""
    with page_reads() as connection:
        row = records.read_application(connection, application_id)
    leaving = [t for t in compiled.leaving(row.state) if t.trigger == trigger]
    return stage_problems(compiled, [s for t in leaving for s in t.spec.requires], row.data or {})


def _show_engine_errors(form, errors) -> None:
    for name, message in (errors or {}).items():
        field = getattr(form, name, None)
        if field is not None and message_text(message) not in field.errors:
            field.errors = [*field.errors, message_text(message)]


def _action_label(compiled, trigger: str) -> str:
    return trigger_label(compiled, trigger)


def file_size(size) -> str:
    """An upload's size as people read it: 340 KB, 1.2 MB."""
    if not isinstance(size, int):
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
