"""Operations: readiness, worker heartbeats, the last run of periodic commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.ops import cli, logs, metrics, web
    from workflow.storage import cli as storage_cli

    logs.init_app(app)
    web.init_app(app)
    storage_cli.register(app)
    cli.register(app)
    metrics.init_app(app)
