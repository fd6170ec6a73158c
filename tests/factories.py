"""Valid form data for the shipped programs, and short paths to drive an application somewhere."""

from __future__ import annotations

from workflow.services import reviews

PDF = b"%PDF-1.4\n%test\ntrailer<<>>\n%%EOF\n"


def pdf_ref(store, name="plan.pdf") -> dict:
    return store.save(PDF, name, accept=("pdf",))


def startup_data(store, **overrides) -> dict:
    data = {
        "company_name": "헬스온 주식회사",
        "business_no": "123-45-67890",
        "representative": "한대표",
        "contact_email": "ceo@healthon.kr",
        "contact_phone": "010-1234-5678",
        "founded_on": "2023-04-01",
        "employees": 12,
        "sector": "digital_therapeutics",
        "support_needs": ["prototype"],
        "gangwon_based": True,
        "summary": "불면증 인지행동치료 디지털 치료제의 임상 및 사업화",
        "requested_amount": 45_000_000,
        "own_cash": 10_000_000,
        "in_kind": 5_000_000,
        "business_plan": pdf_ref(store),
    }
    data.update(overrides)
    return data


def incentive_data(store, **overrides) -> dict:
    """An investment-incentive application: the investment completed before the test clock's day."""
    data = {
        "company_name": "메디웨어 주식회사",
        "business_no": "214-86-55010",
        "representative": "오투자",
        "contact_email": "invest@mediware.kr",
        "contact_phone": "033-742-1100",
        "employees": 48,
        "investment_type": "relocation",
        "region": "wonju",
        "site_address": "강원특별자치도 원주시 문막읍 동화공단로 100",
        "investment_completed_on": "2026-03-31",
        "land_investment": 2_400_000_000,
        "facility_investment": 5_600_000_000,
        "new_jobs": 32,
        "requested_amount": 1_600_000_000,
        "investment_evidence": pdf_ref(store, "evidence.pdf"),
        "employment_evidence": pdf_ref(store, "roster.pdf"),
    }
    data.update(overrides)
    return data


AGREEMENT = {
    "bank_name": "농협은행",
    "bank_account": "301-1234-5678",
    "signatory": "한대표",
    "accept_terms": True,
}


def submitted_startup(workflow, people, store, program="startup-support", **overrides) -> int:
    """A submitted application of the shipped support program (or of a fixture copy of it, `program`)."""
    created = workflow.create(program, people.applicant, startup_data(store, **overrides))
    assert created.ok, created.reason("en")
    result = workflow.fire(created.application_id, "submit", people.applicant)
    assert result.ok, result.reason("en")
    return created.application_id


def reviewed_startup(workflow, people, store, score=(25, 35, 25), count=3, program="startup-support") -> int:
    """A startup application in `selection`: screened, and `count` reviewers scored it."""
    app_id = submitted_startup(workflow, people, store, program)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    for reviewer in people.reviewers[:count]:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
        reviews.accept_pledge(workflow, reviewer)
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        submitted = reviews.submit(
            workflow,
            app_id,
            reviewer,
            dict(zip(("innovation", "feasibility", "regional_impact"), score, strict=True)),
        )
        assert submitted.ok, submitted.reason("en")
    return app_id


def stored_letter(connection, application_id: int, user_id: int, document_no: str = "TEST-1") -> int:
    """A letter row for the application's first notice, as delivery would store it (tests of who may read it)."""
    from sqlalchemy import insert, select

    from workflow.models import Letter, OutboxMessage

    outbox_id = connection.execute(
        select(OutboxMessage.id)
        .where(OutboxMessage.application_id == application_id)
        .order_by(OutboxMessage.id)
    ).scalar()
    values = {"outbox_id": outbox_id, "user_id": user_id, "application_id": application_id}
    values |= {"document_no": document_no, "lang": "ko", "subject": "접수 안내", "filename": "letter.pdf"}
    values |= {"sha256": "0" * 64, "size": 8, "content": b"%PDF-1.4"}
    return connection.execute(insert(Letter).values(**values).returning(Letter.id)).scalar_one()
