"""The dashboard's figures computed independently, in plain Python over the rows of each table."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from workflow.models import (
    Application,
    Award,
    Company,
    CompanyApplication,
    IndicatorValue,
    LedgerEntry,
    ProgramBudget,
    ReviewAssignment,
    StateStay,
    Timer,
)

SEOUL = ZoneInfo("Asia/Seoul")


def rows(connection, model) -> list[dict]:
    return [dict(r) for r in connection.execute(select(model.__table__)).mappings()]


def inside(moment, year=None, start=None, end=None) -> bool:
    local = moment.astimezone(SEOUL).date()
    return (
        (year is None or local.year == year)
        and (start is None or local >= start)
        and (end is None or local <= end)
    )


def nearest_rank(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


class Expected:
    def __init__(self, connection, programs, keys, year=None, start=None, end=None, now=None, review_days=14):
        self.programs, self.keys = programs, keys
        self.year, self.start, self.end, self.now, self.review_days = year, start, end, now, review_days
        self.apps = [a for a in rows(connection, Application) if a["program_key"] in keys]
        self.stays = [s for s in rows(connection, StateStay) if s["program_key"] in keys]
        self.timers = rows(connection, Timer)
        self.assignments = rows(connection, ReviewAssignment)
        self.budgets = [b for b in rows(connection, ProgramBudget) if b["program_key"] in keys]
        self.ledger = rows(connection, LedgerEntry)
        self.values = [v for v in rows(connection, IndicatorValue) if v["program_key"] in keys]
        self.companies = {c["id"]: c for c in rows(connection, Company)}
        self.links = rows(connection, CompanyApplication)
        self.awards = rows(connection, Award)

    def window(self, moment) -> bool:
        return inside(moment, self.year, self.start, self.end)

    def states(self) -> dict:
        return dict(
            Counter((a["program_key"], a["state"]) for a in self.apps if self.window(a["created_at"]))
        )

    def funnel(self) -> dict:
        started = {a["id"] for a in self.apps if self.window(a["created_at"])}
        result = {}
        for key in self.keys:
            spec = self.programs[key].spec.funnel
            counts = {}
            for outcome in ("submitted", "selected", "withdrawn", "lapsed"):
                triggers = getattr(spec, outcome) if spec else []
                ids = {
                    s["application_id"]
                    for s in self.stays
                    if s["program_key"] == key and s["left_by"] in triggers and s["application_id"] in started
                }
                counts[outcome] = len(ids) if triggers else None
            counts["applications"] = sum(
                1 for a in self.apps if a["program_key"] == key and a["id"] in started
            )
            result[key] = counts
        return result

    def time(self) -> dict:
        groups = defaultdict(list)
        for stay in self.stays:
            if self.window(stay["left_at"]):
                groups[(stay["program_key"], stay["state"])].append(stay["seconds"])
        return {
            group: (len(v), nearest_rank(v, 0.5) / 86400, nearest_rank(v, 0.9) / 86400)
            for group, v in groups.items()
        }

    def deadlines(self) -> dict:
        program_of = {a["id"]: a["program_key"] for a in self.apps}
        missed = Counter(
            program_of[t["application_id"]]
            for t in self.timers
            if t["application_id"] in program_of
            and t["kind"] == "deadline"
            and t["status"] == "fired"
            and self.window(t["due_at"])
        )
        state_of = {a["id"]: a for a in self.apps}
        overdue = Counter()
        for r in self.assignments:
            app = state_of.get(r["application_id"])
            if (
                app
                and self.programs[app["program_key"]].spec.states[app["state"]].review
                and r["submitted_at"] is None
                and r["coi"] != "conflict"
                and r["assigned_at"] < self.now - timedelta(days=self.review_days)
            ):
                overdue[app["program_key"]] += 1
        return {key: (missed[key], overdue[key]) for key in self.keys}

    def money(self) -> dict:
        result = {}
        for budget in self.budgets:
            if self.year is not None and budget["fiscal_year"] != self.year:
                continue
            sums = Counter()
            for entry in self.ledger:
                if entry["budget_id"] == budget["id"] and inside(entry["at"], None, self.start, self.end):
                    sums[entry["kind"]] += entry["amount"]
            result[(budget["program_key"], budget["fiscal_year"])] = (
                budget["total"],
                sums["commit"] - sums["release"],
                sums["pay"],
                sums["recover"],
                sums["interest"],
            )
        return result

    def indicator_rows(self) -> list[dict]:
        return [
            v
            for v in self.values
            if (self.year is None or v["year"] == self.year)
            and inside(v["recorded_at"], None, self.start, self.end)
        ]

    def outcomes(self) -> dict:
        sums, companies = Counter(), defaultdict(set)
        for v in self.indicator_rows():
            group = (v["program_key"], v["indicator"], v["year"])
            sums[group] += v["value"]
            companies[group].add(v["company_id"])
        return {g: (sums[g], len(companies[g])) for g in sums}

    def by_company(self, attribute: str) -> dict:
        def group_of(company):
            if company is None:
                return None
            if attribute == "size":
                n = company["employees"]
                return (
                    None
                    if n is None
                    else "micro"
                    if n < 10
                    else "small"
                    if n < 50
                    else "medium"
                    if n < 300
                    else "large"
                )
            return company[attribute]

        sums, companies = Counter(), defaultdict(set)
        for v in self.indicator_rows():
            group = (v["indicator"], v["year"], group_of(self.companies.get(v["company_id"])))
            sums[group] += v["value"]
            companies[group].add(v["company_id"])
        return {g: (sums[g], len(companies[g])) for g in sums}

    def cohorts(self) -> dict:
        budget_year = {b["id"]: b["fiscal_year"] for b in self.budgets}
        company_of = {link["application_id"]: link["company_id"] for link in self.links}
        members = defaultdict(set)
        for award in self.awards:
            if award["budget_id"] in budget_year and award["application_id"] in company_of:
                cohort = budget_year[award["budget_id"]]
                if self.year is None or cohort == self.year:
                    members[cohort].add(company_of[award["application_id"]])
        result = {}
        for cohort, ids in members.items():
            for v in self.values:
                after = v["year"] - cohort
                if v["company_id"] in ids and 1 <= after <= 3:
                    key = (cohort, v["indicator"])
                    result.setdefault(key, {"companies": len(ids)})
                    result[key][after] = result[key].get(after, 0) + v["value"]
        return result


def seoul_day(text: str) -> date:
    return date.fromisoformat(text)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
