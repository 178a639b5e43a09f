"""Which notebook cells change their output when the machine computes differently?

Runs every notebook under nbval once per numerical profile (an environment switch that makes NumPy, OpenBLAS,
oneDNN or TensorFlow pick other kernels or thread counts, as another CPU would) and lists the cells whose output
differs from the stored one. The `nbval-ignore-output` tags are stripped first, in a copy of the repository, so
the table shows every cell that a machine's last bits can change, tagged or not: the cells the portability rule
(README, "When you change a notebook") must tag and check with a band.

    .venv/bin/python benchmarks/numerical_profiles.py                 # all profiles, about 6 minutes each
    .venv/bin/python benchmarks/numerical_profiles.py --tree HEAD     # the notebooks as last committed
    .venv/bin/python benchmarks/numerical_profiles.py --profiles default one_thread

Writes benchmarks/results/numerical_profiles.md.
"""
import argparse
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.foreign_profile import foreign_environment  # noqa: E402
from machine import machine_and_versions  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "numerical_profiles.md"
UNCHECKED_TAGS = {"nbval-ignore-output", "nbval-skip"}
PROFILES = {
    "default": ({}, "nothing changed: the run-to-run control"),
    "one_thread": ({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1",
                    "TF_NUM_INTEROP_THREADS": "1"}, "one thread in OpenBLAS and TensorFlow"),
    "openblas_skylakex": ({"OPENBLAS_CORETYPE": "SkylakeX"}, "OpenBLAS's AVX-512 kernels instead of Haswell's"),
    "numpy_no_avx512": ({"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
                        "NumPy's AVX-512 kernels off (an AVX2 CPU)"),
    "onednn_avx2": ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, "oneDNN limited to AVX2 (an AVX2 CPU)"),
    "onednn_off": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, "TensorFlow without oneDNN (as on Apple silicon)"),
    "foreign": (foreign_environment(), "`make test`'s second profile (utils/foreign_profile.py)"),
}


def copy_tree(tree, destination):
    """The repository's files (the working tree, or a commit such as HEAD) copied into `destination`."""
    if tree == "working":
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.split()
        for name in files:
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / name).is_file():
                target.write_bytes((ROOT / name).read_bytes())
    else:
        archive = subprocess.run(["git", "archive", tree], cwd=ROOT, check=True, capture_output=True).stdout
        tarfile.open(fileobj=io.BytesIO(archive)).extractall(destination, filter="data")


def strip_unchecked_tags(destination):
    """Remove nbval's exclusion tags from every solution notebook of the copy, so every cell is compared."""
    notebooks = sorted(p for p in destination.glob("Week-*/*/*.ipynb") if not p.stem.endswith("_exercise"))
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            tags = cell.metadata.get("tags")
            if tags:
                cell.metadata["tags"] = [t for t in tags if t not in UNCHECKED_TAGS]
        nbformat.write(nb, path)
    return notebooks


def differing_cells(copy, notebooks, environment):
    """{notebook folder: [nbval cell numbers that failed]} and the seconds the run took."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(copy), **environment}
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", *[str(p.relative_to(copy)) for p in notebooks], "--nbval",
                          "--nbval-sanitize-with", "nbval_sanitize.cfg", "--nbval-cell-timeout=600", "-q", "-rf",
                          "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider"],
                         cwd=copy, env=env, capture_output=True, text=True)
    failed = defaultdict(list)
    for path, cell in re.findall(r"^FAILED (\S+\.ipynb)::Cell (\d+)", run.stdout, re.M):
        failed[Path(path).parent.name].append(int(cell))
    if run.returncode not in (0, 1) or "error" in run.stdout.splitlines()[-1]:
        print(run.stdout[-3000:], run.stderr[-3000:])
    return {name: sorted(cells) for name, cells in failed.items()}, time.perf_counter() - start


def report(rows, tree):
    lines = ["# Which cells change with the machine's arithmetic",
             "",
             f"`.venv/bin/python benchmarks/numerical_profiles.py --tree {tree}`: every notebook run under nbval once "
             "per profile, with the `nbval-ignore-output` tags stripped, so every cell is compared with its stored "
             "output. Cells are nbval's numbers (code cells counted from 0). Notebooks run two at a time.",
             "",
             machine_and_versions(),
             "",
             "| profile | what it switches | cells that differ | where | run time |",
             "|---|---|---|---|---|"]
    for name, (environment, meaning), failed, seconds in rows:
        switches = " ".join(f"`{k}={v}`" for k, v in environment.items()) or "none"
        where = "; ".join(f"{nb}: {', '.join(map(str, cells))}" for nb, cells in sorted(failed.items())) or "-"
        total = sum(len(cells) for cells in failed.values())
        lines.append(f"| {name} | {meaning}: {switches} | {total} | {where} | {seconds:.0f} s |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", default="working", help="'working' (default) or a commit, e.g. HEAD")
    parser.add_argument("--profiles", nargs="+", choices=list(PROFILES), default=list(PROFILES))
    args = parser.parse_args(argv)
    if args.tree != "working":  # name the commit, not a moving ref such as HEAD
        args.tree = subprocess.run(["git", "rev-parse", "--short", args.tree], cwd=ROOT, check=True,
                                   capture_output=True, text=True).stdout.strip()
    rows = []
    with tempfile.TemporaryDirectory(prefix="profiles-") as tmp:
        copy = Path(tmp)
        copy_tree(args.tree, copy)
        notebooks = strip_unchecked_tags(copy)
        for name in args.profiles:
            environment, meaning = PROFILES[name]
            failed, seconds = differing_cells(copy, notebooks, environment)
            print(f"{name}: {sum(map(len, failed.values()))} cells differ {dict(failed)} ({seconds:.0f} s)", flush=True)
            rows.append((name, PROFILES[name], failed, seconds))
    RESULTS.write_text(report(rows, args.tree), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
