"""A program's state diagram as plain text, Mermaid and Graphviz source."""

from __future__ import annotations

from workflow.definitions.compiled import CompiledProgram


def _edges(program: CompiledProgram):
    for transition in program.transitions:
        for source in transition.sources:
            yield source, transition


def _marks(program: CompiledProgram, state: str) -> str:
    spec = program.spec.states[state]
    marks = []
    if spec.initial:
        marks.append("initial")
    if spec.final:
        marks.append("final")
    if spec.deadline:
        action = spec.deadline.on_expiry.fire or f"notice {spec.deadline.on_expiry.notice}"
        marks.append(f"deadline {spec.deadline.describe()} -> {action}")
    return f" [{', '.join(marks)}]" if marks else ""


def as_text(program: CompiledProgram, lang: str = "en") -> str:
    lines = [f"{program.key} {program.version} — {program.spec.title.get(lang)}", ""]
    for state in program.spec.states:
        lines.append(f"{state} ({program.state_label(state, lang)}){_marks(program, state)}")
        for source, transition in _edges(program):
            if source != state:
                continue
            who = ", ".join(transition.spec.roles)
            extra = " auto" if transition.spec.auto else ""
            extra += f" if {transition.guard.source}" if transition.guard else ""
            lines.append(f"  --{transition.trigger}--> {transition.spec.to}  ({who}){extra}")
    return "\n".join(lines)


def as_mermaid(program: CompiledProgram) -> str:
    lines = ["stateDiagram-v2"]
    lines.append(f"    [*] --> {program.initial}")
    for source, transition in _edges(program):
        label = (
            transition.trigger
            + (" (auto)" if transition.spec.auto else "")
            + (" [guard]" if transition.guard else "")
        )
        lines.append(f"    {source} --> {transition.spec.to}: {label}")
    for state in sorted(program.finals):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines)


def as_dot(program: CompiledProgram) -> str:
    lines = [f'digraph "{program.key}" {{', "    rankdir=LR;"]
    for state, spec in program.spec.states.items():
        shape = "doublecircle" if spec.final else ("box" if spec.initial else "ellipse")
        lines.append(f'    "{state}" [shape={shape}];')
    for source, transition in _edges(program):
        style = ",style=dashed" if transition.spec.auto else ""
        lines.append(f'    "{source}" -> "{transition.spec.to}" [label="{transition.trigger}"{style}];')
    lines.append("}")
    return "\n".join(lines)
