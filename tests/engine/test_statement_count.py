"""How many statements a plain transition sends, pinned: fire() costs mostly per statement (bench/engine.py
measures the time; this counts, which a loaded machine cannot blur), so a new read or write on its path
is a decision taken here with its reason, never a slow drift back.

The fixture program (tests/engine/counted/plain.yaml) has a stage, deadlines with a reminder, notices
and a funnel, and nothing that needs more rows read (reviews, members, money, capacity, links).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from tests.conftest import People, make_workflow

COUNTED = Path(__file__).parent / "counted"
STEPS = [  # (trigger, who, reason)
    ("submit", "applicant", None),  # draft -> screening: stay, funnel mark, deadline + reminder, notice
    ("request_changes", "officer", "more detail"),  # cancels screening's timers, starts one, notice
    ("submit", "applicant", None),  # back to screening: the funnel mark is there already (kept once)
    ("approve", "officer", None),  # leaves screening: cancels its timers; no notice
]
# statements per step: (create, *STEPS)
EXPECTED = {
    # a move is ONE statement (engine/batch.py): the version-checked claim with the event, the stay,
    # the funnel mark, the timers and the outbox rows as data-modifying CTEs; creating is the insert + a move
    "postgresql": [2, 1, 1, 1, 1],
    # BEGIN IMMEDIATE, the claim, then one statement per kind of row (a move's timers in one executemany)
    "sqlite": [4, 7, 7, 8, 5],
}


@pytest.fixture
def counted(db_engine):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(db_engine, "before_cursor_execute", record)
    yield statements
    event.remove(db_engine, "before_cursor_execute", record)


def test_a_plain_transition_sends_the_pinned_number_of_statements(db_engine, clock, counted):
    workflow = make_workflow(db_engine, clock, COUNTED)
    people = People(db_engine, COUNTED)
    values = {"title": "A plain request", "amount": 5000}
    assert not workflow.registry.publish_all(db_engine)  # as `flask db upgrade` does
    assert workflow.create("plain", people.applicant, values).ok  # the process checks the snapshot once
    counted.clear()
    created = workflow.create("plain", people.applicant, values)
    assert created.ok, created.reason("en")
    sent = [list(counted)]
    row = created.application
    for trigger, who, reason in STEPS:
        counted.clear()
        # as a page drives it: the row the previous result returned, not read again
        result = workflow.fire(row, trigger, getattr(people, who), reason=reason)
        assert result.ok, result.reason("en")
        sent.append(list(counted))
        row = result.application
    counts = [len(step) for step in sent]
    assert counts == EXPECTED[db_engine.dialect.name], "\n\n".join(
        "\n".join(s[:120] for s in step) for step in sent
    )
    reads = [s for step in sent[1:] for s in step if s.startswith("SELECT")]
    assert not reads, reads  # the row in hand is not read again, and this program needs nothing else read
