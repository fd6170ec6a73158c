"""`capacity:` — places held by states, a waiting list in order, promotion of the first one waiting when a
place is freed (as system, in the same transaction, with its notice), and the checks of the key."""

from __future__ import annotations

import shutil

import yaml
from sqlalchemy import select

from tests.conftest import FIXTURES, TEMPLATES_DIR, make_workflow
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.engine.actors import load_actor
from workflow.models import Application, HistoryEvent
from workflow.models import OutboxMessage as Outbox
from workflow.services.users import create_user

WORKSHOP = FIXTURES / "programs" / "workshop.yaml"


def _workflow(db_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(WORKSHOP, rules / WORKSHOP.name)
    return make_workflow(db_engine, clock, rules)


def _states(workflow, ids) -> list[str]:
    with workflow.db.connect() as connection:
        found = dict(connection.execute(select(Application.id, Application.state)).all())
    return [found[i] for i in ids]


def _register(workflow, person, name):
    created = workflow.create("workshop", person, {"attendee": name})
    assert created.ok
    result = workflow.fire(created.application_id, "register", person)
    return created.application_id, result


def test_places_then_waiting_list_then_promotion_in_order(db_engine, clock, tmp_path, people):
    workflow = _workflow(db_engine, clock, tmp_path)
    first, _ = _register(workflow, people.applicant, "A")
    second, _ = _register(workflow, people.other, "B")
    third, waiting = _register(workflow, people.applicant, "C")
    clock.advance(minutes=1)
    fourth, _ = _register(workflow, people.other, "D")
    assert waiting.ok and waiting.state == "waiting"
    assert _states(workflow, [first, second, third, fourth]) == [
        "registered",
        "registered",
        "waiting",
        "waiting",
    ]
    # the waiting list is in order: only the first one waiting is first
    assert workflow.fire(third, "ask_position", people.applicant).ok
    refused = workflow.fire(fourth, "ask_position", people.other)
    assert refused.refusal.code == "guard_failed"
    # a full waiting list refuses a fifth registration (the first guard's words are shown)
    _, fifth = _register(workflow, people.applicant, "E")
    assert not fifth.ok and fifth.refusal.code == "guard_failed"

    cancelled = workflow.fire(first, "cancel", people.applicant)
    assert cancelled.ok
    assert _states(workflow, [first, third, fourth]) == ["cancelled", "registered", "waiting"]
    with workflow.db.connect() as connection:
        promoted = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.actor_name).where(HistoryEvent.application_id == third)
        ).all()[-1]
        notice = (
            connection.execute(select(Outbox.notice).where(Outbox.application_id == third)).scalars().all()
        )
    assert promoted[0] == "promote" and notice == ["promoted"]
    # the next one is now first in line
    assert workflow.fire(fourth, "ask_position", people.other).ok


def test_a_move_between_holding_states_promotes_nobody(db_engine, clock, tmp_path, people):
    workflow = _workflow(db_engine, clock, tmp_path)
    first, _ = _register(workflow, people.applicant, "A")
    _register(workflow, people.other, "B")
    third, _ = _register(workflow, people.applicant, "C")
    with workflow.db.begin() as connection:
        officer_id = create_user(
            connection, "workshop-officer@test.kr", "담당", roles=[("officer", "workshop")]
        )
    with workflow.db.connect() as connection:
        officer = load_actor(connection, officer_id)
    assert workflow.fire(first, "check_in", officer).ok  # attended still holds the place
    assert _states(workflow, [third]) == ["waiting"]
    assert workflow.fire(third, "cancel", people.applicant).ok  # leaving the waiting list frees no place
    assert _states(workflow, [first, third]) == ["attended", "cancelled"]


def test_capacity_problems_are_named(tmp_path):
    raw = yaml.safe_load(WORKSHOP.read_text(encoding="utf-8"))
    raw["capacity"] = {
        "seats": 2,
        "holding": ["registered", "nowhere"],
        "waiting": "registered",
        "promote": "lift",
    }
    broken = tmp_path / "workshop.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    problems = " | ".join(p.message for p in load_file(broken, NoticeTemplates(TEMPLATES_DIR)).problems)
    assert "unknown state 'nowhere'" in problems
    assert "'registered' cannot both wait and hold a place" in problems
    assert "no transition 'lift' leaves the waiting state 'registered'" in problems
    assert "transition 'promote' can never fire" in problems  # no longer the promote of capacity
