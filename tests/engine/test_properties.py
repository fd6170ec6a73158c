"""Property: random sequences of triggers and actors never leave an application in a state the
definition does not allow, refusals write nothing, and the history replays to the current state."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import make_workflow
from tests.engine.programs import ENGINE_PROGRAMS, GRANT
from tests.factories import AGREEMENT, startup_data
from workflow.audit.verify import verify_chain
from workflow.models import Application, HistoryEvent
from workflow.services import reviews

ACTORS = ("applicant", "other", "officer", "finance", "auditor", "admin", "system", "reviewer1")
EXTRA_TRIGGERS = ("launch", "approve")


def steps(program):
    triggers = sorted(program.triggers) + list(EXTRA_TRIGGERS)
    fire = st.tuples(st.just("fire"), st.sampled_from(triggers), st.sampled_from(ACTORS))
    review = st.tuples(st.just("review"), st.integers(0, 2), st.integers(0, 100))
    return st.lists(st.one_of(fire, fire, fire, review), max_size=14)


def read(workflow, app_id):
    with workflow.db.connect() as connection:
        row = connection.execute(select(Application).where(Application.id == app_id)).mappings().one()
        events = (
            connection.execute(
                select(HistoryEvent).where(HistoryEvent.application_id == app_id).order_by(HistoryEvent.seq)
            )
            .mappings()
            .all()
        )
        fault = verify_chain(connection, app_id)
    return row, events, fault


def test_random_sequences_keep_the_application_consistent(sqlite_engine, clock, store):
    from tests.conftest import People

    workflow = make_workflow(sqlite_engine, clock, ENGINE_PROGRAMS)
    people = People(sqlite_engine, programs_dir=ENGINE_PROGRAMS)
    program = workflow.registry.latest(GRANT)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(sequence=steps(program), reason=st.sampled_from([None, "", "사유 있음"]))
    def run(sequence, reason):
        app_id = workflow.create(GRANT, people.applicant, startup_data(store)).application_id
        for step in sequence:
            before, _, _ = read(workflow, app_id)
            if step[0] == "review":
                _, index, score = step
                reviewer = people.reviewers[index]
                reviews.assign(workflow, app_id, reviewer.id, people.officer)
                reviews.declare(workflow, app_id, reviewer, "none")
                reviews.submit(
                    workflow,
                    app_id,
                    reviewer,
                    {
                        "innovation": score * 30 // 100,
                        "feasibility": score * 40 // 100,
                        "regional_impact": score * 30 // 100,
                    },
                )
                continue
            _, trigger, who = step
            data = AGREEMENT if trigger == "sign_agreement" else None
            result = workflow.fire(app_id, trigger, getattr(people, who), data=data, reason=reason)
            after, _, _ = read(workflow, app_id)
            assert after["state"] in program.spec.states
            if result.ok:
                assert after["state"] == result.state
            else:
                assert result.reason("ko") and result.reason("en")
                assert (after["history_seq"], after["state"]) == (before["history_seq"], before["state"])
        row, events, fault = read(workflow, app_id)
        assert fault is None
        assert events[0]["from_state"] is None and events[0]["to_state"] == program.initial
        for previous, event in zip(events, events[1:], strict=False):
            assert event["from_state"] == previous["to_state"]
            if event["detail"] is not None:  # a state-keeping event: a review assigned, declared, submitted
                assert event["to_state"] == event["from_state"] and event["trigger"] not in program.triggers
                continue
            assert event["trigger"] in program.triggers
            allowed = {t.spec.to for t in program.candidates(event["trigger"], event["from_state"])}
            assert event["to_state"] in allowed, "every recorded move is one the definition allows"
        assert events[-1]["to_state"] == row["state"] and row["history_seq"] == len(events)

    run()
