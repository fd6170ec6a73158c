"""Who may read an application: owner, conflict-free assigned reviewer, program staff, auditors, admins."""

from __future__ import annotations

from tests.engine.programs import GRANT
from tests.factories import submitted_startup
from workflow.engine import records
from workflow.engine.access import can_see
from workflow.services import reviews


def sees(workflow, app_id, actor) -> bool:
    with workflow.db.connect() as connection:
        application = records.read_application(connection, app_id)
        return can_see(connection, workflow.program_of(connection, application), application, actor)


def test_read_rights(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    assert sees(workflow, app_id, people.applicant)
    assert not sees(workflow, app_id, people.other)
    assert sees(workflow, app_id, people.officer) and sees(workflow, app_id, people.finance)
    assert not sees(workflow, app_id, people.other_officer)
    assert sees(workflow, app_id, people.auditor) and sees(workflow, app_id, people.admin)
    assert not sees(workflow, app_id, people.reviewer1), "not assigned"


def test_reviewer_sees_nothing_before_declaring_no_conflict(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    workflow.fire(app_id, "pass_screening", people.officer)
    for reviewer in (people.reviewer1, people.reviewer2):
        reviews.assign(workflow, app_id, reviewer.id, people.officer)
    assert not sees(workflow, app_id, people.reviewer1)
    reviews.declare(workflow, app_id, people.reviewer1, "none")
    reviews.declare(workflow, app_id, people.reviewer2, "exclusion", "same organisation")
    assert sees(workflow, app_id, people.reviewer1)
    assert not sees(workflow, app_id, people.reviewer2)
