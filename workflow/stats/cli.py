"""`flask stats`: the dashboard's figures on the terminal (every program; the same tables as the page)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from workflow.services.exports import safe_cell
from workflow.stats.dashboard import Scope, all_tables
from workflow.stats.filters import FilterError, parse
from workflow.stats.tables import display


@click.command("stats", help="Print the dashboard's figures (funnel, time, money, outcomes, cohorts).")
@click.option("--program", default=None, help="One program's key (default: every program).")
@click.option("--year", default=None, help="A year (applications started, fiscal year, indicator year).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko")
@with_appcontext
def stats_command(program, year, fmt, lang):
    workflow = current_app.extensions["workflow"]
    programs = dict(sorted(workflow.registry.current.items()))
    try:
        filters = parse({"program": program, "year": year}, list(programs))
    except FilterError as error:
        with force_locale(lang):
            raise click.BadParameter(str(error.args[0])) from None
    scope = Scope(programs, filters, lang, workflow.clock(), current_app.config.get("REVIEW_DUE_DAYS", 14))
    with force_locale(lang), workflow.db.connect() as connection:
        tables = all_tables(connection, scope)
        click.echo(render(tables, fmt, lang), nl=False)


def render(tables: dict, fmt: str, lang: str = "ko") -> str:
    if fmt == "json":
        return (
            json.dumps(
                {
                    key: {"title": str(t.title), "columns": [c.key for c in t.columns], "rows": t.records()}
                    for key, t in tables.items()
                },
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )
    out = io.StringIO()
    for key, table in tables.items():
        if fmt == "csv":
            out.write(f"# {key}: {table.title}\n")
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([c.key for c in table.columns])
            writer.writerows([["" if v is None else safe_cell(v) for v in row] for row in table.rows])
        else:
            out.write(f"== {table.title} ==\n")
            cells = [table.headers()] + [
                [display(v, c.kind, lang) for v, c in zip(row, table.columns, strict=True)]
                for row in table.rows
            ]
            widths = [max(_width(r[i]) for r in cells) for i in range(len(table.columns))]
            for row in cells:
                out.write(
                    "  ".join(
                        _pad(text, widths[i], table.columns[i].kind != "text") for i, text in enumerate(row)
                    ).rstrip()
                    + "\n"
                )
        out.write("\n")
    return out.getvalue()


def _width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def register(app) -> None:
    app.cli.add_command(stats_command)
