"""The navigation bar: each blueprint registers its entries with the roles that see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from workflow.web.auth import all_roles, current_actor
from workflow.web.i18n import current_lang
from workflow.web.request_state import remembered, signed_in_user, this_app, this_request


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
    app.extensions.pop("nav_menus", None)


@dataclass(slots=True)
class NavItem:  # attributes, not a dict: the template reads four of each on every page
    url: str
    label: str
    active: bool
    count: int


MAX_MENUS = 1_000  # (mount point, language, roles) combinations remembered


def nav_items() -> list[NavItem]:
    user = signed_in_user()
    roles = (frozenset(all_roles(current_actor())) or frozenset({"applicant"})) if user is not None else None
    items = [
        NavItem(url, label, False, entry.count() if entry.count and user is not None else 0)
        for entry, url, label in _menu(roles)
    ]
    current = _current(items)
    if current is not None:
        current.active = True
    return items


def _menu(roles: frozenset[str] | None) -> list[tuple[NavEntry, str, str]]:
    """The entries a visitor (`roles` None) or a user holding `roles` sees, in menu order, with their
    addresses and labels in the reader's language: worked out once per mount point, language and roles
    (every page shows the menu)."""
    app = this_app()

    def make() -> list[tuple[NavEntry, str, str]]:
        entries = sorted(app.extensions.get("nav", []), key=lambda e: e.order)
        return [
            (e, url_for(e.endpoint), str(e.label))
            for e in entries
            if e.endpoint in app.view_functions and _shown(e, roles)
        ]

    return remembered("nav_menus", (this_request().script_root, current_lang(), roles), make, MAX_MENUS)


def _shown(entry: NavEntry, roles: frozenset[str] | None) -> bool:
    if roles is None:
        return entry.public
    return not entry.roles or bool(entry.roles & roles)


def _current(items: list[NavItem]) -> NavItem | None:
    """The one entry whose address is the longest prefix of this page's (only it is highlighted)."""
    path = this_request().path
    matches = [i for i in items if (path == i.url if i.url == "/" else path.startswith(i.url))]
    return max(matches, key=lambda i: len(i.url), default=None)


def init_app(app) -> None:
    app.context_processor(lambda: {"nav_items": nav_items})
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
