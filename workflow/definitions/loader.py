"""Load one rule file: parse, check structure and references, compile — or report every problem."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from workflow.definitions import schema, wording
from workflow.definitions.checks import check
from workflow.definitions.compiled import CompiledProgram
from workflow.definitions.source import Problem, SourceMap, YamlSyntaxError, parse
from workflow.definitions.wording import suggest


@dataclass
class LoadResult:
    file: str
    sha256: str
    source: str
    program: CompiledProgram | None = None
    problems: list[Problem] = field(default_factory=list)
    source_map: SourceMap | None = None  # where each key and value is in the file
    key: str | None = None  # the program's key, even when the file is refused

    @property
    def ok(self) -> bool:
        return self.program is not None and not self.problems


def _schema_keys(model: type[BaseModel], seen=None) -> set[str]:
    """Every key the rule format knows (for 'did you mean' hints on typos)."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    keys = set()
    for name, info in model.model_fields.items():
        keys.add(info.alias or name)
        for arg in _model_args(info.annotation):
            keys |= _schema_keys(arg, seen)
    return keys


def _model_args(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _model_args(arg)]


KNOWN_KEYS = _schema_keys(schema.ProgramSpec)


def _keys_at(loc: tuple) -> list[str]:
    """The keys the mapping at `loc` (pydantic's location of an unknown key, the key last) may have, for a
    hint about that place only; empty when the place cannot be told (then every known key is a candidate)."""
    models: list[type[BaseModel]] = [schema.ProgramSpec]
    for element in loc[:-1]:
        fields = [info for m in models for n, info in m.model_fields.items() if element in (n, info.alias)]
        if fields:  # else an index, a name of the file's own (a state, a stage) or a union's tag
            models = [arg for info in fields for arg in _model_args(info.annotation)]
    return sorted({info.alias or n for m in models for n, info in m.model_fields.items()})


def _unknown_key_hint(name, loc: tuple) -> str:
    here = _keys_at(loc)
    if not here:
        return suggest(name, KNOWN_KEYS)
    return suggest(name, here) or (f"keys here: {', '.join(here)}" if len(here) <= 12 else "")


def _data_path(raw, loc: tuple) -> tuple:
    """Keep the loc elements that index into the data (pydantic adds union tags like 'list[str]')."""
    path, node = [], raw
    for element in loc:
        if isinstance(node, dict) and element in node:
            node = node[element]
            path.append(element)
        elif isinstance(node, list) and isinstance(element, int) and element < len(node):
            node = node[element]
            path.append(element)
    return tuple(path)


def _schema_problems(raw, error: ValidationError, source_map: SourceMap, file: str) -> list[Problem]:
    problems, seen = [], set()
    for item in error.errors():
        path = _data_path(raw, item["loc"])
        if item["type"] == "extra_forbidden":
            name = item["loc"][-1]
            line, column = source_map.at((*path, name), key=True)
            hint = _unknown_key_hint(name, tuple(item["loc"]))
            message = f"unknown key '{name}'"
        else:
            is_missing = item["type"] == "missing"
            line, column = source_map.at(path, key=not is_missing)
            if not is_missing:
                line, column = source_map.at(path)
            what, hint = wording.plain(item)
            message = f"{wording.where(raw, tuple(item['loc']))}: {what}"
        signature = (line, column, message)
        if signature not in seen:
            seen.add(signature)
            problems.append(Problem(file, line, column, message, hint))
    return _one_per_place(problems)


def _one_per_place(problems: list[Problem]) -> list[Problem]:
    """A value that fits none of a union's shapes gets one error per shape from pydantic: keep the first."""
    kept: dict[tuple[int, int, str], Problem] = {}
    for problem in problems:
        kept.setdefault((problem.line, problem.column, problem.message.split(":")[0]), problem)
    return list(kept.values())


def load_text(text: str, file: str, template_exists) -> LoadResult:
    result = LoadResult(file=file, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), source=text)
    try:
        raw, source_map, duplicates = parse(text)
    except YamlSyntaxError as error:
        result.problems.append(
            Problem(file, error.line, error.column, error.message, "check indentation and brackets")
        )
        return result
    if not isinstance(raw, dict):
        result.problems.append(
            Problem(file, 1, 1, "a rule file is a mapping (key: value)", "start with key: ...")
        )
        return result
    result.key = raw.get("key") if isinstance(raw.get("key"), str) else None
    for path, (line, column) in duplicates:
        result.problems.append(
            Problem(file, line, column, f"duplicate key '{path[-1]}'", "YAML keeps only the last one")
        )
    spec = None
    try:
        spec = schema.ProgramSpec.model_validate(raw)
    except ValidationError as error:
        result.problems.extend(_schema_problems(raw, error, source_map, file))
    # one problem per place: where the schema already said what is wrong, the checker adds nothing
    said = {(p.line, p.column) for p in result.problems}
    result.problems.extend(
        p for p in check(raw, source_map, file, text, template_exists) if (p.line, p.column) not in said
    )
    result.problems = sorted(dict.fromkeys(result.problems), key=lambda p: (p.line, p.column))
    result.source_map = source_map
    if spec is not None and not result.problems:
        result.program = CompiledProgram(spec=spec, sha256=result.sha256, file=file, source=text)
    return result


def load_file(path: Path, template_exists) -> LoadResult:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return LoadResult(
            file=str(path), sha256="", source="", problems=[Problem(str(path), 1, 1, f"cannot read: {error}")]
        )
    return load_text(text, str(path), template_exists)
