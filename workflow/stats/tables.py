"""A figure table: typed columns and raw rows (numbers stay numbers until a page or a file formats them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from workflow.vocabulary.messages import format_krw

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
    split: str | None = None  # one chart per value of this column (indicators in different units)


@dataclass
class Table:
    key: str
    title: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: Chart | None = None

    def view(self, lang: str = "ko") -> dict:
        """What the page prints, worked out once in Python (a Jinja loop per cell costs more than the
        query at 10,000 applications): headers, which columns are numbers, and the escaped body rows,
        amounts written in the reader's language."""
        numeric = [c.kind != "text" for c in self.columns]
        rows = []
        for row in self.rows:
            cells = [escape(display(v, c.kind, lang)) for v, c in zip(row, self.columns, strict=True)]
            rows.append(
                f'<tr><th scope="row">{cells[0]}</th>'
                + "".join(
                    f'<td class="num">{cell}</td>' if number else f"<td>{cell}</td>"
                    for cell, number in zip(cells[1:], numeric[1:], strict=True)
                )
                + "</tr>"
            )
        return {"headers": self.headers(), "numeric": numeric, "body": Markup("\n".join(rows))}

    def headers(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def records(self) -> list[dict]:
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]

    def charts(self) -> list[dict]:
        """The chart(s) the page draws: one, or one per value of the `split` column."""
        if self.chart is None or not self.rows:
            return []
        index = {c.key: i for i, c in enumerate(self.columns)}
        if self.chart.split is None:
            return [self._chart(self.rows, index, "", skip=None)]  # the table's heading names it
        groups: dict = {}
        for row in self.rows:
            groups.setdefault(row[index[self.chart.split]], []).append(row)
        return [
            self._chart(rows, index, str(value), skip=index[self.chart.split])
            for value, rows in groups.items()
        ]

    def _chart(self, rows, index, title: str, skip) -> dict:
        return {
            "type": self.chart.type,
            "title": title,
            "labels": [_axis_label(row, self.columns, index, self.chart.label, skip) for row in rows],
            "datasets": [
                {"label": str(self.columns[index[key]].label), "data": [row[index[key]] for row in rows]}
                for key in self.chart.series
            ],
        }


def _axis_label(row, columns, index, key, skip=None) -> str:
    """The axis label: the label column, prefixed by the text columns before it (e.g. program · state)."""
    parts = [str(row[i]) for i, c in enumerate(columns) if c.kind == "text" and i <= index[key] and i != skip]
    return " · ".join(parts)


def display(value, kind: str, lang: str = "ko") -> str:
    """A cell as the page shows it (an amount: 1,200,000원, or KRW 1,200,000 in English)."""
    if value is None:
        return "—"
    if kind == "krw":
        return format_krw(int(value), lang)
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)
