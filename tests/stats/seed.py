"""A small but complete dataset made through the engine: several companies, every funnel outcome, money,
reports and follow-ups over two years, a missed deadline and an overdue review."""

from __future__ import annotations

from tests.factories import submitted_startup
from tests.performance.helpers import closed_startup, fire, follow_up, reviewed
from workflow.engine.timers import tick
from workflow.services import reviews

COMPANIES = {
    "a": {
        "business_no": "111-11-11111",
        "employees": 5,
        "region": "chuncheon",
        "sector": "digital_therapeutics",
    },
    "b": {"business_no": "222-22-22222", "employees": 60, "region": "wonju", "sector": "telemedicine"},
    "c": {"business_no": "333-33-33333", "employees": 15, "region": "wonju", "sector": "telemedicine"},
    "d": {"business_no": "444-44-44444", "employees": 350, "sector": "other"},
}


def seed(workflow, people, store, clock) -> dict:
    """Returns the ids by role in the story; the clock ends in 2027."""
    ids = {}
    ids["closed_a"] = closed_startup(workflow, people, store, COMPANIES["a"], jobs=4, revenue=300_000_000)
    clock.advance(days=2, hours=5)
    ids["closed_b"] = closed_startup(workflow, people, store, COMPANIES["b"], jobs=7, revenue=900_000_000)
    ids["rejected"] = reviewed(workflow, people, store, COMPANIES["c"], scores=(10, 10, 10))
    fire(workflow, ids["rejected"], "reject", people.officer, reason="점수 미달")
    ids["withdrawn"] = submitted_startup(workflow, people, store, **COMPANIES["d"])
    clock.advance(hours=7)
    fire(workflow, ids["withdrawn"], "withdraw", people.applicant)
    ids["lapsed"] = submitted_startup(workflow, people, store, **COMPANIES["c"])
    fire(workflow, ids["lapsed"], "request_changes", people.officer, reason="서류 보완")
    ids["waiting"] = submitted_startup(
        workflow, people, store, **COMPANIES["d"]
    )  # screening, will go overdue
    ids["pitch"] = submitted_startup(workflow, people, store, **COMPANIES["a"])
    fire(workflow, ids["pitch"], "pass_screening", people.officer)
    assert reviews.assign(workflow, ids["pitch"], people.reviewer1.id, people.officer).ok
    created = workflow.create("startup-support", people.applicant, {})
    ids["draft"] = created.application_id
    exception = workflow.create(
        "regulation-exception",
        people.applicant,
        {
            "company_name": "헬스온",
            "business_no": COMPANIES["b"]["business_no"],
            "contact_email": "b@example.kr",
            "service": "원격 모니터링 서비스를 실증하고자 합니다.",
            "regulation": "의료법 원격의료 금지 조항",
            "track": "rapid_confirmation",
            "requested_years": 2,
        },
    )
    ids["exception"] = exception.application_id
    fire(workflow, ids["exception"], "submit", people.applicant)
    clock.advance(days=20)
    tick(workflow)  # the lapse fires, the screening deadline is missed
    # a year later: the first follow-up reports (2027)
    clock.advance(days=366)
    tick(workflow)
    report = follow_up(jobs=2, revenue=500_000_000, patents=1)
    fire(workflow, ids["closed_a"], "submit_follow_up", people.applicant, report)
    report = follow_up(jobs=3, revenue=700_000_000, investment=50_000_000)
    fire(workflow, ids["closed_b"], "submit_follow_up", people.applicant, report)
    late = workflow.create(
        "regulation-exception", people.applicant, {"business_no": COMPANIES["c"]["business_no"]}
    )
    ids["late_2027"] = late.application_id
    return ids
