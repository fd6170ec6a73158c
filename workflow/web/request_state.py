"""The objects behind Flask's proxies, for code a page runs dozens of times.

A read through a werkzeug proxy (`g.lang`, `request.path`, `current_app.extensions`, `current_user.id`)
first fails on the proxy itself: Python builds an AttributeError, drops it, and only then forwards the
read, about a microsecond each. The language, the signed-in actor, fixed addresses and the CSRF token are
asked for many times a page; these helpers take the real object once per call instead."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, g, has_app_context, request
from flask_login import current_user

T = TypeVar("T")


def request_globals():
    """Flask's `g` itself, or None outside an app context."""
    return g._get_current_object() if has_app_context() else None


def this_app():
    return current_app._get_current_object()


def remembered(name: str, key: Hashable, make: Callable[[], T], limit: int) -> T:
    """`make()`, kept for the app in `app.extensions[name]` under `key` (at most `limit` kept: a key holds
    the mount point, which a proxy passes on and could vary, so the cache never grows without end)."""
    cache = this_app().extensions.setdefault(name, {})
    value = cache.get(key)
    if value is None:
        if len(cache) >= limit:
            cache.clear()
        value = cache[key] = make()
    return value


def this_request():
    return request._get_current_object()


def signed_in_user():
    """The signed-in user (Flask-Login loads it once per request), or None."""
    user = current_user._get_current_object()
    return user if user is not None and user.is_authenticated else None
