"""40 approvals of 5,000,000원 at once against 80,000,000원: exactly 16 win, 24 are told why.

Run with threads sharing one engine and with separate processes each holding its own engine, on
SQLite and on PostgreSQL. The conditional UPDATE is what makes this hold; a read-then-write would not.
"""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import func, select

from tests.money.helpers import RULES, assert_invariants, submitted
from workflow.models import Application, Award, ProgramBudget

APPROVALS = 40
PROCESSES = 4


def _check(workflow, results) -> None:
    approved = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    assert len(approved) == 16 and len(refused) == 24, [r.reason("en") for r in refused]
    for result in refused:
        assert result.refusal.code == "budget_exceeded", result.reason("en")
        assert result.reason("en") == "Not enough budget: remaining budget KRW 0, requested KRW 5,000,000."
    with workflow.db.connect() as connection:
        committed = connection.execute(
            select(ProgramBudget.committed).where(ProgramBudget.program_key == "tiny-grant")
        ).scalar_one()
        assert committed == 80_000_000
        assert connection.execute(select(func.count()).select_from(Award)).scalar_one() == 16
        assert_invariants(connection)


def test_forty_threads(money, staff):
    apps = [submitted(money, staff) for _ in range(APPROVALS)]
    barrier = threading.Barrier(APPROVALS)
    results = []

    def approve(app_id):
        barrier.wait()
        results.append(money.fire(app_id, "approve", staff.officer))

    threads = [threading.Thread(target=approve, args=(app_id,)) for app_id in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _check(money, results)


def _approve_in_process(url: str, officer_id: int, apps: list[int], barrier, queue) -> None:
    """One worker process: its own engine and registry, one thread per approval, all pressed at once."""
    from datetime import UTC, datetime

    from tests.conftest import make_workflow
    from workflow.db import make_engine
    from workflow.engine.actors import load_actor

    engine = make_engine(url)
    workflow = make_workflow(engine, lambda: datetime(2026, 5, 4, 1, 0, tzinfo=UTC), RULES)
    with engine.connect() as connection:
        officer = load_actor(connection, officer_id)
    ready = threading.Barrier(len(apps))

    def approve(app_id):
        ready.wait()
        result = workflow.fire(app_id, "approve", officer)
        queue.put((result.ok, result.refusal.code if result.refusal else None, result.reason("en")))

    threads = [threading.Thread(target=approve, args=(app_id,)) for app_id in apps]
    barrier.wait()  # every process is up: now all 40 threads go
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()


@pytest.mark.slow
def test_forty_approvals_from_separate_processes(money, staff, db_engine):
    apps = [submitted(money, staff) for _ in range(APPROVALS)]
    url = db_engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("forkserver")
    # each process is forked from a server that imported the app once, not started and importing it
    # again (a second and a half a process): still none of this process's connections, threads or engines
    context.set_forkserver_preload(["tests.conftest", __name__])
    barrier, queue = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(
            target=_approve_in_process, args=(url, staff.officer.id, apps[i::PROCESSES], barrier, queue)
        )
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=120) for _ in apps]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    class Outcome:  # the FireResult fields _check reads, rebuilt from what the workers sent
        def __init__(self, ok, code, text):
            self.ok, self.text = ok, text
            self.refusal = type("Refusal", (), {"code": code})() if code else None

        def reason(self, _lang):
            return self.text

    _check(money, [Outcome(*outcome) for outcome in outcomes])


def test_payments_cancellations_and_double_clicks_at_once(money, staff):
    """Eight awards paid, eight cancelled and one tranche pressed ten times, all at the same moment."""
    apps = [submitted(money, staff, requested=4_000_000) for _ in range(17)]
    for app_id in apps:
        assert money.fire(app_id, "approve", staff.officer).ok
    jobs = [(a, "pay", staff.finance) for a in apps[:8]] + [
        (a, "terminate", staff.officer) for a in apps[8:16]
    ]
    jobs += [(apps[16], "pay", staff.finance)] * 10
    barrier = threading.Barrier(len(jobs))
    results = []

    def press(app_id, trigger, actor):
        barrier.wait()
        results.append((app_id, money.fire(app_id, trigger, actor, expected_version=versions[app_id])))

    with money.db.connect() as connection:
        versions = dict(connection.execute(select(Application.id, Application.row_version)).all())
    threads = [threading.Thread(target=press, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result.ok for app_id, result in results if app_id != apps[16])
    assert sum(result.ok for app_id, result in results if app_id == apps[16]) == 1
    with money.db.connect() as connection:
        budget = (
            connection.execute(select(ProgramBudget).where(ProgramBudget.program_key == "tiny-grant"))
            .mappings()
            .one()
        )
        assert (budget["committed"], budget["paid"]) == (9 * 4_000_000, 9 * 2_000_000)
        assert_invariants(connection)
