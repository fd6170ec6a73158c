"""Rows of an uploaded CSV or XLSX file as lists of text cells, within size limits.

A CSV is read as UTF-8 (with or without a BOM) or, failing that, CP949 (what Korean Excel saves). An XLSX
is opened read-only with cached values (a formula is never evaluated here: an uncomputed one is empty);
its zip is checked first, so a small file that unpacks to gigabytes is refused before it is read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

MAX_BYTES = 1024 * 1024
MAX_UNPACKED = 32 * 1024 * 1024
MAX_ROWS = 500  # besides the header
MAX_COLUMNS = 20


class SheetError(Exception):
    """A file refused as a whole; `code` for the page."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("encoding")
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row[:MAX_COLUMNS])
            if len(rows) > MAX_ROWS + 1:
                raise SheetError("too_many_rows")
        return rows
    except csv.Error:
        raise SheetError("unreadable") from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise SheetError("too_big")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise SheetError("unreadable") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append([_cell_text(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                raise SheetError("too_many_rows")
        return rows
    finally:
        workbook.close()


def read_rows(file_name: str, data: bytes) -> list[list[str]]:
    """The file's rows (the first is the header), blank rows dropped; SheetError: too_big, too_many_rows,
    file_type, encoding, unreadable or empty."""
    if len(data) > MAX_BYTES:
        raise SheetError("too_big")
    kind = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if kind == "csv":
        rows = _csv_rows(data)
    elif kind == "xlsx":
        if not data.startswith(b"PK"):
            raise SheetError("unreadable")
        rows = _xlsx_rows(data)
    else:
        raise SheetError("file_type")
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise SheetError("empty")
    return rows
