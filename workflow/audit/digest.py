"""The anchor outside the database: a daily digest over every chain's head, itself chained.

Someone with write access to the database can recompute a whole chain so that it verifies again. A
digest hashes the head (seq, hash) of every chain at a moment; its text, signed with Ed25519, is kept
elsewhere by an auditor, who checks it with the public key alone (`flask audit public-key`), without any
secret of the system. `audit verify --against FILE` then checks that each chain still passes through the head the
digest recorded: a recomputed chain does not. Each stored digest holds only the heads that changed
since the previous one; the full set at any digest is the replay of those changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, select

from workflow.audit.faults import ChainFault
from workflow.engine.history import canonical
from workflow.models import Application, AuditDigest, HistoryEvent, StaffEvent

SEOUL = ZoneInfo("Asia/Seoul")
FILE_TITLE = "Gangwon grants audit digest"
FILE_FIELDS = ("seq", "day", "at", "chains", "events", "heads", "previous", "digest", "key")
KEY_PREFIX = "ed25519:"
STAFF = "staff"


class DigestFileError(ValueError):
    """The file is not a digest this system signed (wrong key, edited, or not a digest at all)."""


def current_heads(connection) -> dict[str, list]:
    """{chain: [seq, head hash]} for every application chain and the staff chain, now."""
    heads = {
        f"a{row.id}": [row.history_seq, row.history_head]
        for row in connection.execute(
            select(Application.id, Application.history_seq, Application.history_head)
            .where(Application.history_seq > 0)
            .execution_options(yield_per=5000)
        )
    }
    staff = connection.execute(
        select(StaffEvent.seq, StaffEvent.hash).order_by(StaffEvent.seq.desc()).limit(1)
    ).first()
    if staff is not None:
        heads[STAFF] = [staff.seq, staff.hash]
    return heads


def heads_hash(heads: dict[str, list]) -> str:
    return hashlib.sha256(canonical(sorted([chain, *head] for chain, head in heads.items()))).hexdigest()


def digest_hash(row: dict) -> str:
    content = {name: row[name] for name in ("seq", "day", "chains", "events", "heads_hash", "prev_hash")}
    content["at"] = row["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical(content)).hexdigest()


def heads_at(connection, seq: int) -> dict[str, list]:
    """The full set of heads as of digest `seq`: the replay of every digest's changes up to it."""
    heads: dict[str, list] = {}
    for (changed,) in connection.execute(
        select(AuditDigest.heads).where(AuditDigest.seq <= seq).order_by(AuditDigest.seq)
    ):
        heads.update(changed)
    return heads


def latest(connection) -> dict | None:
    row = connection.execute(select(AuditDigest).order_by(AuditDigest.seq.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def get(connection, seq: int) -> dict | None:
    row = connection.execute(select(AuditDigest).where(AuditDigest.seq == seq)).mappings().first()
    return dict(row) if row else None


def record(connection, now: datetime) -> dict:
    """Record a digest of every chain's head now (inside the caller's transaction)."""
    previous = latest(connection)
    before = heads_at(connection, previous["seq"]) if previous else {}
    heads = current_heads(connection)
    row = {
        "seq": (previous["seq"] if previous else 0) + 1,
        "day": now.astimezone(SEOUL).date().isoformat(),
        "at": now,
        "chains": len(heads),
        "events": sum(head[0] for head in heads.values()),
        "heads_hash": heads_hash(heads),
        "heads": {chain: head for chain, head in heads.items() if before.get(chain) != head},
        "prev_hash": previous["hash"] if previous else "",
    }
    row["hash"] = digest_hash(row)
    connection.execute(insert(AuditDigest).values(**row))
    return row


def record_daily(db, now: datetime) -> dict | None:
    """`flask tick`: one digest per Seoul day (None when today's exists)."""
    day = now.astimezone(SEOUL).date().isoformat()
    with db.begin() as connection:
        if connection.execute(select(AuditDigest.id).where(AuditDigest.day == day).limit(1)).first():
            return None
        return record(connection, now)


def private_key(secret: str) -> Ed25519PrivateKey:
    """The Ed25519 key derived from the configured key material (any string; 32+ characters in production)."""
    seed = hashlib.sha256(b"gangwon-grants audit digest\0" + secret.encode("utf-8")).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key(config) -> Ed25519PrivateKey:
    """From AUDIT_SIGNING_KEY, or SECRET_KEY when none is set."""
    return private_key(config.get("AUDIT_SIGNING_KEY") or config["SECRET_KEY"])


def public_key_text(key: Ed25519PrivateKey) -> str:
    """`ed25519:` and the raw public key in hex: what auditors keep to check digest files."""
    return KEY_PREFIX + key.public_key().public_bytes_raw().hex()


def _public_key(text: str) -> Ed25519PublicKey:
    if not text.startswith(KEY_PREFIX):
        raise DigestFileError("key")
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.removeprefix(KEY_PREFIX)))
    except ValueError:
        raise DigestFileError("key") from None


