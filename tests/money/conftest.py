"""Money fixtures: the two test programs in tests/money/rules on a migrated database, and their staff."""

from __future__ import annotations

import pytest

from tests.conftest import make_workflow
from tests.money.helpers import RULES, make_staff


@pytest.fixture
def money(db_engine, clock):
    """A Workflow over the money test programs (tiny-grant: 80,000,000원; global-grant: USD)."""
    return make_workflow(db_engine, clock, RULES)


@pytest.fixture
def staff(db_engine):
    return make_staff(db_engine)
