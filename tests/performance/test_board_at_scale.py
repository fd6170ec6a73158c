"""The board sorts by score from `applications.review_average`, which triggers keep (migration 0016) in
the transaction that submits a score or begins a review round: it always equals the average of the
current round's submitted totals, and the board's order follows it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from tests.factories import reviewed_startup, submitted_startup
from workflow.models import Application, ReviewAssignment, ReviewRound
from workflow.services.board import board


def _kept(workflow, app_id):
    with workflow.db.connect() as connection:
        kept = connection.execute(
            select(Application.review_average).where(Application.id == app_id)
        ).scalar_one()
        real = connection.execute(
            select(func.avg(ReviewAssignment.total)).where(
                ReviewAssignment.application_id == app_id, ReviewAssignment.submitted_at.is_not(None)
            )
        ).scalar()
    return kept, real


def test_the_average_follows_submitted_scores_and_rounds(workflow, people, store):
    high = reviewed_startup(workflow, people, store, score=(30, 40, 30))  # totals 100
    low = reviewed_startup(workflow, people, store, score=(10, 20, 10), count=2)  # totals 40
    unscored = submitted_startup(workflow, people, store)
    for app_id, expected in ((high, 100), (low, 40)):
        kept, real = _kept(workflow, app_id)
        assert kept == pytest.approx(float(real)) == expected
    assert _kept(workflow, unscored) == (None, None)
    program = workflow.registry.latest("startup-support")
    with workflow.db.connect() as connection:
        best_first = [r["id"] for r in board(connection, program, sort="-score").rows]
        worst_first = [r["id"] for r in board(connection, program, sort="score").rows]
        scores = {r["id"]: r["score"] for r in board(connection, program).rows}
    assert best_first == [high, low, unscored] and worst_first == [low, high, unscored]  # unscored last
    assert scores[high] == pytest.approx(100) and scores[unscored] is None
    with workflow.db.begin() as connection:  # a new round begins: its scores start afresh
        connection.execute(
            insert(ReviewRound).values(
                application_id=high, round=2, started_at=datetime(2026, 5, 5, tzinfo=UTC), event_seq=1
            )
        )
    assert _kept(workflow, high)[0] is None
