"""Checks for results that differ a little from machine to machine: a documented band, not a stored number.

Training amplifies the last-bit differences between CPUs, thread counts and library builds, so a notebook
cell whose output depends on a training run is excluded from nbval's exact comparison (tag
`nbval-ignore-output`) and checks its numbers with `expect_between` instead. The band is wide enough for
every machine and narrow enough to fail when the code is wrong.
"""
import math


class OutsideBand(AssertionError):
    """A result fell outside the band every correct run reaches."""


def expect_between(what, value, low=None, high=None, fmt=".3f", hint=""):
    """Print `what = value (expected low to high)`, or raise OutsideBand when it lies outside the band.

    Either bound may be None (no bound on that side). `fmt` formats the numbers; `hint` names the likely
    cause for the learner when the check fails.
    """
    if low is None and high is None:
        raise ValueError("give at least one bound")
    value = float(value)

    def show(number):
        return format(round(number) if fmt.endswith("d") else number, fmt)  # "d" formats counts

    band = (f"between {show(low)} and {show(high)}" if low is not None and high is not None
            else f"at least {show(low)}" if low is not None else f"at most {show(high)}")
    inside = (not math.isnan(value) and (low is None or value >= low) and (high is None or value <= high))
    if not inside:
        raise OutsideBand(f"{what} is {show(value)}, but every correct run gives {band}. "
                          f"It varies a little between machines, never this much: "
                          f"{hint or 'check the code that produced it'}.")
    print(f"check: {what} = {show(value)} (expected {band})")
