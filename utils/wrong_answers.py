"""Tests that test the graded tests: plausible wrong answers, each of which its public test must fail.

Each notebook with graded functions has a list in `tests/wrong_answers/<folder>.py`:

    WRONG_ANSWERS = {"rnn_cell_forward": [(mistake, find, replace), ...], ...}

A wrong answer is the graded cell of the solution with `find` (which must occur exactly once) replaced by
`replace`. It is caught when the notebook's own test call raises `GradedTestFailure`; an answer that crashes
first (a shape error inside NumPy, say) tests nothing and is reported as such.

    python -m utils.wrong_answers [NOTEBOOK ...]   # the table of caught / tried, per notebook
"""
import argparse
import ast
import contextlib
import functools
import importlib.util
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from utils.notebook_tools import GRADED, ROOT, definitions_namespace, python_source, solution_notebooks
from utils.testing import GradedTestFailure

LISTS = ROOT / "tests" / "wrong_answers"


@dataclass(frozen=True)
class WrongAnswer:
    notebook: Path
    function: str
    mistake: str
    find: str
    replace: str

    @property
    def id(self):
        return f"{self.notebook.parent.name}::{self.function}::{self.mistake}"


def list_path(notebook):
    return LISTS / f"{Path(notebook).parent.name}.py"


def wrong_answers(notebook):
    """The wrong answers kept for a notebook's graded functions, in the order written."""
    path = list_path(notebook)
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [WrongAnswer(Path(notebook), function, *entry)
            for function, entries in module.WRONG_ANSWERS.items() for entry in entries]


def graded_cells(notebook):
    """{graded function: the source of the cell that defines it}."""
    nb = nbformat.read(notebook, as_version=4)
    return {name: cell.source for cell in nb.cells if cell.cell_type == "code"
            for name in GRADED.findall(cell.source)}


def _test_call(cell_source):
    """The graded-test call of a cell, `name_test(arg, ...)`, as (graded name, argument names)."""
    for node in ast.parse(python_source(cell_source)).body:
        call = getattr(node, "value", None)
        if isinstance(call, ast.Call) and getattr(call.func, "id", "").endswith("_test"):
            return call.func.id[: -len("_test")], [arg.id for arg in call.args]
    return None


def test_calls(notebook):
    """{graded function: the argument names of its test call}, checking each call follows its function."""
    cells = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    calls = {}
    for i, cell in enumerate(cells):
        for name in GRADED.findall(cell.source):
            following = [_test_call(c.source) for c in cells[i + 1:i + 3]]
            call = next((c for c in following if c and c[0] == name), None)
            if not call:
                raise ValueError(f"graded function {name} has no {name}_test(...) call in the cells after it")
            if call[1][0] != name:
                raise ValueError(f"{name}_test must be called on {name} first")
            calls[name] = call[1]
    return calls


@functools.lru_cache(maxsize=None)
def _solution(notebook):
    return definitions_namespace(notebook), graded_cells(notebook), test_calls(notebook)


def mutated_source(source, find, replace):
    """`source` with its one occurrence of `find` replaced."""
    count = source.count(find)
    if count != 1:
        raise ValueError(f"the text to replace occurs {count} times in the graded cell, not once: {find!r}")
    return source.replace(find, replace)


def run_graded_test(notebook, function, source=None):
    """Run the notebook's test of `function`, defined by `source` (default: the solution's cell).

    Returns ("passed" | "failed" | "crashed", the failure's message).
    """
    namespace, cells, calls = _solution(Path(notebook))
    namespace = dict(namespace)  # a wrong answer must not leak into the next one
    exec(compile(python_source(source or cells[function]), f"<{function}>", "exec"), namespace)
    test = namespace[f"{function}_test"]
    arguments = [namespace[name] for name in calls[function]]
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            test(*arguments)
    except GradedTestFailure as failure:
        return "failed", str(failure)
    except Exception as error:  # noqa: BLE001 - reported, not hidden
        return "crashed", f"{type(error).__name__}: {error}"
    return ("passed", "") if "All tests passed" in out.getvalue() else ("crashed", "no 'All tests passed' line")


def try_wrong_answer(answer):
    """Run the public test on one wrong answer: ("failed" | "passed" | "crashed", message)."""
    _, cells, _ = _solution(answer.notebook)
    return run_graded_test(answer.notebook, answer.function,
                           mutated_source(cells[answer.function], answer.find, answer.replace))


def report(notebooks):
    """Print, per notebook, how many wrong answers the public tests catch, and the ones they miss."""
    total_caught = total = 0
    for notebook in notebooks:
        answers = wrong_answers(notebook)
        if not answers:
            continue
        outcomes = [(answer, *try_wrong_answer(answer)) for answer in answers]
        caught = sum(outcome == "failed" for _, outcome, _ in outcomes)
        functions = len({answer.function for answer in answers})
        print(f"| {notebook.parent.name} | {functions} | {caught} / {len(answers)} |", flush=True)
        for answer, outcome, message in outcomes:
            if outcome != "failed":
                print(f"    {outcome}: {answer.function}: {answer.mistake} {message[:200]}")
        total_caught, total = total_caught + caught, total + len(answers)
    print(f"| all | | {total_caught} / {total} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    print("| notebook | graded functions | wrong answers caught |\n|---|---|---|")
    report([p.resolve() for p in args.notebooks] or solution_notebooks())


if __name__ == "__main__":
    sys.exit(main())
