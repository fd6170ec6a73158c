"""Small readers shared by the notices tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select, text

from workflow.models import NoticeDelivery, Notification, OutboxMessage


def outbox(app) -> list[dict]:
    with app.extensions["workflow"].db.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(select(OutboxMessage).order_by(OutboxMessage.id)).mappings()
        ]


def outbox_row(app, outbox_id: int) -> dict:
    return next(row for row in outbox(app) if row["id"] == outbox_id)


def deliveries(app) -> list[dict]:
    with app.extensions["workflow"].db.connect() as connection:
        return [dict(row) for row in connection.execute(select(NoticeDelivery)).mappings()]


def notifications(app, user_id: int) -> list[dict]:
    with app.extensions["workflow"].db.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
            ).mappings()
        ]


def execute(app, sql: str, **params) -> None:
    with app.extensions["workflow"].db.begin() as connection:
        connection.execute(text(sql), params)


def pdf_fonts(path: Path) -> list[dict]:
    """`pdffonts` rows as dicts: name, type, emb (yes/no)."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object ID: the last five are fixed
        rows.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return rows


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def copies_of_first_notice(app, n: int, **changes) -> list[int]:
    """n new `pending` outbox rows like the first one (as if Redis had been down at commit); their ids."""
    columns = ("application_id", "event_seq", "notice", "template", "recipients", "channels", "payload")
    with app.extensions["workflow"].db.begin() as connection:
        first = connection.execute(select(OutboxMessage).order_by(OutboxMessage.id)).mappings().first()
        row = {k: first[k] for k in columns} | {
            "status": "pending",
            "attempts": 0,
            "created_at": first["created_at"],
        }
        return [
            connection.execute(
                OutboxMessage.__table__.insert().values(**(row | changes)).returning(OutboxMessage.id)
            ).scalar_one()
            for _ in range(n)
        ]


def start_redis(port: int) -> subprocess.Popen:
    """A Redis server of the test's own on `port` (no persistence), answering when this returns."""
    import shutil
    import time

    from redis import Redis

    server = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    client = Redis(port=port, socket_connect_timeout=1)
    try:
        for _ in range(200):
            try:
                client.ping()
                return server
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.05)
    finally:
        client.close()
    server.kill()
    raise AssertionError(f"redis-server on port {port} did not start")


def stop_redis(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(10)
