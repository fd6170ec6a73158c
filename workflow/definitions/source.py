"""YAML parsing that remembers where every key and value came from (line:column, 1-based)."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path = tuple  # e.g. ("transitions", 3, "guard")

# libyaml's parser when PyYAML was built with it (several times faster; its nodes keep line marks)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Keys whose values are identifiers, kept as the text the author wrote (2026.10 must not become 2026.1).
RAW_TEXT_KEYS = {"version"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass
class SourceMap:
    """Positions of values and keys by path; falls back to the nearest known ancestor."""

    values: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)

    def at(self, path: Path, key: bool = False) -> tuple[int, int]:
        path = tuple(path)
        while True:
            table = self.keys if key and path in self.keys else self.values
            if path in table:
                return table[path]
            if not path:
                return (1, 1)
            path = path[:-1]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _position(node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self):
        self.source_map = SourceMap()
        self.duplicates: list[tuple[Path, tuple[int, int]]] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node, path: Path = ()):
        self.source_map.values[path] = _position(node)
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = self.build_scalar(key_node)
                child = (*path, key)
                if key in result:
                    self.duplicates.append((child, _position(key_node)))
                self.source_map.keys[child] = _position(key_node)
                if key in RAW_TEXT_KEYS and isinstance(value_node, yaml.ScalarNode):
                    self.source_map.values[child] = _position(value_node)
                    result[key] = value_node.value
                else:
                    result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.build_scalar(node)

    def build_scalar(self, node):
        if not isinstance(node, yaml.ScalarNode):
            raise YamlSyntaxError(*_position(node), "a key must be a plain value, not a list or mapping")
        try:
            return self._constructor.construct_object(node, deep=True)
        except ValueError:
            return node.value  # e.g. 2026-13-01 looks like a date but is none: the schema says what is wrong


def parse(text: str) -> tuple[object, SourceMap, list[tuple[Path, tuple[int, int]]]]:
    """Parse YAML text into plain data plus its source map; raises YamlSyntaxError with a position."""
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(line, column, f"YAML syntax: {error.problem or error}") from None
    if node is None:
        return None, SourceMap(), []
    builder = _Builder()
    try:
        data = builder.build(node)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise YamlSyntaxError(mark.line + 1, mark.column + 1, f"YAML value: {error.problem}") from None
    return data, builder.source_map, builder.duplicates
