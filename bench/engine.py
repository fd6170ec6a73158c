"""Engine throughput against plain SQLAlchemy Core doing the same row writes, in the same run.

Each application goes draft → screening → changes_requested → screening → rejected through fire()
(create + 4 transitions, each its own transaction: guard, timers, outbox, hash-chained event). The
baseline does, per transition, the same row writes with plain Core and statements built once: update
state and version, insert the history event with its hash, insert the outbox row, and the same timer
rows (insert on entering a state with a deadline, cancel on leaving it), and what the statistics record
with a move (the stay in the state left; on submit the funnel mark and the company profile). It does not
read the row first nor check anything: that difference is the engine's cost. The engine is driven as a page
drives it: each fire gets the row the previous result returned. Prints ratios; the last line is one JSON object.

    python bench/engine.py [N]        (N >= 2000 applications; PostgreSQL from BENCH_POSTGRES_URL)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, event, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.config import PROJECT_ROOT  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.definitions.registry import DefinitionRegistry  # noqa: E402
from workflow.engine import Workflow  # noqa: E402
from workflow.engine.actors import load_actor  # noqa: E402
from workflow.engine.history import data_hash, event_hash  # noqa: E402
from workflow.extensions import install  # noqa: E402
from workflow.models import (  # noqa: E402
    Application,
    Company,
    CompanyApplication,
    FunnelMark,
    HistoryEvent,
    IndicatorValue,
    OutboxMessage,
    StateStay,
    Timer,
)
from workflow.schema import upgrade  # noqa: E402
from workflow.services.files import FileStore  # noqa: E402
from workflow.services.users import create_user  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)
PATH = [
    ("submit", "applicant", None),
    ("request_changes", "officer", "보완 요청"),
    ("submit", "applicant", None),
    ("reject", "officer", "선정 기준 미달"),
]
TRANSACTIONS_PER_APPLICATION = 1 + len(PATH)
ROUNDS = 4


class DatabaseTime:
    """CPU seconds spent inside the DBAPI (so the engine's own CPU can be told apart)."""

    def __init__(self, engine):
        self.cpu = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_cpu_start"] = time.process_time()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.cpu += time.process_time() - conn.info.pop("bench_cpu_start")


def form_data(store) -> dict:
    return {
        "company_name": "헬스온",
        "business_no": "123-45-67890",
        "representative": "한대표",
        "contact_email": "ceo@healthon.kr",
        "contact_phone": "010-1234-5678",
        "founded_on": "2023-04-01",
        "employees": 12,
        "sector": "digital_therapeutics",
        "gangwon_based": True,
        "summary": "불면증 인지행동치료 디지털 치료제의 임상 및 사업화",
        "requested_amount": 45_000_000,
        "own_cash": 10_000_000,
        "in_kind": 5_000_000,
        "business_plan": store.save(b"%PDF-1.4\n%%EOF\n", "plan.pdf", accept=("pdf",)),
    }


def run_engine(engine, count: int, store, cpu_only: bool = False) -> tuple[float, float]:
    install()
    registry = DefinitionRegistry(PROJECT_ROOT / "rules", PROJECT_ROOT / "templates" / "notices")
    registry.load()
    workflow = Workflow(engine, registry, clock=lambda: NOW)
    with engine.begin() as connection:
        ids = {
            name: create_user(
                connection,
                f"{name}-{uuid.uuid4().hex[:6]}@bench.kr",
                name,
                roles=[("officer", "startup-support")] if name == "officer" else [],
            )
            for name in ("applicant", "officer")
        }
    with engine.connect() as connection:
        actors = {name: load_actor(connection, user_id) for name, user_id in ids.items()}
    data = form_data(store)
    database = DatabaseTime(engine) if cpu_only else None
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        created = workflow.create("startup-support", actors["applicant"], data)
        assert created.ok, created.reason("en")
        row = created.application  # as a page that read the row passes it on: fire() need not read it again
        for trigger, who, reason in PATH:
            result = workflow.fire(row, trigger, actors[who], reason=reason)
            assert result.ok, result.reason("en")
            row = result.application
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if database is not None:
        cpu -= database.cpu
        event.remove(engine, "before_cursor_execute", database._before)
        event.remove(engine, "after_cursor_execute", database._after)
    return elapsed, cpu


APPS, EVENTS, OUTBOX = Application.__table__, HistoryEvent.__table__, OutboxMessage.__table__
BASELINE_INSERT_APP = insert(APPS).returning(APPS.c.id)
BASELINE_MOVE = (
    update(APPS)
    .where(APPS.c.id == bindparam("b_id"), APPS.c.row_version == bindparam("b_version"))
    .values(
        state=bindparam("state"),
        row_version=bindparam("row_version"),
        history_seq=bindparam("history_seq"),
        history_head=bindparam("history_head"),
        updated_at=bindparam("updated_at"),
    )
)
BASELINE_EVENT = insert(EVENTS)
BASELINE_OUTBOX = insert(OUTBOX)
TIMERS = Timer.__table__
BASELINE_TIMER = insert(TIMERS)
BASELINE_CANCEL = (
    update(TIMERS)
    .where(TIMERS.c.application_id == bindparam("b_app"), TIMERS.c.status == "pending")
    .values(status="cancelled", fired_at=bindparam("fired_at"))
)
# what the statistics record with a move (workflow/performance): the stay in the state left; on submit the
# funnel mark and the company profile (upsert), its link to the application and its indicator values
STAYS, MARKS, COMPANIES, LINKS, VALUES = (
    m.__table__ for m in (StateStay, FunnelMark, Company, CompanyApplication, IndicatorValue)
)
BASELINE_STAY = insert(STAYS)
BASELINE_VALUES = (
    update(VALUES)
    .where(VALUES.c.application_id == bindparam("b_app"))
    .values(company_id=bindparam("company"))
)


def _dialect(engine):
    return postgresql if engine.dialect.name == "postgresql" else sqlite


STATISTICS_STATEMENTS: dict[str, tuple] = {}


def statistics_statements(connection) -> tuple:
    """(funnel mark, company upsert, link upsert), built once per database like every baseline statement."""
    name = connection.dialect.name
    if name not in STATISTICS_STATEMENTS:
        dialect = _dialect(connection.engine)
        mark = dialect.insert(MARKS).on_conflict_do_nothing()
        company = dialect.insert(COMPANIES)
        company = company.on_conflict_do_update(
            index_elements=[COMPANIES.c.business_no],
            set_={c: company.excluded[c] for c in ("updated_at", "name", "employees")},
        ).returning(COMPANIES.c.id)
        link = dialect.insert(LINKS)
        link = link.on_conflict_do_update(
            index_elements=[LINKS.c.application_id], set_={"company_id": link.excluded.company_id}
        )
        STATISTICS_STATEMENTS[name] = (mark, company, link)
    return STATISTICS_STATEMENTS[name]


def submit_statistics(connection, app_id: int, seq: int) -> None:
    mark, company, link = statistics_statements(connection)
    connection.execute(
        mark,
        {
            "application_id": app_id,
            "outcome": "submitted",
            "program_key": "startup-support",
            "created_at": NOW,
        },
    )
    company_id = connection.execute(
        company, {"business_no": "123-45-67890", "name": "헬스온", "employees": 12, "updated_at": NOW}
    ).scalar_one()
    connection.execute(
        link, {"application_id": app_id, "company_id": company_id, "program_key": "startup-support"}
    )
    connection.execute(BASELINE_VALUES, {"b_app": app_id, "company": company_id})


# the timer rows the engine writes on this path: entering screening (one deadline) and changes_requested
# (a deadline and a reminder); leaving either cancels them
ENTERS_DEADLINE = {"screening": 1, "changes_requested": 2}


def run_baseline(engine, count: int, sha: str, applicant_id: int) -> float:
    """The same writes in plain Core with statements built once: the best a hand-written path does."""
    started = time.perf_counter()
    for _ in range(count):
        with engine.begin() as connection:
            app_id = connection.execute(
                BASELINE_INSERT_APP,
                {
                    "program_key": "startup-support",
                    "program_version": "2026.1",
                    "definition_sha": sha,
                    "state": "draft",
                    "data": {"company_name": "헬스온"},
                    "event_data": {},
                    "row_version": 1,
                    "applicant_id": applicant_id,
                    "history_seq": 0,
                    "history_head": "",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "state_entered_at": NOW,
                },
            ).scalar_one()
            head = _event(connection, app_id, 1, None, "draft", "create", "")
        state, version = "draft", 1
        for seq, (trigger, _who, reason) in enumerate(PATH, start=2):
            to_state = {"submit": "screening", "request_changes": "changes_requested", "reject": "rejected"}[
                trigger
            ]
            with engine.begin() as connection:
                head_before = head
                head = _event(
                    connection, app_id, seq, state, to_state, trigger, head_before, reason, write=False
                )
                claimed = connection.execute(
                    BASELINE_MOVE,
                    {
                        "b_id": app_id,
                        "b_version": version,
                        "state": to_state,
                        "row_version": version + 1,
                        "history_seq": seq,
                        "history_head": head,
                        "updated_at": NOW,
                    },
                )
                assert claimed.rowcount == 1
                _event(connection, app_id, seq, state, to_state, trigger, head_before, reason)
                connection.execute(
                    BASELINE_STAY,
                    {
                        "application_id": app_id,
                        "program_key": "startup-support",
                        "state": state,
                        "left_by": trigger,
                        "entered_at": NOW,
                        "left_at": NOW,
                        "seconds": 0,
                    },
                )
                if trigger == "submit":
                    submit_statistics(connection, app_id, seq)
                if state in ENTERS_DEADLINE:
                    connection.execute(BASELINE_CANCEL, {"b_app": app_id, "fired_at": NOW})
                if to_state in ENTERS_DEADLINE:
                    connection.execute(
                        BASELINE_TIMER,
                        [
                            {
                                "application_id": app_id,
                                "state": to_state,
                                "kind": "deadline",
                                "action": {"notice": "x"},
                                "due_at": NOW,
                                "status": "pending",
                                "created_at": NOW,
                            }
                        ]
                        * ENTERS_DEADLINE[to_state],
                    )
                connection.execute(
                    BASELINE_OUTBOX,
                    {
                        "application_id": app_id,
                        "event_seq": seq,
                        "notice": "received",
                        "template": "received",
                        "recipients": ["applicant"],
                        "channels": ["email"],
                        "payload": {"trigger": trigger},
                        "status": "pending",
                        "attempts": 0,
                        "created_at": NOW,
                    },
                )
            state, version = to_state, version + 1
    return time.perf_counter() - started


def _event(connection, app_id, seq, from_state, to_state, trigger, prev, reason=None, write=True) -> str:
    row = {
        "application_id": app_id,
        "seq": seq,
        "program_key": "startup-support",
        "program_version": "2026.1",
        "definition_sha": "x" * 64,
        "from_state": from_state,
        "to_state": to_state,
        "trigger": trigger,
        "actor_id": None,
        "actor_name": "bench",
        "actor_roles": ["applicant"],
        "reason": reason,
        "diff": {},
        "data_hash": data_hash({}),
        "at": NOW,
        "prev_hash": prev,
    }
    row["hash"] = event_hash(row)
    if write:
        connection.execute(BASELINE_EVENT, row)
    return row["hash"]


def measure(name: str, engine, count: int, store) -> dict:
    upgrade(engine)
    run_engine(engine, 20, store)  # warm-up: statements compiled, the definition published
    with engine.connect() as connection:
        sha = connection.execute(text("SELECT sha256 FROM definition_snapshots LIMIT 1")).scalar_one()
        applicant = connection.execute(text("SELECT min(id) FROM users")).scalar_one()
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    engine_seconds = baseline_seconds = 0.0
    per_round = max(count // ROUNDS, 1)
    for _ in range(ROUNDS):  # interleaved, so both sides see the same table sizes and machine load
        engine_seconds += run_engine(engine, per_round, store)[0]
        baseline_seconds += run_baseline(engine, per_round, sha, applicant)
    count = per_round * ROUNDS
    cpu_sample = min(count, 400)
    _, cpu = run_engine(engine, cpu_sample, store, cpu_only=True)  # a separate run: the probe costs time
    transitions = count * TRANSACTIONS_PER_APPLICATION
    result = {
        "engine_per_s": transitions / engine_seconds,
        "baseline_per_s": transitions / baseline_seconds,
        "ratio": baseline_seconds / engine_seconds,
        "cpu_us_per_fire": cpu / (cpu_sample * TRANSACTIONS_PER_APPLICATION) * 1e6,
    }
    print(
        f"{name}: engine {result['engine_per_s']:.0f}/s, Core baseline {result['baseline_per_s']:.0f}/s, "
        f"ratio {result['ratio']:.2f}, fire() CPU outside the database {result['cpu_us_per_fire']:.0f} µs"
    )
    return result


def main() -> None:
    count = max(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, 1)
    with tempfile.TemporaryDirectory() as folder:
        store = FileStore(Path(folder) / "uploads")
        sqlite = measure("sqlite", make_engine(f"sqlite:///{folder}/bench.sqlite3"), count, store)
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        postgres = None
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            pg_engine = make_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
            postgres = measure("postgres", pg_engine, count, store)
            pg_engine.dispose()
        except Exception as error:  # noqa: BLE001 - report and go on with SQLite alone
            print(f"postgres: skipped ({error.__class__.__name__}: {error})")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(
        json.dumps(
            {
                "bench": "engine",
                "applications": count,
                "transitions": count * TRANSACTIONS_PER_APPLICATION,
                "sqlite_ratio": round(sqlite["ratio"], 3),
                "postgres_ratio": round(postgres["ratio"], 3) if postgres else None,
                "cpu_us_per_fire": round(sqlite["cpu_us_per_fire"], 1),
                "sqlite_fires_per_s": round(sqlite["engine_per_s"]),
                "postgres_fires_per_s": round(postgres["engine_per_s"]) if postgres else None,
            }
        )
    )


if __name__ == "__main__":
    main()
