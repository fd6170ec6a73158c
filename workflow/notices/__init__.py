"""Notices: outbox rows → rq jobs (or in-process) → in-app notices, e-mail and PDF letters.

`init_app(app)` builds the service, registers the engine's after-commit hook and the commands.
"""

from __future__ import annotations

from flask import Flask

from workflow.config import PROJECT_ROOT
from workflow.notices import staff
from workflow.notices.service import NoticeService
from workflow.notices.settings import NoticeSettings
from workflow.storage import blobs_for

__all__ = ["NoticeService", "NoticeSettings", "init_app", "service_for"]


def init_app(app: Flask) -> NoticeService:
    """Attach the notices service to the app and hook it after every commit that wrote outbox rows."""
    workflow = app.extensions["workflow"]
    service = NoticeService(
        workflow,
        NoticeSettings.from_app(app),
        app.config.get("NOTICE_TEMPLATES_DIR", PROJECT_ROOT / "templates" / "notices"),
        app.config.get("LETTER_TEMPLATES_DIR", PROJECT_ROOT / "templates" / "letters"),
    )
    app.extensions["notices"] = service
    service.blob_source = lambda: blobs_for(app)
    workflow.after_commit.append(service.after_commit)
    if app.config.get("STAFF_NOTICES", True):
        staff.init_app(workflow)  # officers told of submissions, declared conflicts, overdue steps
    return service


def service_for(app: Flask) -> NoticeService:
    return app.extensions["notices"]
