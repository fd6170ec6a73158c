"""Nothing typed is lost: entries a field refused are kept as typed (services/kept_entries.py) and shown
again, marked, after a reload; files are stored the moment they are chosen (the upload route)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from forms.dynamic import widget_of
from workflow.services.kept_entries import keep_entries, kept_entries
from workflow.web.auth import current_actor, page_reads, workflow


def refused_entries(form) -> dict:
    """The entries of this form that a field refused, exactly as typed."""
    entries: dict = {}
    for name, spec in form.specs.items():
        field = getattr(form, name)
        if widget_of(spec) == "file" or not field.errors:
            continue
        raw = list(field.raw_data or [])
        entries[name] = raw if widget_of(spec) == "checkboxes" else (raw[0] if raw else "")
    return entries


def remember_refused(application_id: int, form) -> None:
    """Keep what the fields refused; the form remembers which they are (its page marks them)."""
    entries = refused_entries(form)
    keep_entries(workflow().db, application_id, current_actor().id, entries, workflow().clock())
    form.kept_names = set(entries)


def show_kept(application_id: int, form) -> set[str]:
    """Put the kept entries back into the form, each checked again so it shows why it was refused."""
    with page_reads() as connection:
        kept = kept_entries(connection, application_id, current_actor().id)
    shown = set()
    for name, raw in kept.items():
        field = getattr(form, name, None)
        if field is None or name not in form.specs or widget_of(form.specs[name]) == "file":
            continue
        values = raw if isinstance(raw, list) else [raw]
        field.process(MultiDict([(name, str(value)) for value in values]))
        field.validate(form)
        shown.add(name)
    return shown
