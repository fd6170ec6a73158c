"""Sign-in limits: atomic under parallel attempts, per client behind trusted proxies, and working with
Redis down."""

from __future__ import annotations

import logging
import threading
import uuid

import pytest
import redis

from tests.conftest import REDIS_TEST_URL, service_missing
from tests.web.conftest import PASSWORD, csrf_of, make_app, people_with_passwords
from workflow.services import accounts
from workflow.services.signin_limits import LIMIT_PER_ACCOUNT, LIMIT_PER_ADDRESS, SignInLimits

NOWHERE = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def _login(client, email: str, password: str, forwarded: str | None = None):
    token = csrf_of(client.get("/login").text)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, headers=headers
    )


@pytest.fixture
def redis_url():
    """The test Redis (TEST_REDIS_URL); each test counts under its own key prefix, so nothing is flushed."""
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", error)
    finally:
        client.close()
    return REDIS_TEST_URL


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_parallel_wrong_passwords_never_pass_the_limit(app, web_people, storage, request):
    url = request.getfixturevalue("redis_url") if storage == "redis" else None
    limits = SignInLimits(url, prefix=f"test-{uuid.uuid4().hex}")
    db = app.extensions["workflow"].db
    start = threading.Barrier(10)
    results = []

    def attempt():
        start.wait()
        results.append(accounts.authenticate(db, limits, "applicant@test.kr", "wrong-password", "10.0.0.1"))

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = [r for r in results if not r.limited]
    assert len(checked) == LIMIT_PER_ACCOUNT and all(r.user_id is None for r in checked)
    assert accounts.authenticate(db, limits, "applicant@test.kr", PASSWORD, "10.0.0.1").limited


def test_counts_are_shared_through_redis_and_a_success_gives_the_slots_back(app, web_people, redis_url):
    db = app.extensions["workflow"].db
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = (
        SignInLimits(redis_url, prefix=prefix),
        SignInLimits(redis_url, prefix=prefix),
    )  # two workers
    for _ in range(LIMIT_PER_ACCOUNT - 1):
        assert accounts.authenticate(db, first, "applicant@test.kr", "wrong", "10.0.0.2").user_id is None
    assert accounts.authenticate(db, second, "applicant@test.kr", PASSWORD, "10.0.0.2").user_id is not None
    for _ in range(LIMIT_PER_ACCOUNT):  # the account started afresh after the success
        assert not accounts.authenticate(db, first, "applicant@test.kr", "wrong", "10.0.0.2").limited
    assert accounts.authenticate(db, second, "applicant@test.kr", PASSWORD, "10.0.0.2").limited


def test_users_behind_the_trusted_proxy_are_counted_apart(sqlite_engine, clock, tmp_path):
    app = make_app(sqlite_engine, clock, tmp_path, PROXY_COUNT=1)
    people_with_passwords(app)
    client = app.test_client()
    for number in range(LIMIT_PER_ADDRESS):
        _login(client, f"guess{number}@test.kr", "x", forwarded="203.0.113.9")
    assert _login(client, "other@test.kr", "x", forwarded="203.0.113.9").status_code == 429
    # another user behind the same proxy is not locked out
    assert _login(client, "applicant@test.kr", PASSWORD, forwarded="198.51.100.7").status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(app, client, web_people):
    for number in range(LIMIT_PER_ADDRESS):
        _login(client, f"guess{number}@test.kr", "x", forwarded=f"192.0.2.{number}")
    assert _login(client, "applicant@test.kr", PASSWORD, forwarded="192.0.2.200").status_code == 429


def test_sign_in_works_with_redis_down_and_says_so_once(sqlite_engine, clock, tmp_path, caplog):
    app = make_app(sqlite_engine, clock, tmp_path, RATE_LIMIT_REDIS_URL=NOWHERE)
    people_with_passwords(app)
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="workflow.services.signin_limits"):
        assert _login(client, "applicant@test.kr", "wrong").status_code == 200
        assert _login(client, "applicant@test.kr", PASSWORD).status_code == 302
        for _ in range(LIMIT_PER_ACCOUNT):
            _login(client, "other@test.kr", "wrong")
        assert _login(client, "other@test.kr", PASSWORD).status_code == 429  # still limited, per process
    outage = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(outage) == 1
