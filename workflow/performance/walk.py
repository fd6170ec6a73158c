"""One generated application for the large demo: a random walk through its program's transitions, with
values for every stage it submits, hash-chained history events, state stays, deadline timers, money
movements and the indicators its reports collect — everything `fire` would have written, in memory.

Nothing here names a rule file's field: values come from each field's type and limits, the company's
fields from the file's `company:` mapping, and money from the effects' own parameters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow.definitions.dates import DeadlineUnset, due_day
from workflow.engine.history import data_diff, data_hash, event_hash
from workflow.engine.search_text import data_text
from workflow.engine.sort_keys import key_values
from workflow.performance.recording import funnel_outcomes, plan_of, profile_values

SEOUL = ZoneInfo("Asia/Seoul")
STOP_CHANCE = 0.04  # per step: the application stays where it is (not every application is finished)
ROLE_ORDER = ("system", "applicant", "co_applicant", "officer", "lead_officer", "finance", "admin")


@dataclass
class Generated:
    application: dict
    events: list = field(default_factory=list)
    stays: list = field(default_factory=list)
    timers: list = field(default_factory=list)
    indicators: dict = field(default_factory=dict)  # (indicator, year) -> row
    company_linked: bool = False
    company_id: int | None = None
    award: dict | None = None
    tranches: list = field(default_factory=list)
    ledger: list = field(default_factory=list)
    marks: dict = field(default_factory=dict)  # outcome -> funnel mark row


def sample_value(spec, rng: random.Random, company: dict | None = None):
    """A valid value for a field, from its type and limits."""
    kind = spec.type
    if kind in ("integer", "money"):
        low = spec.min if spec.min is not None else 0
        high = spec.max if spec.max is not None else (low + (500_000_000 if kind == "money" else 50))
        if kind == "money":  # mostly modest amounts: a program's budget can fund more of them
            high = min(high, max(low, 1) * 8)
        return rng.randint(low, max(low, high))
    if kind in ("text", "textarea"):
        if spec.pattern:
            return "301-1234-5678"
        length = max(spec.min_length or 0, 20)
        text = ("강원 디지털헬스케어 사업 내용 " * 20)[:length]
        return text[: spec.max_length] if spec.max_length else text
    if kind == "choice":
        return rng.choice(spec.choices).value
    if kind == "multi_choice":
        return [rng.choice(spec.choices).value]
    if kind == "boolean":
        return True
    if kind == "date":
        return f"{rng.randint(2005, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "email":
        return f"contact{rng.randint(1, 99999)}@example.kr"
    if kind == "phone":
        return f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    if kind == "business_no":
        return company["business_no"] if company else "123-45-67890"
    if kind == "file":
        return None  # the demo stores no uploads
    return None


def stage_values(program, stage_name: str, rng, company: dict) -> dict:
    values = {}
    mapped = {}
    if program.spec.company:
        mapping = program.spec.company.model_dump(exclude_none=True)
        mapped = {field_name: company.get(attribute) for attribute, field_name in mapping.items()}
    for spec in program.spec.stages[stage_name].fields:
        if spec.name in mapped and mapped[spec.name] is not None:
            value = mapped[spec.name]
            if spec.type == "choice" and value not in {c.value for c in spec.choices}:
                value = sample_value(spec, rng, company)
            values[spec.name] = value
        else:
            value = sample_value(spec, rng, company)
            if value is not None:
                values[spec.name] = value
    return values


class Walker:
    """Generates applications of one program; `money` books awards against per-year budgets."""

    def __init__(self, program, people: dict, money, rng: random.Random, now: datetime):
        self.program, self.people, self.money, self.rng, self.now = program, people, money, rng, now
        self.plan = plan_of(program)
        self.outcomes = funnel_outcomes(program)
        initial = program.initial
        self.initial_stages = [n for n, s in program.spec.stages.items() if initial in s.editable_in]

    def actor(self, roles, applicant: dict) -> tuple[int | None, str, list[str]]:
        role = next((r for r in ROLE_ORDER if r in roles), roles[0])
        if self.program.role_kinds[role].audience == "applicant":  # the owner or a member of its side
            return applicant["id"], applicant["name"], [role]
        if role == "system":
            return None, "system", ["system"]
        person = self.people.get(role) or self.people["admin"]
        return person["id"], person["name"], [role]

    def generate(self, app_id: int, created_at: datetime, company: dict, applicant: dict) -> Generated:
        program, rng = self.program, self.rng
        data: dict = {}
        for stage in self.initial_stages:
            data.update(stage_values(program, stage, rng, company))
        out = Generated(application={})
        state, moment, entered = None, created_at, created_at
        recorded: dict = {}
        self._event(
            out,
            app_id,
            None,
            program.initial,
            "create",
            applicant["id"],
            applicant["name"],
            ["applicant"],
            recorded,
            data,
            moment,
        )
        recorded, state = dict(data), program.initial
        due = self._enter(out, app_id, state, moment, data)
        for _ in range(40):
            if state in program.finals or rng.random() < STOP_CHANCE:
                break
            step = timedelta(days=rng.uniform(0.2, 25))
            if moment + step > self.now:
                break
            choices = [
                t
                for t in program.leaving(state)
                if t.spec.to != state and self._possible(out, t, moment + step, data)
            ]
            if not choices:
                break
            weights = [0.2 if t.spec.to in program.finals else 1.0 for t in choices]
            transition = rng.choices(choices, weights)[0]
            fired_at = self._deadline_fire(out, state, transition)
            if fired_at is not None:  # a step the deadline fires happens when the deadline falls
                if fired_at > self.now:
                    break
                step = max(timedelta(0), fired_at - moment)
            moment += step
            for stage in transition.spec.requires:
                data.update(stage_values(program, stage, rng, company))
            for spec in transition.spec.fields:
                value = sample_value(spec, rng, company)
                if value is not None:
                    data[spec.name] = value
            actor_id, actor_name, roles = self.actor(transition.spec.roles, applicant)
            seq = len(out.events) + 1
            self._apply_money(out, app_id, transition, data, moment, actor_id, seq)
            self._event(
                out,
                app_id,
                state,
                transition.spec.to,
                transition.trigger,
                actor_id,
                actor_name,
                roles,
                recorded,
                data,
                moment,
            )
            recorded = dict(data)
            self._record_stages(out, app_id, transition, data, moment, company)
            out.stays.append(
                {
                    "application_id": app_id,
                    "program_key": program.key,
                    "state": state,
                    "left_by": transition.trigger,
                    "entered_at": entered,
                    "left_at": moment,
                    "seconds": int((moment - entered).total_seconds()),
                }
            )
            outcome = self.outcomes.get(transition.trigger)
            if outcome is not None:
                out.marks.setdefault(
                    outcome,
                    {
                        "application_id": app_id,
                        "outcome": outcome,
                        "program_key": program.key,
                        "created_at": created_at,
                    },
                )
            self._leave(out, moment)
            state, entered = transition.spec.to, moment
            due = self._enter(out, app_id, state, moment, data)
        for timer in out.timers:
            if timer["status"] == "pending" and timer["due_at"] <= self.now:
                timer.update(status="fired", fired_at=timer["due_at"], result="demo: deadline passed")
        last = out.events[-1]
        applicant_text = f"{applicant['name']} {applicant.get('organisation') or ''}".lower()
        out.application = {
            "id": app_id,
            "program_key": program.key,
            "program_version": program.version,
            "definition_sha": program.sha256,
            "state": state,
            "data": data,
            "event_data": data,
            "row_version": 1 + len(out.events),
            "applicant_id": applicant["id"],
            "history_seq": len(out.events),
            "history_head": last["hash"],
            "created_at": created_at,
            "updated_at": last["at"],
            "updated_by": last["actor_id"],
            "state_entered_at": entered,
            # the columns the engine keeps for the board (workflow/engine/search_text.py, sort_keys.py)
            "search_text": f"{data_text(program, data)} {applicant_text}".strip(),
            **key_values(program, data),
            "open_deadline": due,
            "applicant_name": applicant["name"],
        }
        return out

    def _event(
        self, out, app_id, from_state, to_state, trigger, actor_id, actor_name, roles, before, data, at
    ):
        event = {
            "application_id": app_id,
            "seq": len(out.events) + 1,
            "program_key": self.program.key,
            "program_version": self.program.version,
            "definition_sha": self.program.sha256,
            "from_state": from_state,
            "to_state": to_state,
            "trigger": trigger,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "actor_roles": sorted(roles),
            "reason": None,
            "diff": data_diff(before, data),
            "data_hash": data_hash(data),
            "at": at,
            "prev_hash": out.events[-1]["hash"] if out.events else "",
        }
        event["hash"] = event_hash(event)
        out.events.append(event)

    def _deadline_fire(self, out, state: str, transition):
        deadline = self.program.spec.states[state].deadline
        if deadline is None or deadline.on_expiry.fire != transition.trigger:
            return None
        pending = [t for t in out.timers if t["status"] == "pending" and t["state"] == state]
        return pending[-1]["due_at"] if pending else None

    def _enter(self, out, app_id, state, moment, data) -> datetime | None:
        """The deadline timer of the state entered, if it has one; returns when it falls."""
        deadline = self.program.spec.states[state].deadline
        if deadline is None:
            return None
        try:
            day = due_day(deadline, self.program.expressions, data, moment.astimezone(SEOUL).date())
        except DeadlineUnset:
            return None  # generated data without the value the deadline reads: no timer, as no move in fire
        hour, minute = (int(part) for part in deadline.at.split(":"))
        due = datetime.combine(day, time(hour, minute), SEOUL).astimezone(moment.tzinfo)
        out.timers.append(
            {
                "application_id": app_id,
                "state": state,
                "kind": "deadline",
                "action": deadline.on_expiry.model_dump(exclude_none=True),
                "due_at": due,
                "status": "pending",
                "created_at": moment,
                "fired_at": None,
                "result": None,
            }
        )
        return due

    def _leave(self, out, moment) -> None:
        for timer in out.timers:
            if timer["status"] == "pending":
                missed = timer["due_at"] <= moment
                timer.update(
                    status="fired" if missed else "cancelled",
                    fired_at=timer["due_at"] if missed else moment,
                    result="demo: deadline passed" if missed else "left the state",
                )

    def _record_stages(self, out, app_id, transition, data, moment, company) -> None:
        submitted = self.plan.stages.intersection(transition.spec.requires)
        if submitted & self.plan.company_stages:
            out.company_linked = True
        year = moment.astimezone(SEOUL).year
        for stage in sorted(submitted):
            for indicator, field_name in self.plan.indicators.get(stage, ()):
                if data.get(field_name) is not None:
                    out.indicators[(indicator, year)] = {
                        "application_id": app_id,
                        "company_id": company["id"],
                        "program_key": self.program.key,
                        "indicator": indicator,
                        "stage": stage,
                        "year": year,
                        "value": int(data[field_name]),
                        "event_seq": len(out.events),
                        "recorded_at": moment,
                    }

    # money -------------------------------------------------------------------------------------
    def _possible(self, out, transition, moment, data) -> bool:
        return all(
            self.money.possible(out, kind.name, params, transition, moment, data, self.program)
            for kind, params in transition.effects
        )

    def _apply_money(self, out, app_id, transition, data, moment, actor_id, seq) -> None:
        for kind, params in transition.effects:
            self.money.apply(out, app_id, kind.name, params, data, moment, actor_id, seq, self.program)
        for tranche in out.tranches:  # a held tranche is released by its trigger
            if tranche["status"] == "scheduled" and tranche["release_on"] == transition.trigger:
                tranche["status"] = "due"


def company_profile(program, data: dict) -> dict:
    """What the company table would hold after this application (the rule file names the fields)."""
    company = program.spec.company.model_dump(exclude_none=True) if program.spec.company else {}
    return profile_values(company, data) if company else {}
