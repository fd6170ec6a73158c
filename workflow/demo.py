"""Demo data: a user for every role and applications in several states, all made through the engine."""

from __future__ import annotations

from pathlib import Path

from workflow.actors import load_actor
from workflow.services import reviews
from workflow.services.files import FileStore
from workflow.services.users import create_user, find_user_id

DEMO_PASSWORD = "demo-2026!"
PROGRAMS = ("startup-support", "regulation-exception", "regulatory-difficulty")
USERS = [
    ("admin@demo.kr", "관리자", "강원 디지털헬스케어 클러스터", "ko", [("admin", None)]),
    ("officer@demo.kr", "김담당", "강원 디지털헬스케어 클러스터", "ko", [("officer", p) for p in PROGRAMS]),
    ("finance@demo.kr", "박재무", "강원 디지털헬스케어 클러스터", "ko", [("finance", p) for p in PROGRAMS]),
    ("auditor@demo.kr", "최감사", "감사실", "ko", [("auditor", None)]),
    ("reviewer1@demo.kr", "이평가", "한림대학교", "ko", [("reviewer", None)]),
    ("reviewer2@demo.kr", "정평가", "강원대학교", "ko", [("reviewer", None)]),
    ("reviewer3@demo.kr", "Dr. Emma Lee", "Seoul Health Lab", "en", [("reviewer", None)]),
    ("applicant@demo.kr", "한신청", "헬스온 주식회사", "ko", []),
    ("partner@demo.kr", "Sam Partner", "MedBridge Ltd.", "en", []),
]
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def startup_form(store: FileStore, company: str, business_no: str) -> dict:
    return {
        "company_name": company,
        "business_no": business_no,
        "representative": "한대표",
        "contact_email": "contact@example.kr",
        "contact_phone": "010-1234-5678",
        "founded_on": "2023-04-01",
        "employees": 12,
        "sector": "digital_therapeutics",
        "support_needs": ["prototype", "certification"],
        "gangwon_based": True,
        "summary": "불면증 인지행동치료 디지털 치료제의 임상 및 사업화",
        "requested_amount": 45_000_000,
        "own_cash": 10_000_000,
        "in_kind": 5_000_000,
        "business_plan": store.save(MINIMAL_PDF, "business-plan.pdf", accept=("pdf",)),
    }


def load_demo(workflow, upload_root: str | Path) -> list[str]:
    store = FileStore(upload_root)
    with workflow.db.begin() as connection:
        if find_user_id(connection, USERS[0][0]) is not None:
            return [*login_lines(), "demo data already loaded"]
        ids = {
            email: create_user(
                connection, email, name, DEMO_PASSWORD, organisation=org, language=lang, roles=roles
            )
            for email, name, org, lang, roles in USERS
        }
    with workflow.db.connect() as connection:
        actor = {email: load_actor(connection, user_id) for email, user_id in ids.items()}
    lines = list(login_lines())
    lines += _startup_demo(workflow, store, actor)
    lines += _sandbox_demo(workflow, store, actor)
    return lines


def _step(workflow, lines, app_id, trigger, actor, **kwargs):
    result = workflow.fire(app_id, trigger, actor, **kwargs)
    if not result.ok:
        lines.append(f"  ! {trigger} on #{app_id} refused: {result.reason('en')}")
    return result


def _startup_demo(workflow, store, actor) -> list[str]:
    lines = []
    applicant, officer, finance = (
        actor["applicant@demo.kr"],
        actor["officer@demo.kr"],
        actor["finance@demo.kr"],
    )
    reviewers = [actor[f"reviewer{i}@demo.kr"] for i in (1, 2, 3)]
    targets = ["draft", "screening", "pitch_review", "selected", "in_progress"]
    for index, target in enumerate(targets):
        form = startup_form(store, f"헬스온 {index + 1}호", f"123-45-6789{index}")
        created = workflow.create("startup-support", applicant, {} if target == "draft" else form)
        if not created.ok:
            return [f"  ! startup-support: {created.reason('en')}"]
        app_id = created.application_id
        if target == "draft":
            workflow.save_draft(app_id, applicant, {"company_name": form["company_name"]})
        else:
            _step(workflow, lines, app_id, "submit", applicant)
        if target in ("pitch_review", "selected", "in_progress"):
            _step(workflow, lines, app_id, "pass_screening", officer)
            for number, reviewer in enumerate(reviewers):
                reviews.assign(workflow, app_id, reviewer.id, officer)
                if target == "pitch_review" and number > 0:
                    continue
                reviews.declare(workflow, app_id, reviewer, "none")
                reviews.submit(
                    workflow,
                    app_id,
                    reviewer,
                    {"innovation": 25, "feasibility": 30 + number, "regional_impact": 24},
                    "우수",
                )
        if target in ("selected", "in_progress"):
            _step(workflow, lines, app_id, "select", officer)
        if target == "in_progress":
            workflow.save_draft(
                app_id,
                applicant,
                {
                    "bank_name": "농협은행",
                    "bank_account": "301-1234-5678-11",
                    "signatory": "한대표",
                    "accept_terms": True,
                },
            )
            _step(workflow, lines, app_id, "sign_agreement", applicant)
            _step(workflow, lines, app_id, "pay_first_tranche", finance)
        lines.append(f"startup-support application #{app_id}: {target}")
    return lines


def _sandbox_demo(workflow, store, actor) -> list[str]:
    lines = []
    partner, officer = actor["partner@demo.kr"], actor["officer@demo.kr"]
    base = {
        "company_name": "MedBridge Korea",
        "business_no": "220-81-12345",
        "contact_email": "sam@medbridge.example",
        "service": "Remote monitoring of heart-failure patients with a wearable ECG patch and nurse follow-up.",
        "regulation": "Medical Service Act art. 34 (telemedicine limits)",
        "requested_years": 2,
    }
    for track, target in (("rapid_confirmation", "rapid_confirmation"), ("demonstration", "in_effect")):
        data = {**base, "track": track}
        if track == "demonstration":
            data["insurance_certificate"] = store.save(MINIMAL_PDF, "insurance.pdf", accept=("pdf",))
        created = workflow.create("regulation-exception", partner, data)
        if not created.ok:
            return [f"  ! regulation-exception: {created.reason('en')}"]
        app_id = created.application_id
        _step(workflow, lines, app_id, "submit", partner)
        _step(workflow, lines, app_id, "route", officer)
        if target == "in_effect":
            _step(workflow, lines, app_id, "refer_to_committee", officer)
            _step(
                workflow,
                lines,
                app_id,
                "grant",
                officer,
                data={"term_years": 2, "effective_from": "2026-12-01", "conditions": "월 1회 안전성 보고"},
            )
        lines.append(f"regulation-exception application #{app_id}: {target}")
    return lines


def login_lines() -> list[str]:
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    lines += [
        f"  {email:<22} {', '.join(sorted({r for r, _ in roles})) or 'applicant'}"
        for email, _, _, _, roles in USERS
    ]
    return lines
