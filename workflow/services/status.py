"""Read models for application pages: the applicant's list, one application's status and timeline.

Reads only; every change goes through the engine or a service that owns its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from workflow.engine import records
from workflow.engine.members import members_of
from workflow.engine.records import ApplicationRow
from workflow.engine.review_rounds import current_round
from workflow.models import (
    Application,
    ApplicationMember,
    HistoryEvent,
    Letter,
    ReviewAssignment,
    Timer,
    User,
)
from workflow.services.notes import INTERNAL_NOTE


@dataclass
class ApplicationView:
    row: ApplicationRow
    program: object  # CompiledProgram
    applicant: dict
    events: list[dict] = field(default_factory=list)
    due_at: datetime | None = None
    letters: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)  # the current review round's
    earlier_reviews: list[dict] = field(default_factory=list)  # rounds before it, latest first
    review_round: int = 1
    members: list[dict] = field(default_factory=list)  # co-applicants and other linked partners

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def timeline(self) -> list[dict]:
        """The events as the applicant's and the officer's pages list them: draft saves one after another by
        the same person in the same step read as one line with their number (`saves`), the last one's time.
        The auditor's pages list every event."""
        shown: list[dict] = []
        for event in self.events:
            last = shown[-1] if shown else None
            if (
                last is not None
                and event["trigger"] == last["trigger"] == "save_draft"
                and event["actor_id"] == last["actor_id"]
                and event["to_state"] == last["to_state"]
            ):
                shown[-1] = {**event, "saves": last.get("saves", 1) + 1}
            else:
                shown.append(event)
        return shown

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def data(self) -> dict:
        return self.row.data or {}

    @property
    def title(self) -> str:
        return self.program.title_of(self.data)

    @property
    def amount(self) -> int | None:
        return self.program.amount_of(self.data)


def is_internal_note(event) -> bool:
    return bool(event["detail"]) and event["detail"].get("kind") == INTERNAL_NOTE


def load_application(workflow, connection, application_id: int) -> tuple[ApplicationRow, object] | None:
    """(row, compiled program) or None when there is no such application."""
    row = records.read_application(connection, application_id)
    if row is None:
        return None
    return row, workflow.program_of(connection, row)


def application_view(
    workflow,
    connection,
    application_id: int,
    with_reviews: bool = False,
    loaded: tuple | None = None,
    staff_notes: bool = False,
) -> ApplicationView:
    """Everything a page shows about one application; `loaded` is (row, program) if already read.
    Internal notes are in the events only with `staff_notes` (the officer's and the auditor's pages)."""
    row, program = loaded or load_application(workflow, connection, application_id)
    applicant = connection.execute(
        select(User.id, User.name, User.email, User.organisation).where(User.id == row.applicant_id)
    ).first()
    events = [
        dict(e)
        for e in connection.execute(
            select(HistoryEvent)
            .where(HistoryEvent.application_id == application_id)
            .order_by(HistoryEvent.seq)
        ).mappings()
        if staff_notes or not is_internal_note(e)
    ]
    due_at = connection.execute(
        select(Timer.due_at)
        .where(
            Timer.application_id == application_id,
            Timer.status == "pending",
            Timer.kind == "deadline",
            Timer.state == row.state,
        )
        .order_by(Timer.due_at)
        .limit(1)
    ).scalar()
    view = ApplicationView(
        row=row, program=program, applicant=dict(applicant._mapping), events=events, due_at=due_at
    )
    view.letters = letters_of(connection, application_id)
    if program.member_roles:
        view.members = members_of(connection, application_id)
    if with_reviews:
        view.review_round = current_round(connection, application_id)
        every = reviews_of(connection, application_id)
        view.reviews = [r for r in every if r["round"] == view.review_round]
        view.earlier_reviews = [r for r in every if r["round"] != view.review_round]
    return view


def letters_of(connection, application_id: int, user_id: int | None = None) -> list[dict]:
    """Official letters the notices relay stored for this application."""
    query = select(
        Letter.id, Letter.user_id, Letter.document_no, Letter.subject, Letter.filename, Letter.created_at
    ).where(Letter.application_id == application_id)
    if user_id is not None:
        query = query.where(Letter.user_id == user_id)
    return [dict(r._mapping) for r in connection.execute(query.order_by(Letter.created_at))]


def letter_content(connection, letter_id: int) -> dict | None:
    row = connection.execute(
        select(Letter.id, Letter.application_id, Letter.user_id, Letter.filename, Letter.content).where(
            Letter.id == letter_id
        )
    ).first()
    return dict(row._mapping) if row else None


def reviews_of(connection, application_id: int) -> list[dict]:
    rows = connection.execute(
        select(
            ReviewAssignment.reviewer_id,
            User.name,
            User.organisation,
            ReviewAssignment.coi,
            ReviewAssignment.coi_reason,
            ReviewAssignment.total,
            ReviewAssignment.scores,
            ReviewAssignment.comment,
            ReviewAssignment.submitted_at,
            ReviewAssignment.round,
            ReviewAssignment.kind,
        )
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.application_id == application_id)
        .order_by(ReviewAssignment.round.desc(), ReviewAssignment.id)
    )
    return [dict(r._mapping) for r in rows]


def my_applications(connection, user_id: int) -> list[dict]:
    """The user's own applications and those they are linked to (a co-applicant's joint application)."""
    linked = select(ApplicationMember.application_id).where(ApplicationMember.user_id == user_id)
    rows = connection.execute(
        select(
            Application.id,
            Application.program_key,
            Application.program_version,
            Application.definition_sha,
            Application.state,
            Application.updated_at,
            Application.data,
        )
        .where(or_(Application.applicant_id == user_id, Application.id.in_(linked)))
        .order_by(Application.id.desc())
    )
    return [dict(r._mapping) for r in rows]
