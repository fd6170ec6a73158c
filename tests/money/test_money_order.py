"""Money clarity: the order within a transition (move, releases, effects), what can never work refused at
load, and recovery as a share of what was paid or of the award (the letter: tests/notices/test_recovery_letter.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import FIXTURES, make_workflow, rules_folder
from workflow.definitions.loader import load_file
from workflow.engine.actors import load_actor
from workflow.models import Award, Tranche
from workflow.services.users import create_user

FIXTURE = FIXTURES / "capabilities" / "clawback-grant.yaml"
KEY = "clawback-grant"


def people_of(engine) -> dict:
    with engine.begin() as connection:
        ids = {
            "applicant": create_user(connection, "firm@test.kr", "firm", roles=[]),
            "officer": create_user(connection, "officer-cb@test.kr", "officer", roles=[("officer", KEY)]),
            "finance": create_user(connection, "finance-cb@test.kr", "finance", roles=[("finance", KEY)]),
        }
    with engine.connect() as connection:
        return {name: load_actor(connection, user_id) for name, user_id in ids.items()}


@pytest.fixture
def rules(tmp_path):
    return rules_folder(tmp_path, FIXTURE)


@pytest.fixture
def grants(db_engine, clock, rules):
    return make_workflow(db_engine, clock, rules)


def approved(workflow, who, requested: int = 20_000_000) -> int:
    data = {"company_name": "강원바이오", "requested_amount": requested}
    app_id = workflow.create(KEY, who["applicant"], data).application_id
    assert workflow.fire(app_id, "submit", who["applicant"]).ok
    result = workflow.fire(app_id, "approve", who["officer"])
    assert result.ok, result.reason("en")
    return app_id


def award_row(workflow, app_id) -> dict:
    with workflow.db.connect() as connection:
        return dict(connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one())


def tranche_statuses(workflow, app_id) -> list[str]:
    with workflow.db.connect() as connection:
        award_id = select(Award.id).where(Award.application_id == app_id).scalar_subquery()
        return list(
            connection.execute(
                select(Tranche.status).where(Tranche.award_id == award_id).order_by(Tranche.seq)
            ).scalars()
        )


def test_one_step_releases_the_held_tranche_and_pays_it(grants, db_engine):
    who = people_of(db_engine)
    app_id = approved(grants, who)
    assert tranche_statuses(grants, app_id) == ["paid", "scheduled"]
    assert grants.fire(app_id, "submit_interim", who["applicant"]).ok
    result = grants.fire(app_id, "approve_interim", who["officer"])
    assert result.ok, result.reason("en")
    assert tranche_statuses(grants, app_id) == ["paid", "paid"]
    assert award_row(grants, app_id)["paid"] == 20_000_000


def test_recovery_takes_a_share_of_what_was_paid_with_interest(grants, db_engine, clock):
    who = people_of(db_engine)
    app_id = approved(grants, who)  # 10,000,000 of 20,000,000 paid
    assert grants.fire(app_id, "terminate", who["officer"], reason="협약 위반").ok
    clock.advance(days=73)
    result = grants.fire(app_id, "recover_half_paid", who["finance"])
    assert result.ok, result.reason("en")
    award = award_row(grants, app_id)
    assert (award["recovered"], award["interest"]) == (5_000_000, 50_000)  # 5% a year for 73 days


def test_recovery_takes_a_share_of_the_award(grants, db_engine):
    who = people_of(db_engine)
    app_id = approved(grants, who, requested=30_000_000)  # 15,000,000 paid
    assert grants.fire(app_id, "terminate", who["officer"], reason="협약 위반").ok
    assert grants.fire(app_id, "recover_tenth_award", who["finance"]).ok
    assert award_row(grants, app_id)["recovered"] == 3_000_000


def test_a_share_of_the_award_above_what_was_paid_is_refused_with_the_numbers(grants, db_engine, tmp_path):
    text = FIXTURE.read_text(encoding="utf-8").replace("share: 0.1, of: award", "share: 0.8, of: award")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / FIXTURE.name).write_text(text, encoding="utf-8")
    workflow = make_workflow(grants.db, grants.clock, folder)
    who = people_of(db_engine)
    app_id = approved(workflow, who)
    assert workflow.fire(app_id, "terminate", who["officer"], reason="협약 위반").ok
    result = workflow.fire(app_id, "recover_tenth_award", who["finance"])
    assert not result.ok and result.refusal.code == "recovery_above_paid"
    assert "16,000,000" in result.reason("en") and "10,000,000" in result.reason("en")


# what can never work, refused at load ------------------------------------------------------------
def problems_with(tmp_path, old: str, new: str) -> list[str]:
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / FIXTURE.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return [str(p) for p in load_file(path, lambda *_: True).problems]


def test_the_fixture_is_valid(tmp_path):
    assert load_file(FIXTURE, lambda *_: True).problems == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "release_on: approve_interim}",
            "release_on: approve}",
            "clawback-grant.yaml:40:98: tranche 2 is released by 'approve', the step that makes the award: "
            "releases come before the effects, so it would never be released",
        ),
        (
            "release_on: approve_interim}",
            "release_on: submit}",
            "tranche 2 waits for 'submit', which can never happen after 'approve' makes the award",
        ),
        (
            "requires: [application], label: {ko: 제출, en: Submit}}",
            "requires: [application], label: {ko: 제출, en: Submit}, effects: [{pay_tranche: {}}]}",
            "'submit' can never pay anything: no award is made before it (awards are made by 'approve')",
        ),
        (
            "      - pay_tranche: {}\n",
            "",
            None,  # control: without the payment the file stays valid
        ),
    ],
)
def test_what_can_never_work_is_refused_at_load_with_its_line(tmp_path, old, new, expected):
    problems = problems_with(tmp_path, old, new)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems
