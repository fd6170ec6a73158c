"""Addresses that stay the same while the app runs (static files, pages without arguments), built once per
mount point: `url_for` builds the route each time, and every page's frame asks for about ten of them."""

from __future__ import annotations

from flask import url_for

from workflow.web.request_state import remembered, this_request

MAX_REMEMBERED = 10_000


def fixed_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)`, remembered. Only for arguments written in a template or taken from a
    rule file (a bounded set), never for a request's input."""
    key = (this_request().script_root, endpoint, *sorted(values.items()))
    return remembered("fixed_urls", key, lambda: url_for(endpoint, **values), MAX_REMEMBERED)


def static_url(filename: str) -> str:
    return fixed_url("static", filename=filename)


def init_app(app) -> None:
    app.jinja_env.globals.update(fixed_url=fixed_url, static_url=static_url)
