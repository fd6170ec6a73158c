"""Batches: one rq job (or one embedded run) delivers several outbox rows. Each row keeps its own outcome,
attempt count and e-mails; a row sent to rq is not sent again before its lease passes; a re-run sends
nothing twice."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest

from tests.factories import submitted_startup
from tests.notices.conftest import free_port, make_app, people_on
from tests.notices.helpers import copies_of_first_notice, deliveries, execute, outbox_row
from tests.notices.test_rq import _queued_batches, _rq_app, _work
from workflow.notices.deliver import deliver_many


class Crash(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler sees it."""


def _smtp_app(db, tmp_path, clock, smtp, **config):
    return make_app(db, tmp_path, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, **config)


def _statuses(app, ids: list[int]) -> list[tuple[str, int]]:
    return [(outbox_row(app, i)["status"], outbox_row(app, i)["attempts"]) for i in ids]


def _once_each(smtp) -> bool:
    return all(n == 1 for n in Counter(smtp.message_ids()).values())


def test_rows_go_in_batches_and_a_row_sent_to_rq_waits_for_its_lease(
    sqlite_db, tmp_path, clock, store, smtp, redis_db
):
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, NOTICE_BATCH_SIZE=2)
    relay = app.extensions["notices"].relay
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    ids = copies_of_first_notice(app, 3)

    assert relay.enqueue(ids[:1]) == 1
    assert relay.enqueue(ids) == 2  # the first row was sent to rq just now: only the others, in one batch
    assert _queued_batches(relay) == [ids[:1], ids[1:]]  # ids only
    assert relay.enqueue(ids) == 0 and relay.sweep().enqueued == 0

    _work(app)
    assert _statuses(app, ids) == [("sent", 1)] * 3
    assert len(smtp.messages) == 4 and _once_each(smtp)
    assert relay.sweep().enqueued == 0 and relay.queue().count == 0


def test_a_row_failing_for_good_fails_alone(sqlite_db, tmp_path, clock, store, smtp, redis_db):
    app = _rq_app(sqlite_db, tmp_path, clock, smtp)
    relay = app.extensions["notices"].relay
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    ids = copies_of_first_notice(app, 1)
    ids += copies_of_first_notice(app, 1, template="no_such_template")
    ids += copies_of_first_notice(app, 1)

    assert relay.enqueue(ids) == 3
    _work(app)
    assert _statuses(app, ids) == [("sent", 1), ("failed", 1), ("sent", 1)]
    assert "no_such_template" in outbox_row(app, ids[1])["last_error"]
    assert len(smtp.messages) == 3
    assert relay.sweep().enqueued == 0  # nothing to retry


def test_a_transient_failure_retries_its_row_and_sends_the_others_once(
    notice_db, tmp_path, clock, store, smtp, redis_db
):
    app = _rq_app(notice_db, tmp_path, clock, smtp)  # retry interval 0: due again at once
    relay = app.extensions["notices"].relay
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    ids = copies_of_first_notice(app, 3)
    smtp.refuse_next = 1  # the batch's first e-mail is turned away with 451

    assert relay.enqueue(ids) == 3
    _work(app)
    assert _statuses(app, ids) == [("queued", 1), ("sent", 1), ("sent", 1)]
    assert relay.sweep().enqueued == 1  # only the row to retry
    _work(app)
    assert _statuses(app, ids) == [("sent", 2), ("sent", 1), ("sent", 1)]
    assert smtp.refused == 1 and len(smtp.messages) == 4 and _once_each(smtp)


def test_the_last_attempt_fails_only_its_row(sqlite_db, tmp_path, clock, store, smtp):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp, NOTICE_MAX_ATTEMPTS=1)
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    ids = copies_of_first_notice(app, 3)
    smtp.refuse_next = 1

    outcomes = deliver_many(app.extensions["notices"], ids)
    assert [o.status for o in outcomes] == ["failed", "sent", "sent"]
    assert outcomes[0].detail.startswith("gave up after 1 attempts") and "451" in outcomes[0].detail
    assert _statuses(app, ids) == [("failed", 1), ("sent", 1), ("sent", 1)]


