"""The notices service: what the job, the relay, the CLI and the pages share (one per app)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from workflow.engine import records
from workflow.notices.mail import make_mailer, sender_domain
from workflow.notices.render import Renderer
from workflow.notices.settings import NoticeSettings
from workflow.ops.failures import is_expected, kind_of, log_once_per_kind, recovered

log = logging.getLogger(__name__)


class NoticeService:
    def __init__(
        self, workflow, settings: NoticeSettings, templates_dir: str | Path, letters_dir: str | Path
    ):
        self.workflow = workflow
        self.settings = settings
        self.renderer = Renderer(templates_dir, settings.base_url)
        self.letter_env = Environment(
            loader=FileSystemLoader(str(letters_dir)), undefined=StrictUndefined, keep_trailing_newline=True
        )
        self.mail_domain = sender_domain(settings)
        # template → (connection, user id) → link or None, for account notices (account_mail.py)
        self.account_links: dict = {}
        self._relay = None
        self.blob_source = None  # () -> BlobStore, set by notices.init_app
        self._local = threading.local()

    @property
    def db(self):
        return self.workflow.db

    def clock(self):
        return self.workflow.clock()

    def read_application(self, connection, application_id: int) -> dict:
        return records.read_application(connection, application_id)

    def mailer(self):
        """This thread's mailer; an SMTP connection is kept between jobs (never shared across a fork)."""
        kept = getattr(self._local, "mailer", None)
        if kept is None or kept[0] != os.getpid():
            kept = self._local.mailer = (os.getpid(), make_mailer(self.settings, self.stored_mailer))
        return kept[1]

    def stored_mailer(self):
        from workflow.storage.mails import StoredMailer

        return StoredMailer(self.db, self.blobs())

    def blobs(self):
        """The file store every machine shares (set by `notices.init_app`)."""
        return self.blob_source()

    def close(self) -> None:
        """Close this thread's kept SMTP connection and the Redis client (tests, shutdown)."""
        kept = getattr(self._local, "mailer", None)
        if kept is not None:
            self._local.mailer = None
            kept[1].close()
        if self._relay is not None:
            self._relay.close()

    @property
    def relay(self):
        if self._relay is None:
            from workflow.notices.relay import Relay

            self._relay = Relay(self)
        return self._relay

    def after_commit(self, outbox_ids: list[int]) -> None:
        """The engine's after-commit hook: never raises, so a notice problem never touches the transition."""
        self.dispatch_or_leave_to_sweep(outbox_ids, "after commit")

    def dispatch_or_leave_to_sweep(self, outbox_ids: list[int], when: str) -> None:
        """Dispatch now; if that fails the rows stay due and the next sweep takes them. Redis being down
        is one line per minute (`workflow.ops.failures`); anything else is a bug, logged with its traceback."""
        try:
            self.relay.dispatch(outbox_ids)
        except Exception as error:  # noqa: BLE001 - the sweep delivers whatever this missed
            if not is_expected(error):
                log.exception("notices %s: dispatch %s failed; the sweep will retry", outbox_ids, when)
                return
            log_once_per_kind(
                log, kind_of(error), error, "notices %s (%s) left to the sweep", outbox_ids, when
            )
        else:
            if not self.settings.embedded:
                recovered(log, "redis")
