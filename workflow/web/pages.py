"""Public pages: the home page with open programs, the accessibility statement, and the liveness probe."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from workflow.services.programs import program_cards

bp = Blueprint("pages", __name__)


@bp.get("/healthz")
def health():
    """Liveness: the process answers. Whether it can work is /readyz (workflow/ops)."""
    return jsonify(status="ok")


@bp.get("/")
def home():
    workflow = current_app.extensions["workflow"]
    return render_template("home.html", programs=program_cards(workflow))


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
