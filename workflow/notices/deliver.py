"""Deliver a batch of outbox rows — the body of the rq job, the same in embedded mode.

1. Claim, one transaction (`claims.py`): an attempt counted on every waiting row of the batch and its lease
   taken (`notice_runs`), so two runs never work on the same notice at once; rows another run holds are
   left alone, rows already sent or failed are skipped.
2. Prepare, one transaction (`prepare.py`): recipients from roles, each rendered in their language,
   in-app notifications and PDF letters stored, every e-mail still to send recorded as `sending`.
3. Send, row by row over one SMTP connection. Each e-mail the server accepted is recorded `sent`
   (committed) before the next one is sent; the last one by the finishing transaction.
4. Finish, one transaction: each row sent, failed (with the reason) or back to waiting with a backoff;
   the leases released.

One row's trouble stays its own: a template error or a refused address fails that row; a server saying
"try later" (4xx) or dropping the connection puts that row back to be retried. Only when no connection to
the server can be made are the rows not tried yet put back as well (each counted, as the server would
have turned them away the same). A re-run (rq's retry, the sweep) claims only the rows still waiting, and
within a row sends only to recipients not yet `sent`.

Duplicate window: if the process dies after the SMTP server accepted a message and before the `sent`
commit that follows it, the next run sends it again, with the same Message-ID. As every acceptance is
committed before the next message is sent, that is at most one message per worker. A kill at any other
moment yields exactly one e-mail.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.exc import OperationalError

from workflow.models import NoticeDelivery
from workflow.notices import compose
from workflow.notices.claims import Lease, claim, finish_rows, renew
from workflow.notices.mail import PermanentMailError, ServerUnavailable, TransientMailError, message_id
from workflow.notices.prepare import Email, Prepared, prepare
from workflow.ops.metrics import NOTICE_RETRIES

MARK_DELIVERY = (
    update(NoticeDelivery)
    .where(
        NoticeDelivery.outbox_id == bindparam("b_outbox"),
        NoticeDelivery.user_id == bindparam("b_user"),
        NoticeDelivery.channel == "email",
    )
    .values(status=bindparam("b_status"), error=bindparam("b_error"), sent_at=bindparam("b_sent_at"))
)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    outbox_id: int
    status: str  # sent | failed | retry | skipped | busy
    detail: str = ""


def deliver(service, outbox_id: int) -> Outcome:
    """Deliver one outbox row once; safe to call again at any time (after a crash, twice at once)."""
    return deliver_many(service, [outbox_id])[0]


def deliver_many(service, outbox_ids: list[int]) -> list[Outcome]:
    """Deliver a batch of outbox rows, each once; safe to call again at any time, with any overlap.
    One outcome per row, in id order."""
    ids = sorted(set(outbox_ids))
    with service.db.connect() as connection:
        lease = claim(connection, ids, uuid.uuid4().hex, service.clock(), service.settings.lease_seconds)
        run = Run(service, connection, lease)
        if lease.attempts:
            with service.db.connect() as marks:
                if marks.dialect.name == "postgresql":
                    # each acceptance: one statement committed by itself, no BEGIN and COMMIT round
                    # trips (not on SQLite: the pool would reset the connection to implicit
                    # transactions, which workflow/db.py turns off to issue BEGIN IMMEDIATE itself)
                    marks.execution_options(isolation_level="AUTOCOMMIT")
                run.work(marks)
            run.finish()
    outcomes = {i: Outcome(i, "skipped", "already sent or failed, or no such notice") for i in ids}
    outcomes.update({i: Outcome(i, "busy", "another run holds the lease") for i in lease.busy})
    outcomes.update(run.outcomes)
    return [outcomes[i] for i in ids]


class Run:
    """One run over the rows a lease holds: what happened to each row, and the acceptance not yet recorded."""

    def __init__(self, service, connection, lease: Lease):
        self.service = service
        self.connection = connection
        self.marks = connection  # where acceptances are recorded, one by one
        self.lease = lease
        self.results: dict[int, tuple[str, str]] = {}  # row → (sent | failed | retry | busy, detail)
        self.retry_cause: dict[int, str] = {}  # row → the channel (or step) whose failure asks for a retry
        self.refused: list[dict] = []  # deliveries the server refused for good, recorded at the finish
        self.unrecorded: Email | None = None  # accepted by the server, not yet recorded as sent
        self.outcomes: dict[int, Outcome] = {}

    def work(self, marks) -> None:
        self.marks = marks
        try:
            with self.connection.begin():
                prepared = prepare(self.service, self.connection, sorted(self.lease.attempts))
            self._send(prepared)
        except Exception as error:  # noqa: BLE001 - the database, or a bug: what is not done is retried
            if not isinstance(error, OperationalError):
                log.exception("notices %s: delivery failed", sorted(self.lease.attempts))
            detail = str(error) if isinstance(error, OperationalError) else f"{type(error).__name__}: {error}"
            for outbox_id in self.lease.attempts:
                if outbox_id not in self.results:
                    self.results[outbox_id] = ("retry", detail)
                    self.retry_cause[outbox_id] = "database"

    def _send(self, prepared: dict[int, Prepared]) -> None:
        mailer = self.service.mailer()
        unavailable = ""
        for outbox_id, row in sorted(prepared.items()):
            if row.failure:
                self.results[outbox_id] = ("failed", row.failure)
            elif row.error:
                self.results[outbox_id] = ("retry", row.error)
                self.retry_cause[outbox_id] = "prepare"
            elif unavailable:
                self.results[outbox_id] = ("retry", unavailable)
                self.retry_cause[outbox_id] = "email"
            elif self._still_held(outbox_id, prepared):
                try:
                    self.results[outbox_id] = self._send_row(mailer, row)
                except ServerUnavailable as error:
                    unavailable = str(error)
                    self.results[outbox_id] = ("retry", unavailable)
                self.retry_cause[outbox_id] = "email"  # counted only if the row ends in a retry

    def _still_held(self, outbox_id: int, prepared: dict[int, Prepared]) -> bool:
        """Renew the lease on the rows still to do once half of it has passed (a long batch, a slow
        server); a row another run has taken over meanwhile is left to that run."""
        now = self.service.clock()
        if self.lease.due_for_renewal(now):
            remaining = [i for i in sorted(prepared) if i not in self.results]
            kept = renew(self.connection, self.lease, remaining, now)
            for lost in set(remaining) - kept:
                self.results[lost] = ("busy", "the lease ran out and another run took the notice")
        return outbox_id not in self.results

    def _send_row(self, mailer, row: Prepared) -> tuple[str, str]:
        domain = self.service.mail_domain
        for email in row.emails:
            message = compose.email(self.service, email, message_id(email.outbox_id, email.user_id, domain))
            self._record_accepted()
            try:
                mailer.send(message, email.address)
            except PermanentMailError as error:
                self.refused.append(_mark(email, "failed", str(error), None))
                row.problems.append(str(error))
                continue
            except ServerUnavailable:
                raise
            except (TransientMailError, OSError) as error:
                return "retry", str(error)
            # --- the duplicate window: accepted by the server, not yet recorded ---
            self.unrecorded = email
        if row.problems:
            return "failed", "; ".join(row.problems)
        return "sent", ""

    def _record_accepted(self) -> None:
        """Commit the last acceptance before anything else leaves: the window stays one message wide."""
        if self.unrecorded is not None:
            with self.marks.begin():
                self.marks.execute(MARK_DELIVERY, _mark(self.unrecorded, "sent", None, self.service.clock()))
            self.unrecorded = None

    def finish(self) -> None:
        now = self.service.clock()
        settings = self.service.settings
        rows = []
        for outbox_id, attempts in sorted(self.lease.attempts.items()):
            status, detail = self.results.get(outbox_id, ("retry", "not tried"))
            if status == "busy":
                self.outcomes[outbox_id] = Outcome(outbox_id, status, detail)
                continue
            if status == "retry" and attempts >= settings.max_attempts:
                status, detail = "failed", f"gave up after {attempts} attempts: {detail}"
            retry = status == "retry"
            if retry:
                NOTICE_RETRIES.labels(channel=self.retry_cause.get(outbox_id, "database")).inc()
            self.outcomes[outbox_id] = Outcome(outbox_id, status, detail)
            rows.append(
                {
                    "b_id": outbox_id,
                    "b_status": None if retry else status,
                    "b_sent_at": now if status == "sent" else None,
                    "b_error": detail[:2000] or None,
                    "b_next": now + timedelta(seconds=settings.retry_delay(attempts)) if retry else None,
                    "b_token": self.lease.token,
                    "b_now": now,
                }
            )
        marks = list(self.refused)
        if self.unrecorded is not None:
            marks.append(_mark(self.unrecorded, "sent", None, now))
        with self.connection.begin():
            if marks:
                self.connection.execute(MARK_DELIVERY, marks)
            if rows:
                finish_rows(self.connection, rows)
        self.unrecorded = None


def _mark(email: Email, status: str, error: str | None, sent_at) -> dict:
    return {
        "b_outbox": email.outbox_id,
        "b_user": email.user_id,
        "b_status": status,
        "b_error": error,
        "b_sent_at": sent_at,
    }
