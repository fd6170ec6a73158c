"""Engine tests run on their own fixture programs (tests/engine/programs), not on the shipped rule files."""

from __future__ import annotations

import pytest

from tests.conftest import People, make_workflow
from tests.engine.programs import ENGINE_PROGRAMS


@pytest.fixture
def workflow(db_engine, clock):
    return make_workflow(db_engine, clock, ENGINE_PROGRAMS)


@pytest.fixture
def people(db_engine) -> People:
    return People(db_engine, programs_dir=ENGINE_PROGRAMS)
