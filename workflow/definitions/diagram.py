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
            extra += f" on {', '.join(transition.spec.events)}" if transition.spec.events else ""
            extra += " sign-off " + _sign_off(transition) if transition.spec.sign_off else ""
            extra += f" if {transition.guard.source}" if transition.guard else ""
            lines.append(f"  --{transition.trigger}--> {transition.spec.to}  ({who}){extra}")
    return "\n".join(lines)


def _sign_off(transition) -> str:
    return " then ".join(f"{step.count}x {step.role}" for step in transition.spec.sign_off)


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


# Graphviz measures text with Latin font metrics and counts every other character as a space; the labels
# are sized here instead (a Hangul syllable is about one em wide), so boxes and edge gaps fit Korean.
FONT_SIZE = 12
SPACE_EM = 0.28


def _em(text: str) -> float:
    return sum(0.58 if ord(c) < 0x2E80 else 1.0 for c in text)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _edge_label(text: str) -> str:
    wide = sum(1 for c in text if ord(c) >= 0x2E80)
    pad = " " * round(wide * (1 - SPACE_EM) / SPACE_EM / 2)
    return _quoted(f"{pad}{text}{pad}")


def as_labelled_dot(program: CompiledProgram, lang: str) -> str:
    """The state diagram for people: state and step labels in `lang`, the initial state filled, final
    states doubled, automatic steps dashed; top to bottom so that it fits a narrow screen."""
    font = f'fontname="Arial", fontsize={FONT_SIZE}'
    lines = [
        f"digraph {_quoted(program.key)} {{",
        '    rankdir=TB; nodesep=0.35; ranksep=0.45; bgcolor="transparent";',
        f'    node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#51607a", {font}];',
        f'    edge [color="#51607a", fontcolor="#1d2a3a", {font}];',
    ]
    for state, spec in program.spec.states.items():
        label = program.state_label(state, lang)
        width = (_em(label) * FONT_SIZE + 24) / 72
        extra = ', fillcolor="#dbe8ff", penwidth=2' if spec.initial else ""
        extra += ", peripheries=2" if spec.final else ""
        lines.append(
            f"    {_quoted(state)} [label={_quoted(label)}, width={width:.2f}, fixedsize=true{extra}];"
        )
    for source, transition in _edges(program):
        label = program.trigger_label(transition.trigger)[lang]
        style = ", style=dashed" if transition.spec.auto else ""
        lines.append(
            f"    {_quoted(source)} -> {_quoted(transition.spec.to)} [label={_edge_label(label)}{style}];"
        )
    lines.append("}")
    return "\n".join(lines)
