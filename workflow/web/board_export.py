"""The officer's board as a spreadsheet: the rows of the current view (step, search, order), every
page, with the same columns as the page; cells through the shared `safe_cell`."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from workflow.services.exports import csv_document, safe_cell
from workflow.web.common import state_label
from workflow.web.i18n import gettext as _
from workflow.web.i18n import pick, seoul

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _header(program) -> list[str]:
    title_field, amount_field = program.key_field("title"), program.key_field("amount")
    return [
        _("No."),
        pick(title_field.label) if title_field else _("Name"),
        _("Applicant"),
        _("Organisation"),
        _("Current step"),
        pick(amount_field.label) if amount_field else _("Amount"),
        _("Average score"),
        _("Deadline"),
        _("Last change"),
    ]


def _rows(program, rows) -> list[list]:
    return [
        [
            r["id"],
            r["title"] or "",
            r["applicant_name"],
            r["organisation"] or "",
            state_label(program, r["state"], "staff"),
            r["amount"],
            None if r["score"] is None else round(float(r["score"]), 1),
            seoul(r["deadline"]) if r["deadline"] else "",
            seoul(r["updated_at"]),
        ]
        for r in rows
    ]


def board_csv(program, rows) -> str:
    return csv_document(
        _header(program), (["" if v is None else v for v in row] for row in _rows(program, rows))
    )


def board_xlsx(program, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "".join("_" if ch in "[]:*?/\\" else ch for ch in pick(program.spec.title))[:31] or "Sheet"
    sheet.append([safe_cell(h) for h in _header(program)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(program, rows):
        sheet.append([safe_cell(v) for v in row])
    for (cell,) in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
