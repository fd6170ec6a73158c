"""`audit verify` over several processes: each history chain belongs to one application, so ranges of
application ids are independent. Each process walks its ranges with `verify` (streaming, bounded
memory); the reports are joined in id order, so the faults (and the first broken application) are the
same as one process would print. Hashing is CPU work: processes, not threads.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

from sqlalchemy import func, select

from workflow.audit.verify import A, Report, Scope, verify, verify_staff

RANGES_PER_JOB = 8  # more ranges than processes: a slow range does not hold up the others' progress
_engines: dict = {}  # one engine per worker process and database


def id_ranges(low: int, high: int, parts: int) -> list[tuple[int, int]]:
    """[low, high] cut into at most `parts` consecutive, non-overlapping ranges."""
    size = max(1, -(-(high - low + 1) // parts))
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


def verify_parallel(
    engine, scope: Scope | None = None, jobs: int = 1, progress: Callable[[int], None] | None = None
) -> Report:
    """`verify` of `scope` in `jobs` processes (one process: as `verify`). An in-memory SQLite database
    is not shared between processes: walked here."""
    scope = scope or Scope()
    shared = engine.url.database not in (None, "", ":memory:") or engine.dialect.name != "sqlite"
    with engine.connect() as connection:
        low, high = connection.execute(select(func.min(A.id), func.max(A.id)).where(scope.ids(A.id))).one()
        if jobs <= 1 or not shared or low is None:
            return verify(connection, scope, progress)
    ranges = id_ranges(low, high, jobs * RANGES_PER_JOB)
    url = engine.url.render_as_string(hide_password=False)
    reports: dict[int, Report] = {}
    done = 0
    context = multiprocessing.get_context("spawn")  # no inherited connections or threads
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_verify_range, url, replace(scope, first_id=first, last_id=last)): index
            for index, (first, last) in enumerate(ranges)
        }
        for future in as_completed(futures):
            reports[futures[future]] = report = future.result()
            done += report.events
            if progress is not None:
                progress(done)
    joined = Report()
    for index in range(len(ranges)):
        joined.faults += reports[index].faults
        joined.chains += reports[index].chains
        joined.events += reports[index].events
    if scope.whole:
        with engine.connect() as connection:
            fault = verify_staff(connection)
        if fault is not None:
            joined.faults.append(fault)
    return joined


def _verify_range(url: str, scope: Scope) -> Report:
    from workflow.db import make_engine

    if url not in _engines:
        _engines[url] = make_engine(url)
    with _engines[url].connect() as connection:
        return verify(connection, scope)
