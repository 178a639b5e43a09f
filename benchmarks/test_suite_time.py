"""How long `make test` takes, stage by stage and notebook by notebook.

Runs exactly the commands of `make test` (read from `make -n test`), each with a JUnit report added, and writes
the wall time of each stage and the time of each notebook under both numerical profiles. Run it on a quiet
machine: the figures are seconds of wall time.

    .venv/bin/python benchmarks/test_suite_time.py

Writes benchmarks/results/test_suite_time.md.
"""
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from machine import machine_and_versions  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "test_suite_time.md"


def make_test_commands():
    """The shell commands `make test` runs, with its variables expanded."""
    lines = subprocess.run(["make", "-n", "test"], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.splitlines()
    return [line for line in lines if " -m pytest " in line]


def seconds_per_file(junit_file):
    """{test file: seconds} summed over its test cases (for a notebook: its cells)."""
    totals = defaultdict(float)
    for case in ElementTree.parse(junit_file).iter("testcase"):
        name = case.get("file") or case.get("classname", "").replace(".", "/")
        totals[name] += float(case.get("time", 0))
    return totals


def stage_name(command):
    if " tests " in command:
        return "unit and repository tests"
    return "notebooks, foreign profile" if "NPY_DISABLE_CPU_FEATURES" in command or command.startswith("env ") \
        else "notebooks, this machine's profile"


def main():
    stages = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, command in enumerate(make_test_commands()):
            junit = Path(tmp) / f"stage{i}.xml"
            start = time.perf_counter()
            result = subprocess.run(f"{command} --junitxml={junit} -o junit_family=xunit1", shell=True, cwd=ROOT)
            wall = time.perf_counter() - start
            if result.returncode != 0:
                sys.exit(f"`{command}` failed: fix `make test` first")
            stages.append((stage_name(command), wall, seconds_per_file(junit)))
            print(f"{stages[-1][0]}: {wall:.0f} s", flush=True)
    total = sum(wall for _, wall, _ in stages)
    lines = ["# How long `make test` takes", "",
             "`.venv/bin/python benchmarks/test_suite_time.py`: the commands of `make test`, timed. Notebooks run "
             "two at a time, so a stage's wall time is less than the sum of its notebooks' times.", "",
             machine_and_versions(), "",
             "| stage | wall time |", "|---|---|"]
    lines += [f"| {name} | {wall / 60:.1f} min ({wall:.0f} s) |" for name, wall, _ in stages]
    lines += [f"| **all** (without set-up) | **{total / 60:.1f} min** |", "",
              "Seconds per notebook (its cells and kernel start):", "",
              "| notebook | " + " | ".join(name for name, _, _ in stages[1:]) + " |",
              "|---|" + "---|" * (len(stages) - 1)]
    notebooks = sorted({f for _, _, files in stages[1:] for f in files})
    for notebook in notebooks:
        lines.append(f"| {Path(notebook).parent.name} | "
                     + " | ".join(f"{files.get(notebook, 0):.0f}" for _, _, files in stages[1:]) + " |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