def signed_text(digest: dict, key: Ed25519PrivateKey) -> str:
    """The digest as text an auditor keeps elsewhere; the last line is an Ed25519 signature of the rest."""
    values = {
        "seq": digest["seq"],
        "day": digest["day"],
        "at": digest["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "chains": digest["chains"],
        "events": digest["events"],
        "heads": digest["heads_hash"],
        "previous": digest["prev_hash"] or "-",
        "digest": digest["hash"],
        "key": public_key_text(key),
    }
    body = FILE_TITLE + "\n" + "".join(f"{name}: {values[name]}\n" for name in FILE_FIELDS)
    return body + f"signature: {KEY_PREFIX}{key.sign(body.encode('utf-8')).hex()}\n"


def parse_signed_text(text: str, trusted_key: str) -> dict:
    """The digest's values, if `text` was signed by the holder of `trusted_key` (`ed25519:<hex>`)."""
    body, marker, signature = text.rpartition("signature: ")
    signature = signature.strip()
    if not marker or not signature.startswith(KEY_PREFIX):
        raise DigestFileError("signature")
    try:
        _public_key(trusted_key).verify(
            bytes.fromhex(signature.removeprefix(KEY_PREFIX)), body.encode("utf-8")
        )
    except (InvalidSignature, ValueError):
        raise DigestFileError("signature") from None
    lines = body.splitlines()
    if not lines or lines[0] != FILE_TITLE:
        raise DigestFileError("title")
    values = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    if set(values) != set(FILE_FIELDS):
        raise DigestFileError("fields")
    return {
        **values,
        "seq": int(values["seq"]),
        "chains": int(values["chains"]),
        "events": int(values["events"]),
    }


@dataclass
class AnchorReport:
    digest_seq: int
    faults: list[ChainFault]


def verify_against(connection, anchor: dict) -> AnchorReport:
    """Every chain must still pass through the head the (signed) digest recorded."""
    seq = anchor["seq"]
    stored = get(connection, seq)
    if stored is None or stored["hash"] != anchor["digest"] or stored["heads_hash"] != anchor["heads"]:
        return AnchorReport(seq, [ChainFault(None, None, "digest_altered", {"digest": seq}, chain="digest")])
    heads = heads_at(connection, seq)
    if heads_hash(heads) != anchor["heads"]:
        return AnchorReport(seq, [ChainFault(None, None, "digest_altered", {"digest": seq}, chain="digest")])
    faults = []
    staff = heads.pop(STAFF, None)
    if staff is not None:
        found = connection.execute(select(StaffEvent.hash).where(StaffEvent.seq == staff[0])).scalar()
        if found != staff[1]:
            faults.append(
                ChainFault(None, staff[0], "digest_head", {"digest": seq, "expected": staff[0]}, chain=STAFF)
            )
    wanted = {int(chain[1:]): head for chain, head in heads.items()}
    events = connection.execute(
        select(HistoryEvent.application_id, HistoryEvent.seq, HistoryEvent.hash)
        .order_by(HistoryEvent.application_id, HistoryEvent.seq)
        .execution_options(stream_results=True, yield_per=5000)
    )
    try:
        for application_id, event_seq, event_hash in events:
            head = wanted.get(application_id)
            if head is not None and event_seq == head[0]:
                del wanted[application_id]
                if event_hash != head[1]:
                    faults.append(
                        ChainFault(
                            application_id, event_seq, "digest_head", {"digest": seq, "expected": head[0]}
                        )
                    )
    finally:
        events.close()
    for application_id, head in sorted(wanted.items()):  # the recorded head's event is gone
        faults.append(
            ChainFault(application_id, head[0], "digest_head", {"digest": seq, "expected": head[0]})
        )
    return AnchorReport(seq, faults)
