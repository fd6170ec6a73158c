"""`audit verify` against the least verification can do, on the same rows, in the same run.

Generates chains of 20 events per application (hash-chained exactly as the engine writes them, bulk
inserted), then times, interleaved over rounds:
- baseline: one streaming query over the events ordered by (application, seq); per event the canonical
  bytes and sha256, compared with the stored hash. Nothing else.
- verify: `workflow.audit.verify.verify` — the same walk plus links, gaps, the application rows (state,
  data hash, row version, head, rule version), reviews, members and the staff chain.
Peak RSS of a fresh process running verify is printed at 50k and at the full size (flat = bounded memory).
Prints per database; the last line is one JSON object (PostgreSQL's figures when it is reachable).

    python bench/audit.py [EVENTS]     (default 200000; PostgreSQL from BENCH_POSTGRES_URL)
    python bench/audit.py --large 2000000 --jobs 2
                                       (PostgreSQL only: `audit verify --jobs N` once over that many
                                       events, against the baseline's one streaming pass, for the target
                                       "2,000,000 events verified in under a minute")
    python bench/audit.py --rss URL    (internal: verify once in this process, print peak RSS in MB)
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.audit.parallel import verify_parallel  # noqa: E402
from workflow.audit.verify import EVENT_COLUMNS, HASHED_FIELDS, verify  # noqa: E402
from workflow.config import PROJECT_ROOT  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.definitions.registry import DefinitionRegistry  # noqa: E402
from workflow.engine.history import canonical, data_diff, data_hash, event_hash  # noqa: E402
from workflow.extensions import install  # noqa: E402
from workflow.models import Application, HistoryEvent  # noqa: E402
from workflow.schema import upgrade  # noqa: E402
from workflow.services.users import create_user  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
EVENTS_PER_APPLICATION = 20
ROUNDS = 5
START = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)
STATES = ["draft", "submitted", "screening", "changes_requested"]


def generate(engine, first_id: int, applications: int) -> None:
    """Applications first_id.. with 20 chained events each, written in bulk."""
    install()  # the built-in extensions (money, notice channels), as create_app does
    registry = DefinitionRegistry(PROJECT_ROOT / "rules", PROJECT_ROOT / "templates" / "notices")
    registry.load()
    program = registry.latest("startup-support")
    with engine.begin() as connection:
        registry.publish(connection, program)
        applicant = connection.execute(text("SELECT min(id) FROM users")).scalar()
        if applicant is None:
            applicant = create_user(connection, "bench@test.kr", "벤치")
    batch_apps, batch_events = [], []
    for app_id in range(first_id, first_id + applications):
        data, head, state, at = {}, "", None, START
        for seq in range(1, EVENTS_PER_APPLICATION + 1):
            new = {**data, "summary": f"사업 개요 {seq}", "employees": seq, "requested_amount": 1000 * seq}
            to_state = STATES[seq % len(STATES)]
            event = {
                "application_id": app_id,
                "seq": seq,
                "program_key": program.key,
                "program_version": program.version,
                "definition_sha": program.sha256,
                "from_state": state,
                "to_state": to_state,
                "trigger": "submit",
                "actor_id": applicant,
                "actor_name": "한대표",
                "actor_roles": ["applicant"],
                "reason": "보완 요청" if seq % 3 == 0 else None,
                "diff": data_diff(data, new),
                "data_hash": data_hash(new),
                "at": at,
                "prev_hash": head,
                "row_version": seq + 1,
                "detail": None,
            }
            event["hash"] = head = event_hash(event)
            batch_events.append(event)
            data, state, at = new, to_state, at + timedelta(minutes=7)
        batch_apps.append(
            {
                "id": app_id,
                "program_key": program.key,
                "program_version": program.version,
                "definition_sha": program.sha256,
                "state": state,
                "data": data,
                "event_data": data,
                "row_version": EVENTS_PER_APPLICATION + 1,
                "applicant_id": applicant,
                "history_seq": EVENTS_PER_APPLICATION,
                "history_head": head,
                "created_at": START,
                "updated_at": at,
                "state_entered_at": at,
            }
        )
        if len(batch_events) >= 20_000 or app_id == first_id + applications - 1:
            with engine.begin() as connection:
                connection.execute(insert(Application), batch_apps)
                connection.execute(insert(HistoryEvent), batch_events)
            batch_apps, batch_events = [], []
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE applications; ANALYZE history_events"))
            connection.execute(
                text("SELECT setval('applications_id_seq', (SELECT max(id) FROM applications))")
            )


def baseline(engine) -> int:
    """The least verification can do: one streaming query, canonical bytes, sha256, compare."""
    names = HASHED_FIELDS
    at = names.index("at")
    statement = (
        select(*EVENT_COLUMNS)
        .order_by(HistoryEvent.application_id, HistoryEvent.seq)
        .execution_options(stream_results=True, yield_per=2000)
    )
    count = bad = 0
    with engine.connect() as connection:
        for row in connection.execute(statement):
            content = dict(zip(names, row, strict=False))
            content["at"] = row[at].astimezone(UTC).isoformat(timespec="microseconds")
            if row[-3] is not None:
                content["row_version"] = row[-3]
            if row[-2] is not None:
                content["detail"] = row[-2]
            if hashlib.sha256(canonical(content)).hexdigest() != row[-1]:
                bad += 1
            count += 1
    assert bad == 0
    return count


def verified(engine) -> int:
    with engine.connect() as connection:
        report = verify(connection)
    assert report.ok, [str(f) for f in report.faults[:3]]
    return report.events


def peak_rss(url: str) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--rss", url], check=True, capture_output=True, text=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def measure(name: str, engine, url: str, total: int) -> dict:
    small = min(50_000, total)
    generate(engine, 1, small // EVENTS_PER_APPLICATION)
    rss_small = peak_rss(url)
    started = time.perf_counter()
    generate(engine, small // EVENTS_PER_APPLICATION + 1, (total - small) // EVENTS_PER_APPLICATION)
    generated_s = time.perf_counter() - started
    rss_full = peak_rss(url)
    best = {"baseline": float("inf"), "verify": float("inf")}
    cpu = {"baseline": float("inf"), "verify": float("inf")}
    events = 0
    for _ in range(ROUNDS):
        for label, run in (("baseline", baseline), ("verify", verified)):
            started, started_cpu = time.perf_counter(), time.process_time()
            events = run(engine)
            best[label] = min(best[label], time.perf_counter() - started)
            cpu[label] = min(cpu[label], time.process_time() - started_cpu)
    result = {
        "db": name,
        "events": events,
        "verify_per_s": events / best["verify"],
        "baseline_per_s": events / best["baseline"],
        "ratio": best["baseline"] / best["verify"],
        "cpu_ratio": cpu["baseline"] / cpu["verify"],  # this process's CPU only (the machine is shared)
        "verify_s": best["verify"],
        "rss_mb_50k": rss_small,
        f"rss_mb_{total // 1000}k": rss_full,
        "generate_s": generated_s,
    }
    print(
        f"{name}: {events} events; verify {result['verify_per_s']:,.0f}/s ({best['verify']:.1f} s), "
        f"baseline {result['baseline_per_s']:,.0f}/s, ratio {result['ratio']:.2f} "
        f"(CPU of this process {result['cpu_ratio']:.2f}); "
        f"peak RSS {rss_small:.0f} MB at {small:,} events, {rss_full:.0f} MB at {events:,}",
        flush=True,
    )
    return result


def large(total: int, jobs: int) -> None:
    """PostgreSQL: `total` events, then the parallel verification once, timed from the start of the
    command's work to its report (the baseline: one process, one streaming pass, hashes only)."""
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        generate(engine, 1, total // EVENTS_PER_APPLICATION)
        generated_s = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE applications, history_events"))
        started = time.perf_counter()
        report = verify_parallel(engine, jobs=jobs)
        verify_s = time.perf_counter() - started
        assert report.ok, [str(f) for f in report.faults[:3]]
        started = time.perf_counter()
        events = baseline(engine)
        baseline_s = time.perf_counter() - started
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(
        f"postgresql: {report.events:,} events in {report.chains:,} chains verified in {verify_s:.1f} s with "
        f"{jobs} process(es) ({report.events / verify_s:,.0f}/s); one-process baseline {baseline_s:.1f} s; "
        f"generated in {generated_s:.0f} s",
        flush=True,
    )
    print(
        json.dumps(
            {
                "bench": "audit-large",
                "events": report.events,
                "jobs": jobs,
                "verify_s": round(verify_s, 1),
                "events_per_s": round(report.events / verify_s),
                "baseline_s": round(baseline_s, 1),
                "ratio": round(baseline_s / verify_s, 2),
                "baseline_events": events,
            }
        )
    )


def main() -> None:
    if sys.argv[1:2] == ["--rss"]:
        engine = make_engine(sys.argv[2])
        verified(engine)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    if sys.argv[1:2] == ["--large"]:
        jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else os.cpu_count() or 1
        large(int(sys.argv[2]), jobs)
        return
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/audit.sqlite3"
        engine = make_engine(url)
        upgrade(engine)
        results.append(measure("sqlite", engine, url, total))
        engine.dispose()
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - no PostgreSQL: SQLite's figures only
        print(f"postgresql: not reachable ({error.__class__.__name__})")
    else:
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            results.append(measure("postgresql", engine, url, total))
        finally:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    last = results[-1]
    print(
        json.dumps(
            {
                "bench": "audit",
                "db": last["db"],
                "events": last["events"],
                "events_per_s": round(last["verify_per_s"]),
                "ratio": round(min(r["ratio"] for r in results), 2),
                "peak_rss_mb": round(
                    max(max(v for k, v in r.items() if k.startswith("rss")) for r in results)
                ),
                "by_db": {r["db"]: {k: round(v, 2) for k, v in r.items() if k != "db"} for r in results},
            }
        )
    )


if __name__ == "__main__":
    main()
