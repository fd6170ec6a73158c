"""Concurrent approvals with the budget check through fire() against the same money writes in plain SQL.

Twice as many approvals as the budget holds are pressed by THREADS threads at once. fire() runs the
whole move (role check, guard, version-checked state write, award + tranches + ledger + conditional
budget UPDATE, hash-chained history event, outbox). The baseline, at the same concurrency and in the
same run, does only the money writes in plain SQL: award row, ledger INSERT and the conditional
`UPDATE ... WHERE committed + :amount <= total` (rowcount checked), one transaction each. Both run on
SQLite and PostgreSQL; afterwards the budget is checked against the awards and the ledger.

    python bench/money.py [APPROVALS] [THREADS] [ROUNDS]   (default 400, 8, 3; PostgreSQL from
                                                            BENCH_POSTGRES_URL)

Each side's best round counts (a shared machine is noisy). The ratio is fire throughput / baseline
throughput (1.0 = as fast as the bare SQL); the last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.config import PROJECT_ROOT  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.definitions.registry import DefinitionRegistry  # noqa: E402
from workflow.engine import Workflow  # noqa: E402
from workflow.engine.actors import load_actor  # noqa: E402
from workflow.extensions import install  # noqa: E402
from workflow.models import Application, Award, LedgerEntry, ProgramBudget  # noqa: E402
from workflow.schema import upgrade  # noqa: E402
from workflow.services.users import create_user  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)
AMOUNT = 5_000_000
PROGRAM = """
key: bench-grant-{round}
version: "1"
kind: support_program
title: {{ko: 벤치마크 지원, en: Benchmark grant}}
open: {{from: 2026-01-01, until: 2026-12-31}}
budget: {{total: {total}, currency: KRW}}
roles: [applicant, officer]
stages:
  application:
    title: {{ko: 신청서, en: Application}}
    editable_in: [draft]
    fields:
      - {{name: requested_amount, type: money, required: true, min: 1, label: {{ko: 신청액, en: Requested}}}}
states:
  draft: {{initial: true, label: {{ko: 작성 중, en: Draft}}}}
  submitted: {{label: {{ko: 제출, en: Submitted}}}}
  active: {{final: true, label: {{ko: 선정, en: Selected}}}}
transitions:
  - {{trigger: submit, from: draft, to: submitted, roles: [applicant], requires: [application]}}
  - trigger: approve
    from: submitted
    to: active
    roles: [officer]
    effects:
      - award:
          amount: data.requested_amount
          tranches: [{{share: 0.5}}, {{share: 0.5}}]
