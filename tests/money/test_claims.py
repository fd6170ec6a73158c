"""Money through a child: a claim (project-claim.yaml) pays the amount decided on it from its project's award
(project.yaml), within what remains, as a ledger payment of the project's award."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.conftest import TEMPLATES_DIR
from tests.money.helpers import RULES, assert_invariants
from workflow.definitions.registry import DefinitionRegistry
from workflow.models import Application, ApplicationLink, Award, LedgerEntry, ProgramBudget
from workflow.services.finance import award_schedule, ledger_csv

AWARD = 10_000_000


def _running_project(money, staff, requested: int = AWARD) -> int:
    created = money.create(
        "project", staff.applicant, {"title": "원격 재활 실증", "requested_amount": requested}
    )
    assert created.ok, created.reason("en")
    project = created.application_id
    assert money.fire(project, "submit", staff.applicant).ok
    approved = money.fire(project, "approve", staff.officer)
    assert approved.ok, approved.reason("en")
    return project


def _claim(money, staff, project: int, amount: int) -> int:
    """A submitted claim of `amount` on the project."""
    opened = money.fire(project, "claim", staff.applicant)
    assert opened.ok, opened.reason("en")
    with money.db.connect() as connection:
        claim = connection.execute(
            select(ApplicationLink.target_id)
            .where(ApplicationLink.source_id == project)
            .order_by(ApplicationLink.id.desc())
        ).first()[0]
    assert money.save_draft(claim, staff.applicant, {"amount": amount}).ok
    submitted = money.fire(claim, "submit", staff.applicant)
    assert submitted.ok, submitted.reason("en")
    return claim


def _award(connection, project: int) -> dict:
    return dict(connection.execute(select(Award).where(Award.application_id == project)).mappings().one())


def test_a_claim_pays_the_amount_decided_on_it_from_the_projects_award(money, staff):
    project = _running_project(money, staff)
    claim = _claim(money, staff, project, 4_000_000)
    paid = money.fire(claim, "pay", staff.finance, reason="이체 2026-0042")
    assert paid.ok and paid.state == "paid", paid.reason("en")
    with money.db.connect() as connection:
        award = _award(connection, project)
        assert (award["amount"], award["paid"]) == (AWARD, 4_000_000)
        budget = connection.execute(
            select(ProgramBudget.paid).where(ProgramBudget.program_key == "project")
        ).scalar_one()
        assert budget == 4_000_000
        (row,) = connection.execute(select(LedgerEntry).where(LedgerEntry.kind == "pay")).mappings()
        assert (row["award_id"], row["application_id"], row["amount"]) == (award["id"], claim, 4_000_000)
        assert row["actor_id"] == staff.finance.id and row["event_seq"] == paid.event_seq
        # on the finance pages like any payment: the project's schedule and its program's ledger
        ledger = award_schedule(connection, project)["ledger"]
        assert [(e["kind"], e["amount"], e["note"]) for e in ledger] == [
            ("commit", AWARD, None),
            ("pay", 4_000_000, "이체 2026-0042"),
        ]
        assert f",{claim},지급,4000000," in ledger_csv(connection, "project")
        assert_invariants(connection)


def test_a_claim_above_what_remains_of_the_award_is_refused_with_the_numbers(money, staff):
    project = _running_project(money, staff)
    assert money.fire(_claim(money, staff, project, 7_000_000), "pay", staff.finance).ok
    claim = _claim(money, staff, project, 4_000_000)
    with money.db.connect() as connection:
        ledger_before = connection.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
    refused = money.fire(claim, "pay", staff.finance)
    assert not refused.ok and refused.refusal.code == "claim_above_award"
    assert refused.reason("en") == (
        "The claim of KRW 4,000,000 is more than what remains of the award, KRW 3,000,000 "
        "(award KRW 10,000,000, paid KRW 7,000,000)."
    )
    assert "3,000,000원" in refused.reason("ko") and "넘습니다" in refused.reason("ko")
    with money.db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == ledger_before
        state = connection.execute(select(Application.state).where(Application.id == claim)).scalar_one()
        assert state == "submitted" and _award(connection, project)["paid"] == 7_000_000
        assert_invariants(connection)
    # the project cannot close while that claim waits; once it is rejected, it can
    assert money.fire(project, "close", staff.officer).refusal.code == "guard_failed"
    assert money.fire(claim, "reject", staff.officer, reason="잔액 초과").ok
    assert money.fire(project, "close", staff.officer).ok


def test_claims_paid_at_the_same_moment_never_overpay_the_award(money, staff):
    project = _running_project(money, staff)
    claims = [_claim(money, staff, project, 3_000_000) for _ in range(4)]
    barrier = threading.Barrier(len(claims))
    results = []

    def pay(claim):
        barrier.wait()
        results.append(money.fire(claim, "pay", staff.finance))

    threads = [threading.Thread(target=pay, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paid = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    assert len(paid) == 3 and len(refused) == 1, [r.reason("en") for r in refused]
    assert all(r.refusal.code == "claim_above_award" for r in refused), [r.reason("en") for r in refused]
    with money.db.connect() as connection:
        assert _award(connection, project)["paid"] == 9_000_000
        assert_invariants(connection)


def test_a_program_that_pays_from_a_parent_without_an_award_is_refused_at_load(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("project.yaml", "project-claim.yaml"):
        text = (RULES / name).read_text(encoding="utf-8")
        if name == "project.yaml":
            old = "      - award: {amount: data.requested_amount, tranches: []}     # paid through claims only\n"
            assert old in text
            text = text.replace("    effects:\n" + old, "")
        (rules / name).write_text(text, encoding="utf-8")
    registry = DefinitionRegistry(rules, TEMPLATES_DIR)
    registry.load()
    (problem,) = [p for p in registry.problems if p.file.endswith("project-claim.yaml")]
    assert "pay_from_parent" in problem.message and "project.yaml has no award" in problem.message
    lines = (rules / "project-claim.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.line == next(n for n, line in enumerate(lines, start=1) if "pay_from_parent" in line)


def test_a_program_that_pays_from_a_parent_but_that_nothing_opens_is_refused_at_load(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (RULES / "project-claim.yaml").read_text(encoding="utf-8")
    text = text.replace("follow_up_only: true\n", "")
    text = text.replace(" && data.amount <= parent.data.requested_amount", "").replace(
        'parent.state == "executing"', "data.amount > 0"
    )
    (rules / "project-claim.yaml").write_text(text, encoding="utf-8")
    registry = DefinitionRegistry(rules, TEMPLATES_DIR)
    registry.load()
    (problem,) = registry.problems
    assert "effect 'pay_from_parent' needs a program that opens this one" in problem.message
