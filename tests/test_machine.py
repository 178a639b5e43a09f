"""benchmarks/machine.py: the machine line of the benchmark reports."""
import os
import platform
import sys

import numpy as np
import pytest

from utils import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import load_note, machine_and_versions  # noqa: E402


def test_machine_line_names_cores_python_and_each_module_in_order():
    assert machine_and_versions(np, pytest) == (
        f"{platform.machine()}, {os.cpu_count()} CPU cores; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, pytest {pytest.__version__}")
    assert machine_and_versions().endswith(f"; Python {platform.python_version()}")


def test_load_note_states_the_load_average():
    assert load_note().startswith("load average ") and load_note().endswith(".")
