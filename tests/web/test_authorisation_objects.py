"""Object checks the status matrix cannot show: money routes on a real award with a finance user of
another real program, and other users' ids (files, letters, notifications, failed notices) reached
through one's own application or one's own pages. Each refusal also leaves the database unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.factories import AGREEMENT, reviewed_startup, startup_data, stored_letter
from tests.web.conftest import FAST_HASH, csrf_of, login
from tests.web.test_authorisation import snapshot
from workflow.engine.actors import load_actor
from workflow.models import Application, Notification, OutboxMessage, User
from workflow.services.users import create_user


@pytest.fixture
def awarded(app, web_people, store) -> int:
    """A startup-support application with an award and its first tranche due."""
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "select", web_people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    return app_id


def _user(app, email: str, roles) -> object:
    engine = app.extensions["workflow"].db
    with engine.begin() as connection:
        user_id = create_user(connection, email, email.split("@")[0], roles=roles)
    with engine.begin() as connection:
        connection.execute(update(User).where(User.id == user_id).values(password_hash=FAST_HASH))
    with engine.connect() as connection:
        return load_actor(connection, user_id)


def test_money_routes_refuse_finance_of_another_real_program(app, web_people, awarded):
    programs = set(app.extensions["workflow"].registry.current) - {"startup-support"}
    other_program = sorted(programs)[0]  # a program of the shipped rules, not a made-up key
    outsider = _user(app, "finance-elsewhere@test.kr", [("finance", other_program)])
    client = app.test_client()
    login(client, outsider)
    token = csrf_of(client.get("/finance/").text)
    engine = app.extensions["workflow"].db
    before = snapshot(engine)
    reads = {
        url: client.get(url).status_code
        for url in (
            f"/finance/awards/{awarded}",
            "/finance/programs/startup-support",
            "/finance/programs/startup-support/ledger.csv",
        )
    }
    writes = {
        url: client.post(url, data={**data, "csrf_token": token}).status_code
        for url, data in (
            (f"/finance/awards/{awarded}/pay", {}),
            (f"/finance/awards/{awarded}/recover", {"amount": "1000", "reason": "환수"}),
        )
    }
    assert set(reads.values()) == {404} and set(writes.values()) == {404}, (reads, writes)
    assert snapshot(engine) == before
    # the program's own finance officer is let through (the refusal above is about the program)
    own = app.test_client()
    login(own, web_people.finance)
    assert own.get(f"/finance/awards/{awarded}").status_code == 200
    token = csrf_of(own.get(f"/finance/awards/{awarded}").text)
    paid = own.post(f"/finance/awards/{awarded}/pay", data={"csrf_token": token, "reference": "NH-1"})
    assert paid.status_code == 302
    assert snapshot(engine) != before


@pytest.fixture
def two_applicants(app, web_people, store):
    """The applicant's and the other user's submitted applications, each with a file, a letter and
    notifications."""
    workflow = app.extensions["workflow"]
    found = {}
    for who in ("applicant", "other"):
        actor = getattr(web_people, who)
        app_id = workflow.create("startup-support", actor, startup_data(store)).application_id
        assert workflow.fire(app_id, "submit", actor).ok
        with workflow.db.begin() as connection:
            data = connection.execute(select(Application.data).where(Application.id == app_id)).scalar_one()
            outbox_id = connection.execute(
                select(OutboxMessage.id).where(OutboxMessage.application_id == app_id)
            ).scalar()
            letter = stored_letter(connection, app_id, actor.id, document_no=f"T-{who}")
            notification = connection.execute(
                select(Notification.id).where(Notification.user_id == actor.id)
            ).scalar()
        assert notification is not None
        found[who] = {
            "app": app_id,
            "file": data["business_plan"]["id"],
            "letter": letter,
            "notification": notification,
            "outbox": outbox_id,
        }
    return found


def test_other_users_ids_through_ones_own_application(app, web_people, two_applicants):
    mine, theirs = two_applicants["applicant"], two_applicants["other"]
    client = app.test_client()
    login(client, web_people.applicant)
    # control: my own file and letter through my own application
    for url in (
        f"/applications/{mine['app']}/files/{mine['file']}",
        f"/applications/{mine['app']}/letters/{mine['letter']}",
    ):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
    for url in (
        f"/applications/{mine['app']}/files/{theirs['file']}",
        f"/applications/{mine['app']}/letters/{theirs['letter']}",
        f"/applications/{theirs['app']}/files/{theirs['file']}",
        f"/applications/{theirs['app']}/letters/{theirs['letter']}",
    ):
        response = client.get(url)
        response.close()
        assert response.status_code == 404, url


def test_other_users_notification_ids_change_nothing(app, web_people, two_applicants):
    theirs = two_applicants["other"]
    engine = app.extensions["workflow"].db
    client = app.test_client()
    login(client, web_people.applicant)
    token = csrf_of(client.get("/notices/").text)
    before = snapshot(engine)
    response = client.post(
        "/notices/read", data={"notification_id": theirs["notification"], "csrf_token": token}
    )
    assert response.status_code == 302
    assert snapshot(engine) == before
    with engine.connect() as connection:
        read_at = connection.execute(
            select(Notification.read_at).where(Notification.id == theirs["notification"])
        ).scalar()
    assert read_at is None


def test_failed_notices_of_another_program_are_not_retried(app, web_people, two_applicants):
    engine = app.extensions["workflow"].db
    outbox_id = two_applicants["other"]["outbox"]
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(status="failed", attempts=5)
        )
    client = app.test_client()
    login(client, web_people.other_officer)  # officer of another program
    token = csrf_of(client.get("/notices/failed").text)
    before = snapshot(engine)
    for data in ({"outbox_id": outbox_id}, {}):  # that id, and "retry all"
        response = client.post("/notices/failed/retry", data={**data, "csrf_token": token})
        assert response.status_code == 302
    assert snapshot(engine) == before
