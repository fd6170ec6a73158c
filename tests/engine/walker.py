"""A generic walker over a rule file: it derives valid data from the field specs, replays paths through
fire(), and explores guards with variations of the data and of the review scores."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from workflow.actors import SYSTEM
from workflow.effects import expressions_of
from workflow.guards import GuardEvaluationError
from workflow.services import reviews

TEXT_CANDIDATES = ["301-1234-5678", "1234567890", "ABC-1234", "테스트 값"]
ROLE_PREFERENCE = ("system", "applicant", "officer", "finance", "lead_officer", "admin")


def valid_samples(spec, store) -> list:
    """Valid values for a field, the first one a sensible default (used to fill forms)."""
    kind = spec.type
    if kind in ("money", "integer"):
        low = spec.min if spec.min is not None else 0
        high = spec.max if spec.max is not None else max(low, 1) * 1000 + 100_000_000
        middle = max(low, min(high, 10_000_000 if kind == "money" else 2))
        return sorted({middle, low, high}, key=lambda v: (v != middle, v))
    if kind in ("text", "textarea"):
        if spec.pattern:
            return [next(c for c in TEXT_CANDIDATES if re.fullmatch(spec.pattern, c))]
        length = max(spec.min_length or 0, 24)
        text = ("디지털헬스케어 사업 설명 " * 10)[:length]
        return [text[: spec.max_length] if spec.max_length else text]
    if kind == "choice":
        return [choice.value for choice in spec.choices]
    if kind == "multi_choice":
        return [[spec.choices[0].value]]
    if kind == "boolean":
        return [True, False]
    if kind == "file":
        return [store.save(b"%PDF-1.4\n%walk\n%%EOF\n", "walk.pdf", accept=("pdf",)), None]
    return [
        {
            "date": "2026-05-01",
            "email": "walk@example.kr",
            "phone": "010-1234-5678",
            "business_no": "123-45-67890",
        }[kind]
    ]


def invalid_samples(spec) -> list:
    """Values outside the form's own limits: only for trying a guard directly."""
    if spec.type in ("money", "integer"):
        return [v for v in ((spec.min or 0) - 1, (spec.max or 0) + 1) if v is not None]
    return [None]


@dataclass(frozen=True)
class Scenario:
    overrides: tuple = ()  # ((field, value), ...)
    review_level: str = "high"  # high | low | partial

    def data(self) -> dict:
        return dict(self.overrides)


@dataclass
class Walk:
    reached: dict = field(default_factory=dict)  # state -> (path, scenario)
    guards_true: set = field(default_factory=set)
    guards_false: set = field(default_factory=set)
    guards_false_direct: set = field(default_factory=set)


