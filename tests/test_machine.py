"""utils/machine.py: the machine line of the benchmark reports."""
import os
import platform

import numpy as np
import pytest

from utils.machine import machine_and_versions


def test_machine_line_names_cores_python_and_each_module_in_order():
    assert machine_and_versions(np, pytest) == (
        f"{platform.machine()}, {os.cpu_count()} CPU cores; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, pytest {pytest.__version__}")
    assert machine_and_versions().endswith(f"; Python {platform.python_version()}")
