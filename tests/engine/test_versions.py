"""Published versions are frozen; new applications take the new version; migration is explicit."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from tests.conftest import make_workflow
from tests.engine.programs import ENGINE_PROGRAMS, GRANT
from tests.factories import startup_data, submitted_startup
from workflow.audit.verify import verify_all
from workflow.engine.actors import Actor
from workflow.engine.versions import migrate
from workflow.models import Application, HistoryEvent

ADMIN = Actor(id=None, name="cli:test", roles=frozenset({"admin"}))


@pytest.fixture
def rules_dir(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(ENGINE_PROGRAMS, target)
    return target


def rewrite(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_changing_a_published_version_in_use_is_refused(db_engine, clock, people, store, rules_dir):
    workflow = make_workflow(db_engine, clock, rules_dir)
    app_id = submitted_startup(workflow, people, store, GRANT)
    rewrite(rules_dir / f"{GRANT}.yaml", "days: 14", "days: 7")
    reloaded = make_workflow(db_engine, clock, rules_dir)
    problems = reloaded.registry.publish_all(db_engine)
    assert len(problems) == 1 and "is published and 1 application(s) use it" in problems[0].message
    assert GRANT not in reloaded.registry.current, "the changed file is refused whole"
    assert reloaded.create(GRANT, people.applicant).refusal.code == "unknown_program"
    assert reloaded.fire(app_id, "pass_screening", people.officer).ok, (
        "existing applications keep their version"
    )


def test_editing_an_unused_version_is_allowed(db_engine, clock, people, rules_dir):
    workflow = make_workflow(db_engine, clock, rules_dir)
    assert workflow.registry.publish_all(db_engine) == []
    rewrite(rules_dir / f"{GRANT}.yaml", "days: 14", "days: 7")
    again = make_workflow(db_engine, clock, rules_dir)
    assert again.registry.publish_all(db_engine) == []


def test_new_version_for_new_applications_old_ones_stay(db_engine, clock, people, store, rules_dir):
    workflow = make_workflow(db_engine, clock, rules_dir)
    old_app = submitted_startup(workflow, people, store, GRANT)
    rewrite(rules_dir / f"{GRANT}.yaml", 'version: "test.1"', 'version: "2026.2"')
    rewrite(rules_dir / f"{GRANT}.yaml", "days: 14", "days: 7")
    newer = make_workflow(db_engine, clock, rules_dir)
    assert newer.registry.publish_all(db_engine) == []
    new_app = newer.create(GRANT, people.applicant, startup_data(store)).application_id
    with db_engine.connect() as connection:
        versions = dict(connection.execute(select(Application.id, Application.program_version)).all())
    assert versions == {old_app: "test.1", new_app: "2026.2"}
    assert newer.fire(old_app, "pass_screening", people.officer).ok, "test.1 is compiled from its snapshot"


def test_migrate_checks_the_mapping_and_records_each_move(db_engine, clock, people, store, rules_dir):
    workflow = make_workflow(db_engine, clock, rules_dir)
    screening_app = submitted_startup(workflow, people, store, GRANT)
    draft_app = workflow.create(GRANT, people.applicant, {}).application_id
    rewrite(rules_dir / f"{GRANT}.yaml", 'version: "test.1"', 'version: "2026.2"')
    rewrite(rules_dir / f"{GRANT}.yaml", "  screening:\n", "  document_screening:\n")
    text = (rules_dir / f"{GRANT}.yaml").read_text(encoding="utf-8")
    text = text.replace("to: screening", "to: document_screening").replace(
        "from: screening", "from: document_screening"
    )
    text = text.replace("[screening, selection]", "[document_screening, selection]")
    text = text.replace(
        "[draft, changes_requested, screening]", "[draft, changes_requested, document_screening]"
    )
    text = text.replace("in: screening", "in: document_screening")
    (rules_dir / f"{GRANT}.yaml").write_text(text, encoding="utf-8")
    newer = make_workflow(db_engine, clock, rules_dir)

    refused, moved = migrate(newer, GRANT, "test.1", "2026.2", {}, ADMIN)
    assert (
        not refused.ok and "'screening' (in use) has no counterpart" in refused.reason("en") and moved == []
    )
    refused, _ = migrate(newer, GRANT, "test.1", "2026.2", {"screening": "nowhere"}, ADMIN)
    assert "'nowhere' is not a state of 2026.2" in refused.reason("en")
    missing, _ = migrate(newer, GRANT, "test.1", "2099.9", {}, ADMIN)
    assert missing.refusal.code == "unknown_program"

    result, moved = migrate(newer, GRANT, "test.1", "2026.2", {"screening": "document_screening"}, ADMIN)
    assert result.ok and sorted(moved) == sorted([screening_app, draft_app])
    with db_engine.connect() as connection:
        rows = dict(connection.execute(select(Application.id, Application.state)).all())
        events = (
            connection.execute(select(HistoryEvent).where(HistoryEvent.trigger == "migrate")).mappings().all()
        )
        assert verify_all(connection) == []
    assert rows == {screening_app: "document_screening", draft_app: "draft"}
    assert {e["program_version"] for e in events} == {"2026.2"} and len(events) == 2
    assert all(e["reason"] == f"{GRANT} test.1 -> 2026.2" for e in events)
    assert newer.fire(screening_app, "pass_screening", people.officer).ok
