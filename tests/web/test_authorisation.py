"""Every route × every role × own / other object → the expected status.

The matrix must list every endpoint of the app, and both methods of a GET+POST route (`POST_SIDE`):
adding a route without deciding who may use it fails `test_every_route_is_in_the_matrix`. Codes: 200,
302 (a redirect that is not the sign-in page), "L" (sent to sign in), 400, 403, 404, 409.

Every POST also compares the database before and after: only the roles listed in `CHANGES` may change
it (fire, decide and notices answer 302 whether or not anything happened, so the status alone proves
nothing).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import stored_letter, submitted_startup
from tests.web.authorisation_matrix import (
    CHANGES,
    MATRIX,
    POST_DATA,
    POST_SIDE,
    ROLES,
    VERSIONED,
)
from tests.web.conftest import PASSWORD, csrf_of, login
from workflow.audit import runs as audit_runs
from workflow.db import Base
from workflow.models import Application, UserRole
from workflow.services import admin as admin_service
from workflow.services import reviews

CASES = [(endpoint, *entry) for endpoint, entry in MATRIX.items()] + [
    (f"{endpoint}:POST", "POST", url, expected) for endpoint, (url, expected) in POST_SIDE.items()
]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add these routes to the authorisation matrix"
    assert set(MATRIX) - endpoints == set(), "these routes no longer exist"
    both = {r.endpoint for r in app.url_map.iter_rules() if {"GET", "POST"} <= r.methods}
    assert both == set(POST_SIDE), "list the POST side of these GET+POST routes in POST_SIDE"
    assert {e.removesuffix(":POST") for e in CHANGES} <= endpoints


def snapshot(engine) -> dict[str, list]:
    """Every row of every table, to prove a refused POST wrote nothing."""
    with engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(r)) for r in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def _changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@pytest.fixture
def objects(app, web_people, store):
    workflow = app.extensions["workflow"]
    people = web_people
    a = submitted_startup(workflow, people, store)
    assert workflow.fire(a, "pass_screening", people.officer).ok
    for reviewer in (people.reviewer1, people.reviewer2):
        assert reviews.assign(workflow, a, reviewer.id, people.officer).ok
        reviews.accept_pledge(workflow, reviewer)
    assert reviews.declare(workflow, a, people.reviewer1, "none").ok
    d = workflow.create("startup-support", people.applicant, {}).application_id
    with workflow.db.begin() as connection:
        letter = stored_letter(connection, a, people.applicant.id)
        assignment = (
            connection.execute(select(UserRole.id).where(UserRole.user_id == people.officer.id))
            .scalars()
            .first()
        )
        data = connection.execute(select(Application.data).where(Application.id == a)).scalar_one()
    app.config["AUDIT_RUNS_INLINE"] = True  # no thread outliving the test
    return {
        "sha": workflow.registry.latest("startup-support").sha256,
        "run": audit_runs.start(workflow.db, None, people.auditor.id, background=False),
        "a": a,
        "d": d,
        "file": data["business_plan"]["id"],
        "letter": letter,
        "user": people.applicant.id,
        "officer": people.officer.id,
        "assignment": assignment,
    }


def _versions(workflow, *ids) -> dict[int, int]:
    with workflow.db.connect() as connection:
        rows = connection.execute(
            select(Application.id, Application.row_version).where(Application.id.in_(ids))
        )
        return dict(rows.all())


def _status(client, method: str, url: str, data: dict):
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_of(client.get("/").text)
        page = client.get(url.replace("autosave", "form"))
        if page.status_code == 200 and "csrf_token" in page.text:
            token = csrf_of(page.text)
        response = client.post(url, data={**data, "csrf_token": token})
    response.close()  # file responses hold the file open until closed
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return "L"
    return response.status_code


@pytest.mark.parametrize(("endpoint", "method", "template", "expected"), CASES, ids=[c[0] for c in CASES])
def test_route_access(app, web_people, objects, endpoint, method, template, expected):
    url = template.format(**objects)
    route = endpoint.removesuffix(":POST")
    engine = app.extensions["workflow"].db
    actual, wrote = {}, {}
    for role in ROLES:
        client = app.test_client()
        if role != "anon":
            login(client, getattr(web_people, role))
        data = dict(POST_DATA.get(route, {}))
        if route in VERSIONED:  # the version the page was opened on, as our forms send it
            data["row_version"] = _versions(app.extensions["workflow"], objects[VERSIONED[route]]).popitem()[
                1
            ]
        before = snapshot(engine) if method == "POST" else None
        actual[role] = _status(client, method, url, data)
        if before is not None and role not in CHANGES.get(endpoint, ()):
            wrote[role] = _changed(before, snapshot(engine))
    assert actual == expected
    assert {role: tables for role, tables in wrote.items() if tables} == {}, "a refused POST wrote"


def _end_session(app, client, people, role: str, how: str) -> None:
    user = getattr(people, role)
    if how == "sign-out":
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    elif how == "password change":
        page = client.get("/account/password")
        new = "lantern-orbit-velvet-93"
        form = {"current": PASSWORD, "password": new, "confirm": new, "csrf_token": csrf_of(page.text)}
        assert client.post("/account/password", data=form).status_code == 302
    else:
        acting = people.admin if role != "admin" else people.officer
        admin_service.set_active(app.extensions["workflow"].db, user.id, False, acting.id)


@pytest.mark.parametrize("how", ["sign-out", "password change", "deactivation"])
def test_an_ended_session_reaches_only_what_anyone_may(app, web_people, objects, how):
    """A copy of the cookie taken before sign-out, a password change (on another device) or
    deactivation gets exactly what an anonymous visitor gets, on every page of the matrix."""
    gets = {
        e: (template.format(**objects), expected)
        for e, (m, template, expected) in MATRIX.items()
        if m == "GET"
    }
    for role in ROLES[1:]:
        client = app.test_client()
        login(client, getattr(web_people, role))
        replay = app.test_client()
        cookie = client.get_cookie("session")
        replay.set_cookie(cookie.key, cookie.value)
        _end_session(app, client, web_people, role, how)
        actual = {endpoint: _status(replay, "GET", url, {}) for endpoint, (url, _) in gets.items()}
        assert actual == {endpoint: expected["anon"] for endpoint, (_, expected) in gets.items()}, role


def test_the_mail_folder_shows_each_mail_to_its_recipient_only(app, web_people, objects, tmp_path):
    """/notices/mail matches the recipient's user id, not a piece of the address: `dmin@test.kr` sees
    nothing of `admin@test.kr`'s mail. Reset links are shown to their recipient alone; admins see
    who got every mail and when, but not the text of an account mail."""
    from workflow.services import accounts
    from workflow.services.users import create_user

    workflow = app.extensions["workflow"]
    with workflow.db.begin() as connection:
        create_user(connection, "dmin@test.kr", "substring", "lantern-orbit-velvet-93")
    for email in ("admin@test.kr", "applicant@test.kr", "officer@test.kr"):
        accounts.request_reset(workflow, email)
    mails = {path.read_bytes() for path in (tmp_path / "mail").glob("*.eml")}
    assert len(mails) >= 4  # the resets and the notices of the submitted application

    def page(client) -> str:
        response = client.get("/notices/mail")
        assert response.status_code == 200
        return response.text

    links = {}
    for role in ROLES[1:]:
        client = app.test_client()
        login(client, getattr(web_people, role))
        text = page(client)
        links[role] = set(re.findall(r"/password/reset/[\w.-]+", text))
        own = f"{role if role != 'other_officer' else 'officer2'}@test.kr"
        shown = set(re.findall(r"[\w.]+@test\.kr", text))
        if role == "admin":
            assert {"applicant@test.kr", "officer@test.kr", "admin@test.kr"} <= shown
        else:
            assert shown <= {own}, (role, shown)
    assert len(links["admin"]) == 1 and len(links["applicant"]) == 1 and len(links["officer"]) == 1
    assert links["admin"] != links["applicant"]  # the admin sees only their own reset link
    assert all(not found for role, found in links.items() if role not in ("admin", "applicant", "officer"))
    stranger = app.test_client()
    stranger.post(
        "/login",
        data={
            "email": "dmin@test.kr",
            "password": "lantern-orbit-velvet-93",
            "csrf_token": csrf_of(stranger.get("/login").text),
        },
    )
    text = page(stranger)
    assert "admin@test.kr" not in text and "/password/reset/" not in text


# POST routes whose writes an auditor may cause: their own session, language, notice settings and
# sign-up-style application (any signed-in account may apply), and starting a verification run
AUDITOR_OWN_POSTS = {
    "account.logout",
    "account.language",
    "account.change_password:POST",
    "notices.mark_read",
    "notices.save_preferences",
    "applicant.apply",
    "auditor.start_verification",
}


def test_every_other_post_refuses_the_auditor():
    """Auditors read: a POST that could change an application, a user or money writes nothing for them
    (test_route_access proves that a POST outside CHANGES wrote nothing)."""
    posts = [endpoint for endpoint, method, _url, _expected in CASES if method == "POST"]
    assert len(posts) > 20
    writes = {endpoint for endpoint in posts if "auditor" in CHANGES.get(endpoint, ())}
    assert writes <= AUDITOR_OWN_POSTS, writes - AUDITOR_OWN_POSTS
    assert "auditor.start_verification" in writes
