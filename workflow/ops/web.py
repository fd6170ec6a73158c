"""Probes for the load balancer and the supervisor: /readyz (JSON, 503 when not ready); the
administrators' operations page /admin/ops."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l
from redis import Redis

from workflow.ops.readiness import Limits, check
from workflow.ops.status import snapshot
from workflow.web.auth import roles_required
from workflow.web.nav import register_nav

bp = Blueprint("ops", __name__)


def probe_redis() -> Redis | None:
    """A client of its own with short timeouts: a probe must answer quickly when Redis hangs."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("ops_redis")
    if client is None:
        client = current_app.extensions["ops_redis"] = Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1
        )
    return client


@bp.get("/readyz")
def ready():
    workflow = current_app.extensions["workflow"]
    report = check(workflow.db, probe_redis(), workflow.clock(), Limits.from_config(current_app.config))
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ready" else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/admin/ops")
@roles_required("admin")
def status():
    return render_template("ops/status.html", r=snapshot(current_app))


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "ops.status", _l("Operations"), roles=("admin",), order=82)
