"""Addresses that stay the same while the app runs (static files, pages without arguments), built once per
mount point: `url_for` builds the route each time, and every page's frame asks for about ten of them."""

from __future__ import annotations

from flask import url_for

from workflow.web.request_state import this_app, this_request

MAX_REMEMBERED = 10_000


def fixed_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)`, remembered. Only for arguments written in a template or taken from a
    rule file (a bounded set), never for a request's input."""
    cache = this_app().extensions.setdefault("fixed_urls", {})
    key = (this_request().script_root, endpoint, *sorted(values.items()))
    url = cache.get(key)
    if url is None:
        if len(cache) >= MAX_REMEMBERED:  # a mount point a proxy passed on could vary: never grow without end
            cache.clear()
        url = cache[key] = url_for(endpoint, **values)
    return url


def static_url(filename: str) -> str:
    return fixed_url("static", filename=filename)


def init_app(app) -> None:
    app.jinja_env.globals.update(fixed_url=fixed_url, static_url=static_url)
