"""The tamper-evident history: canonical JSON, sha256 chained per application, and its verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from workflow.models import Application, HistoryEvent

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
    return hashlib.sha256(canonical(content)).hexdigest()


def data_diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for each field whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class ChainFault:
    application_id: int
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"application {self.application_id}, event {self.seq}: {self.problem}"


def verify_chain(connection, application_id: int) -> ChainFault | None:
    """Walk one application's chain; return the first altered, missing or reordered event."""
    events = connection.execute(
        select(HistoryEvent).where(HistoryEvent.application_id == application_id).order_by(HistoryEvent.seq)
    ).mappings()
    previous, expected_seq = "", 1
    for event in events:
        if event["seq"] != expected_seq:
            return ChainFault(application_id, expected_seq, "event missing")
        if event["prev_hash"] != previous:
            return ChainFault(application_id, event["seq"], "link to the previous event broken")
        if event_hash(event) != event["hash"]:
            return ChainFault(application_id, event["seq"], "content altered (hash mismatch)")
        previous, expected_seq = event["hash"], expected_seq + 1
    head = connection.execute(
        select(Application.history_seq, Application.history_head).where(Application.id == application_id)
    ).first()
    if head is not None and (head.history_seq, head.history_head) != (expected_seq - 1, previous):
        return ChainFault(
            application_id, head.history_seq, "latest event missing (chain shorter than recorded head)"
        )
    return None


def verify_all(connection) -> list[ChainFault]:
    ids = connection.execute(select(Application.id).order_by(Application.id)).scalars().all()
    return [fault for app_id in ids if (fault := verify_chain(connection, app_id))]
