"""Sign-off by several people (tests/fixtures/capabilities/sign-off.yaml): two different committee members,
then finance and the director in that order; each approval an event in the chain, nobody counted twice."""

from __future__ import annotations

import threading

from sqlalchemy import select

from tests.engine.capabilities import capability_workflow, staff
from workflow.audit.verify import verify_chain
from workflow.engine.actions import available_actions
from workflow.models import HistoryEvent


def _submitted(db_engine, clock, people, tmp_path, amount=10_000_000):
    workflow = capability_workflow(db_engine, clock, tmp_path, "sign-off")
    app_id = workflow.create(
        "sign-off", people.applicant, {"title": "양자 센서", "amount": amount}
    ).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    return workflow, app_id


def _state(workflow, app_id) -> str:
    with workflow.db.connect() as connection:
        return workflow.load(connection, app_id)[0].state


def _events(db_engine, app_id) -> list[tuple]:
    with db_engine.connect() as connection:
        rows = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.actor_name, HistoryEvent.to_state, HistoryEvent.detail)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq)
        ).all()
    return [tuple(r) for r in rows]


def test_two_different_committee_members_must_approve(db_engine, clock, people, tmp_path):
    workflow, app_id = _submitted(db_engine, clock, people, tmp_path)
    first, second = (staff(db_engine, "committee", "sign-off", f"committee{i}") for i in (1, 2))

    with db_engine.connect() as connection:
        [option] = [
            a for a in available_actions(workflow, connection, app_id, first) if a.trigger == "select"
        ]
    assert option.enabled and option.label == {
        "ko": "선정 승인 (0/2명 승인)",
        "en": "Approve selection (0 of 2 so far)",
    }

    one = workflow.fire(app_id, "select", first, reason="우수")
    assert one.ok and one.approved and one.state == "committee_review"
    again = workflow.fire(app_id, "select", first)  # a double click, a second tab
    assert not again.ok and again.refusal.code == "already_approved"
    assert "committee1" in again.reason("ko") and "한 번만" in again.reason("ko")
    assert "counted once" in again.reason("en")
    with db_engine.connect() as connection:
        [mine] = [a for a in available_actions(workflow, connection, app_id, first) if a.trigger == "select"]
        [theirs] = [
            a for a in available_actions(workflow, connection, app_id, second) if a.trigger == "select"
        ]
    assert not mine.enabled and mine.reason.code == "already_approved"
    assert theirs.enabled and theirs.label["en"] == "Approve selection (1 of 2 so far)"
    assert theirs.label["ko"] == "선정 승인 (1/2명 승인)"

    last = workflow.fire(app_id, "select", second)
    assert last.ok and last.state == "payment_review"
    sign_offs = [e for e in _events(db_engine, app_id) if e[0] == "sign_off"]
    assert [(e[1], e[3]["number"], e[3]["of"]) for e in sign_offs] == [
        ("committee1", 1, 2),
        ("committee2", 2, 2),
    ]
    with db_engine.connect() as connection:
        assert verify_chain(connection, app_id) is None


def test_finance_then_the_director_in_that_order(db_engine, clock, people, tmp_path):
    workflow, app_id = _submitted(db_engine, clock, people, tmp_path)
    for number in (1, 2):
        assert workflow.fire(app_id, "select", staff(db_engine, "committee", "sign-off", f"c{number}")).ok
    finance = staff(db_engine, "finance", "sign-off", "sign-finance")
    director = staff(db_engine, "director", "sign-off", "sign-director")

    early = workflow.fire(app_id, "release", director)
    assert early.refusal.code == "approval_turn"
    assert "재무" in early.reason("ko") or "finance" in early.reason("ko").lower()
    assert "now needs the approval of" in early.reason("en")
    assert workflow.fire(app_id, "release", finance).state == "payment_review"
    done = workflow.fire(app_id, "release", director)
    # the last approval moves it, and the step waiting for `approvals_complete` follows in the same change
    assert done.ok and done.state == "closed" and done.automatic == ["archive"]


def test_a_person_holding_two_steps_roles_is_counted_once(db_engine, clock, people, tmp_path):
    workflow, app_id = _submitted(db_engine, clock, people, tmp_path)
    for number in (1, 2):
        assert workflow.fire(app_id, "select", staff(db_engine, "committee", "sign-off", f"d{number}")).ok
    both = staff(db_engine, ["finance", "director"], "sign-off", "finance-and-director")
    assert workflow.fire(app_id, "release", both).ok
    twice = workflow.fire(app_id, "release", both)
    assert twice.refusal.code == "already_approved" and _state(workflow, app_id) == "payment_review"


def test_the_guard_holds_for_every_approval(db_engine, clock, people, tmp_path):
    workflow, app_id = _submitted(db_engine, clock, people, tmp_path, amount=40_000_000)
    refused = workflow.fire(app_id, "select", staff(db_engine, "committee", "sign-off", "g1"))
    assert refused.refusal.code == "guard_failed"
    assert [e for e in _events(db_engine, app_id) if e[0] == "sign_off"] == []


def test_the_same_person_approving_from_many_tabs_at_once_counts_once(db_engine, clock, people, tmp_path):
    workflow, app_id = _submitted(db_engine, clock, people, tmp_path)
    member = staff(db_engine, "committee", "sign-off", "tabs")
    barrier = threading.Barrier(8)
    results = []

    def press():
        barrier.wait()
        results.append(workflow.fire(app_id, "select", member))

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for r in results if r.ok) == 1
    assert {r.refusal.code for r in results if not r.ok} <= {"already_approved", "stale", "busy"}
    assert len([e for e in _events(db_engine, app_id) if e[0] == "sign_off"]) == 1
    assert _state(workflow, app_id) == "committee_review"
