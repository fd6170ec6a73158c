"""Helpers shared by the area blueprints: loading an application the user may see, labels, uploads."""

from __future__ import annotations

from flask import abort, current_app

from workflow.engine.access import can_see, effective_roles
from workflow.engine.records import ApplicationRow
from workflow.services.files import FileStore
from workflow.services.status import load_application
from workflow.storage import file_store_for
from workflow.web.auth import current_actor, page_reads, workflow
from workflow.web.i18n import current_lang
from workflow.web.i18n import lazy_gettext as _l

TRANCHE_STATUS = {  # shown on the finance pages and on the applicant's status page
    "scheduled": _l("Held"),
    "due": _l("Due"),
    "paid": _l("Paid"),
    "cancelled": _l("Cancelled"),
}


def visible_application(application_id: int, connection=None) -> tuple[ApplicationRow, object]:
    """(row, program) if the signed-in user may see the application; 404 otherwise (no hint it exists).

    Pass the page's `connection` to read everything in one transaction."""
    if connection is None:
        with page_reads() as own:
            return visible_application(application_id, own)
    actor = current_actor()
    loaded = load_application(workflow(), connection, application_id)
    if loaded is None or actor is None or not can_see(connection, loaded[1], loaded[0], actor):
        abort(404)
    return loaded


def is_owner(row: ApplicationRow) -> bool:
    actor = current_actor()
    return actor is not None and row.applicant_id == actor.id


def sees_as_staff(program) -> bool:
    """Whether the signed-in user reads this program's applications as staff (every letter, the whole history,
    the submitted form): they hold, for this program or globally, a role whose kind may (`staff_view`) — the
    built-in staff and a program's own staff-like roles alike, decided by the program's role registry."""
    actor = current_actor()
    if actor is None:
        return False
    kinds = program.role_kinds
    return any(r in kinds and "staff_view" in kinds[r].may for r in actor.staff_roles(program.key))


def audience_for(row: ApplicationRow, program, connection=None) -> str:
    """Whose wording the page uses: "staff" for staff (`sees_as_staff`) and for anyone else off the applicant's
    side who holds a role on this application (an assigned reviewer, a program's own reviewer-like role: the
    role registry's `audience`), "applicant" for the applicant's side. Wording only: what staff may read is
    `sees_as_staff`."""
    actor = current_actor()
    if actor is None:
        return "applicant"
    if sees_as_staff(program):
        return "staff"
    if row.applicant_id == actor.id:
        return "applicant"
    kinds = program.role_kinds
    staff_side = {name for name, kind in kinds.items() if kind.audience == "staff"}
    if not actor.staff_roles(program.key) & staff_side:
        return "applicant"  # no need to look up assignments
    if connection is None:
        with page_reads() as own:
            return audience_for(row, program, own)
    held = effective_roles(connection, program, row, actor, staff_side)
    return "staff" if held else "applicant"


def state_label(program, state: str, audience: str = "applicant") -> str:
    return program.state_label(state, current_lang(), audience)


def program_title(key: str | None) -> str:
    """A program's title in the reader's language (a key no file defines any more stays as it is)."""
    if not key:
        return ""
    program = workflow().registry.latest(key)
    return program.spec.title.get(current_lang()) if program is not None else key


LANGUAGE_NAMES = {"ko": _l("Korean"), "en": _l("English")}


def language_name(code: str | None) -> str:
    return str(LANGUAGE_NAMES.get(code or "ko", code or ""))


def trigger_label(program, trigger: str) -> str:
    """What a history event's trigger means, in the reader's language (the program says: one place)."""
    return program.trigger_label(trigger)[current_lang()]


def file_store() -> FileStore:
    return file_store_for(current_app)
