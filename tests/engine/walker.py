"""A generic walker over a rule file: it derives valid data from each field's type and constraints (the
field-type registry's sample, a string made from a `pattern`), replays paths through fire(), follows
automatic steps (guarded branches both ways, unguarded ones passed through), and explores guards with
variations of the data and of the review scores. Staff of the program are made on demand, so a program
with roles of its own walks too."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from tests.engine.walk_values import (
    Scenario,
    Walk,
    children_samples,
    invalid_samples,
    opener_of,
    valid_samples,
)
from workflow.engine.actors import SYSTEM, load_actor
from workflow.engine.context import seoul_today
from workflow.engine.events import event_sample
from workflow.engine.members import add_member
from workflow.models import Application, ApplicationLink, HistoryEvent
from workflow.services import reviews
from workflow.services.users import create_user
from workflow.vocabulary.effects import expressions_of
from workflow.vocabulary.guards import CONTEXT_SOURCES, GuardEvaluationError

ROLE_PREFERENCE = ("system", "applicant", "officer", "finance", "lead_officer", "admin")


class Walker:
    def __init__(self, workflow, people, store, program):
        self.workflow, self.people, self.store, self.program = workflow, people, store, program
        self.defaults = {name: valid_samples(spec, store)[0] for name, spec in program.fields.items()}
        self._staff: dict[str, object] = {}
        # a follow-up-only program starts where its opener's `open:` puts it, from an application of the opener
        self.opener = opener_of(workflow.registry, program) if program.spec.follow_up_only else None
        self.entry = (self.opener[2].at or program.initial) if self.opener else program.initial
        self._parent: tuple | None = None  # (walker of the opener, path and scenario to the opening step)

    # driving -------------------------------------------------------------------------------
    def actor_for(self, transition):
        roles = transition.spec.roles
        role = next((r for r in ROLE_PREFERENCE if r in roles), roles[0])
        if role == "system":
            return SYSTEM
        if role == "applicant":
            return self.people.applicant
        return self.staff(role)

    def staff(self, role: str, number: int = 0):
        """A user holding `role` for this program (made once per number), so any program's roles can act,
        and a sign-off finds as many different people as it needs."""
        key = f"{role}-{number}" if number else role
        if key not in self._staff:
            with self.workflow.db.begin() as connection:
                user_id = create_user(
                    connection,
                    f"walk-{key}-{self.program.key}@test.kr",
                    f"{role} {number + 1}",
                    roles=[(role, self.program.key)],
                )
            with self.workflow.db.connect() as connection:
                self._staff[key] = load_actor(connection, user_id)
        return self._staff[key]

    @property
    def member_roles(self) -> list[str]:
        """The program's roles held by being linked to one application (co_applicant and its own)."""
        kinds = self.program.role_kinds
        return [r for r in self.program.spec.roles if r in kinds and kinds[r].held_by == "member"]

    def member(self, role: str):
        """The user the walker links to every application in `role` (made once)."""
        key = f"member-{role}"
        if key not in self._staff:
            with self.workflow.db.begin() as connection:
                user_id = create_user(connection, f"walk-{key}-{self.program.key}@test.kr", role)
            with self.workflow.db.connect() as connection:
                self._staff[key] = load_actor(connection, user_id)
        return self._staff[key]

    def approvers(self, transition) -> list:
        """The people who fire a transition: one actor, or for a sign-off as many different people of each
        step's role as it needs, in the steps' order."""
        if not transition.spec.sign_off:
            return [self.actor_for(transition)]
        people, used = [], {}
        for step in transition.spec.sign_off:
            for _ in range(step.count):
                if step.role == "applicant" or step.role in self.member_roles:
                    people.append(
                        self.people.applicant if step.role == "applicant" else self.member(step.role)
                    )
                    continue
                people.append(self.staff(step.role, used.get(step.role, 0)))
                used[step.role] = used.get(step.role, 0) + 1
        return people

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
        scoring = bool(review and self.program.spec.states[state].review)
        if review and (scoring or state in review.assign_in):  # assigned ahead of time in `assign_in`
            count = review.reviewers_per_application
            kinds = self.program.review_kinds
            for number, reviewer in enumerate(self.people.reviewers[:count]):
                kind = kinds[number % len(kinds)] if kinds else None  # every declared kind takes a seat
                reviews.assign(self.workflow, app_id, reviewer.id, self.staff("officer"), kind=kind)
                reviews.declare(self.workflow, app_id, reviewer, "none")
                if not scoring or (scenario.review_level == "partial" and number == count - 1):
                    continue
                top = scenario.review_level != "low"
                scores = {item.name: item.max if top else 0 for item in review.rubric}
                assert reviews.submit(self.workflow, app_id, reviewer, scores).ok

    def state_of(self, app_id) -> str:
        with self.workflow.db.connect() as connection:
            return connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()

    def moves_since(self, app_id, seq: int) -> list[tuple[str, str]]:
        """(trigger, to_state) of every event after `seq`: a fire and the automatic steps it took."""
        with self.workflow.db.connect() as connection:
            rows = connection.execute(
                select(HistoryEvent.trigger, HistoryEvent.to_state)
                .where(HistoryEvent.application_id == app_id, HistoryEvent.seq > seq)
                .order_by(HistoryEvent.seq)
            ).all()
        return [tuple(row) for row in rows]

    def step(self, app_id, transition, scenario, mark: int):
        """Take one transition of a path. A manual one is fired; an automatic one is taken by the engine
        after the change that enabled it (the last fire, or the reviews `prepare` submits now).
        Returns (taken, result, mark for the next step)."""
        if transition.spec.auto:
            if self.state_of(app_id) in transition.sources:
                self.prepare(app_id, self.state_of(app_id), scenario)
            if "linked_state_reached" in transition.spec.events:
                self.drive_linked(app_id)
            taken = (transition.trigger, transition.spec.to) in self.moves_since(app_id, mark)
            return taken, None, mark
        state = self.state_of(app_id)
        if state not in transition.sources:
            return False, None, mark
        self.prepare(app_id, state, scenario)
        mark = self.history_seq(app_id)
        data = self.values({f.name: f for f in transition.spec.fields}, scenario)
        for actor in self.approvers(transition):
            result = self.workflow.fire(app_id, transition.trigger, actor, data=data or None, reason="walk")
            if not result.ok or not result.approved or result.state != state:
                break  # refused, an ordinary move, or the last approval moved it
        moves = [m for m in self.moves_since(app_id, mark) if m[0] != "sign_off"]  # approvals before the move
        taken = result.ok and bool(moves) and moves[0] == (transition.trigger, transition.spec.to)
        return taken, result, mark

    def drive_linked(self, app_id) -> None:
        """Take the applications this one opened forward, one manual step at a time (up to a final state),
        so a step waiting for a linked application's state can be taken."""
        with self.workflow.db.connect() as connection:
            children = connection.execute(
                select(ApplicationLink.target_id).where(ApplicationLink.source_id == app_id)
            ).scalars()
            programs = {child: self.workflow.load(connection, child)[1] for child in children}
        for child, program in programs.items():
            walker = Walker(self.workflow, self.people, self.store, program)
            for _ in range(len(program.spec.states)):
                state = walker.state_of(child)
                manual = [t for t in program.leaving(state) if not t.spec.auto]
                mark = walker.history_seq(child)
                if not any(walker.step(child, t, Scenario(), mark)[0] for t in manual):
                    break

    def replay(self, path, scenario):
        """(application id, mark) after taking `path`, or None if a step did not go the same way."""
        if self.opener:
            app_id = self.open_follow_up()
        else:
            initial = self.program.editable_fields(self.program.initial)
            created = self.workflow.create(
                self.program.key, self.people.applicant, self.values(initial, scenario)
            )
            assert created.ok, created.reason("en")
            app_id = created.application_id
        for role in self.member_roles:  # e.g. a university beside a company, linked as co-applicant
            email = f"walk-member-{role}-{self.program.key}@test.kr"
            self.member(role)
            assert add_member(self.workflow, app_id, self.people.applicant, email, role).ok
        mark = 0
        for transition in path:
            taken, _result, mark = self.step(app_id, transition, scenario, mark)
            if not taken:
                return None
        return app_id, mark

    def open_follow_up(self) -> int:
        """A new application of this follow-up-only program, opened by walking an opener's application to
        the transition whose `open:` opens it and taking that transition."""
        assert self.opener is not None
        parent_program, opening, _params = self.opener
        if self._parent is None:
            parent = Walker(self.workflow, self.people, self.store, parent_program)
            reached = parent.walk(stop_at=set(opening.sources)).reached
            source = next((s for s in opening.sources if s in reached), None)
            assert source is not None, f"{parent_program.key} never reaches {opening.sources}"
            self._parent = (parent, *reached[source])
        parent, path, scenario = self._parent
        replayed = parent.replay(path, scenario)
        assert replayed is not None, f"{parent_program.key} did not replay to '{opening.trigger}'"
        taken, result, _mark = parent.step(replayed[0], opening, scenario, replayed[1])
        assert taken, result.reason("en") if result else opening.trigger
        with self.workflow.db.connect() as connection:
            return connection.execute(
                select(ApplicationLink.target_id)
                .where(ApplicationLink.source_id == replayed[0])
                .order_by(ApplicationLink.id.desc())
                .limit(1)
            ).scalar_one()

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
            replayed = self.replay(path, scenario)
            if replayed is None:
                continue
            app_id, mark = replayed
            taken, result, fired_at = self.step(app_id, transition, scenario, mark)
            if taken:
                success = success or scenario
                walk.taken.add(transition.index)
                walk.guards_true.add(transition.index)
            elif transition.guard is not None and transition.spec.auto:
                walk.guards_false.add(transition.index)  # the engine did not take it: its guard was false
            elif result is None:
                continue
            elif transition.guard is not None and result.ok:
                walk.guards_false.add(transition.index)  # a sibling with the same trigger was chosen instead
            elif transition.guard is not None and result.refusal.code == "guard_failed":
                # drafts and reviews `prepare` wrote are events; the refused fire itself wrote nothing
                assert self.history_seq(app_id) == fired_at, "a refused guard must write nothing"
                walk.guards_false.add(transition.index)
            if success and (transition.guard is None or transition.index in walk.guards_false):
                break
        if transition.guard is not None and "children" in transition.guard.variables:
            self.try_after_opening(walk, path, base, transition)
        return success

    def try_after_opening(self, walk: Walk, path, scenario: Scenario, transition) -> None:
        """A guard over `children`, tried again once a linked application is open: each transition that opens
        one and stays in the state (e.g. "request an amendment") is taken first."""
        state = transition.sources[0]
        openers = [
            t
            for t in self.program.leaving(state)
            if t.spec.to == state and any(kind.name == "open" for kind, _ in t.effects)
        ]
        for opening in openers:
            replayed = self.replay(path, scenario)
            if replayed is None:
                continue
            app_id, mark = replayed
            opened, _result, mark = self.step(app_id, opening, scenario, mark)
            if not opened:
                continue
            taken, result, fired_at = self.step(app_id, transition, scenario, mark)
            if taken:
                walk.guards_true.add(transition.index)
            elif result is not None and result.refusal.code == "guard_failed":
                assert self.history_seq(app_id) == fired_at, "a refused guard must write nothing"
                walk.guards_false.add(transition.index)

    def history_seq(self, app_id) -> int:
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
        linked = list(itertools.product(self.parent_samples(), children_samples(guard.source)))
        rounds = [1, 9] if "reviews" in guard.variables else [1]  # e.g. "at most two rounds"
        for combination, round_ in itertools.product(
            itertools.islice(itertools.product(*options), 256), rounds
        ):
            data = {**self.defaults, **{k: v for k, v in combination if v is not None}}
            for k, v in combination:
                if v is None:
                    data.pop(k, None)
            no_reviews = {"count": 0, "assigned": 0, "all_submitted": False, "mean": 0.0}
            samples = {name: source.sample for name, source in CONTEXT_SOURCES.items() if source.sample}
            for parent, children in linked:
                context = samples | {
                    "data": data,
                    "reviews": {
                        **no_reviews,
                        "round": round_,
                        "by_kind": {kind: dict(no_reviews) for kind in self.program.review_kinds},
                    },
                    "money": {"awarded": 0, "paid": 0, "recovered": 0},
                    "actor": {"id": 0, "roles": []},
                    "application": {
                        "state": transition.sources[0],
                        "days_in_state": 0,
                        "today": seoul_today(self.workflow.clock()),
                    },
                    "event": event_sample(transition.spec.events),
                    "parent": parent,
                    "children": children,
                }
                try:
                    if not guard.test(context):
                        return True
                except GuardEvaluationError:
                    continue
        return False

    def explore(self, walk: Walk, queue: list, stop_at: set | None, only_untaken: bool = False) -> bool:
        """Breadth first from the states in `queue`; True if it stopped at one of `stop_at`."""
        while queue:
            state = queue.pop(0)
            if stop_at is not None and stop_at & set(walk.reached):
                return True
            path, scenario = walk.reached[state]
            for transition in self.program.leaving(state):
                if only_untaken and transition.index in walk.taken:
                    continue
                success = self.try_transition(walk, path, scenario, transition)
                if success is not None and transition.spec.to not in walk.reached:
                    walk.reached[transition.spec.to] = ([*path, transition], success)
                    queue.append(transition.spec.to)
        return False

    def fill_capacity(self, walk: Walk) -> bool:
        """Take every place of a program with `capacity:` by replaying the path to a holding state, so that
        the other side of a guard on `capacity` (a waiting list) can be walked. False if none is reachable."""
        spec = self.program.spec.capacity
        holding = next((s for s in spec.holding if s in walk.reached and walk.reached[s][0]), None)
        if holding is None:
            return False
        path, scenario = walk.reached[holding]
        for _ in range(spec.seats):
            if self.replay(path, scenario) is None:
                return True  # the path no longer ends in a place: they are all taken
        return True

    def parent_samples(self) -> list[dict]:
        """`parent` as a guard may see it: none, or the opener's application in each of its states."""
        samples = [{"id": 0, "program": "", "state": "", "data": {}}]
        opener = opener_of(self.workflow.registry, self.program)
        if opener is not None:
            defaults = {name: valid_samples(spec, self.store)[0] for name, spec in opener[0].fields.items()}
            for state in opener[0].spec.states:
                samples.append({"id": 1, "program": opener[0].key, "state": state, "data": defaults})
        return samples

    def walk(self, stop_at: set | None = None) -> Walk:
        """Every state reachable from where applications start; with `stop_at`, only until one of those
        states is reached (to open a follow-up from it)."""
        walk = Walk()
        walk.reached[self.entry] = ([], Scenario())
        if self.explore(walk, [self.entry], stop_at):
            return walk
        untaken = {t.index for t in self.program.transitions} - walk.taken
        if self.program.spec.capacity is not None and untaken and self.fill_capacity(walk):
            # with every place taken, try again what was not taken (e.g. joining the waiting list)
            self.explore(walk, list(walk.reached), stop_at, only_untaken=True)
        for transition in self.program.transitions:
            untried = transition.guard is not None and transition.index not in walk.guards_false
            if untried and self.guard_false_directly(transition):
                walk.guards_false_direct.add(transition.index)
        return walk
