"""What changed between two versions of a program: states, transitions and form fields added, removed or
changed (with the attributes that differ). Pure: two specs in, lists of changes out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from workflow.definitions.schema import ProgramSpec

SHOWN_LENGTH = 120


@dataclass
class Change:
    kind: str  # "added" | "removed" | "changed"
    name: str  # the state, "trigger: from → to", or "stage.field"
    attributes: list[tuple[str, str, str]] = field(default_factory=list)  # (name, before, after)


@dataclass
class ProgramDiff:
    states: list[Change]
    transitions: list[Change]
    fields: list[Change]
    settings: list[Change] = field(default_factory=list)  # the rest: review, budget, notices, dates...

    @property
    def empty(self) -> bool:
        return not (self.states or self.transitions or self.fields or self.settings)


def _shown(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _compare(old: dict[str, dict], new: dict[str, dict]) -> list[Change]:
    changes = [Change("removed", name) for name in old if name not in new]
    for name, after in new.items():
        if name not in old:
            changes.append(Change("added", name))
            continue
        before = old[name]
        differing = [
            (attribute, _shown(before.get(attribute)), _shown(after.get(attribute)))
            for attribute in sorted(set(before) | set(after))
            if before.get(attribute) != after.get(attribute)
        ]
        if differing:
            changes.append(Change("changed", name, differing))
    return changes


def _dumped(model) -> dict:
    return model.model_dump(mode="json", exclude_none=True, by_alias=True)


def _transitions(spec: ProgramSpec) -> dict[str, dict]:
    """Keyed by trigger and sources; a second transition with the same key (a guarded alternative) gets
    its position, so that it is compared with its counterpart."""
    keyed: dict[str, dict] = {}
    for transition in spec.transitions:
        base = f"{transition.trigger}: {', '.join(transition.sources)}"
        name, number = base, 2
        while name in keyed:
            name, number = f"{base} ({number})", number + 1
        keyed[name] = _dumped(transition)
    return keyed


def _fields(spec: ProgramSpec) -> dict[str, dict]:
    fields = {
        f"{stage_name}.{spec_field.name}": _dumped(spec_field)
        for stage_name, stage in spec.stages.items()
        for spec_field in stage.fields
    }
    for transition in spec.transitions:
        for spec_field in transition.fields:
            fields[f"{transition.trigger}.{spec_field.name}"] = _dumped(spec_field)
    return fields


def _settings(spec: ProgramSpec) -> dict[str, dict]:
    dumped = _dumped(spec)
    return {
        name: {"value": value}
        for name, value in dumped.items()
        if name not in ("states", "transitions", "stages", "version")
    }


def diff(old: ProgramSpec, new: ProgramSpec) -> ProgramDiff:
    states_before = {name: _dumped(state) for name, state in old.states.items()}
    states_after = {name: _dumped(state) for name, state in new.states.items()}
    return ProgramDiff(
        states=_compare(states_before, states_after),
        transitions=_compare(_transitions(old), _transitions(new)),
        fields=_compare(_fields(old), _fields(new)),
        settings=_compare(_settings(old), _settings(new)),
    )
