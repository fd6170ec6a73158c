"""Public pages: the health check used by deployments and the production smoke test."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

bp = Blueprint("pages", __name__)


@bp.get("/healthz")
def health():
    workflow = current_app.extensions["workflow"]
    with workflow.db.connect() as connection:
        connection.execute(text("SELECT 1"))
    return jsonify(status="ok", programs=sorted(workflow.registry.current))


def init_app(app) -> None:
    app.register_blueprint(bp)
