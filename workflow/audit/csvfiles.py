"""CSV exports for auditors: a history (parses back to the same events), search results, the read log.

Every cell goes through the shared `safe_cell` (a cell that a spreadsheet would run as a formula gets a
leading apostrophe); rows are streamed, UTF-8 with a BOM so spreadsheet programs read Korean.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from workflow.audit.search import CSV_FIELDS
from workflow.services.exports import FORMULA_START, safe_cell

JSON_FIELDS = ("actor_roles", "diff", "detail")
INT_FIELDS = ("application_id", "seq", "actor_id", "row_version")
READ_FIELDS = (
    "id",
    "at",
    "user_id",
    "user_name",
    "application_id",
    "program_key",
    "kind",
    "detail",
    "address",
)


def _line(cells: Iterable) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def _cell(name: str, value):
    if value is None:
        return ""
    if name in JSON_FIELDS:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def events_csv(events: Iterable[dict]) -> Iterator[str]:
    """Every field of each event (the hashed ones, the hash and the link), one event a line."""
    yield "\ufeff" + _line(CSV_FIELDS)
    for event in events:
        yield _line(_cell(name, event.get(name)) for name in CSV_FIELDS)


def reads_csv(entries: Iterable[dict]) -> Iterator[str]:
    yield "\ufeff" + _line(READ_FIELDS)
    for entry in entries:
        yield _line(_cell(name, entry.get(name)) for name in READ_FIELDS)


def _unsafe(value: str) -> str:
    """Undo `safe_cell`'s apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def parse_events_csv(text: str) -> list[dict]:
    """The events back from `events_csv` (an auditor's tool, and the proof that the export is complete)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    events = []
    for row in reader:
        event: dict = {}
        for name in CSV_FIELDS:
            value = _unsafe(row[name])
            if value == "" and name != "prev_hash":  # the first event links to ""
                event[name] = None
            elif name in JSON_FIELDS:
                event[name] = json.loads(value)
            elif name in INT_FIELDS:
                event[name] = int(value)
            elif name == "at":
                event[name] = datetime.fromisoformat(value)
            else:
                event[name] = value
        events.append(event)
    return events
