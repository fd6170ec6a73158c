"""Tampering as an attacker with database access would (protection triggers dropped first): each change is
found by `audit verify` and pinpointed to its application and event, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from tests.audit.helpers import drop_protection, events_of, reviewed
from tests.factories import submitted_startup
from workflow.audit.verify import verify, verify_all
from workflow.engine.history import event_hash
from workflow.models import Application, HistoryEvent, ReviewAssignment, StaffEvent, UserRole

E = HistoryEvent.__table__


def tamper(workflow, change) -> None:
    with workflow.db.begin() as connection:
        drop_protection(connection)
        change(connection)


def only_fault(workflow):
    with workflow.db.connect() as connection:
        faults = verify_all(connection)
    assert len(faults) == 1, [str(f) for f in faults]
    return faults[0]


def test_untouched_database_verifies_with_reviews_and_grants(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    workflow.save_draft(submitted_startup(workflow, people, store), people.applicant, {})
    with workflow.db.connect() as connection:
        report = verify(connection)
        kinds = [e["detail"]["kind"] for e in events_of(connection, app_id) if e["detail"]]
        grants = connection.execute(select(StaffEvent.action)).scalars().all()
    assert report.ok, [str(f) for f in report.faults]
    assert report.chains == 2 and report.events > 10
    assert (
        kinds.count("review_assigned")
        == kinds.count("review_declared")
        == kinds.count("review_submitted")
        == 3
    )
    assert grants and set(grants) == {"grant"}, "the fixture's roles are in the staff chain"


def test_altered_payload(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    tamper(
        workflow,
        lambda c: c.execute(
            update(E)
            .where(E.c.application_id == app_id, E.c.seq == 2)
            .values(diff={"requested_amount": [0, 1]})
        ),
    )
    fault = only_fault(workflow)
    assert (fault.application_id, fault.seq, fault.code) == (app_id, 2, "altered")


def test_altered_review_detail(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    with workflow.db.connect() as connection:
        seq = next(e["seq"] for e in events_of(connection, app_id) if e["trigger"] == "submit_review")
    tamper(
        workflow,
        lambda c: c.execute(
            update(E).where(E.c.application_id == app_id, E.c.seq == seq).values(detail={"kind": "x"})
        ),
    )
    fault = only_fault(workflow)
    assert (fault.application_id, fault.seq, fault.code) == (app_id, seq, "altered")


def test_altered_actor(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    tamper(
        workflow,
        lambda c: c.execute(
            update(E).where(E.c.application_id == app_id, E.c.seq == 3).values(actor_name="someone else")
        ),
    )
    fault = only_fault(workflow)
    assert (fault.application_id, fault.seq, fault.code) == (app_id, 3, "altered")
    assert fault.line("ko") == f"신청서 {app_id}, 기록 3: 내용 변조(해시 불일치)"


def test_deleted_middle_event(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    tamper(workflow, lambda c: c.execute(delete(E).where(E.c.application_id == app_id, E.c.seq == 4)))
    fault = only_fault(workflow)
    assert (fault.application_id, fault.seq, fault.code) == (app_id, 4, "event_missing")


def test_deleted_last_event(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    with workflow.db.connect() as connection:
        last = events_of(connection, app_id)[-1]["seq"]
    tamper(workflow, lambda c: c.execute(delete(E).where(E.c.application_id == app_id, E.c.seq == last)))
    fault = only_fault(workflow)
    assert (fault.application_id, fault.seq, fault.code) == (app_id, last, "head_missing")
    assert "latest event missing" in fault.problem


def test_swapped_order(workflow, people, store):
    app_id = reviewed(workflow, people, store)

    def swap(connection):
        for old, new in ((2, -2), (3, 2), (-2, 3)):
            connection.execute(update(E).where(E.c.application_id == app_id, E.c.seq == old).values(seq=new))

    tamper(workflow, swap)
    fault = only_fault(workflow)
    assert (fault.application_id, fault.seq, fault.code) == (app_id, 2, "link_broken")


def test_inserted_forged_event(workflow, people, store):
    """A well-formed event (correct hash, linked to the head) that the engine never wrote."""
    app_id = reviewed(workflow, people, store)

    def forge(connection):
        last = events_of(connection, app_id)[-1]
        forged = {k: v for k, v in last.items() if k not in ("id", "hash")}
        forged.update(seq=last["seq"] + 1, prev_hash=last["hash"], trigger="select", to_state="selected")
        forged["row_version"] = last["row_version"] + 1
        forged["hash"] = event_hash(forged)
        connection.execute(insert(E).values(**forged))

    tamper(workflow, forge)
    fault = only_fault(workflow)
    with workflow.db.connect() as connection:
        last_seq = events_of(connection, app_id)[-1]["seq"]
    assert (fault.application_id, fault.seq, fault.code) == (app_id, last_seq, "not_on_row")


def test_application_data_changed_without_an_event(workflow, people, store):
    """The issue's own case: the requested amount changed directly in the database."""
    app_id = reviewed(workflow, people, store)
    other = submitted_startup(workflow, people, store)

    def raise_amount(connection):
        data = connection.execute(select(Application.data).where(Application.id == app_id)).scalar()
        data["requested_amount"] = 99_000_000
        connection.execute(update(Application).where(Application.id == app_id).values(data=data))

    tamper(workflow, raise_amount)
    fault = only_fault(workflow)
    assert (fault.application_id, fault.code, fault.params) == (app_id, "row_changed", {"what": ["data"]})
    assert fault.application_id != other
    assert "application row changed outside the engine (data)" in str(fault)


def test_application_state_and_version_changed_without_an_event(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    tamper(
        workflow,
        lambda c: c.execute(
            update(Application)
            .where(Application.id == app_id)
            .values(state="selected", row_version=Application.row_version + 1)
        ),
    )
    fault = only_fault(workflow)
    assert (fault.code, fault.params) == ("row_changed", {"what": ["state", "row_version"]})


def test_review_score_changed_without_an_event(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    tamper(
        workflow,
        lambda c: c.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == app_id, ReviewAssignment.reviewer_id == people.reviewer2.id
            )
            .values(total=100)
        ),
    )
    fault = only_fault(workflow)
    assert (fault.application_id, fault.code, fault.params) == (
        app_id,
        "review_changed",
        {"reviewer": people.reviewer2.id},
    )


def test_role_granted_in_the_database(workflow, people, store):
    submitted_startup(workflow, people, store)
    tamper(
        workflow,
        lambda c: c.execute(
            insert(UserRole).values(user_id=people.other.id, role="officer", program_key=None)
        ),
    )
    fault = only_fault(workflow)
    assert (fault.chain, fault.code, fault.params) == ("staff", "roles_changed", {"user": people.other.id})


def test_staff_event_altered(workflow, people, store):
    tamper(
        workflow,
        lambda c: c.execute(update(StaffEvent).where(StaffEvent.seq == 2).values(role="admin")),
    )
    fault = only_fault(workflow)
    assert (fault.chain, fault.seq, fault.code) == ("staff", 2, "altered")
