"""Who is signed in: Flask-Login's user, the engine's Actor, and decorators that gate views by role.

Other blueprints use `current_actor()` to call the engine and `roles_required(...)` /
`program_staff_required(...)` to keep a view to the people allowed to open it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import LoginManager, UserMixin, login_required
from sqlalchemy import create_engine, event, func, select

from workflow.engine.actors import USER_WITH_ROLES, Actor, actor_of, load_actor
from workflow.models import Notification, User
from workflow.web import sessions
from workflow.web.request_state import request_globals, signed_in_user, this_app

login_manager = LoginManager()
login_manager.login_view = "account.login"
login_manager.session_protection = "strong"


@dataclass
class WebUser(UserMixin):
    """The signed-in person as Flask-Login sees it; roles come from the Actor."""

    id: int
    email: str
    name: str
    organisation: str | None
    language: str
    active: bool
    email_verified: bool = True

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


# Who is signed in, their roles and the unread count the menu shows: one statement on every page.
SIGNED_IN_USER = USER_WITH_ROLES.add_columns(
    select(func.count())
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .scalar_subquery()
    .label("unread_notices")
)


@login_manager.user_loader
def _load_user(user_id: str) -> WebUser | None:
    """The session's user if the account is active and the session is still valid (sessions.py)."""
    if not user_id.isdigit():
        return None
    with page_reads() as connection:
        rows = connection.execute(SIGNED_IN_USER, {"user_id": int(user_id)}).all()
    actor = actor_of(rows)
    if actor is None:
        return None
    row = rows[0]
    if not row.active or not sessions.still_valid(row.session_generation):
        return None
    g.actor = actor
    g.unread_notices = row.unread_notices
    return WebUser(
        row.id,
        row.email,
        row.name,
        row.organisation,
        row.language,
        row.active,
        row.email_verified_at is not None,
    )


def db():
    """The SQLAlchemy Engine behind the workflow (services write through it)."""
    return this_app().extensions["workflow"].db


def read_db():
    """The Engine for page reads. On a SQLite file, reads skip the engine's `BEGIN IMMEDIATE` (a write
    lock that would make two workers' page views wait on each other); WAL readers never block."""
    extensions = this_app().extensions
    engine = extensions["workflow"].db
    known = extensions.get("web_read_engine")  # (engine, its reader): worked out once
    if known is not None and known[0] is engine:
        return known[1]
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        reader = engine
    else:
        reader = _sqlite_reader(engine.url)
    extensions["web_read_engine"] = (engine, reader)
    return reader


@contextmanager
def page_reads() -> Iterator:
    """A connection for a page's reads: one per request, shared by the signed-in user's load and the
    page's own reads (on PostgreSQL one checkout, one ping and one transaction a page instead of one each),
    given back when the request ends (`_give_back_reads`) or at once if a read fails.

    Reads only: writes go through the engine's own transactions. On one in-memory SQLite database the
    reads share the writer's connection and its lock, so each block there has a connection of its own."""
    engine = read_db()
    if engine is db() and engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            yield connection
        return
    state = request_globals()
    connection = state.get("_page_reads")
    if connection is None:
        connection = state._page_reads = engine.connect()
    try:
        yield connection
    except BaseException:
        state.pop("_page_reads", None)
        connection.close()  # a failed read may leave its transaction unusable: the next block starts anew
        raise


def _give_back_reads(_error=None) -> None:
    connection = g.pop("_page_reads", None)
    if connection is not None:
        connection.close()


def _sqlite_reader(url):
    reader = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=30000")
        dbapi_connection.execute("PRAGMA query_only=ON")  # this engine never writes

    return reader


def workflow():
    return this_app().extensions["workflow"]


def current_actor() -> Actor | None:
    """The engine's view of the signed-in user (roles globally and per program), once per request."""
    user = signed_in_user()
    if user is None:
        return None
    state = request_globals()
    actor = state.get("actor")
    if actor is None:
        with page_reads() as connection:
            actor = state.actor = load_actor(connection, int(user.id))
    return actor


def all_roles(actor: Actor | None) -> frozenset[str]:
    """Every staff role the actor holds, globally or in any program."""
    if actor is None:
        return frozenset()
    roles = set(actor.roles)
    for program_roles in actor.program_roles.values():
        roles |= program_roles
    return frozenset(roles)


def roles_required(*roles: str):
    """Signed in and holding one of `roles` (globally or for some program); else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not all_roles(current_actor()) & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def program_staff(program_key: str, *roles: str) -> bool:
    """True if the current actor holds one of `roles` for this program (or globally)."""
    actor = current_actor()
    return bool(actor and actor.staff_roles(program_key) & set(roles))


def require_program_staff(program_key: str, *roles: str) -> Actor:
    """The current actor if they hold one of `roles` for `program_key`; else 404 (no hint it exists)."""
    if not program_staff(program_key, *roles):
        abort(404)
    return current_actor()


def init_app(app) -> None:
    login_manager.init_app(app)
    app.teardown_appcontext(_give_back_reads)
