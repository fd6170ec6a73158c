"""E-mails kept instead of sent (no SMTP configured): the message in the blob store, its headers and its
recipient (address and user id) in `stored_mails`, so `/notices/mail` reads the same on every machine."""

from __future__ import annotations

import hashlib
import io
from email import policy
from email.message import Message
from email.parser import BytesParser

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import utcnow
from workflow.models import NoticeDelivery, StoredMail
from workflow.notices.dialect import insert_ignoring_duplicates
from workflow.notices.mail import TransientMailError
from workflow.storage.blobs import StorageError


class StoredMailer:
    """The mailer used without SMTP (unless NOTICE_MAIL_DIR names a folder). A copy sent again (same
    Message-ID) is kept once."""

    def __init__(self, engine, blobs):
        self.engine, self.blobs = engine, blobs

    def __enter__(self) -> StoredMailer:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: Message, to_address: str) -> None:
        raw = bytes(message)
        message_id = str(message["Message-ID"])[:200]
        sha256 = hashlib.sha256(raw).hexdigest()
        subject = str(BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)["Subject"] or "")
        try:
            self.blobs.put(sha256, io.BytesIO(raw), len(raw))
            with self.engine.begin() as connection:
                # the recipient's user id from the delivery recorded before sending (same Message-ID)
                user_id = connection.execute(
                    select(NoticeDelivery.user_id).where(NoticeDelivery.message_id == message_id)
                ).scalar()
                insert_ignoring_duplicates(
                    connection,
                    StoredMail,
                    {
                        "message_id": message_id,
                        "to_address": to_address[:254],
                        "recipient_user_id": user_id,
                        "subject": subject[:300],
                        "sha256": sha256,
                        "size": len(raw),
                        "created_at": utcnow(),
                    },
                )
        except (StorageError, SQLAlchemyError) as error:
            raise TransientMailError(f"mail store: {type(error).__name__}") from None

    def close(self) -> None:
        return None


def kept_mail_bytes(connection, blobs, message_id: str) -> bytes | None:
    """The kept e-mail with this Message-ID, read on `connection` when the store is the database (on
    SQLite a second connection of the same thread would wait for the first)."""
    sha256 = connection.execute(select(StoredMail.sha256).where(StoredMail.message_id == message_id)).scalar()
    return None if sha256 is None else blobs.read_in(connection, sha256)
