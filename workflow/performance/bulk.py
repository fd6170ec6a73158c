"""`flask demo --size large`: applications over several years in every loaded program, written in bulk.

Each application is a random walk through its program (workflow/performance/walk.py); its history is
hash-chained with the same canonical hashing as `fire` (workflow/engine/history.py), so `flask audit verify`
passes on the result. Rows go in with multi-row inserts, a chunk of applications per transaction; the
money of all applications is written in one last transaction so the ledger-sum triggers check it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from workflow.models import (
    Application,
    Company,
    CompanyApplication,
    FunnelMark,
    HistoryEvent,
    IndicatorValue,
    MissedDeadline,
    StateStay,
    Timer,
    User,
)
from workflow.performance.bulk_money import MoneyBook
from workflow.performance.kinds import GANGWON_REGIONS
from workflow.performance.walk import Walker
from workflow.services.users import find_user_id

MARKER = "company00001@demo-large.kr"  # the first generated company's user: the data is already there
STAFF = {
    "officer": "officer@demo.kr",
    "lead_officer": "officer@demo.kr",
    "finance": "finance@demo.kr",
    "admin": "admin@demo.kr",
}


def load_large(
    workflow,
    applications: int = 100_000,
    years: int = 5,
    companies: int | None = None,
    seed: int = 2026,
    chunk: int = 2_000,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Generate `applications` spread over the last `years` years and every program; returns counts."""
    rng = random.Random(seed)
    now = workflow.clock()
    programs = dict(sorted(workflow.registry.current.items()))
    companies = companies or max(50, applications // 20)
    engine = workflow.db
    with engine.begin() as connection:
        if find_user_id(connection, MARKER) is not None:
            raise RuntimeError("large demo data is already loaded")
        for program in programs.values():
            problem = workflow.registry.publish(connection, program)
            if problem is not None:
                raise RuntimeError(problem.message)
        people = _staff(connection)
        pool = _companies(connection, companies, programs, rng, now)
        money = MoneyBook(connection, programs, range(now.year - years + 1, now.year + 1))
        next_id = (connection.execute(select(func.max(Application.id))).scalar() or 0) + 1
    counts = {"applications": 0, "events": 0, "indicator_values": 0}
    start = now - timedelta(days=365 * years)
    keys = list(programs)
    walkers = {key: Walker(programs[key], people, money, rng, now) for key in keys}
    for offset in range(0, applications, chunk):
        batch = []
        for number in range(offset, min(applications, offset + chunk)):
            key = keys[number % len(keys)]
            company = rng.choice(pool)
            created = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds() - 3600))
            generated = walkers[key].generate(next_id, created, company, company["user"])
            generated.company_id = company["id"]
            batch.append(generated)
            next_id += 1
        with engine.begin() as connection:
            _write(connection, batch, money)
        counts["applications"] += len(batch)
        counts["events"] += sum(len(g.events) for g in batch)
        counts["indicator_values"] += sum(len(g.indicators) for g in batch)
        if progress:
            progress(len(batch))
    with engine.begin() as connection:
        counts["awards"] = money.write(connection)
        if connection.dialect.name == "postgresql":
            for table in ("applications", "awards"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
    counts["companies"] = len(pool)
    return counts


def _summarise_missed(connection, application_ids: list[int]) -> None:
    """The batch's fired deadline timers into missed_deadlines, as `tick` writes them one by one."""
    timers, apps = Timer.__table__, Application.__table__
    connection.execute(
        insert(MissedDeadline.__table__).from_select(
            ["timer_id", "program_key", "due_at"],
            select(timers.c.id, apps.c.program_key, timers.c.due_at)
            .select_from(timers.join(apps, apps.c.id == timers.c.application_id))
            .where(
                timers.c.application_id.in_(application_ids),
                timers.c.kind == "deadline",
                timers.c.status == "fired",
            ),
        )
    )


def _write(connection, batch, money) -> None:
    connection.execute(insert(Application.__table__), [g.application for g in batch])
    connection.execute(insert(HistoryEvent.__table__), [e for g in batch for e in g.events])
    stays = [s for g in batch for s in g.stays]
    if stays:
        connection.execute(insert(StateStay.__table__), stays)
    timers = [t for g in batch for t in g.timers]
    if timers:
        connection.execute(insert(Timer.__table__), timers)
        _summarise_missed(connection, [g.application["id"] for g in batch])
    links = [
        {
            "application_id": g.application["id"],
            "company_id": g.company_id,
            "program_key": g.application["program_key"],
        }
        for g in batch
        if g.company_linked
    ]
    if links:
        connection.execute(insert(CompanyApplication.__table__), links)
    marks = [m for g in batch for m in g.marks.values()]
    if marks:
        connection.execute(insert(FunnelMark.__table__), marks)
    values = [v for g in batch for v in g.indicators.values()]
    if values:
        connection.execute(insert(IndicatorValue.__table__), values)
    for generated in batch:
        money.collect(generated)


def _staff(connection) -> dict:
    """Who the generated history names for staff steps: the demo users (`flask demo` makes them)."""
    people = {}
    for role, email in STAFF.items():
        row = connection.execute(select(User.id, User.name).where(User.email == email)).first()
        if row is None:
            raise RuntimeError(f"run `flask demo` first: {email} is missing")
        people[role] = {"id": row.id, "name": row.name}
    return people


def _companies(connection, count: int, programs: dict, rng, now) -> list[dict]:
    """A pool of companies (profile rows and one applicant user each)."""
    sectors = []
    for program in programs.values():
        mapping = program.spec.company
        if mapping and mapping.sector:
            sectors = [c.value for c in program.fields[mapping.sector].choices]
            break
    regions = list(GANGWON_REGIONS)
    users, profiles = [], []
    for number in range(1, count + 1):
        name = f"데모기업 {number:05d}"
        users.append(
            {
                "email": f"company{number:05d}@demo-large.kr",
                "name": name,
                "organisation": name,
                "language": "ko",
                "active": True,
                "created_at": now,
            }
        )
        founded = rng.randint(2000, now.year - 1)
        profiles.append(
            {
                "business_no": f"{500 + number // 100_000:03d}-{(number // 1000) % 100:02d}-{number % 100_000:05d}",
                "name": name,
                "employees": min(2000, int(rng.lognormvariate(2.6, 1.1))),
                "founded_year": founded,
                "sector": rng.choice(sectors) if sectors else None,
                "region": rng.choice(regions) if rng.random() < 0.92 else None,
                "updated_at": now,
            }
        )
    connection.execute(insert(User.__table__), users)
    connection.execute(insert(Company.__table__), profiles)
    user_ids = dict(
        connection.execute(select(User.email, User.id).where(User.email.like("%@demo-large.kr"))).all()
    )
    company_ids = dict(
        connection.execute(
            select(Company.business_no, Company.id).where(
                Company.business_no.in_([p["business_no"] for p in profiles])
            )
        ).all()
    )
    pool = []
    for user, profile in zip(users, profiles, strict=True):
        pool.append(
            {
                "id": company_ids[profile["business_no"]],
                "business_no": profile["business_no"],
                "name": profile["name"],
                "employees": profile["employees"],
                "founded": f"{profile['founded_year']}-03-01",
                "sector": profile["sector"],
                "region": profile["region"],
                "user": {
                    "id": user_ids[user["email"]],
                    "name": user["name"],
                    "organisation": user["organisation"],
                },
            }
        )
    return pool
