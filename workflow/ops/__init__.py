"""Operations: readiness, worker heartbeats, the last run of periodic commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.ops import web

    app.register_blueprint(web.bp)
