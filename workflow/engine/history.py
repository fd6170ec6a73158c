"""The tamper-evident history: canonical JSON and sha256, chained per application (verified by workflow.audit)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

HASHED_FIELDS = (
    "application_id",
    "seq",
    "program_key",
    "program_version",
    "definition_sha",
    "from_state",
    "to_state",
    "trigger",
    "actor_id",
    "actor_name",
    "actor_roles",
    "reason",
    "diff",
    "data_hash",
    "at",
    "prev_hash",
)
# Hashed only when present: events written before these were recorded keep their original hashes.
OPTIONAL_HASHED_FIELDS = ("row_version", "detail")


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode(
        "utf-8"
    )


def data_hash(data: dict) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(event: dict) -> str:
    content = {name: event[name] for name in HASHED_FIELDS}
    content["at"] = _timestamp(content["at"])
    for name in OPTIONAL_HASHED_FIELDS:
        if event.get(name) is not None:
            content[name] = event[name]
    return hashlib.sha256(canonical(content)).hexdigest()


def data_diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for each field whose value changed."""
    if before == after:
        return {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }
