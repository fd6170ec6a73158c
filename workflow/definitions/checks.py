"""Cross-reference checks of a rule file, run on the raw data so every problem is found at once.

Structure (types, unknown keys) is pydantic's job in schema.py; this module checks what refers to
what: states, roles, stages, fields, notices, templates, guards, effects, and the graph itself.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from workflow.definitions import wording
from workflow.definitions.booleans import check_boolean
from workflow.definitions.capacity_checks import check_capacity
from workflow.definitions.deadline_checks import check_deadline
from workflow.definitions.graph import check_automatic_cycles, check_graph, check_unfireable
from workflow.definitions.linkcheck import check_children
from workflow.definitions.notice_checks import check_decisions, check_notices
from workflow.definitions.performance_checks import check_performance
from workflow.definitions.program_checks import (
    PROGRAM_CHECKS,
    check_custom_roles,
    check_events,
    check_key_fields,
    check_prefill,
    check_review,
    check_sign_off,
    check_totals,
)
from workflow.definitions.raw import as_list, mapping
from workflow.definitions.source import Problem, SourceMap
from workflow.definitions.wording import suggest
from workflow.vocabulary.effects import effect_kinds, expressions_of, parse_effect
from workflow.vocabulary.fields import FIELD_TYPES, NUMBER_LIMITS, typed_options
from workflow.vocabulary.guards import GuardSyntaxError, compile_expression
from workflow.vocabulary.roles import ROLES


class Checker:
    def __init__(self, raw: dict, source_map: SourceMap, file: str, template_exists, text: str = ""):
        self.raw, self.map, self.file = raw, source_map, file
        self.raw_lines = text.splitlines()
        self.template_exists = template_exists
        self.problems: list[Problem] = []
        self.states = mapping(raw.get("states"))
        self.transitions = [t for t in as_list(raw.get("transitions")) if isinstance(t, dict)]
        self.declared_roles = {r for r in as_list(raw.get("roles")) if isinstance(r, str)}
        self.stages = mapping(raw.get("stages"))
        self.notices = mapping(raw.get("notices"))
        key = raw.get("key")
        self.program_key = key if isinstance(key, str) and key.replace("-", "").isalnum() else ""
        self._typed: dict | None = None  # well-formed field specs by name (booleans.typed_fields)

    def add(self, path, message: str, hint: str = "", key: bool = False) -> None:
        line, column = self.map.at(path, key=key)
        self.problems.append(Problem(self.file, line, column, message, hint))

    def run(self) -> list[Problem]:
        self.check_roles()
        self.check_states()
        self.check_fields()
        check_review(self)
        check_events(self)
        check_sign_off(self)
        self.check_transitions()
        check_decisions(self)
        check_notices(self)
        check_key_fields(self)
        check_totals(self)
        check_prefill(self)
        check_performance(self)
        check_capacity(self)
        self.check_graph()
        for registered in PROGRAM_CHECKS:
            registered(self)
        return self.problems

    # roles ---------------------------------------------------------------------------------
    def check_roles(self) -> None:
        check_custom_roles(self)
        known = [*ROLES, *mapping(self.raw.get("custom_roles"))]
        for index, role in enumerate(as_list(self.raw.get("roles"))):
            if role not in known:
                self.add(
                    ("roles", index),
                    f"unknown role '{role}'",
                    suggest(role, known)
                    or f"known roles: {', '.join(ROLES)}; or declare it under custom_roles:",
                )
            elif role == "system":
                self.add(("roles", index), "'system' is always available; do not declare it")

    def role_ref(self, path, role, firing: bool = False) -> None:
        if role == "system" and firing:
            return
        if role not in self.declared_roles:
            hint = suggest(role, self.declared_roles) or "add it to roles: at the top of the file"
            self.add(path, f"unknown role '{role}'", hint)
        elif firing and role in ROLES and not ROLES[role].may_fire:
            self.add(path, f"role '{role}' only reads; it cannot fire transitions", "remove it from roles:")

    def state_ref(self, path, state, what: str = "state") -> bool:
        if state in self.states:
            return True
        hint = suggest(state, self.states) or "declare it under states:"
        self.add(path, f"unknown {what} '{state}'", hint)
        return False

    # states --------------------------------------------------------------------------------
    def check_states(self) -> None:
        initial = [name for name, spec in self.states.items() if mapping(spec).get("initial")]
        if not initial and self.states:
            self.add(("states",), "no initial state", "mark exactly one state with initial: true", key=True)
        for extra in initial[1:]:
            self.add(
                ("states", extra),
                f"second initial state '{extra}'",
                "only one state may be initial",
                key=True,
            )
        for name, spec in self.states.items():
            spec = mapping(spec)
            if spec.get("initial") and spec.get("final"):
                self.add(("states", name), f"state '{name}' is both initial and final", key=True)
            for index, role in enumerate(as_list(spec.get("view"))):
                self.role_ref(("states", name, "view", index), role)
            if isinstance(spec.get("deadline"), dict):
                check_deadline(self, name, spec["deadline"])

    def check_timer_trigger(self, path, state: str, trigger: str) -> None:
        candidates = [
            t for t in self.transitions if t.get("trigger") == trigger and state in as_list(t.get("from"))
        ]
        if not candidates:
            self.add(
                path,
                f"deadline fires '{trigger}', but no transition '{trigger}' leaves '{state}'",
                suggest(trigger, {t.get("trigger") for t in self.transitions}),
            )
        elif not any("system" in as_list(t.get("roles")) for t in candidates):
            self.add(
                path,
                f"deadline fires '{trigger}', but its transition does not allow role 'system'",
                "add system to that transition's roles",
            )

    # forms ---------------------------------------------------------------------------------
    def field_specs(self):
        for stage_name, stage in self.stages.items():
            for index, spec in enumerate(as_list(mapping(stage).get("fields"))):
                yield ("stages", stage_name, "fields", index), spec
        for t_index, transition in enumerate(self.transitions):
            for index, spec in enumerate(as_list(transition.get("fields"))):
                yield ("transitions", t_index, "fields", index), spec

    def known_fields(self) -> set[str]:
        names = {mapping(spec).get("name") for _, spec in self.field_specs()}
        for transition in self.transitions:
            for effect in as_list(transition.get("effects")):
                if isinstance(mapping(effect).get("set"), dict):
                    names.update(effect["set"].keys())
        return {n for n in names if isinstance(n, str)}

    def check_fields(self) -> None:
        for stage_name, stage in self.stages.items():
            stage = mapping(stage)
            for index, state in enumerate(as_list(stage.get("editable_in"))):
                self.state_ref(("stages", stage_name, "editable_in", index), state)
            for index, role in enumerate(as_list(stage.get("edit_roles"))):
                self.role_ref(("stages", stage_name, "edit_roles", index), role)
            for c_index, correction in enumerate(as_list(stage.get("corrections"))):
                correction = mapping(correction)
                path = ("stages", stage_name, "corrections", c_index)
                for index, state in enumerate(as_list(correction.get("in"))):
                    self.state_ref((*path, "in", index), state)
                for index, role in enumerate(as_list(correction.get("roles"))):
                    self.role_ref((*path, "roles", index), role, firing=True)
        seen: dict[Any, tuple] = {}
        for path, spec in self.field_specs():
            spec = mapping(spec)
            name, kind = spec.get("name"), spec.get("type")
            if name in seen and path[0] == "stages" and seen[name][0] == "stages":
                self.add(
                    (*path, "name"), f"field '{name}' is defined twice", "field names are unique per program"
                )
            seen.setdefault(name, path)
            if kind not in FIELD_TYPES:
                self.add(
                    (*path, "type"),
                    f"unknown field type '{kind}'",
                    suggest(kind, FIELD_TYPES) or f"types: {', '.join(FIELD_TYPES)}",
                )
                continue
            for option in typed_options() - FIELD_TYPES[kind].options:
                if spec.get(option) is not None:
                    self.add((*path, option), f"'{option}' does not apply to a {kind} field", key=True)
            self.check_number_limits(path, kind, spec)
            for option in sorted(FIELD_TYPES[kind].requires):
                if not spec.get(option):
                    self.add(
                        path,
                        f"{kind} field '{name}' has no {option}",
                        "add choices: [{value: ..., label: {ko: ..., en: ...}}]"
                        if option == "choices"
                        else f"add {option}:",
                    )
            if spec.get("pattern"):
                try:
                    re.compile(spec["pattern"])
                except re.error as error:
                    self.add((*path, "pattern"), f"pattern does not compile: {error}")

    def check_number_limits(self, path: tuple, kind: str, spec: dict) -> None:
        """A rule file may narrow a number type's range, never widen it (guards stay within 64 bits)."""
        if kind not in NUMBER_LIMITS:
            return
        lowest, highest = NUMBER_LIMITS[kind]
        for option in ("min", "max"):
            value = spec.get(option)
            if isinstance(value, int) and not lowest <= value <= highest:
                self.add(
                    (*path, option),
                    f"{option} {value:,} is outside the range of {kind} fields",
                    f"use a value from {lowest:,} to {highest:,}",
                )

    # transitions ---------------------------------------------------------------------------
    def check_transitions(self) -> None:
        unguarded: dict[tuple[Any, Any], int] = {}
        for index, transition in enumerate(self.transitions):
            path = ("transitions", index)
            trigger = transition.get("trigger")
            for s_index, source in enumerate(as_list(transition.get("from"))):
                source_path = (
                    (*path, "from", s_index) if isinstance(transition.get("from"), list) else (*path, "from")
                )
                if self.state_ref(source_path, source) and not transition.get("guard"):
                    if (trigger, source) in unguarded:
                        first_line = self.map.at(("transitions", unguarded[(trigger, source)]))[0]
                        self.add(
                            (*path, "trigger"),
                            f"second unguarded '{trigger}' from '{source}' (the first is on line {first_line})",
                            "add a guard to one of them so the engine knows which applies",
                        )
                    unguarded.setdefault((trigger, source), index)
                if mapping(self.states.get(source)).get("final"):
                    self.add(
                        source_path,
                        f"transition '{trigger}' leaves final state '{source}'",
                        "a final state has no way out",
                    )
            if "to" in transition:
                self.state_ref((*path, "to"), transition["to"])
            for r_index, role in enumerate(as_list(transition.get("roles"))):
                self.role_ref((*path, "roles", r_index), role, firing=True)
            if transition.get("auto") and "system" not in as_list(transition.get("roles")):
                self.add(
                    (*path, "auto"),
                    "an automatic transition is fired by the system",
                    "add system to its roles",
                )
            for r_index, stage in enumerate(as_list(transition.get("requires"))):
                if stage not in self.stages:
                    self.add(
                        (*path, "requires", r_index), f"unknown stage '{stage}'", suggest(stage, self.stages)
                    )
            if isinstance(transition.get("guard"), str):
                self.check_expression((*path, "guard"), transition["guard"], must_be_bool=True)
            if transition.get("guard") and not transition.get("guard_message"):
                self.add(
                    (*path, "guard"), "guard without guard_message", "say in ko and en what the user must do"
                )
            for n_index, notice in enumerate(as_list(transition.get("notice"))):
                notice_path = (
                    (*path, "notice", n_index)
                    if isinstance(transition.get("notice"), list)
                    else (*path, "notice")
                )
                self.notice_ref(notice_path, notice)
            for e_index, effect in enumerate(as_list(transition.get("effects"))):
                self.check_effect((*path, "effects", e_index), effect)

    def check_expression(self, path, source: str, must_be_bool: bool = False) -> None:
        try:
            compiled = compile_expression(source)
        except GuardSyntaxError as error:
            line, column = self.map.at(path)
            # a plain scalar starts at its first character; a quoted one after the quote
            offset = 1 if self.quoted(line, column) else 0
            what, hint = wording.expression_error(error.message)
            self.problems.append(
                Problem(
                    self.file,
                    line + error.line - 1,
                    (column + offset if error.line == 1 else 0) + error.column - 1,
                    f"expression does not parse: {what}",
                    hint,
                )
            )
            return
        known = self.known_fields()
        for name in sorted(compiled.data_fields - known):
            self.add(
                path,
                f"expression names unknown field 'data.{name}'",
                suggest(name, known) or "define it in a stage's fields",
            )
        if "children" in compiled.variables:
            check_children(self, path, compiled.source)
        if must_be_bool:
            check_boolean(self, path, compiled)

    def quoted(self, line: int, column: int) -> bool:
        text = self.raw_lines[line - 1] if 0 < line <= len(self.raw_lines) else ""
        return text[column - 1 : column] in ("'", '"')

    def check_effect(self, path, effect) -> None:
        kinds = effect_kinds()
        name = next(iter(effect), None) if isinstance(effect, dict) and len(effect) == 1 else None
        if name is not None and name not in kinds:
            self.add(
                (*path, name),
                f"unknown effect '{name}'",
                suggest(name, kinds) or f"effects: {', '.join(kinds)}",
                key=True,
            )
            return
        try:
            kind, params = parse_effect(effect)
        except ValidationError as error:
            self.add(path, wording.effect_error(effect, error.errors(), str(name)), _example_hint(str(name)))
            return
        except (ValueError, TypeError) as error:
            self.add(path, f"effect is not valid: {str(error).splitlines()[0] if str(error) else error}")
            return
        for key in kind.requires:
            if not self.raw.get(key):
                self.add(
                    (*path, name),
                    f"effect '{name}' but the program has no {key}",
                    f"add {key}: at the top of the file (rules/README.md)",
                    key=True,
                )
        for source in expressions_of(kind.name, params):
            self.check_expression((*path, name, *(_path_to(effect[name], source) or ())), source)
        triggers = {t.get("trigger") for t in self.transitions}
        for where, trigger in kind.listens_to(params):
            if trigger not in triggers:
                self.add((*path, name, *where), f"unknown trigger '{trigger}'", suggest(trigger, triggers))

    def notice_ref(self, path, notice) -> None:
        if notice not in self.notices:
            self.add(
                path,
                f"unknown notice '{notice}'",
                suggest(notice, self.notices) or "declare it under notices:",
            )

    def check_graph(self) -> None:
        check_graph(self)
        check_automatic_cycles(self)
        check_unfireable(self)


def check(raw: dict, source_map: SourceMap, file: str, text: str, template_exists) -> list[Problem]:
    checker = Checker(raw, source_map, file, template_exists, text)
    return checker.run()


def _path_to(raw, value) -> tuple | None:
    """Where `value` is inside an effect's raw parameters (so a problem points at its own line), or None."""
    if raw == value:
        return ()
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = list(enumerate(raw))
    else:
        return None
    for key, item in items:
        found = _path_to(item, value)
        if found is not None:
            return (key, *found)
    return None


def _example_hint(name: str) -> str:
    example = wording.EXAMPLES.get(f"{name.capitalize()}Params")
    return f"e.g. {example}" if example else f"see the effect '{name}' in rules/README.md"
