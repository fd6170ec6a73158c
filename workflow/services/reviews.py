"""Review assignments: a confidentiality pledge and a conflict declaration gate access; a draft may be
saved any number of times (never counted); submitted scores are locked.

Each assignment, declaration and submission is also an event in the application's chain (what was
recorded in its `detail`), so `audit verify` can tell a review row changed outside the engine.

A submitted review may enable an automatic step (e.g. all reviews in): it is taken in the same
transaction, so the scores and the step it enables commit together or not at all.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update

from workflow.engine import FireResult, Refused, Transaction
from workflow.engine.actors import Actor
from workflow.engine.review_rounds import current_round
from workflow.models import Application, ReviewAssignment, ReviewerPledge
from workflow.vocabulary.messages import Message
from workflow.vocabulary.roles import roles_that

COI_CHOICES = ("none", "exclusion", "recusal")
MANAGERS = frozenset(roles_that("manage"))


def assign(
    workflow,
    application_id: int,
    reviewer_id: int,
    officer: Actor,
    replaces: int | None = None,
    expected_version: int | None = None,
    kind: str | None = None,
) -> FireResult:
    """Assign a reviewer to the current review round (once; assigning one already there changes nothing),
    as one of the rule file's reviewer kinds (the first declared one if none is given; none when the file
    declares no kinds). With `replaces`, the reviewer takes the seat of one who declared a conflict,
    recorded as a replacement in the history; with `expected_version`, an application changed since that
    version is refused as stale. Then the automatic steps (event `reviewers_assigned`)."""

    def work(tx: Transaction) -> FireResult:
        connection = tx.connection
        application, program = tx.load(application_id, expected_version, for_update=True)
        if not officer.staff_roles(program.key) & MANAGERS:
            raise Refused(Message("not_your_application"))
        review, state = program.spec.review, application.state
        if review is None or not (program.spec.states[state].review or state in review.assign_in):
            label = {lang: program.state_label(state, lang) for lang in ("ko", "en")}
            raise Refused(Message("not_assignment_state", {"state": label}))
        round_now = current_round(connection, application_id)
        wanted_kind = kind
        if replaces is not None and kind is None:  # the new reviewer sits in the replaced one's seat
            wanted_kind = connection.execute(
                select(ReviewAssignment.kind).where(
                    ReviewAssignment.application_id == application_id,
                    ReviewAssignment.reviewer_id == replaces,
                    ReviewAssignment.round == round_now,
                )
            ).scalar()
        chosen = _kind(program, wanted_kind)
        # the application row locked: two officers assigning at once cannot pass the limit together
        connection.execute(select(Application.id).where(Application.id == application_id).with_for_update())
        seats = dict(
            connection.execute(
                select(ReviewAssignment.reviewer_id, ReviewAssignment.coi).where(
                    ReviewAssignment.application_id == application_id, ReviewAssignment.round == round_now
                )
            ).all()
        )
        if replaces is not None:
            if seats.get(replaces) != "conflict":
                raise Refused(Message("replace_not_conflicted"))
            if reviewer_id in seats:
                raise Refused(Message("reviewer_already_assigned"))
        if reviewer_id not in seats:
            taken = sum(1 for coi in seats.values() if coi != "conflict")  # a conflict frees its seat
            if taken >= review.reviewers_per_application:
                raise Refused(Message("reviewers_full", {"count": review.reviewers_per_application}))
            connection.execute(
                insert(ReviewAssignment).values(
                    application_id=application_id,
                    reviewer_id=reviewer_id,
                    coi="pending",
                    assigned_at=tx.now,
                    round=round_now,
                    kind=chosen,
                )
            )
            roles = officer.staff_roles(program.key) & MANAGERS
            detail: dict = {"kind": "review_assigned", "reviewer_id": reviewer_id, "round": round_now}
            if chosen is not None:
                detail["reviewer_kind"] = chosen
            trigger = "assign_reviewer"
            if replaces is not None:
                detail["replaces"], trigger = replaces, "replace_reviewer"
            tx.record(application, program, trigger, officer, roles, detail=detail)
            return _with_automatic(tx.run_automatic(application_id, "reviewers_assigned"), application)
        return FireResult(ok=True, application_id=application_id, state=application.state)

    return workflow.transaction(work, application_id)


def replace(
    workflow, application_id: int, replaced_id: int, reviewer_id: int, officer: Actor, kind: str | None = None
) -> FireResult:
    """A new reviewer in the seat of one who declared a conflict (an event naming both)."""
    return assign(workflow, application_id, reviewer_id, officer, replaces=replaced_id, kind=kind)


def _kind(program, kind: str | None) -> str | None:
    """The reviewer kind to record: the given one if the file declares it, else its first; None without kinds."""
    kinds = program.review_kinds
    if not kinds:
        if kind:
            raise Refused(Message("unknown_reviewer_kind", {"kind": kind}))
        return None
    if kind is None or kind == "":
        return kinds[0]
    if kind not in kinds:
        raise Refused(Message("unknown_reviewer_kind", {"kind": kind}))
    return kind


def declare(
    workflow, application_id: int, reviewer: Actor, declaration: str, reason: str | None = None
) -> FireResult:
    """'none' opens the application to the reviewer; 'exclusion' or 'recusal' removes the assignment."""

    def work(tx: Transaction) -> FireResult:
        connection = tx.connection
        if declaration not in COI_CHOICES:
            raise Refused(Message("invalid_data", {"detail": declaration}))
        if declaration != "none" and not (reason or "").strip():
            raise Refused(Message("reason_required"))
        coi = "none" if declaration == "none" else "conflict"
        coi_reason = None if declaration == "none" else reason.strip()  # the kind is in the event's detail
        round_now = current_round(connection, application_id)
        changed = connection.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.round == round_now,
                ReviewAssignment.coi == "pending",
            )
            .values(coi=coi, coi_reason=coi_reason)
        )
        if changed.rowcount != 1:
            raise Refused(Message("not_your_application"))
        application, program = tx.load(application_id, for_update=True)
        detail = {
            "kind": "review_declared",
            "reviewer_id": reviewer.id,
            "declaration": declaration,
            "coi": coi,
            "coi_reason": coi_reason,
            "round": round_now,
        }
        tx.record(application, program, "declare_interest", reviewer, {"reviewer"}, coi_reason, detail)
        # a conflict frees a seat: the reviews left may now all be in
        return _with_automatic(tx.run_automatic(application_id, "review_declared"), application)

    return workflow.transaction(work, application_id)


def submit(
    workflow, application_id: int, reviewer: Actor, scores: dict[str, int], comment: str = ""
) -> FireResult:
    """Record a conflict-free reviewer's scores on the rubric (each 0..max), once; then automatic steps."""

    def work(tx: Transaction) -> FireResult:
        connection = tx.connection
        application, program = tx.load(application_id, for_update=True)
        if program.spec.review is None or not program.spec.states[application.state].review:
            raise Refused(Message("not_from_state", {"trigger": "review", "state": application.state}))
        errors = _score_errors(program.spec.review.rubric, scores, partial=False)
        if errors:
            raise Refused(Message("invalid_data", {"detail": ", ".join(errors)}), errors)
        clean = {item.name: scores[item.name] for item in program.spec.review.rubric}
        round_now = current_round(connection, application_id)
        locked = connection.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.round == round_now,
                ReviewAssignment.coi == "none",
                ReviewAssignment.submitted_at.is_(None),
            )
            .values(
                scores=clean,
                total=sum(clean.values()),
                comment=comment or None,
                submitted_at=tx.now,
                draft=None,
                draft_saved_at=None,
            )
        )
        if locked.rowcount != 1:
            raise Refused(Message("conflict_not_declared"))
        detail = {
            "kind": "review_submitted",
            "reviewer_id": reviewer.id,
            "scores": clean,
            "total": sum(clean.values()),
            "comment": comment or None,
            "round": round_now,
        }
        tx.record(application, program, "submit_review", reviewer, {"reviewer"}, detail=detail)
        return _with_automatic(tx.run_automatic(application_id, "review_submitted"), application)

    return workflow.transaction(work, application_id)