class Walker:
    def __init__(self, workflow, people, store, program):
        self.workflow, self.people, self.store, self.program = workflow, people, store, program
        self.defaults = {name: valid_samples(spec, store)[0] for name, spec in program.fields.items()}

    # driving -------------------------------------------------------------------------------
    def actor_for(self, transition):
        role = next(r for r in ROLE_PREFERENCE if r in transition.spec.roles)
        return SYSTEM if role == "system" else getattr(self.people, role)

    def values(self, specs, scenario) -> dict:
        merged = {**self.defaults, **scenario.data()}
        return {name: merged[name] for name in specs if name in merged}

    def prepare(self, app_id, state, scenario) -> None:
        """Fill the forms editable now and, in a review state, have the reviewers score."""
        stage_fields = self.program.editable_fields(state)
        if stage_fields and "applicant" in self.program.stage_roles(state):
            assert self.workflow.save_draft(
                app_id, self.people.applicant, self.values(stage_fields, scenario)
            ).ok
        review = self.program.spec.review
        if review and self.program.spec.states[state].review:
            count = review.reviewers_per_application
            for number, reviewer in enumerate(self.people.reviewers[:count]):
                reviews.assign(self.workflow, app_id, reviewer.id, self.people.officer)
                reviews.declare(self.workflow, app_id, reviewer, "none")
                if scenario.review_level == "partial" and number == count - 1:
                    continue
                top = scenario.review_level != "low"
                scores = {item.name: item.max if top else 0 for item in review.rubric}
                assert reviews.submit(self.workflow, app_id, reviewer, scores).ok

    def state_of(self, app_id) -> str:
        from sqlalchemy import select

        from workflow.models import Application

        with self.workflow.db.connect() as connection:
            return connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()

    def fire(self, app_id, transition, scenario):
        state = self.state_of(app_id)
        self.prepare(app_id, state, scenario)
        if transition.spec.auto:
            return None
        data = self.values({f.name: f for f in transition.spec.fields}, scenario)
        return self.workflow.fire(
            app_id, transition.trigger, self.actor_for(transition), data=data or None, reason="walk"
        )

    def replay(self, path, scenario) -> int | None:
        initial = self.program.editable_fields(self.program.initial)
        created = self.workflow.create(
            self.program.key, self.people.applicant, self.values(initial, scenario)
        )
        assert created.ok, created.reason("en")
        for transition in path:
            result = self.fire(created.application_id, transition, scenario)
            if transition.spec.auto:
                if self.state_of(created.application_id) != transition.spec.to:
                    return None
            elif not result.ok:
                return None
        return created.application_id

    # exploring -----------------------------------------------------------------------------
    def scenarios_for(self, transition, base: Scenario) -> list[Scenario]:
        guard = transition.guard
        read = set(guard.data_fields if guard else ())
        for kind, params in transition.effects:
            read |= {
                f
                for source in expressions_of(kind.name, params)
                for f in self.program.expressions[source].data_fields
            }
        if not read and guard is None:
            return [base]
        fields = sorted(f for f in read if f in self.program.fields)
        options = [
            [(name, value) for value in valid_samples(self.program.fields[name], self.store)]
            for name in fields
        ]
        levels = ["high", "low", "partial"] if guard and "reviews" in guard.variables else [base.review_level]
        found = []
        for combination in itertools.islice(itertools.product(*options), 64):
            for level in levels:
                overrides = dict(base.overrides) | dict(combination)
                found.append(Scenario(tuple(sorted(overrides.items(), key=lambda kv: kv[0])), level))
        return found

    def try_transition(self, walk: Walk, path, base: Scenario, transition):
        """Fire the transition under each scenario; returns a scenario where it succeeded, or None."""
        success = None
        for scenario in self.scenarios_for(transition, base):
            app_id = self.replay(path, scenario)
            if app_id is None:
                continue
            seq_before = self.history_seq(app_id)
            result = self.fire(app_id, transition, scenario)
            moved = self.state_of(app_id) == transition.spec.to
            if moved and (transition.spec.auto or result.ok):
                success = success or scenario
                walk.guards_true.add(transition.index)
            elif transition.guard is not None and not transition.spec.auto and result.ok:
                walk.guards_false.add(transition.index)  # a sibling with the same trigger was chosen instead
            elif transition.guard is not None and (
                transition.spec.auto or result.refusal.code == "guard_failed"
            ):
                assert self.history_seq(app_id) == seq_before, "a refused guard must write nothing"
                walk.guards_false.add(transition.index)
            if success and (transition.guard is None or transition.index in walk.guards_false):
                break
        return success

    def history_seq(self, app_id) -> int:
        from sqlalchemy import select

        from workflow.models import Application

        with self.workflow.db.connect() as connection:
            return connection.execute(
                select(Application.history_seq).where(Application.id == app_id)
            ).scalar_one()

    def guard_false_directly(self, transition) -> bool:
        """For guards no valid form input can make false (e.g. bounds the form already enforces)."""
        guard = transition.guard
        fields = sorted(guard.data_fields)
        options = []
        for name in fields:
            spec = self.program.fields.get(name)
            samples = (valid_samples(spec, self.store) + invalid_samples(spec)) if spec else [None, "set"]
            options.append([(name, v) for v in samples])
        for combination in itertools.islice(itertools.product(*options), 256):
            data = {**self.defaults, **{k: v for k, v in combination if v is not None}}
            for k, v in combination:
                if v is None:
                    data.pop(k, None)
            context = {
                "data": data,
                "reviews": {"count": 0, "assigned": 0, "all_submitted": False, "mean": 0.0},
                "money": {"awarded": 0, "paid": 0, "recovered": 0},
                "actor": {"id": 0, "roles": []},
                "application": {"state": transition.sources[0], "days_in_state": 0},
            }
            try:
                if not guard.test(context):
                    return True
            except GuardEvaluationError:
                continue
        return False

    def walk(self) -> Walk:
        walk = Walk()
        walk.reached[self.program.initial] = ([], Scenario())
        queue = [self.program.initial]
        while queue:
            state = queue.pop(0)
            path, scenario = walk.reached[state]
            for transition in self.program.leaving(state):
                success = self.try_transition(walk, path, scenario, transition)
                if success is not None and transition.spec.to not in walk.reached:
                    walk.reached[transition.spec.to] = ([*path, transition], success)
                    queue.append(transition.spec.to)
        for transition in self.program.transitions:
            untried = transition.guard is not None and transition.index not in walk.guards_false
            if untried and self.guard_false_directly(transition):
                walk.guards_false_direct.add(transition.index)
        return walk
