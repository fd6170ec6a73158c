"""Review rounds: a transition with `new_review_round: true` begins a new round, so the reviews before
it stay (in their rows and in the history) but guards, seats and the reviewer's form count only the
current round. Round 1 needs no row; each later round is a row of `review_rounds`, begun in the same
transaction as the move whose event records it (`detail: {kind: review_round_started, round: N}`)."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from workflow.models import ReviewAssignment, ReviewRound


def current_round(connection, application_id: int) -> int:
    latest = connection.execute(
        select(func.max(ReviewRound.round)).where(ReviewRound.application_id == application_id)
    ).scalar()
    return int(latest or 1)


def round_started_detail(connection, application_id: int) -> dict:
    """The detail of the event that begins the next round (written by the move, then `begin_round`)."""
    return {"kind": "review_round_started", "round": current_round(connection, application_id) + 1}


def begin_round(connection, application_id: int, detail: dict, event_seq: int, now) -> None:
    connection.execute(
        insert(ReviewRound).values(
            application_id=application_id, round=detail["round"], started_at=now, event_seq=event_seq
        )
    )


def _figures(assigned: int, submitted: int, mean, low, high) -> dict:
    return {
        "assigned": int(assigned),
        "count": int(submitted),
        "all_submitted": assigned > 0 and submitted == assigned,
        "mean": float(mean) if mean is not None else 0.0,
        "min": int(low) if low is not None else 0,
        "max": int(high) if high is not None else 0,
    }


def reviews_summary(connection, application_id: int, kinds=()) -> dict:
    """What guards read as `reviews`: the current round's submitted scores (conflicted reviewers
    excluded), `round`, and `by_kind[<kind>]` with the same figures for each declared reviewer kind."""
    round_now = current_round(connection, application_id)
    rows = connection.execute(
        select(
            ReviewAssignment.kind,
            func.count(ReviewAssignment.id),
            func.count(ReviewAssignment.submitted_at),
            func.sum(ReviewAssignment.total),
            func.min(ReviewAssignment.total),
            func.max(ReviewAssignment.total),
        )
        .where(
            ReviewAssignment.application_id == application_id,
            ReviewAssignment.round == round_now,
            ReviewAssignment.coi != "conflict",
        )
        .group_by(ReviewAssignment.kind)
    ).all()
    by_kind = {kind: _figures(0, 0, None, None, None) for kind in kinds}
    assigned = submitted = total = 0
    lows: list[int] = []
    highs: list[int] = []
    for kind, kind_assigned, kind_submitted, kind_total, low, high in rows:
        mean = kind_total / kind_submitted if kind_submitted else None
        by_kind[kind or ""] = _figures(kind_assigned, kind_submitted, mean, low, high)
        assigned, submitted, total = (
            assigned + kind_assigned,
            submitted + kind_submitted,
            total + (kind_total or 0),
        )
        lows += [low] if low is not None else []
        highs += [high] if high is not None else []
    mean = total / submitted if submitted else None
    summary = _figures(assigned, submitted, mean, min(lows, default=None), max(highs, default=None))
    summary["round"] = round_now
    summary["by_kind"] = {kind: by_kind[kind] for kind in kinds}
    return summary
