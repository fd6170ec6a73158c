"""The navigation bar: each blueprint registers its entries with the roles that see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_login import current_user

from workflow.web.auth import all_roles, current_actor


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy_gettext string, translated when rendered
    roles: frozenset[str]  # empty: every signed-in user; {"applicant"}: users without staff roles too
    order: int = 50
    public: bool = False  # shown to visitors who are not signed in as well
    count: Callable[[], int] | None = None  # a number shown beside the label (e.g. unread notices)


def register_nav(
    app, endpoint: str, label, roles=(), order: int = 50, public: bool = False, count=None
) -> None:
    """Add a menu entry shown to users holding any of `roles` (none given: every signed-in user;
    `public`: visitors too); `count()` gives a number shown beside it (0: nothing shown)."""
    entry = NavEntry(endpoint, label, frozenset(roles), order, public, count)
    app.extensions.setdefault("nav", []).append(entry)
    app.extensions.pop("nav_urls", None)


@dataclass(slots=True)
class NavItem:  # attributes, not a dict: the template reads four of each on every page
    url: str
    label: str
    active: bool
    count: int


def nav_items() -> list[NavItem]:
    signed_in = current_user.is_authenticated
    roles = (set(all_roles(current_actor())) or {"applicant"}) if signed_in else set()
    items = []
    for entry, url in _entries_with_urls():
        if not signed_in and not entry.public:
            continue
        if signed_in and entry.roles and not entry.roles & roles:
            continue
        count = entry.count() if entry.count and signed_in else 0
        items.append(NavItem(url, str(entry.label), False, count))
    current = _current(items)
    if current is not None:
        current.active = True
    return items


def _entries_with_urls() -> list[tuple[NavEntry, str]]:
    """The registered entries in menu order with their addresses, worked out once per mount point
    (every page shows the menu)."""
    cache = current_app.extensions.setdefault("nav_urls", {})
    key = request.script_root
    if key not in cache:
        entries = sorted(current_app.extensions.get("nav", []), key=lambda e: e.order)
        cache[key] = [(e, url_for(e.endpoint)) for e in entries if e.endpoint in current_app.view_functions]
    return cache[key]


def _current(items: list[NavItem]) -> NavItem | None:
    """The one entry whose address is the longest prefix of this page's (only it is highlighted)."""
    path = request.path
    matches = [i for i in items if (path == i.url if i.url == "/" else path.startswith(i.url))]
    return max(matches, key=lambda i: len(i.url), default=None)


def init_app(app) -> None:
    app.context_processor(lambda: {"nav_items": nav_items})
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
