"""`available_actions` says exactly what `fire` would do: every enabled option fires, every disabled one
is refused by `fire` with the same reason (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.factories import reviewed_startup, submitted_startup
from workflow.engine.actions import available_actions


def _options(workflow, app_id, actor):
    with workflow.db.connect() as connection:
        return {o.trigger: o for o in available_actions(workflow, connection, app_id, actor)}


def test_officer_options_in_screening(workflow, people, store):
    app_id = submitted_startup(workflow, people, store)
    options = _options(workflow, app_id, people.officer)
    assert set(options) == {"pass_screening", "request_changes", "reject"}
    assert all(o.enabled for o in options.values())
    assert options["reject"].reason_required and not options["pass_screening"].reason_required
    assert _options(workflow, app_id, people.other_officer) == {}
    assert set(_options(workflow, app_id, people.applicant)) == {"withdraw"}
    assert _options(workflow, app_id, people.auditor) == {}


@pytest.mark.parametrize("score", [(10, 20, 10), (25, 35, 25)])
def test_disabled_options_match_fires_refusal(workflow, people, store, score):
    app_id = reviewed_startup(workflow, people, store, score=score)
    options = _options(workflow, app_id, people.officer)
    select = options["select"]
    result = workflow.fire(app_id, "select", people.officer)
    assert select.enabled == result.ok
    if not select.enabled:
        assert select.reason.text("en") == result.refusal.text("en")
        assert "70" in select.reason.text("ko")


def test_incomplete_form_disables_submit_with_the_missing_fields(workflow, people):
    app_id = workflow.create("startup-support", people.applicant, {"company_name": "헬스온"}).application_id
    submit = _options(workflow, app_id, people.applicant)["submit"]
    assert not submit.enabled
    refused = workflow.fire(app_id, "submit", people.applicant)
    assert not refused.ok and submit.reason.text("ko") == refused.refusal.text("ko")
