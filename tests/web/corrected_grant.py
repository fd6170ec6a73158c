"""A web app on the corrected-grant fixture alone (a stage staff may correct), with its people able to sign in:
the fixtures the correction page's and the timeline's tests share (`from tests.web.corrected_grant import ...`)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, People, rules_folder
from tests.web.conftest import make_app, people_with_passwords

FIXTURE = FIXTURES / "capabilities" / "corrected-grant.yaml"


@pytest.fixture
def rules(tmp_path):
    return rules_folder(tmp_path, FIXTURE)


@pytest.fixture
def app(sqlite_engine, clock, tmp_path, rules):
    return make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))


@pytest.fixture
def people(app, rules) -> People:
    return people_with_passwords(app, rules)
