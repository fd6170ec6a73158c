"""The operations page (admins) and `flask ops status`: queue, workers, outbox, failed notices, timers,
and the last tick / audit verify / backup."""

from __future__ import annotations

from sqlalchemy import update

from tests.factories import submitted_startup
from tests.notices.conftest import make_app, people_on
from tests.web.conftest import FAST_HASH, login
from workflow.models import OutboxMessage, User
from workflow.ops.heartbeat import beat
from workflow.storage import file_store_for


def _app_with_state(sqlite_engine, tmp_path, clock, redis_url):
    app = make_app(sqlite_engine, tmp_path, clock, REDIS_URL=redis_url)
    people = people_on(app)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    with app.app_context():
        submitted_startup(app.extensions["workflow"], people, file_store_for(app))  # one job queued
        submitted_startup(app.extensions["workflow"], people, file_store_for(app))
    with sqlite_engine.begin() as connection:
        connection.execute(update(OutboxMessage).where(OutboxMessage.id == 2).values(status="failed"))
    beat(sqlite_engine, "web-1:4242", "notices", now=clock())
    clock.advance(seconds=30)
    assert app.test_cli_runner().invoke(args=["tick"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    return app, people


def test_the_terminal_status(sqlite_engine, tmp_path, clock, own_redis):
    app, _ = _app_with_state(sqlite_engine, tmp_path, clock, own_redis.url)
    result = app.test_cli_runner().invoke(args=["ops", "status"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "job(s), oldest" in out and "queue notices-test" in out
    assert "workers: 1 alive of 1" in out and "web-1:4242 (notices): last heartbeat 30 s ago" in out
    assert "1 queued" in out and "1 failed" in out
    assert "failed notices: 1" in out
    assert "last tick: ok, 0 s ago" in out and "last audit_verify: ok" in out and "last backup: never" in out


def test_the_operations_page_for_admins_only(sqlite_engine, tmp_path, clock, own_redis):
    app, people = _app_with_state(sqlite_engine, tmp_path, clock, own_redis.url)
    client = app.test_client()
    login(client, people.officer)
    assert client.get("/admin/ops").status_code == 403
    client.post("/logout")
    admin = app.test_client()
    login(admin, people.admin)
    page = admin.get("/admin/ops")
    assert page.status_code == 200
    text = page.text
    assert "운영 현황" in text and "대기 중인 작업" in text
    assert "web-1:4242" in text and "동작 중" in text and "30초 전" in text
    assert "마지막 타이머 실행" in text and "실행된 적 없음" in text  # tick ran, backup never
    assert 'action="/notices/failed/retry"' in text

    own_redis.stop()
    assert "Redis에 연결할 수 없음" in admin.get("/admin/ops").text


def test_the_first_administrator_is_created_from_the_terminal(sqlite_engine, tmp_path, clock):
    from sqlalchemy import select

    from workflow.engine.actors import load_actor
    from workflow.services.users import check_password, find_user_id

    app = make_app(sqlite_engine, tmp_path, clock)
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["ops", "create-admin", "boss@agency.go.kr", "--password", "password123"])
    assert weak.exit_code == 1 and "password refused" in weak.output
    made = runner.invoke(
        args=["ops", "create-admin", "boss@agency.go.kr", "--password", "물결-Tide-7-Lantern"]
    )
    assert made.exit_code == 0, made.output
    with sqlite_engine.connect() as connection:
        user_id = find_user_id(connection, "boss@agency.go.kr")
        assert "admin" in load_actor(connection, user_id).roles
        stored = connection.execute(select(User.password_hash).where(User.id == user_id)).scalar_one()
    assert check_password(stored, "물결-Tide-7-Lantern")
    again = runner.invoke(
        args=["ops", "create-admin", "boss@agency.go.kr", "--password", "물결-Tide-7-Lantern"]
    )
    assert again.exit_code == 1 and "already has an account" in again.output