def test_a_batch_run_again_after_a_crash_sends_nothing_twice(
    notice_db, tmp_path, clock, store, smtp, monkeypatch
):
    app = _smtp_app(notice_db, tmp_path, clock, smtp, NOTICE_LEASE_SECONDS=300)
    service = app.extensions["notices"]
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    ids = copies_of_first_notice(app, 4)
    real = service.mailer()
    sent = []

    def send(message, address):
        if len(sent) == 2:
            raise Crash  # the process dies before the third e-mail leaves
        real.send(message, address)
        sent.append(message["Message-ID"])

    monkeypatch.setattr(service, "mailer", lambda: SimpleNamespace(send=send))
    with pytest.raises(Crash):
        deliver_many(service, ids)
    states = {d["outbox_id"]: d["status"] for d in deliveries(app)}
    # the second acceptance was committed before the third e-mail was begun
    assert [states[i] for i in ids] == ["sent", "sent", "sending", "sending"]
    assert _statuses(app, ids) == [("pending", 1)] * 4
    assert [o.status for o in deliver_many(service, ids)] == ["busy"] * 4  # the dead run's leases

    monkeypatch.setattr(service, "mailer", lambda: real)
    clock.advance(seconds=301)
    assert [o.status for o in deliver_many(service, ids)] == ["sent"] * 4
    assert _statuses(app, ids) == [("sent", 2)] * 4
    assert len(smtp.messages) == 5 and _once_each(smtp)


def test_a_long_batch_renews_its_lease_and_leaves_a_taken_row_alone(
    sqlite_db, tmp_path, clock, store, smtp, monkeypatch
):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp, NOTICE_LEASE_SECONDS=10)
    service = app.extensions["notices"]
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    ids = copies_of_first_notice(app, 3)
    real = service.mailer()
    calls = []

    def slow_send(message, address):
        real.send(message, address)
        calls.append(address)
        clock.advance(seconds=6)  # more than half the lease per e-mail
        if len(calls) == 2:  # meanwhile another run took the last row over
            execute(app, "UPDATE notice_runs SET lease_token = 'other' WHERE outbox_id = :id", id=ids[2])

    monkeypatch.setattr(service, "mailer", lambda: SimpleNamespace(send=slow_send))
    outcomes = deliver_many(service, ids)
    assert [o.status for o in outcomes] == ["sent", "sent", "busy"]
    assert _statuses(app, ids) == [("sent", 1), ("sent", 1), ("pending", 1)]
    assert len(smtp.messages) == 3


def test_a_server_that_cannot_be_reached_puts_the_whole_batch_back(sqlite_db, tmp_path, clock, store):
    app = make_app(sqlite_db, tmp_path, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    ids = copies_of_first_notice(app, 3)
    outcomes = deliver_many(app.extensions["notices"], ids)
    assert [o.status for o in outcomes] == ["retry"] * 3
    assert all("127.0.0.1" in o.detail for o in outcomes)
    assert _statuses(app, ids) == [("pending", 1)] * 3


def test_embedded_sweep_delivers_in_batches(sqlite_db, tmp_path, clock, store, smtp):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp, NOTICE_BATCH_SIZE=2)
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    ids = copies_of_first_notice(app, 5)
    smtp.refuse_next = 1
    report = app.extensions["notices"].relay.sweep()
    assert report.outcomes == {"sent": 4, "retry": 1}
    clock.advance(minutes=1)
    assert app.extensions["notices"].relay.sweep().outcomes == {"sent": 1}
    assert _statuses(app, ids) == [("sent", 2)] + [("sent", 1)] * 4
    assert len(smtp.messages) == 6 and _once_each(smtp)
