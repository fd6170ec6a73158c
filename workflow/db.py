"""Database engine, session factory and the declarative base.

SQLite is the embedded default: WAL, a busy timeout and BEGIN IMMEDIATE so that two writers queue
instead of failing on lock upgrade. PostgreSQL (psycopg 3) is production.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: the same value on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # SQLite raw text (e.g. from a trigger default)
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    _queue_writers(engine)


def _queue_writers(engine: Engine) -> None:
    """SQLite has one writer at a time. The threads of this process queue for it on a lock instead of in
    SQLite's busy handler, which polls with growing sleeps (up to 100 ms) and lets late threads in first.
    Other processes still wait through busy_timeout.

    The lock is held per DBAPI connection from BEGIN to COMMIT or ROLLBACK (given back as SQLAlchemy
    announces them, a moment before SQLite is done: a thread arriving then waits in the busy handler), and
    given back as well when the pool takes the connection back or invalidates it (a connection dropped
    without closing it).
    Like SQLite's busy timeout, a thread waits 30 s at most and then gets 'database is locked'."""
    writer = threading.Lock()  # not reentrant: a second transaction nested in one thread fails as in SQLite
    holders: set[int] = set()  # id() of the DBAPI connections holding it

    def give_back(dbapi_connection) -> None:
        try:
            holders.remove(id(dbapi_connection))
        except KeyError:
            return
        writer.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        dbapi_connection = connection.connection.dbapi_connection
        if id(dbapi_connection) not in holders:  # a shared in-memory connection: SQLite answers itself
            if not writer.acquire(timeout=30):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            holders.add(id(dbapi_connection))
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            give_back(dbapi_connection)
            raise

    def _on_end(connection):
        try:
            dbapi_connection = connection.connection.dbapi_connection
        except SQLAlchemyError:
            return  # invalidated: the pool's invalidate event gave the lock back
        give_back(dbapi_connection)

    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)
    event.listen(engine.pool, "checkin", lambda dbapi_connection, _record: give_back(dbapi_connection))
    event.listen(
        engine.pool, "invalidate", lambda dbapi_connection, _record, _error: give_back(dbapi_connection)
    )


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)
