"""The anchor: a whole chain recomputed by someone with database access verifies on its own and is
caught only against a digest kept outside the system."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select, update

from tests.audit.helpers import drop_protection, events_of, reviewed
from tests.factories import submitted_startup
from workflow.audit import digest as digests
from workflow.audit.report import digest_pdf
from workflow.audit.verify import verify_all
from workflow.engine.history import event_hash
from workflow.models import Application, AuditDigest, HistoryEvent

KEY = digests.private_key("test-signing-key")
PUBLIC = digests.public_key_text(KEY)
E = HistoryEvent.__table__


def recompute_chain(connection, app_id: int, from_seq: int, **change) -> None:
    """Alter one event and re-hash everything after it, head on the row included: a perfect forgery."""
    previous = ""
    for event in events_of(connection, app_id):
        if event["seq"] == from_seq:
            event.update(change)
        if event["seq"] >= from_seq:
            event["prev_hash"] = previous
            event["hash"] = event_hash(event)
            connection.execute(
                update(E).where(E.c.id == event["id"]).values(**{k: v for k, v in event.items() if k != "id"})
            )
        previous = event["hash"]
    connection.execute(update(Application).where(Application.id == app_id).values(history_head=previous))


def test_recomputed_chain_is_caught_only_with_the_digest(workflow, people, store):
    app_id = reviewed(workflow, people, store)
    other = submitted_startup(workflow, people, store)
    with workflow.db.begin() as connection:
        digest = digests.record(connection, workflow.clock())
    signed = digests.signed_text(digest, KEY)
    assert workflow.fire(
        other, "request_changes", people.officer, reason="보완"
    ).ok  # life goes on after the digest

    with workflow.db.begin() as connection:
        drop_protection(connection)
        recompute_chain(connection, app_id, 3, actor_name="someone else", reason="forged")
    with workflow.db.connect() as connection:
        assert verify_all(connection) == [], "a recomputed chain verifies on its own"
        anchored = digests.verify_against(connection, digests.parse_signed_text(signed, PUBLIC))
    assert [(f.application_id, f.code) for f in anchored.faults] == [(app_id, "digest_head")]
    with workflow.db.connect() as connection:
        head_seq = connection.execute(
            select(Application.history_seq).where(Application.id == app_id)
        ).scalar()
    assert anchored.faults[0].seq == head_seq
    assert "history before digest 1 changed" in str(anchored.faults[0])


def test_untouched_history_passes_the_anchor(workflow, people, store):
    reviewed(workflow, people, store)
    app_id = submitted_startup(workflow, people, store)
    with workflow.db.begin() as connection:
        first = digests.record(connection, workflow.clock())
    assert workflow.fire(app_id, "request_changes", people.officer, reason="보완").ok
    with workflow.db.begin() as connection:
        second = digests.record(connection, workflow.clock())
    assert second["prev_hash"] == first["hash"] and list(second["heads"]) == [f"a{app_id}"]
    with workflow.db.connect() as connection:
        for digest in (first, second):
            anchor = digests.parse_signed_text(digests.signed_text(digest, KEY), PUBLIC)
            assert digests.verify_against(connection, anchor).faults == []


def test_a_stored_digest_changed_is_named(workflow, people, store):
    reviewed(workflow, people, store)
    with workflow.db.begin() as connection:
        digest = digests.record(connection, workflow.clock())
    with workflow.db.begin() as connection:
        drop_protection(connection)
        connection.execute(update(AuditDigest).values(heads={}))
    with workflow.db.connect() as connection:
        anchored = digests.verify_against(
            connection, digests.parse_signed_text(digests.signed_text(digest, KEY), PUBLIC)
        )
    assert [(f.chain, f.code) for f in anchored.faults] == [("digest", "digest_altered")]


def test_edited_or_foreign_digest_file_is_refused(workflow, people, store):
    with workflow.db.begin() as connection:
        signed = digests.signed_text(digests.record(connection, workflow.clock()), KEY)
    with pytest.raises(digests.DigestFileError):
        digests.parse_signed_text(signed.replace("chains: ", "chains: 9"), PUBLIC)
    with pytest.raises(digests.DigestFileError):
        digests.parse_signed_text(signed, digests.public_key_text(digests.private_key("another key")))
    with pytest.raises(digests.DigestFileError):
        digests.parse_signed_text("hello", PUBLIC)


def test_an_auditor_checks_the_file_with_the_public_key_alone(workflow, people, store):
    """What an auditor does elsewhere: the file and the published key, no secret of the system."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    submitted_startup(workflow, people, store)
    with workflow.db.begin() as connection:
        signed = digests.signed_text(digests.record(connection, workflow.clock()), KEY)
    body, _, signature = signed.rpartition("signature: ed25519:")
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(PUBLIC.removeprefix("ed25519:")))
    key.verify(bytes.fromhex(signature.strip()), body.encode("utf-8"))  # raises if forged
    assert f"key: {PUBLIC}" in body and "hmac" not in signed


def test_one_digest_a_day(workflow, people, store, clock):
    submitted_startup(workflow, people, store)
    first = digests.record_daily(workflow.db, clock())
    assert first is not None and digests.record_daily(workflow.db, clock()) is None
    clock.advance(days=1)
    second = digests.record_daily(workflow.db, clock())
    assert second["seq"] == 2 and second["prev_hash"] == first["hash"] and second["heads"] == {}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_digest_pdf_text_extracts(workflow, people, store, tmp_path):
    with workflow.db.begin() as connection:
        signed = digests.signed_text(digests.record(connection, workflow.clock()), KEY)
    path = tmp_path / "digest.pdf"
    path.write_bytes(digest_pdf(signed, "ko"))
    extracted = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    signature = signed.splitlines()[-1].split(":")[
        -1
    ]  # wrapped over lines in the PDF: compare without breaks
    assert "감사 기록 일일 요약" in extracted and signature in "".join(extracted.split())
