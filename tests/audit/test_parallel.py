"""`audit verify --jobs N`: ranges of application ids walked in several processes give the very report one
process gives (the same faults in the same order, the same counts), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.audit.helpers import drop_protection
from tests.factories import submitted_startup
from workflow.audit.parallel import id_ranges, verify_parallel
from workflow.audit.verify import Scope, verify
from workflow.models import Application, HistoryEvent

E = HistoryEvent.__table__


def test_id_ranges_cover_every_id_once():
    for low, high, parts in ((1, 100, 16), (5, 5, 4), (1, 3, 8), (10, 1_000_003, 7)):
        ranges = id_ranges(low, high, parts)
        assert ranges[0][0] == low and ranges[-1][1] == high and len(ranges) <= parts
        assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:], strict=False))


def _sequential(workflow, scope=None):
    with workflow.db.connect() as connection:
        return verify(connection, scope)


def _summary(report):
    return [str(f) for f in report.faults], report.chains, report.events


@pytest.mark.slow
def test_several_processes_report_what_one_reports(workflow, people, store):
    ids = [submitted_startup(workflow, people, store) for _ in range(6)]
    clean = verify_parallel(workflow.db, jobs=2)
    assert clean.ok and _summary(clean) == _summary(_sequential(workflow))
    assert clean.chains == 6
    with workflow.db.begin() as connection:  # two applications changed behind the engine's back
        drop_protection(connection)
        connection.execute(
            update(E).where(E.c.application_id == ids[4], E.c.seq == 1).values(reason="forged")
        )
        connection.execute(update(Application).where(Application.id == ids[1]).values(state="selected"))
    parallel = verify_parallel(workflow.db, jobs=2)
    assert _summary(parallel) == _summary(_sequential(workflow))
    assert [f.application_id for f in parallel.faults] == [ids[1], ids[4]]  # the first broken one first
    one_program = Scope(program="startup-support")
    assert _summary(verify_parallel(workflow.db, one_program, jobs=2)) == _summary(
        _sequential(workflow, one_program)
    )
    seen = []
    verify_parallel(workflow.db, jobs=2, progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == parallel.events
