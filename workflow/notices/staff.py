"""Notices to a program's officers that no rule file has to declare: a new submission, a reviewer's
declared conflict of interest, a step whose deadline passed with the application still in it.

They are outbox rows like every notice (same transaction, relay, retries), addressed to the roles that
run a program (`roles_that("manage")` held per program: officer, lead officer). Which transition is a
submission is the rule file's say (`funnel.submitted`, else the steps leaving the initial state that
require a stage); "overdue" is a deadline timer that expired without moving the application. A rule file
that already tells those roles (e.g. `on_expiry: {notice: screening_overdue}` to officers) is not doubled.

Each kind is a notice template (templates/notices/<kind>.<lang>.txt) and a kind on the preference page,
shown only to staff who hold those roles; a kind turned off there is not sent at all (no e-mail, no
inbox entry). `init_app` attaches the watchers to the app's workflow.
"""

from __future__ import annotations

from sqlalchemy import select

from workflow.engine.records import INSERT_OUTBOX
from workflow.models import UserRole
from workflow.vocabulary.roles import ROLES

NEW_SUBMISSION = "new_submission"
CONFLICT_DECLARED = "conflict_declared"
STEP_OVERDUE = "overdue_for_staff"  # the template rule files already use for staff deadlines
STAFF_KINDS = (NEW_SUBMISSION, CONFLICT_DECLARED, STEP_OVERDUE)
CHANNELS = ("inbox", "email")


def staff_roles(program) -> list[str]:
    """The roles that run this program and are granted per program (admins are not told each step)."""
    return sorted(
        name
        for name, kind in program.role_kinds.items()
        if "manage" in kind.may and kind.held_by == "program"
    ) or sorted(name for name, kind in ROLES.items() if "manage" in kind.may and kind.held_by == "program")


def _anyone_holds(connection, program, roles: list[str]) -> bool:
    found = connection.execute(
        select(UserRole.id)
        .where(
            UserRole.role.in_(roles),
            (UserRole.program_key == program.key) | UserRole.program_key.is_(None),
        )
        .limit(1)
    ).first()
    return found is not None


def _already_told(program, notice_names, roles: list[str]) -> bool:
    """A notice of the rule file's own already goes to these roles."""
    for name in notice_names:
        notice = program.spec.notices.get(name)
        if notice is not None and set(notice.to) & set(roles):
            return True
    return False


def write(tx, program, application_id: int, event: dict, kind: str, reason: str | None = None) -> int | None:
    """One staff notice of `kind`, in the caller's transaction, delivered after its commit; None when
    nobody runs the program (no row, rather than a notice that can only fail)."""
    roles = staff_roles(program)
    if not _anyone_holds(tx.connection, program, roles):
        return None
    row = {
        "application_id": application_id,
        "event_seq": event["seq"],
        "notice": kind,
        "template": kind,
        "recipients": roles,
        "channels": list(CHANNELS),
        "payload": {
            "trigger": event["trigger"],
            "from": event["from_state"],
            "to": event["to_state"],
            "reason": reason,
            "statutory": False,
            "staff": True,
        },
        "status": "pending",
        "attempts": 0,
        "created_at": event["at"],
    }
    outbox_id = tx.connection.execute(INSERT_OUTBOX, row).inserted_primary_key[0]
    tx.outbox_ids.append(outbox_id)
    return outbox_id


def submission_triggers(program) -> set[str]:
    funnel = program.spec.funnel
    if funnel is not None and funnel.submitted:
        return set(funnel.submitted)
    return {t.trigger for t in program.leaving(program.initial) if t.spec.requires}


def on_transition(tx, program, application, transition, event) -> None:
    """A submission (first or again after changes) tells the program's officers."""
    if transition.trigger not in submission_triggers(program):
        return
    if _already_told(program, transition.spec.notices, staff_roles(program)):
        return
    write(tx, program, application.id, event, NEW_SUBMISSION)


def on_deadline(tx, program, application, timer, status: str) -> None:
    """A deadline that passed and left the application where it was: its step is overdue."""
    stayed = "notice" in timer["action"] or status == "failed"
    if not stayed:
        return
    if "notice" in timer["action"] and _already_told(
        program, [timer["action"]["notice"]], staff_roles(program)
    ):
        return
    event = {
        "seq": application.history_seq,
        "trigger": timer["kind"],
        "from_state": timer["state"],
        "to_state": timer["state"],
        "at": tx.now,
    }
    write(tx, program, application.id, event, STEP_OVERDUE)


def on_record(tx, program, application, event: dict, detail: dict) -> None:
    """A reviewer declared a conflict and removed themselves: the seat needs another reviewer."""
    if detail.get("kind") == "review_declared" and detail.get("coi") == "conflict":
        write(tx, program, application.id, event, CONFLICT_DECLARED, detail.get("coi_reason"))


def init_app(workflow) -> None:
    if on_transition not in workflow.transition_watchers:
        workflow.transition_watchers.append(on_transition)
    if on_deadline not in workflow.deadline_watchers:
        workflow.deadline_watchers.append(on_deadline)
    if on_record not in workflow.record_watchers:
        workflow.record_watchers.append(on_record)
