"""E-mail: build a multipart message (text + HTML, optional PDF) and hand it to SMTP or a local folder.

Errors come out as `PermanentMailError` (retrying cannot help: the address is refused) or
`TransientMailError` (the server said "try later" or dropped the connection); `ServerUnavailable`, a
transient error, means no connection could be made at all.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import time
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from workflow.notices.settings import NoticeSettings


class PermanentMailError(Exception):
    pass


class TransientMailError(Exception):
    pass


class ServerUnavailable(TransientMailError):
    """No connection to the SMTP server: the rest of a batch would fail the same way."""


def message_id(outbox_id: int, user_id: int, domain: str) -> str:
    """Derived from the outbox row, so a re-sent copy carries the same Message-ID (readers can drop it)."""
    return f"<notice-{outbox_id}-{user_id}@{domain}>"


def sender_domain(settings: NoticeSettings) -> str:
    return parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"


def build_message(
    settings: NoticeSettings,
    *,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    msg_id: str,
    sent_at,
    attachment: tuple[str, bytes] | None = None,
) -> Message:
    """A multipart/alternative message (in a multipart/mixed one with the PDF); Korean names and
    subjects as RFC 2047 encoded words.

    Built with the compat32 classes and headers encoded here: `email.policy.default` parses and refolds
    every header when the message is written, which cost more than the SMTP exchange itself."""
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(text, "plain", "utf-8"))
    alternative.attach(MIMEText(html, "html", "utf-8"))
    message = alternative
    if attachment is not None:
        filename, content = attachment
        message = MIMEMultipart("mixed")
        message.attach(alternative)
        pdf = MIMEApplication(content, "pdf")
        pdf.add_header("Content-Disposition", "attachment", filename=filename)
        message.attach(pdf)
    message["From"] = _address(*parseaddr(settings.mail_from))
    message["To"] = _address(to_name, to_address)
    message["Subject"] = _header(" ".join(subject.split()))
    message["Message-ID"] = msg_id
    message["Date"] = format_datetime(sent_at)
    message["Auto-Submitted"] = "auto-generated"
    return message


def _header(value: str) -> Header:
    return Header(value, "us-ascii" if value.isascii() else "utf-8")


def _address(name: str, address: str) -> str:
    # a line break in a name must not start a header of its own
    return formataddr((" ".join(name.split()), address), charset="utf-8")


class SmtpMailer:
    """One connection kept between jobs; STARTTLS or implicit TLS and login as configured."""

    IDLE_SECONDS = 20  # servers drop idle connections; start a fresh one rather than find out

    def __init__(self, settings: NoticeSettings):
        self.settings = settings
        self.client: smtplib.SMTP | None = None
        self.last_used = 0.0
        self.used = False

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.smtp_security == "ssl":
                client = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
                if s.smtp_security == "starttls":
                    client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnavailable(f"SMTP {s.smtp_host}:{s.smtp_port}: {error}") from None
        return client

    def send(self, message: Message, to_address: str) -> None:
        """Send over the kept connection (opened on first use); one reconnect if the server dropped it."""
        if self.client is not None and time.monotonic() - self.last_used > self.IDLE_SECONDS:
            self.close()
        if self.client is None:
            self.client = self._connect()
            self.used = False
        try:
            try:
                refused = self.client.send_message(message, to_addrs=[to_address])
            except smtplib.SMTPServerDisconnected:
                if not self.used:
                    raise
                self._drop()  # a kept connection the server had closed: MAIL FROM never got through
                self.client = self._connect()
                refused = self.client.send_message(message, to_addrs=[to_address])
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()))
            self._drop()
            raise _by_code(code, f"{to_address} refused: {code} {reason!r}") from None
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise _by_code(error.smtp_code, f"SMTP said {error.smtp_code} {error.smtp_error!r}") from None
        except (TimeoutError, OSError, smtplib.SMTPException) as error:
            self._drop()
            raise TransientMailError(f"SMTP connection lost: {error}") from None
        self.used, self.last_used = True, time.monotonic()
        if refused:
            raise PermanentMailError(f"{to_address} refused: {refused}")

    def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def _by_code(code: int, text: str) -> Exception:
    return PermanentMailError(text) if 500 <= code < 600 else TransientMailError(text)


class FolderMailer:
    """Without SMTP: each e-mail is written to a folder as `<message-id>.eml` (the demo reads them)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def __enter__(self) -> FolderMailer:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: Message, to_address: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = folder_path(self.directory, message["Message-ID"])
        partial = target.with_suffix(".part")
        partial.write_bytes(bytes(message))
        partial.replace(target)  # atomic: a reader never sees half a message

    def close(self) -> None:
        return None


def folder_path(directory: Path, msg_id: str) -> Path:
    """Where the folder sink keeps the e-mail with this Message-ID."""
    name = msg_id.strip("<>").replace("@", "_at_").replace("/", "_")
    return Path(directory) / f"{name}.eml"


def make_mailer(settings: NoticeSettings, stored=None):
    """SMTP when configured; else the folder NOTICE_MAIL_DIR names; else `stored()` (the mail store
    every machine shares, workflow/storage/mails.py)."""
    if settings.smtp_configured:
        return SmtpMailer(settings)
    if settings.mail_dir is not None:
        return FolderMailer(settings.mail_dir)
    return stored()


def read_folder(directory: Path, limit: int = 50) -> list[dict]:
    """The newest e-mails written to the folder sink (tests; the page reads by recipient: inbox.py)."""
    files = sorted(Path(directory).glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    return [read_mail(path) for path in files]


def read_mail(path: Path) -> dict:
    """One e-mail the folder sink wrote: headers, plain text and attachment names."""
    return {"file": Path(path).name, **parse_mail(Path(path).read_bytes())}


def parse_mail(raw: bytes) -> dict:
    """Headers, plain text and attachment names of one kept e-mail."""
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(raw)
    body = message.get_body(preferencelist=("plain",))
    return {
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "date": str(message["Date"]),
        "message_id": str(message["Message-ID"]),
        "text": body.get_content() if body is not None else "",
        "attachments": [part.get_filename() for part in message.iter_attachments()],
    }
