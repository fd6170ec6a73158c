"""SQLite's one writer: threads of a process queue on the engine's writer lock, which every way out of a
transaction releases (commit, rollback, an error inside `begin()`, closing a read without commit)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

WAIT = 20  # seconds a liveness check waits before calling the lock leaked (never reached when it works)


def _writes_in_thread(engine, value: str) -> threading.Thread:
    def work():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO writer_probe (value) VALUES (:v)"), {"v": value})

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def engine(sqlite_engine):
    with sqlite_engine.begin() as connection:
        connection.execute(text("CREATE TABLE writer_probe (value TEXT)"))
    return sqlite_engine


def _values(engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT value FROM writer_probe ORDER BY rowid"))]


def test_a_second_thread_waits_for_the_open_write_and_then_goes_on(engine):
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO writer_probe (value) VALUES ('first')"))
        other = _writes_in_thread(engine, "second")
        other.join(0.3)
        assert other.is_alive()  # queued behind this transaction, not failed
    other.join(WAIT)
    assert not other.is_alive()
    assert _values(engine) == ["first", "second"]


@pytest.mark.parametrize("ending", ["error", "read_closed", "explicit_rollback"])
def test_every_way_out_of_a_transaction_lets_the_next_writer_in(engine, ending):
    if ending == "error":
        with pytest.raises(RuntimeError), engine.begin() as connection:
            connection.execute(text("INSERT INTO writer_probe (value) VALUES ('lost')"))
            raise RuntimeError("a refused fire")
    elif ending == "read_closed":
        connection = engine.connect()
        connection.execute(text("SELECT count(*) FROM writer_probe")).scalar()
        connection.close()
    else:
        with engine.connect() as connection:
            connection.execute(text("INSERT INTO writer_probe (value) VALUES ('lost')"))
            connection.rollback()
    other = _writes_in_thread(engine, "next")
    other.join(WAIT)
    assert not other.is_alive(), "the writer lock was not released"
    assert _values(engine) == ["next"]


def test_an_invalidated_connection_gives_the_lock_back(engine):
    connection = engine.connect()
    connection.execute(text("INSERT INTO writer_probe (value) VALUES ('lost')"))
    connection.invalidate()
    connection.close()
    other = _writes_in_thread(engine, "next")
    other.join(WAIT)
    assert not other.is_alive(), "the writer lock was not released"
    assert _values(engine) == ["next"]


def test_a_connection_dropped_without_closing_gives_the_lock_back(engine):
    import gc

    for warm in [engine.connect() for _ in range(2)]:
        warm.close()  # two connections in the pool: the writer below gets the other one
    connection = engine.connect()
    connection.execute(text("INSERT INTO writer_probe (value) VALUES ('lost')"))
    del connection
    gc.collect()  # the pool takes the DBAPI connection back and rolls it back
    other = _writes_in_thread(engine, "next")
    other.join(WAIT)
    assert not other.is_alive(), "the writer lock was not released"
    assert _values(engine) == ["next"]
