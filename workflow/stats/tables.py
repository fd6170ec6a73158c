"""A figure table: typed columns and raw rows (numbers stay numbers until a page or a file formats them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.messages import format_krw

KINDS = ("text", "int", "krw", "percent", "days")


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy_gettext, rendered in the reader's language
    kind: str = "text"


@dataclass(frozen=True)
class Chart:
    """How the page draws a table: `label` column on the axis, one dataset per `series` column."""

    type: str  # bar | line
    label: str
    series: tuple[str, ...]


@dataclass
class Table:
    key: str
    title: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: Chart | None = None

    def headers(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def records(self) -> list[dict]:
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]

    def chart_data(self) -> dict | None:
        if self.chart is None or not self.rows:
            return None
        index = {c.key: i for i, c in enumerate(self.columns)}
        label_at = index[self.chart.label]
        return {
            "type": self.chart.type,
            "labels": [_axis_label(row, self.columns, index, self.chart.label) for row in self.rows]
            if label_at is not None
            else [],
            "datasets": [
                {
                    "label": str(self.columns[index[key]].label),
                    "data": [row[index[key]] for row in self.rows],
                }
                for key in self.chart.series
            ],
        }


def _axis_label(row, columns, index, key) -> str:
    """The axis label: the label column, prefixed by the text columns before it (e.g. program · state)."""
    parts = [str(row[i]) for i, c in enumerate(columns) if c.kind == "text" and i <= index[key]]
    return " · ".join(parts)


def display(value, kind: str) -> str:
    """A cell as the page shows it."""
    if value is None:
        return "—"
    if kind == "krw":
        return format_krw(int(value))
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)