def _with_automatic(move, application) -> FireResult:
    """The result of a recorded change and the automatic steps it led to (if any)."""
    result = FireResult(ok=True, application_id=application.id, state=application.state)
    if move is not None:
        result.automatic, result.state, result.outbox_ids = move.automatic, move.state, move.outbox_ids
    return result


def _score_errors(rubric, scores: dict, partial: bool) -> dict:
    errors = {}
    for item in rubric:
        value = scores.get(item.name)
        if value is None and partial:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[item.name] = Message("not_integer")
        elif not 0 <= value <= item.max:
            errors[item.name] = Message(
                "above_max" if value > item.max else "below_min", {"max": item.max, "min": 0}
            )
    return errors


def save_draft(
    workflow, application_id: int, reviewer: Actor, scores: dict[str, int | None], comment: str = ""
) -> FireResult:
    """Keep an unfinished review (scores may be missing) for this reviewer only; guards, boards and the
    officer's page read submitted reviews alone, so a draft changes nothing for anyone else."""

    def work(tx: Transaction) -> None:
        application, program = tx.load(application_id)
        if program.spec.review is None or not program.spec.states[application.state].review:
            raise Refused(Message("not_from_state", {"trigger": "review", "state": application.state}))
        rubric = program.spec.review.rubric
        errors = _score_errors(rubric, scores, partial=True)
        if errors:
            raise Refused(Message("invalid_data", {"detail": ", ".join(errors)}), errors)
        draft = {"scores": {i.name: scores.get(i.name) for i in rubric}, "comment": comment or ""}
        saved = tx.connection.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.round == current_round(tx.connection, application_id),
                ReviewAssignment.coi == "none",
                ReviewAssignment.submitted_at.is_(None),
            )
            .values(draft=draft, draft_saved_at=tx.now)
        )
        if saved.rowcount != 1:
            raise Refused(Message("conflict_not_declared"))

    return workflow.transaction(work, application_id)


def pledged_at(connection, user_id: int):
    """When the reviewer accepted the confidentiality pledge, or None."""
    return connection.execute(
        select(ReviewerPledge.accepted_at).where(ReviewerPledge.user_id == user_id)
    ).scalar()


def accept_pledge(workflow, reviewer: Actor) -> None:
    """Record the reviewer's confidentiality pledge with its time (once; accepting again keeps the first)."""
    with workflow.db.begin() as connection:
        if pledged_at(connection, reviewer.id) is None:
            connection.execute(
                insert(ReviewerPledge).values(user_id=reviewer.id, accepted_at=workflow.clock())
            )
