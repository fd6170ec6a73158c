"""Worker heartbeats in the database: readiness and the operations page see every worker of every machine
without asking Redis (which may be the thing that is down)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import utcnow
from workflow.models import WorkerHeartbeat
from workflow.notices.dialect import insert_ignoring_duplicates

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def beat(engine, name: str, queue: str, now=None) -> None:
    """Record that worker `name` is alive now (inserted on the first beat)."""
    now = now or utcnow()
    with engine.begin() as connection:
        updated = connection.execute(
            update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(beat_at=now, queue=queue)
        ).rowcount
        if not updated:
            insert_ignoring_duplicates(
                connection,
                WorkerHeartbeat,
                {"name": name, "queue": queue, "started_at": now, "beat_at": now},
            )


def forget(engine, name: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def heartbeats(connection) -> list[dict]:
    return [
        dict(row)
        for row in connection.execute(
            select(WorkerHeartbeat).order_by(WorkerHeartbeat.beat_at.desc())
        ).mappings()
    ]


class Heartbeat:
    """A daemon thread beating every `interval` seconds while the worker runs; `stop()` removes the row."""

    def __init__(self, engine, queue: str, interval: float = 15.0, name: str | None = None):
        self.engine, self.queue, self.interval = engine, queue, interval
        self.name = name or worker_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                beat(self.engine, self.name, self.queue)
                if failing:
                    log.warning("worker heartbeat recorded again")
                failing = False
            except SQLAlchemyError as error:
                if not failing:  # one line per outage, not one per beat
                    log.warning("worker heartbeat not recorded: %s", type(error).__name__)
                failing = True
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(SQLAlchemyError):  # else the row goes stale and readiness ignores it
            forget(self.engine, self.name)
