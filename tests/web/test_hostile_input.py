"""Hostile input on every route never answers 5xx: NUL and control characters, non-ASCII digits,
numbers beyond the database's range, in the path, the query string and every form field.

Routes and their URLs come from the authorisation matrix (`test_authorisation.MATRIX`), so a new route
is covered as soon as it is listed there; both methods of a GET+POST route are sent.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from tests.conftest import _postgres_engine
from tests.web.authorisation_matrix import MATRIX, POST_DATA, ROLES
from tests.web.conftest import csrf_of, login, make_app
from tests.web.test_authorisation import objects as objects  # noqa: F401 (fixture)
from tests.web.test_journeys import FORM_VALUES
from workflow.models import Application

HOSTILE = (
    "a\x00b",
    "x\x01\x1b\x7fy",
    "a\r\nLocation: /evil",
    "²",
    "١٢٣",
    "2147483648",
    "9223372036854775808",
    "4611686018427387904",  # 2^62: a sum of two of these overflows a 64-bit guard
    "NaN",
)
ONE_BY_ONE = ("a\x00b", "²", "9223372036854775808")  # also sent in each query parameter alone
# sent in each POST field in turn (the others valid), one of each kind a field may fail on: a NUL byte,
# non-ASCII digits, beyond a 32-bit column, beyond 64 bits, a sum beyond 64 bits; every value is still
# sent in every field at once
EACH_FIELD = ("a\x00b", "١٢٣", "2147483648", "9223372036854775808", "4611686018427387904")
OUT_OF_RANGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999999999", "٣", "0")
QUERY_NAMES = ("q", "state", "page", "sort", "id", "next", "lang", "program", "year", "from", "to")
FORM_NAMES = (
    "email password confirm name organisation phone language kind next lang reason declaration comment amount currency rate "
    "effective_on source notification_id outbox_id row_version trigger decision outcome to_state role "
    "program_key active reviewer_id score_innovation score_feasibility score_regional_impact"
).split()
# the roles that get past the door of each route (so the hostile values reach the view's own code),
# at most MAX_ROLES of them per route, in this order
TRIED_ROLES = ("applicant", "officer", "admin", "finance", "reviewer1", "reviewer2", "anon")
MAX_ROLES = 2
PARTS = 4  # the routes split over four tests, so that the first failure hides nothing and workers share them
NEW_PASSWORD = "lantern-orbit-velvet-93"
# valid values per POST route; each is replaced by each hostile value in turn (and all of them at once)
VALID = {
    "account.login": {"email": "applicant@test.kr", "password": "not-the-password"},
    "account.signup": {
        "kind": "company",
        "name": "새 회사",
        "organisation": "새 회사",
        "email": "new@test.kr",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "account.forgot": {"email": "applicant@test.kr"},
    "account.reset": {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "account.change_password": {"current": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "account.profile_page": {
        "name": "한대표",
        "organisation": "헬스온",
        "phone": "010-1234-5678",
        "language": "ko",
    },
    "actions.fire": {"trigger": "withdraw", "reason": "사유"},
    "officer.move": {"to_state": "screening", "reason": "정정"},
    "review.declare": {"declaration": "exclusion", "reason": "같은 기관"},
    "review.score": {"score_innovation": "20", "score_feasibility": "30", "score_regional_impact": "20"},
    "finance.recover": {"amount": "1,000", "reason": "환수"},
    "finance.rates": {
        "currency": "USD",
        "rate": "1385.20",
        "effective_on": "2026-05-04",
        "source": "매매기준율",
    },
    "notices.mark_read": {"notification_id": "1"},
    "notices.retry": {"outbox_id": "1"},
    "notices.save_preferences": {"email": "received"},
    "admin.grant": {"role": "officer", "program_key": "startup-support"},
    "admin.active": {"active": "1"},
    "applicant.edit": FORM_VALUES,
    "applicant.autosave": FORM_VALUES,
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, sqlite_engine, clock, tmp_path):
    """The web app on SQLite and on PostgreSQL (which refuses NUL bytes and out-of-range integers)."""
    if request.param == "sqlite":
        yield make_app(sqlite_engine, clock, tmp_path)
        return
    engine = _postgres_engine(request.getfixturevalue("postgres_url"))
    yield make_app(engine, clock, tmp_path)
    engine.dispose()


def _routes(app) -> list[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in {"GET", "POST"} & rule.methods:
            found.add((rule.endpoint, method))
    return sorted(found)


def _rule_field_names(app) -> set[str]:
    names = set()
    for program in app.extensions["workflow"].registry.current.values():
        for stage in program.spec.stages.values():
            names |= {f.name for f in stage.fields}
        for transition in program.transitions:
            names |= {f.name for f in transition.spec.fields}
    return names


def _signed_in(app, people) -> dict:
    """One client per role, signed in once (a hostile sign-in attempt must not lock the next one out)."""
    clients = {}
    for role in TRIED_ROLES:
        clients[role] = app.test_client()
        if role != "anon":
            login(clients[role], getattr(people, role))
    return clients


def _clients(app, clients: dict, endpoint: str) -> dict:
    if endpoint == "account.logout":  # would sign the shared clients out
        return {"anon": app.test_client()}
    expected = MATRIX[endpoint][2]
    allowed = [role for role in TRIED_ROLES if expected[role] not in ("L", 403)]
    return {role: clients[role] for role in allowed[:MAX_ROLES]}


def _variants(endpoint: str, names: list[str], value: str, versions: dict, each: bool) -> list[dict]:
    """Every field hostile at once, then (if `each`) each valid field of the route made hostile in turn."""
    base = {**POST_DATA.get(endpoint, {}), **VALID.get(endpoint, {}), **versions}
    variants = [{**{name: value for name in names}, **POST_DATA.get(endpoint, {})}]
    if each:
        variants += [{**base, name: value} for name in base]
    return variants


def _token(client, url: str) -> str | None:
    page = client.get(url)
    page.close()  # a download holds its file open until closed
    if page.status_code != 200 or page.mimetype != "text/html" or "csrf_token" not in page.text:
        return None
    return csrf_of(page.text)


def _check(response, what: str, failures: list) -> None:
    response.close()
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}")


def _row_versions(app, objects) -> dict[str, dict]:
    with app.extensions["workflow"].db.connect() as connection:
        versions = dict(connection.execute(select(Application.id, Application.row_version)).all())
    return {key: {"row_version": str(versions[objects[key]])} for key in ("a", "d")}


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("app", ["postgres"], indirect=True)
@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"routes-{part + 1}-of-{PARTS}")
def test_hostile_values_never_give_a_server_error(app, web_people, objects, part):  # noqa: F811
    """On PostgreSQL only, which refuses NUL bytes and integers beyond its columns (SQLite takes both);
    every field of the first role's POST is made hostile in turn, the other roles send all at once.
    The routes in PARTS parts (every PARTS-th route from `part`): thousands of requests per part."""
    names = [*FORM_NAMES, *sorted(_rule_field_names(app))]
    failures: list[str] = []
    clients = _signed_in(app, web_people)
    versions = _row_versions(app, objects)
    routes = [route for route in _routes(app) if route[0] not in ("static", "ops.ready")]
    for endpoint, method in routes[part::PARTS]:
        url = MATRIX[endpoint][1].format(**objects)
        version = versions["d"] if "{d}" in MATRIX[endpoint][1] else versions["a"]
        for role, client in _clients(app, clients, endpoint).items():
            token = _token(client, url) or _token(client, "/")
            form_page = url.replace("autosave", "form")
            if form_page != url:
                token = _token(client, form_page) or token
            for value in HOSTILE:
                first = role == next(iter(_clients(app, clients, endpoint)))
                if method == "GET":
                    path, _, given = url.partition("?")
                    one_by_one = first and value in ONE_BY_ONE
                    hostile = [QUERY_NAMES] + ([(name,) for name in QUERY_NAMES] if one_by_one else [])
                    for names_at_once in hostile:
                        query = {**dict(parse_qsl(given)), **{name: value for name in names_at_once}}
                        response = client.get(path, query_string=query)
                        _check(response, f"GET {url} {names_at_once} {value!r} as {role}", failures)
                    continue
                for data in _variants(endpoint, names, value, version, each=first and value in EACH_FIELD):
                    response = client.post(url, data={**data, "csrf_token": token})
                    _check(response, f"POST {url} {value!r} as {role}", failures)
    assert failures == []


@pytest.mark.parametrize("bad_id", OUT_OF_RANGE_IDS)
def test_ids_beyond_the_database_range_are_not_found(app, web_people, objects, bad_id):  # noqa: F811
    """Each id of each route, replaced by one the database cannot hold, as a role allowed on the route."""
    clients = _signed_in(app, web_people)
    tokens = {role: csrf_of(client.get("/").text) for role, client in clients.items()}
    failures = []
    for endpoint, (method, template, expected) in sorted(MATRIX.items()):
        role = next((r for r in TRIED_ROLES if expected[r] not in ("L", 403, 404)), None)
        for key in objects:
            if role is None or "{" + key + "}" not in template:
                continue
            url = template.format(**{**objects, key: bad_id})
            client = clients[role]
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={**POST_DATA.get(endpoint, {}), "csrf_token": tokens[role]})
            response.close()
            if response.status_code != 404:
                failures.append(f"{response.status_code} {method} {url} as {role}")
    assert failures == []


def test_matrix_roles_cover_the_tried_roles():
    assert set(TRIED_ROLES) <= set(ROLES)
