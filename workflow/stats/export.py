"""CSV and XLSX of a dashboard table: Korean (or English) headers, numbers as numbers, and text that a
spreadsheet would run as a formula neutralised by the shared `safe_cell` (workflow/services/exports.py)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from workflow.services.exports import csv_document, safe_cell
from workflow.stats.tables import Table

NUMBER_FORMATS = {"int": "#,##0", "krw": '#,##0"원"', "percent": "0.0", "days": "0.0"}


def _cell(value, kind: str):
    if value is None:
        return None
    if kind in ("int", "krw"):
        return int(value)
    if kind in ("percent", "days"):
        return round(float(value), 1)
    return safe_cell(str(value))


def to_csv(table: Table) -> str:
    """UTF-8 with a byte-order mark so spreadsheet programs read the Korean headers."""
    rows = (
        ["" if v is None else _cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
        for row in table.rows
    )
    return csv_document(table.headers(), rows)


def to_xlsx(table: Table, sheet_title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_name(sheet_title)
    sheet.append([safe_cell(h) for h in table.headers()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    for index, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(str(column.label)) * 2 + 2)
        if column.kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMATS[column.kind]
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title))
    return cleaned[:31] or "Sheet"
