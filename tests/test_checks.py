"""utils.checks: band checks for results that vary between machines."""
import math

import pytest

from utils.checks import OutsideBand, expect_between


def test_inside_the_band_prints_the_value_and_the_band(capsys):
    expect_between("held-out loss", 1.9204, 1.80, 1.97)
    assert capsys.readouterr().out == "check: held-out loss = 1.920 (expected between 1.800 and 1.970)\n"


def test_one_sided_bands_and_formats(capsys):
    expect_between("exact match", 0.967, low=0.85, fmt=".1%")
    expect_between("loss", 0.2, high=0.5)
    expect_between("mistakes", 3, high=10, fmt="d")
    assert capsys.readouterr().out.splitlines() == ["check: exact match = 96.7% (expected at least 85.0%)",
                                                     "check: loss = 0.200 (expected at most 0.500)",
                                                     "check: mistakes = 3 (expected at most 10)"]


@pytest.mark.parametrize("value", [1.79, 1.98, math.nan])
def test_outside_the_band_fails_with_the_hint_first(value):
    with pytest.raises(OutsideBand, match=r"held-out loss is .*between 1.800 and 1.970.*check the learning rate"):
        expect_between("held-out loss", value, 1.80, 1.97, hint="check the learning rate")


def test_the_bounds_themselves_pass():
    expect_between("x", 1.0, 1.0, 2.0)
    expect_between("x", 2.0, 1.0, 2.0)


def test_a_band_needs_a_bound():
    with pytest.raises(ValueError, match="at least one bound"):
        expect_between("x", 1.0)
