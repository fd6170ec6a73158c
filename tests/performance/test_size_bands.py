"""Company size bands by employees (상시 근로자 수): the bounds belong to the band above."""

from __future__ import annotations

import pytest

from workflow.performance.kinds import size_band


@pytest.mark.parametrize(
    ("employees", "band"),
    [
        (None, None),
        (0, "micro"),
        (9, "micro"),
        (10, "small"),
        (49, "small"),
        (50, "medium"),
        (299, "medium"),
        (300, "large"),
    ],
)
def test_size_band(employees, band):
    assert size_band(employees) == band