"""


def prepare(engine, approvals: int, rules_dir: Path, round_no: int):
    """Applications waiting for approval (not timed), the officer, and a budget for half of them."""
    key = f"bench-grant-{round_no}"
    (rules_dir / f"{key}.yaml").write_text(PROGRAM.format(total=AMOUNT * approvals // 2, round=round_no))
    install()
    registry = DefinitionRegistry(rules_dir, PROJECT_ROOT / "templates" / "notices")
    registry.load()
    assert not registry.problems, registry.problems
    workflow = Workflow(engine, registry, clock=lambda: NOW)
    with engine.begin() as connection:
        applicant = create_user(connection, f"firm{round_no}@bench.kr", "firm", roles=[])
        officer = create_user(connection, f"officer{round_no}@bench.kr", "officer", roles=[("officer", key)])
    with engine.connect() as connection:
        applicant, officer = load_actor(connection, applicant), load_actor(connection, officer)
    apps = []
    for _ in range(approvals * 2):  # the second half is used by the baseline
        created = workflow.create(key, applicant, {"requested_amount": AMOUNT})
        assert workflow.fire(created.application_id, "submit", applicant).ok
        apps.append(created.application_id)
    with engine.begin() as connection:  # the baseline's own budget row, the same size
        baseline_budget = connection.execute(
            insert(ProgramBudget)
            .values(
                program_key=f"bench-baseline-{round_no}",
                fiscal_year=2026,
                currency="KRW",
                total=AMOUNT * approvals // 2,
            )
            .values(committed=0, paid=0, recovered=0, interest=0)
            .returning(ProgramBudget.id)
        ).scalar_one()
    return workflow, officer, apps[:approvals], apps[approvals:], baseline_budget


def pressed(work, items: list, threads: int) -> tuple[float, list]:
    """Run work(item) for every item from `threads` threads started together; (seconds, results)."""
    pending: queue.Queue = queue.Queue()
    for item in items:
        pending.put(item)
    results, barrier = [], threading.Barrier(threads + 1)

    def worker():
        barrier.wait()
        while True:
            try:
                item = pending.get_nowait()
            except queue.Empty:
                return
            results.append(work(item))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, results


def approve(workflow, officer, app_id: int):
    """One approval through the engine: the whole move, money included."""
    return workflow.fire(app_id, "approve", officer)


BUDGETS = ProgramBudget.__table__
BASE_AWARD = insert(Award.__table__).returning(Award.__table__.c.id)
BASE_LEDGER = insert(LedgerEntry.__table__)
BASE_COMMIT = (
    update(BUDGETS)
    .where(BUDGETS.c.id == bindparam("budget"), BUDGETS.c.committed + bindparam("amount") <= BUDGETS.c.total)
    .values(committed=BUDGETS.c.committed + bindparam("amount"))
)


def baseline_approval(engine, budget: int, app_id: int) -> bool:
    """The bare money writes of one approval, statements built once: award, ledger row, conditional
    budget UPDATE (rowcount checked), one transaction."""
    with engine.connect() as connection, connection.begin() as transaction:
        award = connection.execute(
            BASE_AWARD,
            {"application_id": app_id, "budget_id": budget, "amount": AMOUNT, "paid": 0, "released": 0}
            | {"recovered": 0, "interest": 0, "created_at": NOW},
        ).scalar_one()
        connection.execute(
            BASE_LEDGER,
            {"budget_id": budget, "award_id": award, "application_id": app_id, "kind": "commit"}
            | {"amount": AMOUNT, "event_seq": 0, "at": NOW},
        )
        committed = connection.execute(BASE_COMMIT, {"budget": budget, "amount": AMOUNT})
        if committed.rowcount != 1:
            transaction.rollback()
            return False
        return True


def overcommitted(engine) -> int:
    """Won committed beyond a budget, or committed totals that disagree with awards or ledger."""
    worst = 0
    with engine.connect() as connection:
        for budget in connection.execute(select(ProgramBudget)).mappings():
            awarded = connection.execute(
                select(func.coalesce(func.sum(Award.amount - Award.released), 0)).where(
                    Award.budget_id == budget["id"]
                )
            ).scalar_one()
            ledger = connection.execute(
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.budget_id == budget["id"], LedgerEntry.kind == "commit"
                )
            ).scalar_one()
            worst += max(budget["committed"] - budget["total"], 0) + abs(awarded - budget["committed"])
            worst += abs(ledger - budget["committed"])
    return int(worst)


def measure(name: str, engine, approvals: int, threads: int, rounds: int) -> dict:
    """Best of `rounds` for each side (fresh applications and budgets every round)."""
    fire_best = base_best = float("inf")
    approved = baseline_approved = 0
    for round_no in range(rounds):
        with tempfile.TemporaryDirectory() as rules_dir:
            workflow, officer, fire_apps, base_apps, budget = prepare(
                engine, approvals, Path(rules_dir), round_no
            )
            fire_seconds, fired = pressed(partial(approve, workflow, officer), fire_apps, threads)
            base_seconds, based = pressed(partial(baseline_approval, engine, budget), base_apps, threads)
        refused = {r.refusal.code for r in fired if not r.ok}
        assert refused <= {"budget_exceeded"}, refused
        approved += sum(1 for r in fired if r.ok)
        baseline_approved += sum(based)
        fire_best, base_best = min(fire_best, fire_seconds), min(base_best, base_seconds)
    with engine.connect() as connection:
        states = connection.execute(select(func.count()).where(Application.state == "active")).scalar_one()
    assert approved == states == rounds * approvals // 2, (approved, states)
    result = {
        "fire_per_s": round(approvals / fire_best, 1),
        "baseline_per_s": round(approvals / base_best, 1),
        "ratio": round(base_best / fire_best, 3),
        "approved": approved,
        "baseline_approved": baseline_approved,
        "overcommitted": overcommitted(engine),
    }
    print(
        f"{name}: {rounds} rounds of {approvals} approvals, {threads} threads (best round): "
        f"fire {result['fire_per_s']}/s, plain SQL {result['baseline_per_s']}/s, ratio {result['ratio']}; "
        f"approved {approved} (baseline {baseline_approved}) of {rounds * approvals}, "
        f"overcommitted {result['overcommitted']}"
    )
    return result


def main() -> None:
    approvals = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        sqlite = make_engine(f"sqlite:///{directory}/bench.sqlite3")
        upgrade(sqlite)
        results["sqlite"] = measure("sqlite", sqlite, approvals, threads, rounds)
        sqlite.dispose()
    name = f"bench_money_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here: report SQLite only
        print(f"postgres: skipped ({error.__class__.__name__})")
    else:
        postgres = make_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", pool_size=threads)
        upgrade(postgres)
        results["postgres"] = measure("postgres", postgres, approvals, threads, rounds)
        postgres.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    summary = {
        "bench": "money",
        "approvals": approvals,
        "rounds": rounds,
        "threads": threads,
        "ratio": min(r["ratio"] for r in results.values()),
        "overcommitted": sum(r["overcommitted"] for r in results.values()),
        **{f"{db}_ratio": r["ratio"] for db, r in results.items()},
        **{f"{db}_fire_per_s": r["fire_per_s"] for db, r in results.items()},
        **{f"{db}_baseline_per_s": r["baseline_per_s"] for db, r in results.items()},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
