"""Driving a startup application through the whole programme, reports and follow-ups included."""

from __future__ import annotations

from tests.factories import AGREEMENT, pdf_ref, submitted_startup
from workflow.engine.timers import tick
from workflow.services import reviews


def fire(workflow, app_id, trigger, actor, data=None, reason=None):
    result = workflow.fire(app_id, trigger, actor, data=data, reason=reason)
    assert result.ok, f"{trigger}: {result.reason('en')}"
    return result


def final_report(store, jobs=4, revenue=300_000_000) -> dict:
    return {
        "final_summary": "임상 완료 및 첫 판매 계약을 체결했습니다.",
        "jobs_created": jobs,
        "revenue": revenue,
        "final_file": pdf_ref(store, "final.pdf"),
    }


def follow_up(jobs=2, revenue=500_000_000, investment=0, exports=0, patents=1) -> dict:
    return {
        "followup_jobs": jobs,
        "followup_revenue": revenue,
        "followup_investment": investment,
        "followup_exports": exports,
        "followup_patents": patents,
    }


def reviewed(workflow, people, store, company=None, scores=(25, 35, 25)) -> int:
    """Submitted (with `company` overrides of the application form), screened, scored: in selection."""
    app_id = submitted_startup(workflow, people, store, **(company or {}))
    fire(workflow, app_id, "pass_screening", people.officer)
    for reviewer in people.reviewers[:3]:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        items = dict(zip(("innovation", "feasibility", "regional_impact"), scores, strict=True))
        assert reviews.submit(workflow, app_id, reviewer, items).ok
    return app_id


def closed_startup(workflow, people, store, company=None, **final) -> int:
    """Selected, paid, both reports in, closed: now in follow-up."""
    app_id = reviewed(workflow, people, store, company)
    fire(workflow, app_id, "select", people.officer)
    fire(workflow, app_id, "sign_agreement", people.applicant, AGREEMENT)
    fire(workflow, app_id, "pay_first_tranche", people.finance)
    interim = {
        "interim_summary": "시제품 개발과 임상 설계를 마쳤습니다.",
        "spent_to_date": 20_000_000,
        "interim_file": pdf_ref(store, "interim.pdf"),
    }
    fire(workflow, app_id, "submit_interim", people.applicant, interim)
    fire(workflow, app_id, "approve_interim", people.officer)
    fire(workflow, app_id, "pay_second_tranche", people.finance)
    fire(workflow, app_id, "submit_final", people.applicant, final_report(store, **final))
    fire(workflow, app_id, "close", people.officer)
    return app_id


def next_follow_up(workflow, clock, app_id, people, **values) -> None:
    """A year passes: the timer opens the follow-up report, and the company submits it."""
    clock.advance(days=366)
    tick(workflow)
    fire(workflow, app_id, "submit_follow_up", people.applicant, follow_up(**values))
