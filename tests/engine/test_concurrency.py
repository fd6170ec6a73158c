"""Twenty people press the same button at once: exactly one wins, nineteen are told who did it and when."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.engine.programs import GRANT
from tests.factories import reviewed_startup
from workflow.models import Award, HistoryEvent, LedgerEntry


def test_twenty_threads_approve_the_same_application(workflow, people, store):
    app_id = reviewed_startup(workflow, people, store, program=GRANT)
    with workflow.db.connect() as connection:
        events_before = connection.execute(select(func.count()).select_from(HistoryEvent)).scalar()
    barrier = threading.Barrier(20)
    results = []

    def press():
        barrier.wait()
        results.append(workflow.fire(app_id, "select", people.officer))

    threads = [threading.Thread(target=press) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [r for r in results if r.ok]
    losers = [r for r in results if not r.ok]
    assert len(winners) == 1 and len(losers) == 19
    for loser in losers:
        assert loser.refusal.code in ("stale", "not_from_state_changed"), loser.reason("en")
        assert "officer did 'Select'" in loser.reason("en") and "'선정'" in loser.reason("ko")
    with workflow.db.connect() as connection:
        events_after = connection.execute(select(func.count()).select_from(HistoryEvent)).scalar()
        awards = connection.execute(select(func.count()).select_from(Award)).scalar()
        ledger = connection.execute(select(func.count()).select_from(LedgerEntry)).scalar()
    assert events_after - events_before == 1
    assert (awards, ledger) == (1, 1), "the budget is committed exactly once"
