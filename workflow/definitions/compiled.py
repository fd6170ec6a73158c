"""A validated rule file compiled once: guards and expressions, one shared `transitions` Machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from types import SimpleNamespace

from transitions import Machine

from workflow.definitions.schema import FieldSpec, ProgramSpec, TransitionSpec
from workflow.vocabulary.effects import expressions_of, listened_triggers, parse_effect
from workflow.vocabulary.guards import Expression, compile_expression
from workflow.vocabulary.roles import ROLES, RoleKind, custom_role


@dataclass(frozen=True)
class CompiledTransition:
    index: int
    spec: TransitionSpec
    guard: Expression | None
    effects: tuple  # ((EffectKind, params), ...)
    needs: frozenset[str]  # context variables its guard and effects read (reviews and money cost a query)

    @property
    def trigger(self) -> str:
        return self.spec.trigger

    @property
    def sources(self) -> list[str]:
        return self.spec.sources


@dataclass
class CompiledProgram:
    spec: ProgramSpec
    sha256: str
    file: str
    source: str
    transitions: list[CompiledTransition] = field(default_factory=list)
    expressions: dict[str, Expression] = field(default_factory=dict)
    # what read models derive from the rules alone (e.g. the steps of a state), kept once per program:
    # pages ask for it on every request and the program never changes
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for index, spec in enumerate(self.spec.transitions):
            effects = tuple(parse_effect(raw) for raw in spec.effects)
            guard = compile_expression(spec.guard) if spec.guard else None
            needs = set(guard.variables if guard else ())
            for kind, params in effects:
                for source in expressions_of(kind.name, params):
                    expression = self.expressions.setdefault(source, compile_expression(source))
                    needs |= expression.variables
            self.transitions.append(CompiledTransition(index, spec, guard, effects, frozenset(needs)))
        for state in self.spec.states.values():
            for source in state.deadline.expressions() if state.deadline else ():
                self.expressions.setdefault(source, compile_expression(source))
        self.machine = Machine(
            model=None,
            states=list(self.spec.states),
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": t.sources,
                    "dest": t.spec.to,
                    "conditions": [_allowed(t.index)],
                }
                for t in self.transitions
            ],
            initial=None,
            auto_transitions=False,
            send_event=True,
        )

    # identity ------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def fiscal_year(self) -> int:
        if self.spec.budget and self.spec.budget.fiscal_year:
            return self.spec.budget.fiscal_year
        if self.spec.open:
            return self.spec.open.start.year
        return datetime.now(UTC).year

    # states --------------------------------------------------------------------------------
    @cached_property
    def initial(self) -> str:
        return next(name for name, state in self.spec.states.items() if state.initial)

    @cached_property
    def finals(self) -> frozenset[str]:
        return frozenset(name for name, state in self.spec.states.items() if state.final)

    def move(self, state: str, trigger: str, allowed: set[int]) -> str | None:
        """Destination chosen by the shared machine for the first allowed transition, or None."""
        token = SimpleNamespace(state=state)
        event = self.machine.events.get(trigger)
        if event is None or not event.trigger(token, allowed=allowed):
            return None
        return token.state

    # transitions ---------------------------------------------------------------------------
    @cached_property
    def triggers(self) -> frozenset[str]:
        return frozenset(t.trigger for t in self.transitions)

    def trigger_label(self, trigger: str) -> dict[str, str]:
        """What people call a trigger ({ko, en}), the one place for it (refusals, buttons, history): its
        button label; "automatic step" for one only the system fires; the engine's name for its own steps.
        Worked out once per trigger (a page's timeline and actions ask for each again); a copy each time."""
        key = ("trigger_label", trigger)
        if key not in self.derived:
            self.derived[key] = self._trigger_label(trigger)
        return dict(self.derived[key])

    def _trigger_label(self, trigger: str) -> dict[str, str]:
        transitions = [t for t in self.transitions if t.trigger == trigger]
        for transition in transitions:
            if transition.spec.label is not None:
                return transition.spec.label.model_dump()
        if transitions and all(t.spec.auto or set(t.spec.roles) == {"system"} for t in transitions):
            return dict(AUTOMATIC_STEP)
        if trigger in ENGINE_STEPS:
            return dict(ENGINE_STEPS[trigger])
        plain = trigger.replace("_", " ")
        return {"ko": plain, "en": plain}

    @cached_property
    def _by_trigger_and_state(self) -> dict[tuple[str, str], list[CompiledTransition]]:
        index: dict[tuple[str, str], list[CompiledTransition]] = {}
        for transition in self.transitions:
            for source in transition.sources:
                index.setdefault((transition.trigger, source), []).append(transition)
        return index

    def candidates(self, trigger: str, state: str) -> list[CompiledTransition]:
        """The transitions `trigger` may take from `state`, in file order (guards decide among them)."""
        return self._by_trigger_and_state.get((trigger, state), [])

    def leaving(self, state: str) -> list[CompiledTransition]:
        return list(self._leaving_by_state.get(state, ()))

    @cached_property
    def _leaving_by_state(self) -> dict[str, tuple[CompiledTransition, ...]]:
        index: dict[str, list[CompiledTransition]] = {}
        for transition in self.transitions:
            for source in dict.fromkeys(transition.sources):
                index.setdefault(source, []).append(transition)
        return {state: tuple(transitions) for state, transitions in index.items()}

    @cached_property
    def automatic(self) -> dict[str, list[CompiledTransition]]:
        """Automatic steps taken whenever their condition holds after a change, by state."""
        by_state: dict[str, list[CompiledTransition]] = {}
        for transition in self.transitions:
            if transition.spec.auto and not transition.spec.events:
                for source in transition.sources:
                    by_state.setdefault(source, []).append(transition)
        return by_state

    @cached_property
    def on_event(self) -> dict[tuple[str, str], list[CompiledTransition]]:
        """Automatic steps taken only when their event happens (`on_event:`), by (state, event)."""
        by_event: dict[tuple[str, str], list[CompiledTransition]] = {}
        for transition in self.transitions:
            for event in transition.spec.events:
                for source in transition.sources:
                    by_event.setdefault((source, event), []).append(transition)
        return by_event

    @cached_property
    def listened_events(self) -> frozenset[str]:
        return frozenset(event for state, event in self.on_event)

    @cached_property
    def trigger_hooks(self) -> dict[str, list]:
        """trigger → effect kinds that act when it fires (e.g. an award releasing a held tranche)."""
        return listened_triggers(effect for t in self.transitions for effect in t.effects)

    @cached_property
    def review_kinds(self) -> tuple[str, ...]:
        """The reviewer kinds the rule file declares (`review.kinds`), in file order."""
        return tuple(self.spec.review.kinds) if self.spec.review else ()

    @cached_property
    def member_roles(self) -> tuple[str, ...]:
        """The roles of this program held by users linked to one application (co-applicants, partners)."""
        return tuple(r for r in self.spec.roles if (k := self.role_kinds.get(r)) and k.held_by == "member")

    def review_kind_label(self, kind: str | None, lang: str) -> str:
        spec = self.spec.review.kinds.get(kind or "") if self.spec.review else None
        return spec.label.get(lang) if spec else ""

    # forms ---------------------------------------------------------------------------------
    @cached_property
    def fields(self) -> dict[str, FieldSpec]:
        return self.spec.all_fields()

    def editable_fields(
        self, state: str, transition: CompiledTransition | None = None
    ) -> dict[str, FieldSpec]:
        editable = {
            f.name: f
            for stage in self.spec.stages.values()
            if state in stage.editable_in
            for f in stage.fields
        }
        if transition is not None:
            editable.update({f.name: f for f in transition.spec.fields})
        return editable

    def correction_roles(self, stage: str, state: str) -> set[str]:
        """The roles that may correct `stage` in `state` (the stage's `corrections:`), with a reason."""
        spec = self.spec.stages.get(stage)
        if spec is None:
            return set()
        return {role for c in spec.corrections if state in c.states for role in c.roles}

    def correctable_stages(self, state: str) -> dict[str, set[str]]:
        """stage -> the roles that may correct it in `state`."""
        found = {name: self.correction_roles(name, state) for name in self.spec.stages}
        return {name: roles for name, roles in found.items() if roles}

    def stage_roles(self, state: str) -> set[str]:
        return {
            r for stage in self.spec.stages.values() if state in stage.editable_in for r in stage.edit_roles
        }

    # the fields pages show (rule file's `key_fields:`, with defaults) ----------------------
    @cached_property
    def first_stage_fields(self) -> list[FieldSpec]:
        return next(iter(self.spec.stages.values())).fields if self.spec.stages else []

    @cached_property
    def title_field(self) -> str | None:
        if self.spec.key_fields.title:
            return self.spec.key_fields.title
        texts = [f for f in self.first_stage_fields if f.type == "text"]
        chosen = next((f for f in texts if f.required), texts[0] if texts else None)
        return chosen.name if chosen else None

    @cached_property
    def amount_field(self) -> str | None:
        if self.spec.key_fields.amount:
            return self.spec.key_fields.amount
        return next((f.name for f in self.first_stage_fields if f.type == "money"), None)

    @cached_property
    def organisation_field(self) -> str | None:
        return self.spec.key_fields.organisation or self.title_field

    def title_of(self, data: dict | None) -> str:
        value = (data or {}).get(self.title_field) if self.title_field else None
        return "" if value is None else str(value)

    def amount_of(self, data: dict | None) -> int | None:
        value = (data or {}).get(self.amount_field) if self.amount_field else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def organisation_of(self, data: dict | None) -> str:
        value = (data or {}).get(self.organisation_field) if self.organisation_field else None
        return "" if value is None else str(value)

    def key_field(self, role: str) -> FieldSpec | None:
        """The field shown as the application's `title`, `amount`, `organisation`, `representative`,
        `participants` or `bank_account`, if any (only the first three have defaults)."""
        defaults = {
            "title": self.title_field,
            "amount": self.amount_field,
            "organisation": self.organisation_field,
        }
        name = defaults[role] if role in defaults else getattr(self.spec.key_fields, role)
        return self.fields.get(name) if name else None

    def key_value(self, role: str, data: dict | None) -> str:
        """The text of a key field's value in `data` ("" when the field is not declared or empty)."""
        spec = self.key_field(role)
        value = (data or {}).get(spec.name) if spec else None
        return "" if value is None else str(value)

    # what reviewers may read (stages' `review_visible:`) ------------------------------------
    @cached_property
    def review_fields(self) -> dict[str, FieldSpec]:
        """Fields of the stages reviewers see: those marked `review_visible: true`, and the first stage
        unless it says `false`; later stages (agreement, reports) and transitions' fields stay hidden."""
        shown = {}
        for index, stage in enumerate(self.spec.stages.values()):
            visible = stage.review_visible if stage.review_visible is not None else index == 0
            if visible:
                shown.update({f.name: f for f in stage.fields})
        return shown

    # roles ---------------------------------------------------------------------------------
    @cached_property
    def role_kinds(self) -> dict[str, RoleKind]:
        """The built-in roles and this program's own (`custom_roles:`)."""
        own = {
            name: custom_role(name, spec.label.model_dump(), spec.like)
            for name, spec in self.spec.custom_roles.items()
        }
        return {**ROLES, **own}

    def role_label(self, name: str, lang: str) -> str:
        kind = self.role_kinds.get(name)
        return kind.label(lang) if kind else name

    def state_label(self, state: str, lang: str, audience: str = "staff") -> str:
        spec = self.spec.states[state]
        label = (spec.applicant_label if audience == "applicant" else None) or spec.label
        return label.get(lang) if label else state


AUTOMATIC_STEP = {"ko": "자동 처리", "en": "Automatic step"}
ENGINE_STEPS = {
    "create": {"ko": "신청서 작성 시작", "en": "Application started"},
    "admin_move": {"ko": "관리자 단계 변경", "en": "Moved by an administrator"},
    "migrate": {"ko": "새 규칙 버전으로 이전", "en": "Moved to a new rule version"},
    "add_co_applicant": {"ko": "공동신청인 추가", "en": "co-applicant added"},
    "save_draft": {"ko": "임시 저장", "en": "draft saved"},
    "correct": {"ko": "담당자 정정", "en": "Corrected by staff"},
    "assign_reviewer": {"ko": "심사위원 배정", "en": "reviewer assigned"},
    "replace_reviewer": {"ko": "심사위원 교체", "en": "reviewer replaced"},
    "internal_note": {"ko": "내부 메모", "en": "internal note"},
    "declare_interest": {"ko": "이해충돌 신고", "en": "conflict-of-interest declaration"},
    "submit_review": {"ko": "심사 점수 제출", "en": "review scores submitted"},
    "sign_off": {"ko": "결재 승인", "en": "approval"},
}


def _allowed(index: int):
    def condition(event) -> bool:
        return index in event.kwargs["allowed"]

    return condition
