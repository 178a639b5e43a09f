"""utils.foreign_profile: the second numerical profile of `make test` really narrows NumPy's kernels."""
import json
import os
import subprocess
import sys

import pytest

from utils.foreign_profile import foreign_environment, main, numpy_dispatched_features

FEATURES = "from numpy._core import _multiarray_umath as u; import json; print(json.dumps(u.__cpu_features__))"


def test_only_documented_switches_are_used():
    assert set(foreign_environment()) <= {"NPY_DISABLE_CPU_FEATURES", "ONEDNN_MAX_CPU_ISA"}


@pytest.mark.skipif(not numpy_dispatched_features(), reason="NumPy has no optional kernels to switch off here")
def test_numpy_runs_without_the_kernels_it_would_pick():
    environment = {**os.environ, **foreign_environment()}
    result = subprocess.run([sys.executable, "-c", FEATURES], env=environment, capture_output=True, text=True,
                            check=True)
    features = json.loads(result.stdout)
    assert not any(features[name] for name in numpy_dispatched_features()), "the profile changed nothing"
    assert result.stderr == ""


def test_the_command_prints_shell_assignments(capsys):
    main()
    printed = capsys.readouterr().out.strip()
    assert printed == " ".join(f"{k}='{v}'" for k, v in foreign_environment().items())
