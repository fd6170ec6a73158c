"""The history is a hash chain: any altered, removed or reordered event is found, and the database
itself refuses to update or delete events."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from tests.engine.programs import GRANT
from tests.factories import submitted_startup
from workflow.audit.verify import verify_all, verify_chain
from workflow.models import HistoryEvent


def drop_append_only_guard(connection):
    """What an attacker with raw database access would do first."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE history_events DISABLE TRIGGER history_events_no_change"))
    else:
        connection.execute(text("DROP TRIGGER history_events_no_update"))
        connection.execute(text("DROP TRIGGER history_events_no_delete"))


def test_untouched_chains_verify(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    workflow.fire(app_id, "request_changes", people.officer, reason="보완")
    with workflow.db.connect() as connection:
        assert verify_chain(connection, app_id) is None
        assert verify_all(connection) == []


def test_the_database_refuses_to_change_history(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    with pytest.raises(DBAPIError, match="append-only"), workflow.db.begin() as connection:
        connection.execute(
            update(HistoryEvent).where(HistoryEvent.application_id == app_id).values(reason="x")
        )
    with pytest.raises(DBAPIError, match="append-only"), workflow.db.begin() as connection:
        connection.execute(HistoryEvent.__table__.delete().where(HistoryEvent.application_id == app_id))


@pytest.mark.parametrize(
    "tamper, expected",
    [
        ({"reason": "조작된 사유"}, "content altered"),
        ({"actor_name": "someone else"}, "content altered"),
        ({"diff": {"requested_amount": [1, 2]}}, "content altered"),
        ({"to_state": "selected"}, "content altered"),
    ],
)
def test_altered_event_is_named(workflow, people, store, tamper, expected):
    app_id = submitted_startup(workflow, people, store, GRANT)
    with workflow.db.begin() as connection:
        drop_append_only_guard(connection)
        connection.execute(
            update(HistoryEvent)
            .where(HistoryEvent.application_id == app_id, HistoryEvent.seq == 2)
            .values(**tamper)
        )
    with workflow.db.connect() as connection:
        fault = verify_chain(connection, app_id)
    assert fault is not None and fault.seq == 2 and expected in fault.problem


def test_removed_event_is_named(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    workflow.fire(app_id, "request_changes", people.officer, reason="보완")
    with workflow.db.begin() as connection:
        drop_append_only_guard(connection)
        connection.execute(HistoryEvent.__table__.delete().where(HistoryEvent.seq == 2))
    with workflow.db.connect() as connection:
        fault = verify_chain(connection, app_id)
    assert (fault.seq, fault.problem) == (2, "event missing")


def test_removed_last_event_is_named(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    with workflow.db.begin() as connection:
        drop_append_only_guard(connection)
        connection.execute(HistoryEvent.__table__.delete().where(HistoryEvent.seq == 2))
    with workflow.db.connect() as connection:
        fault = verify_chain(connection, app_id)
    assert fault is not None and "latest event missing" in fault.problem


def test_event_records_definition_actor_roles_and_diff(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    workflow.fire(app_id, "request_changes", people.officer, reason="사업계획서 보완")
    workflow.save_draft(app_id, people.applicant, {"employees": 15})
    workflow.fire(
        app_id,
        "submit",
        people.applicant,
        data={"summary": "수정된 사업 개요입니다. 임상 계획을 보완했습니다."},
    )
    with workflow.db.connect() as connection:
        events = (
            connection.execute(
                select(HistoryEvent).where(HistoryEvent.application_id == app_id).order_by(HistoryEvent.seq)
            )
            .mappings()
            .all()
        )
    program = workflow.registry.latest(GRANT)
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert all(e["definition_sha"] == program.sha256 and e["program_version"] == "test.1" for e in events)
    assert events[2]["actor_roles"] == ["officer"] and events[2]["reason"] == "사업계획서 보완"
    assert (events[3]["trigger"], set(events[3]["diff"])) == ("save_draft", {"employees"}), (
        "a draft is an event"
    )
    assert set(events[4]["diff"]) == {"summary"}
    assert [e["row_version"] for e in events] == [2, 3, 4, 5, 6]
    assert [e["prev_hash"] for e in events[1:]] == [e["hash"] for e in events[:-1]]
