"""A transition may open an application of another program, linked both ways, in the same transaction."""

from __future__ import annotations

from sqlalchemy import or_, select

from tests.engine.programs import PERMIT
from tests.engine.programs import REPORT as REPORT_PROGRAM
from workflow.models import Application, ApplicationLink, HistoryEvent

REPORT = {
    "company_name": "MedBridge Korea",
    "business_no": "220-81-12345",
    "contact_email": "sam@medbridge.example",
    "service": "Remote monitoring of heart-failure patients with a wearable ECG patch.",
    "regulation": "Medical Service Act art. 34",
}


def test_escalating_a_difficulty_opens_a_linked_exception_request(workflow, people):
    report = workflow.create(REPORT_PROGRAM, people.applicant, REPORT).application_id
    assert workflow.fire(report, "submit", people.applicant).ok
    result = workflow.fire(report, "escalate", people.officer, reason="신속확인 대상")
    assert result.ok and result.state == "escalated"
    with workflow.db.connect() as connection:
        link = connection.execute(select(ApplicationLink)).mappings().one()
        opened = (
            connection.execute(select(Application).where(Application.id == link["target_id"]))
            .mappings()
            .one()
        )
        first = (
            connection.execute(select(HistoryEvent).where(HistoryEvent.application_id == opened["id"]))
            .mappings()
            .one()
        )
        both_ways = connection.execute(
            select(ApplicationLink).where(
                or_(ApplicationLink.source_id == opened["id"], ApplicationLink.target_id == opened["id"])
            )
        ).all()
    assert link["source_id"] == report and len(both_ways) == 1
    assert (opened["program_key"], opened["state"], opened["applicant_id"]) == (
        PERMIT,
        "draft",
        people.applicant.id,
    )
    assert {k: opened["data"][k] for k in REPORT} == REPORT, "the report's fields are carried over"
    assert first["trigger"] == "create" and first["reason"] == f"#{report} {REPORT_PROGRAM}"
    assert first["actor_name"] == people.officer.name
    # the applicant continues in the new request as its owner
    assert workflow.save_draft(opened["id"], people.applicant, {"track": "rapid_confirmation"}).ok


def test_nothing_is_opened_when_the_escalation_is_refused(workflow, people):
    report = workflow.create(REPORT_PROGRAM, people.applicant, REPORT).application_id
    assert workflow.fire(report, "submit", people.applicant).ok
    refused = workflow.fire(report, "escalate", people.officer, reason="")
    assert refused.refusal.code == "reason_required"
    with workflow.db.connect() as connection:
        assert connection.execute(select(Application.id)).scalars().all() == [report]
