"""Spreadsheet exports (CSV now, XLSX alike): every cell goes through `safe_cell`.

A spreadsheet program reads a cell that starts with = + - @ (or a tab or carriage return before one)
as a formula, so a name typed as `=HYPERLINK("http://evil", "click")` would run when an officer opens
the export. Such text is written with a leading apostrophe, which shows it as plain text (OWASP's
advice for CSV injection); numbers stay numbers. Every CSV or XLSX export should write its rows with
`csv_document` (or pass each value through `safe_cell`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should receive it: text that could start a formula gets a "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_document(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A CSV file (UTF-8 with a BOM so spreadsheet programs read Korean, CRLF lines), every cell safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
